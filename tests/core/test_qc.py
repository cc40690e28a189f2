"""Quality checks: each rule fires when it should, stays quiet otherwise, and its fix resolves it."""

from __future__ import annotations

from subtitler.core.commands import ApplyFixes
from subtitler.core.cue import Cue, Word
from subtitler.core.document import Document
from subtitler.core.history import History
from subtitler.core.qc import CheckOptions, check, fixes_for
from subtitler.core.reading_rules import PROFILES


def rules(cues, **kwargs) -> list[tuple[int, str]]:
    return [(f.row, f.rule) for f in check(cues, **kwargs)]


def test_clean_document_has_no_findings():
    cues = [Cue(0, 2000, "A short line."), Cue(2500, 5000, "Another one,\nwith two lines.")]
    assert check(Document(cues)) == []


def test_each_rule_fires():
    long_line = "This line is definitely much longer than forty-two characters"
    cues = [
        Cue(0, 500, "Short"),  # too short
        Cue(400, 3000, "Overlaps the previous one"),  # previous overlaps this
        Cue(3010, 12000, "Too long on screen"),  # gap too small before it, too long
        Cue(13000, 13900, "Too many characters for this time"),  # too fast
        Cue(15000, 20000, long_line),
        Cue(21000, 25000, "one\ntwo\nthree"),
        Cue(26000, 27000, "  "),
        Cue(28000, 31000, "A very very long first line here\nand"),
        Cue(32000, 34000, "maybe words", (Word("maybe", 32000, 32500, 0.3), Word("words", 32600, 33000, 0.9))),
    ]
    found = set(rules(cues))
    expected = {(0, "overlap"), (0, "too_short"), (1, "gap_too_small"), (2, "too_long"), (3, "too_fast"),
                (4, "line_too_long"), (5, "too_many_lines"), (6, "empty_text"), (7, "unbalanced_lines"),
                (8, "low_confidence")}
    assert expected <= found, expected - found
    assert found - expected == set(), found - expected


def test_thresholds_come_from_profile_and_options():
    cue = [Cue(0, 1000, "eighteen chars ok!"), Cue(2000, 3000, "w", (Word("w", 2000, 2500, 0.6),))]
    assert (0, "too_fast") in rules(cue)
    assert (0, "too_fast") not in rules(cue, profile=PROFILES["en-20"])
    assert (1, "low_confidence") not in rules(cue)
    assert (1, "low_confidence") in rules(cue, options=CheckOptions(min_probability=0.7))


def test_fixes_resolve_their_findings_in_one_undoable_step():
    cues = [
        Cue(0, 3100, "One overlapping cue"),
        Cue(3000, 3400, "Too short"),
        Cue(6000, 7000, "This text is much too long for one line of subtitles, rewrap it"),
    ]
    doc = Document(list(cues))
    findings = check(doc)
    history = History()
    history.push(ApplyFixes(doc, fixes_for(doc, findings)))
    left = {(f.row, f.rule) for f in check(doc)}
    assert not left & {(0, "overlap"), (1, "too_short"), (2, "line_too_long")}
    assert doc[0].end_ms == 3000 - 83 and doc[1].end_ms == 3833 and doc[2].text.count("\n") == 1
    history.undo()
    assert list(doc) == cues


def test_unfixable_findings_explain_why():
    cues = [Cue(0, 1000, "Far too much text to read in this little time"), Cue(1100, 3000, "next")]
    too_fast = [f for f in check(cues) if f.rule == "too_fast"]
    assert too_fast and too_fast[0].fix is None and "only" in too_fast[0].message and "shorten" in too_fast[0].message
    long_text = Cue(0, 9000, " ".join(["word"] * 30))
    line = [f for f in check([long_text]) if f.rule == "line_too_long"][0]
    assert line.fix is None and "split" in line.message


def test_edges_near_a_shot_change_move_onto_it_and_the_fix_resolves_it():
    cues = [Cue(1000, 3000, "Before the cut."), Cue(4120, 6000, "Starts late after the cut."),
            Cue(7000, 8850, "Ends a little late."), Cue(12000, 14000, "Far from any cut.")]
    options = CheckOptions(shot_changes_ms=(4000, 9000, 20000))
    found = [f for f in check(cues, options=options) if f.rule == "shot_change"]
    assert [(f.row, f.fix.start_ms, f.fix.end_ms) for f in found] == [(1, 4000, 6000), (2, 7000, 8917)]
    assert "starts 120 ms after a shot change at 00:00:04,000" in found[0].message
    assert "ends 67 ms early" in found[1].message
    doc = Document(cues)
    ApplyFixes(doc, fixes_for(doc, found)).redo()
    assert [f for f in check(doc, options=options) if f.rule == "shot_change"] == []
    assert not [f for f in check(cues, options=CheckOptions()) if f.rule == "shot_change"], "no cuts, no rule"


def test_a_shot_change_fix_never_crowds_a_neighbour():
    cues = [Cue(1000, 3950, "Ends just before the cut"), Cue(4100, 6000, "Would start on the cut")]
    found = [f for f in check(cues, options=CheckOptions(shot_changes_ms=(4000,))) if f.rule == "shot_change"]
    assert [(f.row, f.fix.start_ms, f.fix.end_ms) for f in found] == [(0, 1000, 3917)]
    # the second cue may not start at 4000: 3950 + 83 would be crowded, so no fix is proposed for it
