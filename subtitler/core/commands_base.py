"""The edit-command protocol shared by every document mutation.

A command is built with the document and its arguments, validates them at once
(ValueError, before anything changes) and does nothing until `redo()`. History
(CLI, tests) and QUndoStack (GUI) drive the same objects.
"""

from __future__ import annotations

from typing import Callable, Iterable, Mapping, Sequence, Union

from subtitler.core.cue import Cue
from subtitler.core.document import Document

NO_MERGE = -1
MERGE_TEXT = 1001  # typing in one cue: the only edit that merges, as in text editors


class Command:
    """Base: `text` is what Undo shows; commands with equal `merge_id` (not -1) may merge."""

    text: str = "Edit"
    merge_id: int = NO_MERGE

    def redo(self) -> None:
        raise RuntimeError(f"{type(self).__name__} must define redo()")

    def undo(self) -> None:
        raise RuntimeError(f"{type(self).__name__} must define undo()")

    def merge_with(self, other: "Command") -> bool:
        """Absorb `other` (already redone) into self; the default never merges."""
        return False


def check_row(doc: Document, row: int, allow_end: bool = False) -> int:
    limit = len(doc) + (1 if allow_end else 0)
    if not isinstance(row, int) or not 0 <= row < limit:
        raise ValueError(f"row {row} out of range (document has {len(doc)} cues)")
    return row


def check_rows(doc: Document, rows: Iterable[int]) -> tuple[int, ...]:
    checked = tuple(sorted({check_row(doc, r) for r in rows}))
    if not checked:
        raise ValueError("no rows given")
    return checked


def check_times(start_ms: int, end_ms: int, what: str = "cue") -> None:
    if start_ms < 0:
        raise ValueError(f"{what} would start before 0 ms ({start_ms} ms)")
    if end_ms < start_ms:
        raise ValueError(f"{what} would end ({end_ms} ms) before it starts ({start_ms} ms)")


def runs(rows: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted rows as (first, count) runs of consecutive indices, so each run is one change signal."""
    out: list[tuple[int, int]] = []
    for row in rows:
        if out and out[-1][0] + out[-1][1] == row:
            out[-1] = (out[-1][0], out[-1][1] + 1)
        else:
            out.append((row, 1))
    return out


class ReplaceRows(Command):
    """Replace cues in place (same row count): the shared body of every retime and fix."""

    def __init__(self, doc: Document, text: str, new: Mapping[int, Cue]) -> None:
        self.doc = doc
        self.text = text
        self.rows = check_rows(doc, new.keys()) if new else ()
        self.old = {r: doc[r] for r in self.rows}
        self.new = dict(new)

    def _apply(self, cues: Mapping[int, Cue]) -> None:
        for first, count in runs(self.rows):
            self.doc.replace_cues(first, [cues[r] for r in range(first, first + count)])

    def redo(self) -> None:
        self._apply(self.new)

    def undo(self) -> None:
        self._apply(self.old)


CommandOrFactory = Union[Command, Callable[[], Command]]


class ReplaceAllCues(Command):
    """All cues at once through the document's reset primitive: one change signal instead of one per cue
    (importing 3,000 cues as single inserts took ~6 s, each insert re-indexing every view)."""

    def __init__(self, document: Document, cues: Sequence[Cue], text: str) -> None:
        for row, cue in enumerate(cues):
            check_times(cue.start_ms, cue.end_ms, f"cue {row + 1}")
        self.doc = document
        self.text = text
        self.new = tuple(cues)
        self.old = document.cues

    def redo(self) -> None:
        self.doc.reset(self.new)

    def undo(self) -> None:
        self.doc.reset(self.old)


class Composite(Command):
    """Several commands as one undo step (undone in reverse order).

    An item may be a factory (no arguments -> Command): it is built on the first
    redo, after the items before it ran, so it sees the document they left.
    """

    def __init__(self, text: str, commands: Sequence[CommandOrFactory]) -> None:
        self.text = text
        self._items = list(commands)
        self.commands: list[Command] = []

    def redo(self) -> None:
        if len(self.commands) == len(self._items):
            for command in self.commands:
                command.redo()
            return
        try:
            for item in self._items:  # first redo: build factories in order
                command = item if isinstance(item, Command) else item()
                command.redo()
                self.commands.append(command)
        except Exception:
            self.undo()  # leave the document as it was
            self.commands.clear()
            raise

    def undo(self) -> None:
        for command in reversed(self.commands):
            command.undo()
