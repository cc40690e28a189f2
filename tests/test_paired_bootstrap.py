"""bench_accuracy's verdict against the peers: errors charged to the right recording, and a bootstrap that can say
"worse" as well as "within noise"."""

from __future__ import annotations

import sys
from pathlib import Path

import jiwer
import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from paired_bootstrap import UnitErrors, compare, errors_per_unit  # noqa: E402

UNITS = ["and so my fellow americans", "ask not what your country can do for you", "she had your dark suit"]


@pytest.mark.parametrize("hypothesis", [
    "and so my fellow americans ask not what your country can do for you she had your dark suit",  # exact
    "thank you and so my fellow americans ask not what your country can do for you she had your dark suit",
    "and so my fellow americans thank you ask not what your country can do for you she had your dark suit",
    "and so my fellow americans ask not what your country can do for you she had your dark suit thank you",
    "and so my fellow americans she had your dark suit",  # the middle recording dropped
    "and so my fellow americans ask not what your country can do for you ask not what your country",  # a replay
    "",
    "completely different words entirely",
])
def test_the_errors_per_recording_add_up_to_the_set_s_errors(hypothesis):
    units = errors_per_unit(UNITS, hypothesis)
    reference = " ".join(UNITS)
    out = jiwer.process_words(reference, hypothesis or "<empty>")
    assert [u.words for u in units] == [len(u.split()) for u in UNITS]
    assert sum(u.errors for u in units) == out.substitutions + out.deletions + out.insertions


def test_each_error_is_charged_to_the_recording_it_falls_in():
    dropped_middle = errors_per_unit(UNITS, "and so my fellow americans she had your dark suit")
    assert [u.errors for u in dropped_middle] == [0, 9, 0]
    across_a_seam = errors_per_unit(UNITS, "and so my fellow she had your dark suit")  # one deletion over two recordings
    assert [u.errors for u in across_a_seam] == [1, 9, 0]
    # words written over the pause after a recording count against that recording; before the first, the first
    inserted = errors_per_unit(UNITS, "oh and so my fellow americans ask not what your country can do for you "
                                      "okay then she had your dark suit")
    assert [u.errors for u in inserted] == [1, 2, 0]
    assert [u.errors for u in errors_per_unit(UNITS, UNITS[0] + " " + UNITS[1] + " " + UNITS[2] + " the end")] == [0, 0, 2]


def test_a_recording_without_words_takes_no_error_and_a_set_without_words_is_refused():
    units = errors_per_unit(["and so", "", "my fellow"], "and so uh my fellow")
    assert [(u.errors, u.words) for u in units] == [(1, 2), (0, 0), (0, 2)]
    with pytest.raises(ValueError):
        errors_per_unit(["", ""], "hello")


def _set(errors: list[int], words: int = 40) -> list[UnitErrors]:
    return [UnitErrors(e, words) for e in errors]


def test_the_bootstrap_tells_a_real_difference_from_a_word_or_two():
    rng = np.random.default_rng(1)
    theirs = _set(list(rng.integers(2, 8, size=21)))
    one_word = compare(_set([u.errors + (i == 3) for i, u in enumerate(theirs)]), theirs)
    assert one_word.error_difference == 1 and one_word.verdict == "within noise"
    assert one_word.low <= 0 < one_word.high  # the draws that leave that recording out differ by nothing
    everywhere = compare(_set([u.errors + 2 for u in theirs]), theirs)  # two more errors in every recording
    assert everywhere.verdict == "worse" and everywhere.low > 0 and everywhere.share_worse == 1.0
    assert compare(theirs, _set([u.errors + 2 for u in theirs])).verdict == "better"
    same = compare(theirs, theirs)
    assert (same.difference, same.low, same.high, same.share_worse) == (0.0, 0.0, 0.0, 0.0)


def test_engines_scored_on_different_recordings_are_refused():
    with pytest.raises(ValueError):
        compare(_set([1, 2]), _set([1, 2, 3]))
    with pytest.raises(ValueError):
        compare(_set([1, 2]), _set([1, 2], words=41))


def test_a_programme_is_scored_per_recording_as_its_table_scores_it_whole():
    import bench_accuracy
    from accuracy_sets import Item, Stretch
    from asr_clips import load_clip, normalise

    names = ["jfk.flac", "LDC93S1.wav"]
    stretches = (Stretch("speech", 0, 11, names[0]), Stretch("noise", 11, 15), Stretch("speech", 15, 18, names[1]))
    reference = " ".join(load_clip(n).reference for n in names)
    programme = Item("long-form", "two recordings", "en", reference, np.zeros(16), stretches)
    result = {"segments": [[0, 11, " " + load_clip(names[0]).reference], [12, 13, " Thank you."],
                           [15, 18, " She had your dark suit and greasy wash water."]]}
    units = bench_accuracy.units_of(programme, result)
    assert [u.words for u in units] == [len(normalise(load_clip(n).reference).split()) for n in names]
    total = bench_accuracy.error_rate([reference], [bench_accuracy.text_of(result)]) * sum(u.words for u in units)
    assert sum(u.errors for u in units) == round(total) > 0
    assert units[0].errors == 2  # "thank you" over the noise counts against the recording before it
    assert units[1].errors == 3  # "and" for "in", "all year" left out
    with pytest.raises(ValueError, match="do not join"):
        bench_accuracy.units_of(Item("long-form", "wrong", "en", reference + " extra", np.zeros(16), stretches), result)
