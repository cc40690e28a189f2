"""The Qt-free logic behind the editing tools: go-to parsing, find/replace, snapping, translation pairing."""

from __future__ import annotations

import pytest

from subtitler.core.cue import Cue, Word
from subtitler.core.cue_index import CueIndex
from subtitler.core.document import Document
from subtitler.core.find_replace import FindOptions, Match, ReplaceAll, ReplaceMatch, find_all, find_next
from subtitler.core.go_to import GoToTarget, parse_go_to
from subtitler.core.history import History
from subtitler.core.snapping import Edge, SnapOptions, limits, snap, to_frame
from subtitler.core.timecode import parse_offset
from subtitler.core.translation import paired_rows, translation_copy


@pytest.mark.parametrize("text, target", [
    ("12", GoToTarget(row=11)), ("#3", GoToTarget(row=2)), ("1:02.5", GoToTarget(time_ms=62_500)),
    ("00:01:02,500", GoToTarget(time_ms=62_500)), ("01:02:03", GoToTarget(time_ms=3_723_000)),
    ("62.5", GoToTarget(time_ms=62_500)), ("90s", GoToTarget(time_ms=90_000)), ("0,25", GoToTarget(time_ms=250)),
    ("1550f", GoToTarget(time_ms=62_000)), ("00:01:02:12", GoToTarget(time_ms=62_480)),
])
def test_go_to_understands_cue_numbers_times_and_frames(text, target):
    assert parse_go_to(text, 25.0, 20) == target


@pytest.mark.parametrize("text, message", [
    ("21", "no cue 21"), ("0", "no cue 0"), ("", "type a cue number"), ("soon", "neither a cue number nor a time"),
    ("00:00:01:30", "frame 30 does not exist"),
])
def test_go_to_refuses_with_a_reason(text, message):
    with pytest.raises(ValueError, match=message):
        parse_go_to(text, 25.0, 20)


def test_parse_offset():
    assert parse_offset("-1500") == -1500 and parse_offset("+250") == 250 and parse_offset("-00:00:01,500") == -1500
    with pytest.raises(ValueError, match="not a shift"):
        parse_offset("early")


DOC_TEXTS = ["Ask not what your country", "can do for you, ask", "what you can do\nfor your country.", "ASKew task"]


def _doc() -> Document:
    return Document([Cue(i * 2000, i * 2000 + 1500, t) for i, t in enumerate(DOC_TEXTS)])


def test_find_plain_case_and_whole_word():
    doc = _doc()
    assert [(m.row, m.start) for m in find_all(doc.cues, FindOptions("ask"))] == [(0, 0), (1, 16), (3, 0), (3, 7)]
    assert [(m.row, m.start) for m in find_all(doc.cues, FindOptions("ask", match_case=True))] == [(1, 16), (3, 7)]
    assert [(m.row, m.start) for m in find_all(doc.cues, FindOptions("ask", whole_word=True))] == [(0, 0), (1, 16)]
    assert find_all(doc.cues, FindOptions("country."))[0] == Match(2, 25, 33)  # plain text: the dot is a dot
    assert find_all(doc.cues, FindOptions("ask"), rows=[3]) == [Match(3, 0, 3), Match(3, 7, 10)]


def test_find_next_goes_forward_and_back_and_wraps():
    cues, options = _doc().cues, FindOptions("you")
    assert find_next(cues, options, 0, 0) == Match(0, 13, 16)  # "your"
    assert find_next(cues, options, 0, 16) == Match(1, 11, 14)
    assert find_next(cues, options, 2, 30) == Match(0, 13, 16), "wraps round"
    assert find_next(cues, options, 1, 11, forward=False) == Match(0, 13, 16)
    assert find_next(cues, options, 0, 0, forward=False) == Match(2, 20, 23), "wraps round backwards"
    assert find_next(cues, FindOptions("zebra"), 0, 0) is None


def test_bad_or_empty_patterns_say_why():
    with pytest.raises(ValueError, match="not a valid regular expression"):
        FindOptions("(unclosed", regex=True).compiled()
    with pytest.raises(ValueError, match="type something"):
        FindOptions("").compiled()
    assert find_all(_doc().cues, FindOptions("a*", regex=True))[:2] == [Match(0, 0, 1), Match(0, 10, 11)]  # no empty matches


def test_replace_all_is_one_undo_step_with_a_count_and_keeps_word_timings():
    words = (Word("Ask", 0, 300), Word(" not", 300, 600), Word(" what", 600, 900))
    doc = Document([Cue(0, 1500, "Ask not what", words), *[Cue(2000 * i, 2000 * i + 1500, t) for i, t in enumerate(DOC_TEXTS[1:], 1)]])
    history = History()
    command = ReplaceAll(doc, FindOptions(r"\b(a)sk\b", regex=True), r"\1sked")
    history.push(command)
    assert command.count == 2 and len(command.rows) == 2
    assert doc[0].text == "Asked not what" and doc[1].text == "can do for you, asked"
    assert doc[0].words[1:] == words[1:], "untouched words keep their times"
    assert doc[3].text == "ASKew task"
    history.undo()
    assert [c.text for c in doc] == ["Ask not what", *DOC_TEXTS[1:]]
    assert len(history) == 1


def test_replace_one_match_and_a_stale_match():
    doc = _doc()
    match = find_all(doc.cues, FindOptions("you"))[1]
    ReplaceMatch(doc, FindOptions("you"), "thee", match).redo()
    assert doc[1].text == "can do for thee, ask" and doc[2].text.startswith("what you")
    with pytest.raises(ValueError, match="changed since"):
        ReplaceMatch(doc, FindOptions("you"), "thee", match)
    with pytest.raises(ValueError, match="does not fit"):
        ReplaceAll(doc, FindOptions("(you)", regex=True), r"\2")


def _three() -> list[Cue]:
    words = (Word("a", 3100, 3400), Word(" b", 3600, 4400))
    return [Cue(1000, 2500, "one"), Cue(3000, 5000, "two", words), Cue(6000, 8000, "three")]


def test_snap_start_to_words_playhead_neighbour_and_shot_change():
    cues = _three()
    opts = SnapOptions(threshold_ms=80, min_gap_ms=83, frame_rate=25)
    assert snap(cues, 1, Edge.START, 3070, 5000, opts) == (3100, 5000), "first word"
    assert snap(cues, 1, Edge.START, 2620, 5000, opts) == (2583, 5000), "previous end plus the gap"
    assert snap(cues, 1, Edge.START, 2800, 5000, SnapOptions(80, 83, 25, playhead_ms=2810)) == (2810, 5000)
    assert snap(cues, 1, Edge.START, 2870, 5000, SnapOptions(80, 83, 25, shot_changes_ms=(2900,))) == (2900, 5000)
    assert snap(cues, 1, Edge.START, 2731, 5000, opts) == (2720, 5000), "nothing near: the nearest frame (40 ms)"
    assert snap(cues, 1, Edge.START, 2731, 5000, SnapOptions(80, 83, 25, enabled=False)) == (2731, 5000)


def test_snap_end_to_words_next_cue_and_shot_change():
    cues = _three()
    opts = SnapOptions(threshold_ms=80, min_gap_ms=83, frame_rate=25)
    assert snap(cues, 1, Edge.END, 3000, 4450, opts)[1] == 4400, "last word's end"
    assert snap(cues, 1, Edge.END, 3000, 5900, opts)[1] == 5917, "the next start less the gap"
    assert snap(cues, 1, Edge.END, 3000, 5300, SnapOptions(80, 83, 25, shot_changes_ms=(5400,)))[1] == 5317


def test_edges_never_pass_the_neighbours_even_with_snapping_off():
    cues = _three()
    off = SnapOptions(enabled=False)
    assert snap(cues, 1, Edge.END, 3000, 9000, off) == (3000, 6000)
    assert snap(cues, 1, Edge.START, 200, 5000, off) == (2500, 5000)
    assert snap(cues, 1, Edge.START, 4995, 5000, off) == (4990, 5000), "a minimum length stays"
    assert snap(cues, 1, Edge.MOVE, 4000, 6000, off) == (4000, 6000)
    assert snap(cues, 1, Edge.MOVE, 5000, 7000, off) == (4000, 6000), "a move stops at the next cue"
    assert snap(cues, 0, Edge.MOVE, -500, 1000, off) == (0, 1500)
    overlapping = [Cue(0, 3500, "x"), Cue(3000, 5000, "y")]
    assert limits(overlapping, 1) == (3000, float("inf")), "an existing overlap is not forced apart"


def test_move_snaps_by_the_nearer_edge():
    cues = _three()
    moved = snap(cues, 1, Edge.MOVE, 3150, 5150, SnapOptions(threshold_ms=100, min_gap_ms=83, shot_changes_ms=(3200,)))
    assert moved == (3200, 5200)
    assert to_frame(1001, 23.976) == 1001 and to_frame(1030, 25) == 1040 and to_frame(1030.4, None) == 1030


def test_translation_pairs_by_time_and_copies_timing():
    original = Document([Cue(0, 2000, "Hello"), Cue(2500, 4000, "World"), Cue(5000, 6000, "Bye")])
    copy = translation_copy(original)
    assert [(c.start_ms, c.end_ms) for c in copy] == [(c.start_ms, c.end_ms) for c in original]
    assert copy.cues is not original.cues and copy.language is None
    translated = [Cue(0, 1200, "Hallo"), Cue(1300, 3900, "Welt"), Cue(4100, 4600, "nichts"), Cue(5100, 5900, "Tschüss")]
    assert paired_rows(translated, CueIndex(original.cues)) == [0, 1, None, 2]
