"""Adapter from the core's edit commands to Qt's QUndoStack.

The core commands own the logic (redo/undo/merge_with); this wrapper only lets
QUndoStack drive them, so the CLI and the GUI share one implementation.

A command is applied before it reaches the stack: QUndoStack.push calls redo() and
keeps the command whatever happens (a Python exception in a virtual override is only
printed), so a command whose redo failed would stay on the stack and undo would then
"undo" an edit that never happened. push_command raises instead and pushes nothing.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QUndoCommand, QUndoStack


class CoreUndoCommand(QUndoCommand):
    """Wraps one core command; merges when the core command says it can."""

    def __init__(self, command: Any, applied: bool = False) -> None:
        super().__init__(str(getattr(command, "text", "Edit")))
        self.command = command
        self._skip_redo = applied  # push_command already ran the first redo

    def id(self) -> int:  # noqa: A003 - Qt's name
        return int(getattr(self.command, "merge_id", -1))

    def redo(self) -> None:
        if self._skip_redo:
            self._skip_redo = False
            return
        self.command.redo()

    def undo(self) -> None:
        self.command.undo()

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if not isinstance(other, CoreUndoCommand):
            return False
        merged = bool(self.command.merge_with(other.command))
        if merged:
            self.setText(str(getattr(self.command, "text", self.text())))
        return merged


def push_command(stack: QUndoStack, command: Any) -> None:
    """Apply `command`, then put it on the stack; if its redo raises, the exception propagates and nothing is pushed."""
    command.redo()
    stack.push(CoreUndoCommand(command, applied=True))
