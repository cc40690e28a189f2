"""Each edit command: what redo does, that undo restores exactly, and that bad arguments change nothing."""

from __future__ import annotations

import pytest

from subtitler.core.commands import (
    ApplyFixes, ChangeSpeed, Composite, DeleteCues, InsertCue, MergeCues, MoveCues, SetText, SetTimes,
    ShiftTimes, SnapToWords, SplitCue, TwoPointSync,
)
from subtitler.core.cue import Cue, Word
from subtitler.core.document import Document
from tests.core.helpers import sample_document


def roundtrip(doc, command):
    """Redo, check undo restores, redo again; returns the document after redo."""
    before = doc.snapshot()
    command.redo()
    after = doc.snapshot()
    command.undo()
    assert doc.snapshot() == before
    command.redo()
    assert doc.snapshot() == after
    return doc


def test_set_text_keeps_unchanged_word_timings_and_flags_new_words():
    doc = sample_document()
    old = doc[0].words
    roundtrip(doc, SetText(doc, 0, "Hello there, my dear friend."))
    words = doc[0].words
    assert [w.text for w in words] == ["Hello", "there,", "my", "dear", "friend."]
    assert words[:3] == old[:3] and words[4] == old[3]
    assert words[3].needs_alignment and old[2].end_ms <= words[3].start_ms <= words[3].end_ms <= old[3].start_ms


def test_set_text_changed_word_is_reflagged_and_cue_without_words_stays_without():
    doc = sample_document()
    roundtrip(doc, SetText(doc, 0, "Hello there, my fiend."))
    assert doc[0].words[-1].needs_alignment and doc[0].words[-1].text == "fiend."
    roundtrip(doc, SetText(doc, 2, "Other text"))
    assert doc[2].text == "Other text" and doc[2].words == ()


def test_set_times_and_validation():
    doc = sample_document()
    roundtrip(doc, SetTimes(doc, 1, 3100, 4400))
    assert (doc[1].start_ms, doc[1].end_ms) == (3100, 4400)
    before = doc.snapshot()
    for args in ((1, 5000, 4000), (9, 0, 10), (-1, 0, 10), (1, -5, 10)):
        with pytest.raises(ValueError):
            SetTimes(doc, *args)
    assert doc.snapshot() == before


def test_move_shift_and_out_of_range():
    doc = sample_document()
    roundtrip(doc, MoveCues(doc, [1, 2], 250))
    assert doc[1].start_ms == 3250 and doc[1].words[0].start_ms == 3250 and doc[0].start_ms == 1000
    roundtrip(doc, ShiftTimes(doc, -500))
    assert doc[0].start_ms == 500 and doc[3].end_ms == 8500
    with pytest.raises(ValueError):
        ShiftTimes(doc, -600)  # would start before 0
    with pytest.raises(ValueError):
        MoveCues(doc, [7], 10)


def test_insert_and_delete_non_contiguous_rows():
    doc = sample_document()
    roundtrip(doc, InsertCue(doc, 4, Cue(9500, 10000, "End")))
    assert doc[4].text == "End"
    roundtrip(doc, DeleteCues(doc, [0, 2, 3]))
    assert [c.text for c in doc] == ["How are you\ntoday?", "End"]
    with pytest.raises(ValueError):
        InsertCue(doc, 5, Cue(0, 1, "x"))
    with pytest.raises(ValueError):
        DeleteCues(doc, [])


def test_split_divides_words_and_time_at_word_boundary():
    doc = sample_document()
    text = doc[0].text
    roundtrip(doc, SplitCue(doc, 0, text.index("my")))
    first, second = doc[0], doc[1]
    assert (first.text, second.text) == ("Hello there,", "my friend.")
    assert [w.text for w in first.words] == ["Hello", "there,"] and [w.text for w in second.words] == ["my", "friend."]
    assert first.end_ms == first.words[-1].end_ms == 1650 and second.start_ms == second.words[0].start_ms == 1700
    assert first.start_ms == 1000 and second.end_ms == 2500


def test_split_inside_a_word_snaps_to_the_nearer_boundary_and_without_words_by_characters():
    doc = sample_document()
    roundtrip(doc, SplitCue(doc, 2, len("Plain te")))  # inside "text": the nearer boundary is before it
    assert (doc[2].text, doc[3].text) == ("Plain", "text cue")
    assert doc[2].end_ms == doc[3].start_ms == 5000 + round(1000 * 5 / 13)
    with pytest.raises(ValueError):
        SplitCue(doc, 2, 0)
    with pytest.raises(ValueError):
        SplitCue(doc, 2, 99)


def test_split_at_time():
    doc = sample_document()
    roundtrip(doc, SplitCue(doc, 0, 13, at_ms=1800))
    assert doc[0].end_ms == doc[1].start_ms == 1800
    with pytest.raises(ValueError):
        SplitCue(doc, 0, 5, at_ms=99999)


def test_merge_keeps_words_and_joins_text():
    doc = sample_document()
    words = doc[0].words + doc[1].words
    roundtrip(doc, MergeCues(doc, 0, 1))
    assert len(doc) == 3 and doc[0].words == words
    assert doc[0].plain_text == "Hello there, my friend. How are you today?"
    assert (doc[0].start_ms, doc[0].end_ms) == (1000, 4500)
    with pytest.raises(ValueError):
        MergeCues(doc, 1, 1)


def test_change_speed_between_frame_rates_and_two_point_sync():
    doc = sample_document()
    roundtrip(doc, ChangeSpeed.from_frame_rates(doc, 25.0, 23.976))
    assert doc[3].end_ms == round(9000 * 25 / 23.976)
    doc = sample_document()
    roundtrip(doc, TwoPointSync(doc, (1000, 1500), (7000, 8700)))
    assert doc[0].start_ms == 1500 and doc[3].start_ms == 8700 and doc[3].words[0].start_ms == round(1500 + 6100 * 1.2)
    with pytest.raises(ValueError):
        TwoPointSync(doc, (1000, 0), (1000, 10))
    with pytest.raises(ValueError):
        ChangeSpeed(doc, 0)


def test_snap_to_words_respects_tail_and_gap():
    doc = sample_document()
    roundtrip(doc, SnapToWords(doc, tail_ms=200, min_gap_ms=83))
    assert doc[0].start_ms == 1000 and doc[0].end_ms == 1000 + 3 * 350 + 300 + 200
    assert doc[2].start_ms == 5000  # no words: unchanged
    assert doc[3].start_ms == 7100 and doc[3].end_ms == 8500 + 200
    tight = sample_document()
    SnapToWords(tight, tail_ms=2000, min_gap_ms=83).redo()
    assert tight[0].end_ms == tight[1].start_ms - 83


def test_apply_fixes_and_composite():
    doc = sample_document()
    roundtrip(doc, ApplyFixes(doc, [(0, Cue(1000, 2600, "Fixed")), (2, Cue(5000, 5900, "Also"))]))
    assert doc[0].text == "Fixed" and doc[2].end_ms == 5900
    doc = sample_document()
    composite = Composite("Two", [SetText(doc, 0, "A"), lambda: MergeCues(doc, 0, 1)])
    roundtrip(doc, composite)
    assert doc[0].plain_text == "A How are you today?"


def test_composite_rolls_back_when_a_later_step_fails():
    doc = sample_document()
    before = doc.snapshot()
    with pytest.raises(ValueError):
        Composite("Bad", [SetText(doc, 0, "A"), lambda: SetTimes(doc, 0, 10, 5)]).redo()
    assert doc.snapshot() == before


def test_commands_emit_change_signals_with_rows():
    doc = sample_document()
    seen = []
    doc.changed.connect(seen.append)
    SetText(doc, 2, "x").redo()
    DeleteCues(doc, [1, 3]).redo()
    assert [(c.kind, c.first, c.count) for c in seen] == [("changed", 2, 1), ("removed", 3, 1), ("removed", 1, 1)]


def test_snap_keeps_the_gap_to_where_the_next_cue_will_start():
    doc = Document([
        Cue(0, 5000, "a b", (Word("a", 500, 900), Word("b", 1000, 1400))),
        Cue(1500, 4000, "c", (Word("c", 1700, 2000),)),
    ])
    SnapToWords(doc, tail_ms=400, min_gap_ms=83).redo()
    assert (doc[0].start_ms, doc[0].end_ms) == (500, 1700 - 83)
    assert (doc[1].start_ms, doc[1].end_ms) == (1700, 2400)
    only_first = Document([Cue(0, 5000, "a b", (Word("a", 500, 900), Word("b", 1000, 1400))), Cue(1500, 4000, "c")])
    SnapToWords(only_first, rows=[0], tail_ms=400).redo()
    assert only_first[0].end_ms == 1500 - 83


def test_replace_all_cues_is_one_reset_and_undoes_exactly():
    from subtitler.core.commands import ReplaceAllCues

    doc = sample_document()
    before = doc.snapshot()
    changes = []
    doc.changed.connect(changes.append)
    imported = [Cue(0, 1000, "one"), Cue(1200, 2400, "two")]
    command = ReplaceAllCues(doc, imported, "Import subs.srt")
    command.redo()
    assert list(doc.cues) == imported and [c.kind for c in changes] == ["reset"]
    command.undo()
    assert doc.snapshot() == before
    with pytest.raises(ValueError):
        ReplaceAllCues(doc, [Cue(500, 100, "backwards")], "Import")
