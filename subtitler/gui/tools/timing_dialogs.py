"""Timing tools with a preview: shift times, change speed (frame rate), two-point sync, snap to words.

Each dialog builds the core command on a copy of the document as the user
types, shows the cues it would change (before and after), and on OK pushes the
same command on the real document: one undo step. A setting the core refuses
(a shift before 0, sync points that reverse time) is said under the preview and
OK stays disabled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtWidgets import (
    QButtonGroup, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
    QRadioButton, QSpinBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from subtitler.core.commands import ChangeSpeed, Command, ShiftTimes, SnapToWords, TwoPointSync
from subtitler.core.document import Document
from subtitler.core.timecode import format_timecode, parse_offset, parse_timecode

if TYPE_CHECKING:
    from subtitler.gui.main_window import MainWindow

PREVIEW_ROWS = 200
FRAME_RATES = ("23.976", "24", "25", "29.97", "30", "50", "59.94", "60")


class Scope(QWidget):
    """All cues, the selected ones, or the current one and all after it."""

    def __init__(self, selection: list[int], current: int, count: int, with_from_here: bool = True) -> None:
        super().__init__()
        self._selection, self._current, self._count = selection, current, count
        self.all = QRadioButton("&All cues")
        self.selected = QRadioButton(f"S&elected cues ({len(selection)})")
        self.from_here = QRadioButton(f"From cue {current + 1} &on")
        self.group = QButtonGroup(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for button in (self.all, self.selected, self.from_here):
            self.group.addButton(button)
            layout.addWidget(button)
        self.from_here.setVisible(with_from_here)
        self.selected.setEnabled(bool(selection))
        self.from_here.setEnabled(current >= 0)
        (self.selected if len(selection) > 1 else self.all).setChecked(True)

    def rows(self) -> list[int] | None:
        if self.selected.isChecked():
            return list(self._selection)
        if self.from_here.isChecked():
            return list(range(self._current, self._count))
        return None


class PreviewDialog(QDialog):
    """Base: subclasses add their fields to `form` and implement build(document) -> Command."""

    title = "Timing"

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.w = window
        self.setWindowTitle(self.title)
        self.setObjectName(f"{type(self).__name__}")
        self.resize(560, 460)
        self.form = QFormLayout()
        self.preview = QTableWidget(0, 5)
        self.preview.setHorizontalHeaderLabels(["Cue", "Start", "End", "New start", "New end"])
        self.preview.verticalHeader().setVisible(False)
        self.preview.horizontalHeader().setStretchLastSection(True)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(QLabel("Preview:"))
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)

    def build(self, document: Document) -> Command:
        """The command this dialog's fields describe, for `document` (each of the four dialogs defines it)."""
        raise NotImplementedError(f"{type(self).__name__} must define build()")

    def refresh(self) -> None:
        """Run the command on a copy of the document and show what it would change."""
        doc = self.w.document
        copy = Document(list(doc.cues), doc.media_path, doc.frame_rate, doc.language)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        try:
            command = self.build(copy)
            command.redo()
        except ValueError as exc:
            self.preview.setRowCount(0)
            self.summary.setText(f"Cannot do this: {exc}")
            ok.setEnabled(False)
            return
        changed = [r for r in range(len(doc)) if (doc[r].start_ms, doc[r].end_ms) != (copy[r].start_ms, copy[r].end_ms)]
        self.preview.setRowCount(min(len(changed), PREVIEW_ROWS))
        for i, row in enumerate(changed[:PREVIEW_ROWS]):
            values = (str(row + 1), format_timecode(doc[row].start_ms), format_timecode(doc[row].end_ms),
                      format_timecode(copy[row].start_ms), format_timecode(copy[row].end_ms))
            for column, value in enumerate(values):
                self.preview.setItem(i, column, QTableWidgetItem(value))
        self.summary.setText(f"{len(changed)} of {len(doc)} cue(s) change" + (" (the first 200 shown)" if len(changed) > PREVIEW_ROWS else ""))
        ok.setEnabled(bool(changed))

    def accept(self) -> None:
        try:
            command = self.build(self.w.document)
        except ValueError as exc:
            self.summary.setText(f"Cannot do this: {exc}")
            return
        self.w.push(command)
        super().accept()


class ShiftTimesDialog(PreviewDialog):
    title = "Shift times"

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.offset = QLineEdit("0")
        self.offset.setToolTip("Milliseconds (-1500) or a timecode (-00:00:01,500); negative is earlier")
        self.scope = Scope(window.table.selected_rows(), window.table.current_row(), len(window.document))
        self.form.addRow("Shift &by:", self.offset)
        self.form.addRow("Cues:", self.scope)
        self.offset.textChanged.connect(self.refresh)
        self.scope.group.buttonToggled.connect(lambda *_: self.refresh())
        self.refresh()
        self.offset.setFocus()
        self.offset.selectAll()  # typing replaces the 0

    def build(self, document: Document) -> Command:
        offset = parse_offset(self.offset.text())
        if offset == 0:
            raise ValueError("type a shift other than 0")
        return ShiftTimes(document, offset, self.scope.rows())


class ChangeSpeedDialog(PreviewDialog):
    title = "Change speed / frame rate"

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.from_fps = self._rates("25")
        self.to_fps = self._rates("23.976")
        self.form.addRow("Subtitles were timed for (&fps):", self.from_fps)
        self.form.addRow("The video plays at (f&ps):", self.to_fps)
        for box in (self.from_fps, self.to_fps):
            box.currentTextChanged.connect(lambda _t: self.refresh())
        self.refresh()

    @staticmethod
    def _rates(current: str) -> QComboBox:
        box = QComboBox()
        box.setEditable(True)
        box.addItems(FRAME_RATES)
        box.setCurrentText(current)
        return box

    def build(self, document: Document) -> Command:
        try:
            rates = float(self.from_fps.currentText().replace(",", ".")), float(self.to_fps.currentText().replace(",", "."))
        except ValueError:
            raise ValueError("type frame rates as numbers, e.g. 25 and 23.976") from None
        if rates[0] == rates[1]:
            raise ValueError("the two frame rates are the same")
        return ChangeSpeed.from_frame_rates(document, *rates)


class _SyncPoint(QWidget):
    """A cue (number) and the time it should start at."""

    def __init__(self, window: "MainWindow", row: int) -> None:
        super().__init__()
        self.w = window
        self.cue = QSpinBox()
        self.cue.setRange(1, max(1, len(window.document)))
        self.cue.setValue(row + 1)
        self.time = QLineEdit(format_timecode(window.document[row].start_ms) if len(window.document) else "")
        self.use_playhead = QPushButton("Playhead")
        self.use_playhead.setToolTip("The playhead's time")
        self.use_playhead.clicked.connect(lambda: self.time.setText(format_timecode(window.player.position_ms)))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("cue"))
        layout.addWidget(self.cue)
        layout.addWidget(QLabel("should start at"))
        layout.addWidget(self.time, 1)
        layout.addWidget(self.use_playhead)

    def point(self, document: Document) -> tuple[int, int]:
        row = self.cue.value() - 1
        if not 0 <= row < len(document):
            raise ValueError(f"there is no cue {row + 1}")
        return document[row].start_ms, parse_timecode(self.time.text())


class TwoPointSyncDialog(PreviewDialog):
    title = "Two-point sync"

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        rows = window.table.selected_rows()
        first, last = (rows[0], rows[-1]) if len(rows) > 1 else (0, max(0, len(window.document) - 1))
        self.point_a = _SyncPoint(window, first)
        self.point_b = _SyncPoint(window, last)
        self.form.addRow("Point &A:", self.point_a)
        self.form.addRow("Point &B:", self.point_b)
        self.form.addRow(QLabel("Every cue moves and stretches so that both points land where you say."))
        for point in (self.point_a, self.point_b):
            point.cue.valueChanged.connect(lambda _v, p=point: self._on_cue_changed(p))
            point.time.textChanged.connect(lambda _t: self.refresh())
        self.refresh()

    def _on_cue_changed(self, point: _SyncPoint) -> None:
        row = point.cue.value() - 1
        if 0 <= row < len(self.w.document):
            point.time.setText(format_timecode(self.w.document[row].start_ms))

    def build(self, document: Document) -> Command:
        return TwoPointSync(document, self.point_a.point(document), self.point_b.point(document))


class SnapToWordsDialog(PreviewDialog):
    title = "Snap to words"

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.tail = QSpinBox()
        self.tail.setRange(0, 2000)
        self.tail.setSingleStep(50)
        self.tail.setValue(200)
        self.tail.setSuffix(" ms")
        self.scope = Scope(window.table.selected_rows(), window.table.current_row(), len(window.document), with_from_here=False)
        self.form.addRow("Cues:", self.scope)
        self.form.addRow("&Linger after the last word:", self.tail)
        self.form.addRow(QLabel("Starts move to the first word, ends to the last word plus the linger, "
                                f"keeping {window.timeline.min_gap_ms} ms before the next cue."))
        self.tail.valueChanged.connect(lambda _v: self.refresh())
        self.scope.group.buttonToggled.connect(lambda *_: self.refresh())
        self.refresh()

    def build(self, document: Document) -> Command:
        if not any(c.words for c in document):
            raise ValueError("no cue has word timings (transcribe, or open a project that keeps them)")
        return SnapToWords(document, self.scope.rows(), self.tail.value(), self.w.timeline.min_gap_ms)


class TimingTools:
    """Opens one timing dialog at a time (window-modal, without a nested event loop)."""

    def __init__(self, window: "MainWindow") -> None:
        self.w = window
        self.dialog: PreviewDialog | None = None

    def handlers(self) -> dict[str, Callable[[], Any]]:
        return {"shift_times": lambda: self.open(ShiftTimesDialog), "change_speed": lambda: self.open(ChangeSpeedDialog),
                "two_point_sync": lambda: self.open(TwoPointSyncDialog), "snap_to_words": lambda: self.open(SnapToWordsDialog)}

    def open(self, kind: type[PreviewDialog]) -> PreviewDialog | None:
        if len(self.w.document) == 0:
            self.w.status.show_hint("No cues to retime")
            return None
        self.dialog = kind(self.w)
        self.dialog.open()
        return self.dialog
