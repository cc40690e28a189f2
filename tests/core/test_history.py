"""History: undo/redo order, merging of typing and drags, clean state."""

from __future__ import annotations

import pytest

from subtitler.core.commands import DeleteCues, MoveCues, SetText, SetTimes
from subtitler.core.history import History
from tests.core.helpers import sample_document


def test_typing_in_one_cue_is_one_step_and_another_cue_is_another():
    doc, history = sample_document(), History()
    start = doc.snapshot()
    for text in ("H", "Hi", "Hi!"):
        history.push(SetText(doc, 0, text))
    assert len(history) == 1 and doc[0].text == "Hi!"
    history.push(SetText(doc, 1, "x"))
    assert len(history) == 2
    history.undo()
    history.undo()
    assert doc.snapshot() == start and not history.can_undo and history.can_redo
    history.redo()
    assert doc[0].text == "Hi!" and doc[1].text != "x"


def test_only_typing_merges_retimes_and_moves_are_one_step_each():
    doc, history = sample_document(), History()
    start = doc.snapshot()
    for end in (2600, 2700, 2800):
        history.push(SetTimes(doc, 0, 1000, end))
    history.push(SetTimes(doc, 1, 3000, 4600))
    history.push(MoveCues(doc, [2], 10))
    history.push(MoveCues(doc, [2], 10))
    history.push(DeleteCues(doc, [3]))
    history.push(DeleteCues(doc, [2]))
    assert len(history) == 8 and history.undo_text == "Delete cues"
    history.undo()
    history.undo()
    history.undo()
    assert doc[2].start_ms == 5010
    while history.can_undo:
        history.undo()
    assert doc.snapshot() == start


def test_clean_state_and_modified():
    doc, history = sample_document(), History()
    assert history.is_clean and not history.is_modified
    history.push(SetText(doc, 0, "A"))
    assert history.is_modified
    history.set_clean()
    history.push(SetText(doc, 1, "B"))
    history.undo()
    assert history.is_clean
    history.undo()
    assert history.is_modified
    history.redo()
    assert history.is_clean
    history.push(SetText(doc, 0, "AB"))  # as QUndoStack: never merges into the saved command
    assert len(history) == 2
    history.undo()
    assert history.is_clean


def test_new_push_drops_redo_and_an_unreachable_clean_state():
    doc, history = sample_document(), History()
    history.push(SetText(doc, 0, "A"))
    history.set_clean()
    history.undo()
    history.push(SetText(doc, 2, "C"))
    assert not history.can_redo and history.is_modified and len(history) == 1


def test_clear_and_empty_errors():
    doc, history = sample_document(), History()
    with pytest.raises(IndexError):
        history.undo()
    history.push(SetText(doc, 0, "A"))
    history.clear()
    assert not history.can_undo and history.is_clean and doc[0].text == "A"
    with pytest.raises(IndexError):
        history.redo()


def test_changed_signal_fires():
    history, seen = History(), []
    history.changed.connect(lambda: seen.append(1))
    doc = sample_document()
    history.push(SetText(doc, 0, "A"))
    history.undo()
    history.redo()
    assert len(seen) == 3
