"""Undo granularity on both stacks: the core History (CLI, tests) and QUndoStack (the product) follow one set of rules.

Issue 11, fault 3: F11, F12 and frame nudges on one cue merged into one undo step even
minutes apart, and History merged into the saved command, which QUndoStack never does.
The same scenarios run on both stacks here, and through the real window's keys.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack

from subtitler.core.commands import SetText, SetTimes
from subtitler.core.commands_base import Command
from subtitler.core.history import History
from subtitler.gui.undo import push_command
from tests.core.helpers import sample_document
from tests.gui.window_helpers import dialogs, window  # noqa: F401 - fixtures


class QtStack:
    """QUndoStack behind History's small interface, pushed the way the product pushes."""

    def __init__(self) -> None:
        self.stack = QUndoStack()

    def push(self, command) -> None:
        push_command(self.stack, command)

    def undo(self) -> None:
        self.stack.undo()

    def set_clean(self) -> None:
        self.stack.setClean()

    @property
    def is_clean(self) -> bool:
        return self.stack.isClean()

    def __len__(self) -> int:
        return self.stack.count()


@pytest.fixture(params=["History", "QUndoStack"])
def stack(request, qapp):
    return History() if request.param == "History" else QtStack()


def test_typing_in_one_cue_merges_into_one_step(stack):
    doc = sample_document()
    for text in ("H", "He", "Hey"):
        stack.push(SetText(doc, 0, text))
    assert len(stack) == 1
    stack.undo()
    assert doc[0].text == "Hello there, my friend."


def test_each_timing_key_press_is_its_own_step(stack):
    doc = sample_document()
    stack.push(SetTimes(doc, 0, 900, 2500))  # F11
    stack.push(SetTimes(doc, 0, 900, 2600))  # F12
    stack.push(SetTimes(doc, 0, 940, 2600))  # Alt+Right
    assert len(stack) == 3
    stack.undo()
    assert (doc[0].start_ms, doc[0].end_ms) == (900, 2600)


def test_an_edit_after_a_save_does_not_merge_into_the_saved_step(stack):
    doc = sample_document()
    stack.push(SetText(doc, 0, "Saved text"))
    stack.set_clean()
    stack.push(SetText(doc, 0, "Saved text, then more"))
    assert len(stack) == 2 and not stack.is_clean
    stack.undo()
    assert stack.is_clean and doc[0].text == "Saved text"


class FailingRedo(Command):
    text = "Broken edit"

    def redo(self) -> None:
        raise ValueError("cannot apply")

    def undo(self) -> None:
        raise AssertionError("never applied, never undone")


def test_a_command_whose_redo_fails_is_not_kept(stack):
    with pytest.raises(ValueError):
        stack.push(FailingRedo())
    assert len(stack) == 0


def test_window_keys_f11_f12_and_nudge_are_three_undo_steps(window, qtbot):
    from subtitler.core.cue import Cue
    from subtitler.core.document import Document

    window.set_document(Document([Cue(1000, 3000, "one"), Cue(5000, 7000, "two")]))
    window.table.select_row(0)
    window.table.setFocus()
    window.player.seek(800)
    qtbot.keyClick(window.table, Qt.Key.Key_F11)
    window.player.seek(3200)
    qtbot.keyClick(window.table, Qt.Key.Key_F12)
    qtbot.keyClick(window.table, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert (window.document[0].start_ms, window.document[0].end_ms) == (840, 3200)
    assert window.undo_stack.count() == 3
    window.undo_stack.undo()
    assert (window.document[0].start_ms, window.document[0].end_ms) == (800, 3200)


def test_window_reports_an_edit_that_fails_and_keeps_nothing(window, dialogs):
    assert not window.push(FailingRedo())
    assert window.undo_stack.count() == 0 and not window.actions["undo"].isEnabled()
    assert dialogs.errors and "Broken edit: cannot apply" in dialogs.errors[-1][1]
