"""Go to (Ctrl+G): a cue number or a time, typed in one field; Enter goes, Esc cancels."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from subtitler.core.go_to import GoToTarget, parse_go_to
from subtitler.core.timecode import format_timecode

if TYPE_CHECKING:
    from subtitler.gui.main_window import MainWindow

HINT = "Cue number (12) or time (1:02.5, 00:01:02,500, 62.5s, 1550f, 00:01:02:12)"


class GoToDialog(QDialog):
    """Asks once; a wrong entry says why and the dialog stays open."""

    def __init__(self, frame_rate: float, cue_count: int, go: Callable[[GoToTarget], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("go_to_dialog")
        self.setWindowTitle("Go to")
        self._frame_rate, self._cue_count, self._go = frame_rate, cue_count, go
        self.field = QLineEdit()
        self.field.setPlaceholderText("12 or 1:02.5")
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b00020")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(HINT))
        layout.addWidget(self.field)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def accept(self) -> None:
        try:
            target = parse_go_to(self.field.text(), self._frame_rate, self._cue_count)
        except ValueError as exc:
            self.problem.setText(str(exc))
            self.field.selectAll()
            return
        super().accept()
        self._go(target)


class GoToController:
    def __init__(self, window: "MainWindow") -> None:
        self.w = window
        self.dialog: GoToDialog | None = None

    def handlers(self) -> dict[str, Callable[[], Any]]:
        return {"go_to": self.ask}

    def ask(self) -> None:
        self.dialog = GoToDialog(self.w.document.frame_rate, len(self.w.document), self.go, self.w)
        self.dialog.open()  # window-modal, without a nested event loop
        self.dialog.field.setFocus()

    def go(self, target: GoToTarget) -> None:
        """A cue: select it (and show its start). A time: the playhead goes there, the list to the cue shown then."""
        doc, player = self.w.document, self.w.player
        if target.row is not None:
            self.w.table.select_row(target.row)
            player.seek(doc[target.row].start_ms)
            return
        ms = target.time_ms or 0
        row = doc.index_at(ms)
        if row is None:
            row = next((i for i, c in enumerate(doc) if c.start_ms > ms), len(doc) - 1)
        self.w.table.select_row(row)
        player.seek(ms)
        self.w.status.show_hint(f"Went to {format_timecode(ms)}")
