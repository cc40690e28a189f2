"""Fields beside the text editor: the current cue's start, end and duration, and its ASS/SSA style.

Each field edit (Enter or leaving the field) is one undo step; a value that is
not a time, or times that would end before they start, turn the field red and
change nothing (Esc puts the cue's value back). The style chooser lists the
document's styles and applies to every selected cue; it shows only for documents
that have styles.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from subtitler.core.commands import Composite, SetStyle, SetTimes
from subtitler.core.timecode import format_timecode, parse_timecode
from subtitler.formats.ass import STYLES_KEY
from subtitler.gui.cue_table import Column, parse_duration

if TYPE_CHECKING:
    from subtitler.gui.main_window import MainWindow

BAD_FIELD = "QLineEdit { background: #ffd6d6; }"


def style_names(document: Any) -> list[str]:
    """The document's ASS/SSA styles, then any style a cue names that the file did not define."""
    styles = document.metadata.get(STYLES_KEY)
    names = list(styles) if isinstance(styles, dict) else []
    extra = sorted({c.style for c in document if c.style and c.style not in names})
    return names + extra


class CueFields(QWidget):
    """Start / End / Duration / Style of the current cue; mnemonics avoid the menu bar's letters (F E N I T P S A V)."""

    def __init__(self, window: "MainWindow") -> None:
        super().__init__()
        self.setObjectName("cue_fields")
        self.w = window
        self.start = self._field("start_field", "Start: HH:MM:SS,mmm")
        self.end = self._field("end_field", "End: HH:MM:SS,mmm")
        self.duration = self._field("duration_field", "Duration: seconds (2.5) or HH:MM:SS,mmm")
        self.style = QComboBox()
        self.style.setObjectName("style_field")
        self.style.setToolTip("ASS/SSA style of the selected cues")
        self.style_label = QLabel("St&yle")
        self.style_label.setBuddy(self.style)
        layout = QFormLayout(self)
        layout.setContentsMargins(2, 0, 2, 0)
        for text, field in (("Sta&rt", self.start), ("En&d", self.end), ("D&uration", self.duration)):
            label = QLabel(text)
            label.setBuddy(field)
            layout.addRow(label, field)
        layout.addRow(self.style_label, self.style)
        self.setMaximumWidth(220)
        self.style.activated.connect(self._on_style_activated)
        window.table.current_row_changed.connect(lambda _row: self.refresh())
        window.undo_stack.indexChanged.connect(lambda _i: self.refresh())
        window.document_replaced.connect(lambda _doc: self.refresh_styles())
        self.refresh_styles()

    def link_tab_order(self) -> None:
        """Tab from the text goes on to the times (call once the fields are in the window)."""
        QWidget.setTabOrder(self.w.editor, self.start)
        for first, second in ((self.start, self.end), (self.end, self.duration), (self.duration, self.style)):
            QWidget.setTabOrder(first, second)

    def _field(self, name: str, tip: str) -> QLineEdit:
        field = QLineEdit()
        field.setObjectName(name)
        field.setToolTip(tip)
        field.setMaximumWidth(120)
        field.editingFinished.connect(lambda f=field: self._commit(f))
        field.installEventFilter(self)
        return field

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        escape = event.type() in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride) and isinstance(event, QKeyEvent)
        if escape and event.key() == Qt.Key.Key_Escape and isinstance(watched, QLineEdit):
            watched.setModified(False)  # Esc: back to the cue's value (the window's Esc then returns to the list)
            self.refresh()
        return False

    def handlers(self) -> dict[str, Callable[[], Any]]:
        return {"set_style": self.focus_style}

    def row(self) -> int:
        row = self.w.table.current_row()
        return row if 0 <= row < len(self.w.document) else -1

    # --- showing ---------------------------------------------------------------
    def refresh(self) -> None:
        row = self.row()
        cue = self.w.document[row] if row >= 0 else None
        values = ("", "", "") if cue is None else (format_timecode(cue.start_ms), format_timecode(cue.end_ms), f"{cue.duration_ms / 1000:.3f}")
        for field, value in zip((self.start, self.end, self.duration), values):
            field.setStyleSheet("")
            if not field.hasFocus() or field.text() == value or not field.isModified():
                field.setText(value)
                field.setModified(False)
            field.setEnabled(cue is not None)
        self.style.setEnabled(cue is not None)
        if cue is not None:
            index = self.style.findText(cue.style or "")
            self.style.setCurrentIndex(index if index >= 0 else self.style.findText("Default"))

    def refresh_styles(self) -> None:
        names = style_names(self.w.document)
        self.style.clear()
        self.style.addItems(names)
        self.style.setVisible(bool(names))
        self.style_label.setVisible(bool(names))
        self.w.table.setColumnHidden(Column.STYLE, not names)
        self.refresh()

    # --- editing -------------------------------------------------------------------
    def _commit(self, field: QLineEdit) -> None:
        row = self.row()
        if row < 0 or not field.isModified():
            return
        field.setModified(False)
        cue = self.w.document[row]
        try:
            start = parse_timecode(self.start.text()) if field is self.start else cue.start_ms
            end = parse_timecode(self.end.text()) if field is self.end else cue.end_ms
            if field is self.duration:
                end = start + parse_duration(self.duration.text())
            if (start, end) == (cue.start_ms, cue.end_ms):
                return
            command = SetTimes(self.w.document, row, start, end)
        except ValueError as exc:
            field.setStyleSheet(BAD_FIELD)
            self.w.status.show_hint(str(exc))
            return
        self.w.push(Composite(command.text, [command]))  # one step per field edit, never merged with the next

    def focus_style(self) -> None:
        if not self.style.isVisible():
            self.w.status.show_hint("This document has no ASS/SSA styles to choose from")
            return
        self.style.setFocus()  # Up/Down choose at once; Alt+Down opens the list

    def _on_style_activated(self, index: int) -> None:
        name = self.style.itemText(index)
        rows = [r for r in self.w.table.selected_rows() if 0 <= r < len(self.w.document)]
        if rows and any(self.w.document[r].style != name for r in rows):
            self.w.push(SetStyle(self.w.document, rows, name))
