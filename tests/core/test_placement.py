"""Where recognised cues may go among cues that stay, and the one-step transcription edit."""

from __future__ import annotations

import pytest

from subtitler.core.commands_transcription import ApplyTranscription
from subtitler.core.cue import Cue, Word
from subtitler.core.document import Document
from subtitler.core.history import History
from subtitler.core.placement import fit_into_gaps, free_intervals, rows_in_range, span_of

KEPT = [Cue(1000, 2000, "one"), Cue(5000, 6000, "two")]


def test_free_intervals_keep_the_gap_from_kept_cues():
    assert free_intervals(KEPT, 100)[:2] == [(0, 900), (2100, 4900)]
    assert free_intervals(KEPT, 100)[2][0] == 6100
    assert free_intervals(KEPT, 100, 1500, 5500) == [(2100, 4900)]
    assert free_intervals([], 100, 0, 500) == [(0, 500)]


def test_fit_into_gaps_keeps_new_speech_clips_edges_and_drops_repeats():
    words = (Word("a", 1950, 2300), Word("b", 2400, 3900))
    new = [
        Cue(1100, 1900, "says again what 'one' says"),  # inside a kept cue: dropped
        Cue(1900, 4000, "runs into 'one' a little", words),  # clipped to start after the gap
        Cue(4500, 5800, "mostly over 'two'"),  # 800 of 1300 ms over a kept cue: dropped
        Cue(7000, 8000, "after everything"),  # free: kept as it is
    ]
    fitted = fit_into_gaps(KEPT, new, 100)
    assert [c.text for c in fitted] == ["runs into 'one' a little", "after everything"]
    assert (fitted[0].start_ms, fitted[0].end_ms) == (2100, 4000)
    assert [w.text for w in fitted[0].words] == ["b"], "a word cut by the clip goes with it"
    assert fitted[1] is new[3]
    assert fit_into_gaps([], new, 83) == new


def test_rows_in_range_by_middle_and_the_span_covers_them():
    cues = [Cue(0, 1000, "a"), Cue(1200, 3000, "b"), Cue(3100, 3500, "c"), Cue(6000, 9000, "d")]
    assert rows_in_range(cues, 1500, 4000) == [1, 2]  # b's middle is 2100, c's 3300; d's 7500 is out
    assert span_of(cues, [1, 2], 1500, 4000) == (1200, 4000)
    assert span_of(cues, [3]) == (6000, 9000)
    assert span_of(cues, [], 200, 700) == (200, 700)
    with pytest.raises(ValueError):
        span_of(cues, [])


def test_a_transcription_replaces_rows_sets_the_language_and_undoes_in_one_step():
    doc = Document([Cue(0, 1000, "keep"), Cue(2000, 3000, "old"), Cue(4000, 5000, "keep too")])
    before = doc.snapshot()
    history, job = History(), object()
    history.push(ApplyTranscription(doc, [], job, remove_rows=[1], language="de", text="Transcribe (replace all)"))
    history.push(ApplyTranscription(doc, [Cue(2100, 2900, "neu")], job))
    history.push(ApplyTranscription(doc, [Cue(6000, 7000, "mehr")], job))
    assert [c.text for c in doc] == ["keep", "neu", "keep too", "mehr"] and doc.language == "de"
    assert len(history) == 1 and history.undo_text == "Transcribe (replace all)"
    history.undo()
    assert doc.snapshot() == before
    history.redo()
    assert [c.text for c in doc] == ["keep", "neu", "keep too", "mehr"] and doc.language == "de"
    with pytest.raises(ValueError, match="no cues"):
        ApplyTranscription(doc, [], job, language="de")  # nothing would change
