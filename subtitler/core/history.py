"""A Qt-free undo stack for the CLI and tests, with the same merge and clean-state rules as QUndoStack.

QUndoStack's rules (qundostack.cpp, push): a command merges into the one on top only
when both have the same id (not -1), the top command's merge_with accepts, and the top
is not the clean (saved) state; so an edit after a save is always its own step, and
undoing it returns to exactly what was saved. tests/gui/test_undo_rules.py runs the
same scenarios on both stacks.
"""

from __future__ import annotations

from subtitler.core.commands_base import NO_MERGE, Command
from subtitler.core.signal import Signal


class History:
    """Undo/redo over edit commands; `is_modified` compares with the last `set_clean()`."""

    def __init__(self) -> None:
        self._commands: list[Command] = []
        self._index = 0  # commands[:index] are applied
        self._clean_index: int | None = 0
        self.changed = Signal()  # emitted after push/undo/redo/clear/set_clean

    def push(self, command: Command) -> None:
        """Apply `command`; merge it into the top command when both say they can and the top is not the saved state."""
        command.redo()
        del self._commands[self._index :]
        if self._clean_index is not None and self._clean_index > self._index:
            self._clean_index = None  # the clean state was undone and is now unreachable
        top = self._commands[-1] if self._commands else None
        mergeable = top is not None and command.merge_id != NO_MERGE and top.merge_id == command.merge_id
        if not (mergeable and self._clean_index != self._index and top.merge_with(command)):
            self._commands.append(command)
            self._index += 1
        self.changed.emit()

    def undo(self) -> None:
        if not self.can_undo:
            raise IndexError("nothing to undo")
        self._index -= 1
        self._commands[self._index].undo()
        self.changed.emit()

    def redo(self) -> None:
        if not self.can_redo:
            raise IndexError("nothing to redo")
        self._commands[self._index].redo()
        self._index += 1
        self.changed.emit()

    @property
    def can_undo(self) -> bool:
        return self._index > 0

    @property
    def can_redo(self) -> bool:
        return self._index < len(self._commands)

    @property
    def undo_text(self) -> str:
        return self._commands[self._index - 1].text if self.can_undo else ""

    @property
    def redo_text(self) -> str:
        return self._commands[self._index].text if self.can_redo else ""

    def __len__(self) -> int:
        return len(self._commands)

    @property
    def index(self) -> int:
        return self._index

    def set_clean(self) -> None:
        """Mark the current state as saved."""
        self._clean_index = self._index
        self.changed.emit()

    @property
    def is_clean(self) -> bool:
        return self._clean_index == self._index

    @property
    def is_modified(self) -> bool:
        return not self.is_clean

    def clear(self) -> None:
        """Forget all commands (the document keeps its current state, which becomes clean)."""
        self._commands.clear()
        self._index = 0
        self._clean_index = 0
        self.changed.emit()
