"""The Edit and Navigate menu handlers: build a command from the current row/playhead/text cursor, push it, select the result."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from subtitler.gui import edits
from subtitler.gui.word_spans import next_low_confidence

if TYPE_CHECKING:
    from subtitler.gui.main_window import MainWindow


class EditController:
    def __init__(self, window: "MainWindow") -> None:
        self.w = window

    def handlers(self) -> dict[str, Callable[[], Any]]:
        return {
            "insert_cue": self.insert_cue, "insert_cue_before": lambda: self.insert_cue(before=True), "delete_cues": self.delete_cues, "split_cue": self.split_cue,
            "merge_cues": self.merge_cues, "set_start": self.set_start, "set_end": self.set_end,
            "nudge_start_earlier": lambda: self.nudge("start", -1), "nudge_start_later": lambda: self.nudge("start", 1),
            "nudge_end_earlier": lambda: self.nudge("end", -1), "nudge_end_later": lambda: self.nudge("end", 1),
            "previous_cue": lambda: self.step_row(-1), "next_cue": lambda: self.step_row(1),
            "next_low_confidence": lambda: self.jump_low_confidence(True),
            "previous_low_confidence": lambda: self.jump_low_confidence(False),
            "focus_editor": self.w.editor.setFocus, "focus_table": self.w.table.setFocus,
        }

    # --- helpers ---------------------------------------------------------------
    @property
    def row(self) -> int:
        return self.w.table.current_row()

    def _run(self, build: Callable[[], Any], nothing: str) -> bool:
        """Build and push one command; a refusal (None or ValueError from the core) becomes a status hint."""
        try:
            command = build()
        except ValueError as exc:
            self.w.status.show_hint(str(exc))
            return False
        if command is None:
            self.w.status.show_hint(nothing)
            return False
        self.w.push(command)
        return True

    # --- edits ------------------------------------------------------------------
    def insert_cue(self, before: bool = False, at_ms: int | None = None) -> None:
        """After (or before) the current cue; at `at_ms` (a timeline right-click) or the playhead when no cue is current."""
        row, at = (self.row, self.w.player.position_ms) if at_ms is None else (-1, at_ms)
        planned = (edits.insert_before if before else edits.insert_after)(self.w.document, row, at)
        if planned is None:
            self.w.status.show_hint("No room for a new cue here: make a gap first")
            return
        command, row = planned
        if self._run(lambda: command, ""):
            self.w.table.select_row(row)
            self.w.editor.setFocus()

    def delete_cues(self) -> None:
        rows = self.w.table.selected_rows()
        if self._run(lambda: edits.delete(self.w.document, rows), "No cue selected"):
            self.w.table.select_row(min(rows[0], len(self.w.document) - 1))

    def split_cue(self) -> None:
        row, position = self.row, self.w.editor.text_position()
        if self._run(lambda: edits.split(self.w.document, row, position), "Select a cue to split"):
            self.w.table.select_row(row)

    def merge_cues(self) -> None:
        rows = self.w.table.selected_rows()
        if self._run(lambda: edits.merge(self.w.document, rows), "Select two or more cues, or a cue with a next one"):
            self.w.table.select_row(rows[0])

    def set_start(self) -> None:
        self._run(lambda: edits.set_start_at(self.w.document, self.row, self.w.player.position_ms), "Nothing to change")

    def set_end(self) -> None:
        self._run(lambda: edits.set_end_at(self.w.document, self.row, self.w.player.position_ms),
                  "The playhead must be after the cue's start")

    def nudge(self, edge: str, frames: int) -> None:
        self._run(lambda: edits.nudge(self.w.document, self.row, edge, frames), "Cannot move that edge further")

    # --- navigation ---------------------------------------------------------------
    def step_row(self, step: int) -> None:
        if len(self.w.document) == 0:
            return
        row = min(max(self.row + step, 0), len(self.w.document) - 1) if self.row >= 0 else 0
        self.w.table.select_row(row)

    def jump_low_confidence(self, forward: bool) -> None:
        row = max(self.row, 0)
        position = self.w.editor.text_position() if self.row >= 0 else -1
        hit = next_low_confidence(self.w.document.cues, row, position, self.w.low_confidence_threshold, forward)
        if hit is None:
            self.w.status.show_hint("No low-confidence words")
            return
        self.w.table.select_row(hit.row)
        self.w.editor.select_span(hit.span.start, hit.span.end)
        self.w.editor.setFocus()
        self.w.player.seek(hit.span.word.start_ms)

