"""Adapter from the core's edit commands to Qt's QUndoStack.

The core commands own the logic (redo/undo/merge_with); this wrapper only lets
QUndoStack drive them, so the CLI and the GUI share one implementation.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QUndoCommand, QUndoStack


class CoreUndoCommand(QUndoCommand):
    """Wraps one core command; merges when the core command says it can."""

    def __init__(self, command: Any) -> None:
        super().__init__(str(getattr(command, "text", "Edit")))
        self.command = command
        self._first_redo_done = False

    def id(self) -> int:  # noqa: A003 - Qt's name
        return int(getattr(self.command, "merge_id", -1))

    def redo(self) -> None:
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
    """Apply `command` through the stack (QUndoStack.push calls redo)."""
    stack.push(CoreUndoCommand(command))
