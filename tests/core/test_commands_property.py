"""Property tests: any sequence of commands undoes to the exact original and redoes to the exact result."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subtitler.core import commands as c
from subtitler.core.cue import Cue
from subtitler.core.document import Document
from subtitler.core.history import History
from tests.core.helpers import words_of

TEXTS = st.text(alphabet=st.sampled_from("ab cd,.\n"), min_size=0, max_size=24)


@st.composite
def documents(draw) -> Document:
    count = draw(st.integers(0, 6))
    cues, t = [], 0
    for _ in range(count):
        t += draw(st.integers(0, 2000))
        length = draw(st.integers(0, 3000))
        text = draw(st.sampled_from(["one two three", "four, five. six", "seven", "", "x y"]))
        cues.append(Cue(t, t + length, text, words_of(text, t, 200, 150) if draw(st.booleans()) else ()))
        t += length
    return Document(cues)


def _row(draw, doc: Document) -> int:
    return draw(st.integers(-1, max(0, len(doc))))  # sometimes out of range on purpose


def _command(draw, doc: Document) -> c.Command:
    kind = draw(st.sampled_from(["text", "times", "move", "insert", "delete", "split", "merge", "shift",
                                 "speed", "sync", "snap", "fixes"]))
    row = _row(draw, doc)
    if kind == "text":
        return c.SetText(doc, row, draw(TEXTS))
    if kind == "times":
        start = draw(st.integers(-10, 20000))
        return c.SetTimes(doc, row, start, start + draw(st.integers(-10, 5000)))
    if kind == "move":
        return c.MoveCues(doc, draw(st.lists(st.integers(0, 7), min_size=1, max_size=3)), draw(st.integers(-3000, 3000)))
    if kind == "insert":
        start = draw(st.integers(0, 20000))
        return c.InsertCue(doc, row, Cue(start, start + draw(st.integers(0, 4000)), draw(TEXTS)))
    if kind == "delete":
        return c.DeleteCues(doc, draw(st.lists(st.integers(0, 7), min_size=1, max_size=4)))
    if kind == "split":
        return c.SplitCue(doc, row, draw(st.integers(0, 20)))
    if kind == "merge":
        return c.MergeCues(doc, row, row + draw(st.integers(1, 3)))
    if kind == "shift":
        return c.ShiftTimes(doc, draw(st.integers(-2000, 2000)), None if draw(st.booleans()) else [row])
    if kind == "speed":
        return c.ChangeSpeed(doc, draw(st.sampled_from([25 / 23.976, 23.976 / 25, 1.5])))
    if kind == "sync":
        return c.TwoPointSync(doc, (0, draw(st.integers(0, 500))), (10000, draw(st.integers(9000, 12000))))
    if kind == "snap":
        return c.SnapToWords(doc)
    return c.ApplyFixes(doc, {row: Cue(0, draw(st.integers(0, 900)), "fix")})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_undo_restores_and_redo_reapplies_exactly(data):
    doc = data.draw(documents())
    history = History()
    states = [doc.snapshot()]
    for _ in range(data.draw(st.integers(1, 12))):
        before = doc.snapshot()
        try:
            command = _command(data.draw, doc)
        except ValueError:
            assert doc.snapshot() == before  # rejected before changing anything
            continue
        assert doc.snapshot() == before  # built, not applied
        history.push(command)
        states.append(doc.snapshot())
    final = doc.snapshot()
    while history.can_undo:
        history.undo()
    assert doc.snapshot() == states[0]
    while history.can_redo:
        history.redo()
    assert doc.snapshot() == final


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_typing_merges_retimes_do_not_and_all_undo_to_the_start(data):
    doc = Document([Cue(0, 1000, "a"), Cue(2000, 3000, "b")])
    history = History()
    start = doc.snapshot()
    row = data.draw(st.integers(0, 1))
    edits = data.draw(st.lists(st.tuples(st.booleans(), TEXTS, st.integers(0, 5000)), min_size=1, max_size=15))
    steps, previous = 0, None
    for is_text, text, ms in edits:
        kind = "text" if is_text else "times"
        history.push(c.SetText(doc, row, text) if is_text else c.SetTimes(doc, row, ms, ms + 500))
        steps += kind != previous or kind == "times"  # runs of typing are one step; every retime is its own
        previous = kind
    assert len(history) == steps
    last_text = [t for is_text, t, _ in edits if is_text]
    if last_text:
        assert doc[row].text == last_text[-1]
    while history.can_undo:
        history.undo()
    assert doc.snapshot() == start
