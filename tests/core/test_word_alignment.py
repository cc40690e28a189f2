"""What a re-alignment places and keeps, and the command that applies it as one undo step."""

from __future__ import annotations

import pytest

from subtitler.core.commands import SetText, SetWords
from subtitler.core.cue import Cue, Word
from subtitler.core.document import Document
from subtitler.core.history import History
from subtitler.core.segmentation import cue_times, segment
from subtitler.core.word_alignment import alignable_words, covers, merge_realigned, needs_alignment, spoken_text

WORDS = (Word(" ask", 1000, 1200, 0.9), Word(" not", 1200, 1500, 0.8), Word(" what", 1600, 1800, 0.95),
         Word(" your", 1800, 1950, 0.9), Word(" country", 1950, 2400, 0.7))
CUE = Cue(900, 2800, "ask not what your country", WORDS)


def test_recognised_words_are_aligned_already() -> None:
    assert alignable_words(CUE) == WORDS and not needs_alignment(CUE)


def test_retyped_word_is_the_one_to_align() -> None:
    doc = Document([CUE])
    SetText(doc, 0, "ask not what our country").redo()
    words = alignable_words(doc[0])
    assert [w.needs_alignment for w in words] == [False, False, False, True, False]
    assert needs_alignment(doc[0])


def test_hand_typed_cue_gets_a_flagged_word_per_word_and_tags_are_not_words() -> None:
    cue = Cue(0, 2000, "<i>Hello</i> there,\n{\\an8}friend")
    words = alignable_words(cue)
    assert [w.text.strip() for w in words] == ["Hello", "there,", "friend"]
    assert all(w.needs_alignment for w in words) and spoken_text(cue) == "Hello there, friend"
    assert alignable_words(Cue(0, 10, "  ")) == () and not needs_alignment(Cue(0, 10, ""))


def test_words_that_no_longer_spell_the_text_are_diffed_against_it() -> None:
    cue = Cue(900, 2800, "ask not what your nation", WORDS)  # text changed without SetText
    assert not covers(WORDS, cue.text)
    words = alignable_words(cue)
    assert words[:4] == WORDS[:4] and words[4].needs_alignment and words[4].text.strip() == "nation"


def test_merge_keeps_untouched_words_and_bounds_new_ones_by_them() -> None:
    words = WORDS[:3] + (Word(" our", 1800, 1950, None, True),) + WORDS[4:]
    aligned = [Word(w.text, w.start_ms + 40, w.end_ms + 40, 0.5) for w in words]
    aligned[3] = Word(" our", 1700, 2100, 0.6)  # the aligner disagrees with the kept neighbours
    merged = merge_realigned(words, aligned)
    assert merged[:3] == WORDS[:3] and merged[4] == WORDS[4]
    assert merged[3] == Word(" our", 1800, 1950, 0.6, False)
    assert [w.start_ms for w in merged] == sorted(w.start_ms for w in merged)


def test_merge_takes_every_time_when_all_words_are_new() -> None:
    words = tuple(Word(t, 0, 10, None, True) for t in (" a", " b"))
    aligned = [Word(" a", 100, 300, 0.9), Word(" b", 300, 700, 0.8)]
    assert merge_realigned(words, aligned) == (Word(" a", 100, 300, 0.9), Word(" b", 300, 700, 0.8))
    with pytest.raises(ValueError):
        merge_realigned(words, aligned[:1])


def test_set_words_is_one_undo_step_and_checks_times() -> None:
    doc = Document([CUE, Cue(3000, 4000, "again")])
    history = History()
    new = {0: WORDS[:4] + (Word(" country", 1950, 2300, 0.99),), 1: (Word(" again", 3100, 3600, 0.9),)}
    history.push(SetWords(doc, new))
    assert doc[0].words[-1].end_ms == 2300 and doc[1].words[0].text == " again"
    assert (doc[0].start_ms, doc[0].end_ms, doc[0].text) == (900, 2800, CUE.text)
    history.undo()
    assert doc[0] == CUE and doc[1].words == ()
    with pytest.raises(ValueError):
        SetWords(doc, {0: (Word(" x", 500, 400),)})
    with pytest.raises(ValueError):
        SetWords(doc, {5: ()})


def test_cue_times_match_segment_for_the_same_breaks() -> None:
    words = [Word(f" w{i}", i * 400, i * 400 + 300) for i in range(20)]
    cues = segment(words)
    breaks, count = [], 0
    for cue in cues:
        count += len(cue.words)
        breaks.append(count)
    assert cue_times(words, breaks) == [(c.start_ms, c.end_ms) for c in cues]
