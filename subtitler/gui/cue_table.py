"""The cue list: a QAbstractTableModel over the Document, and its view.

The model follows `Document.changed` with row-precise insert/remove/change
notifications. The document emits after it has changed, so the model shows a
snapshot of the cue tuple (cues are immutable: a cheap copy of references) and
swaps it between begin*/end* as Qt expects. The row number is the vertical
header, so a row's cells never change just because rows were inserted above it.
Edits in cells become commands.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, Callable, Iterable, Sequence

from PySide6.QtCore import QAbstractTableModel, QItemSelectionModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import (
    QAbstractTextDocumentLayout, QBrush, QColor, QFont, QIcon, QPainter, QPaintEvent, QPalette, QPen, QPixmap, QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView, QApplication, QHeaderView, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QTableView, QWidget,
)

from subtitler.core.commands import SetSpeaker, SetStyle
from subtitler.core.cue import Cue
from subtitler.core.document import Document, DocumentChange
from subtitler.core.reading_rules import cps, profile_for_language
from subtitler.core.timecode import format_timecode, parse_timecode
from subtitler.gui.cue_text import LINE_BREAK, display_html, display_positions, display_text, has_markup
from subtitler.gui.edits import set_text_command, set_times_command
from subtitler.gui.speakers.colours import speaker_colour

Index = QModelIndex | QPersistentModelIndex
HTML_ROLE = Qt.ItemDataRole.UserRole + 2  # the text cell as rich text (RichTextDelegate draws it)


class Column(IntEnum):
    START = 0
    END = 1
    DURATION = 2
    CPS = 3
    TEXT = 4
    STYLE = 5  # ASS/SSA style; shown only when the document has styles
    ORIGINAL = 6  # translation view: the original's text; shown only with an original open
    SPEAKER = 7  # who speaks; shown only when the document has speakers


HEADERS = ("Start", "End", "Duration", "CPS", "Text", "Style", "Original", "Speaker")
MATCHES_ROLE = Qt.ItemDataRole.UserRole + 1  # [(start, end)] of find results, as positions in the cell's text
SEVERITY_COLOURS = {"error": QColor(255, 205, 205), "warning": QColor(255, 236, 190), "info": QColor(214, 232, 255)}
SEVERITY_ORDER = ("info", "warning", "error")


def parse_duration(text: str) -> int:
    """'2.5' (seconds) or a timecode, in milliseconds."""
    text = text.strip().replace(",", ".")
    if ":" in text:
        return parse_timecode(text)
    return int(round(float(text) * 1000))


class CueTableModel(QAbstractTableModel):
    """Rows are cues; edits go to `push(command)` (the window pushes them on its QUndoStack)."""

    def __init__(self, document: Document, push: Callable[[Any], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._push = push
        self._document = document
        self._cues: tuple[Cue, ...] = document.cues
        self._findings: dict[int, list[Any]] = {}
        self._playing_row: int | None = None
        self._marks: dict[int, str] = {}  # row -> tooltip (misspelt words)
        self._matches: dict[int, list[tuple[int, int]]] = {}
        self._original_text: Callable[[int], str | None] | None = None
        self._speaker_names: list[str] | None = None  # cache, dropped on every document change
        document.changed.connect(self._on_document_changed)

    # --- document binding -------------------------------------------------
    @property
    def document(self) -> Document:
        return self._document

    def set_document(self, document: Document) -> None:
        self.beginResetModel()
        self._document.changed.disconnect(self._on_document_changed)
        self._document = document
        self._cues = document.cues
        self._findings = {}
        self._marks = {}
        self._matches = {}
        self._playing_row = None
        self._speaker_names = None
        document.changed.connect(self._on_document_changed)
        self.endResetModel()

    def speaker_names(self) -> list[str]:
        """The cues' speakers in order of first appearance (the colour order)."""
        if self._speaker_names is None:
            self._speaker_names = list(dict.fromkeys(c.speaker for c in self._cues if c.speaker))
        return self._speaker_names

    def _on_document_changed(self, change: DocumentChange) -> None:
        self._speaker_names = None
        if change.kind == "inserted" and change.count:
            self.beginInsertRows(QModelIndex(), change.first, change.first + change.count - 1)
            self._cues = self._document.cues
            self.endInsertRows()
            self._renumber(change.first)
        elif change.kind == "removed" and change.count:
            self.beginRemoveRows(QModelIndex(), change.first, change.first + change.count - 1)
            self._cues = self._document.cues
            self.endRemoveRows()
            self._renumber(change.first)
        elif change.kind == "changed" and change.count:
            self._cues = self._document.cues
            last = change.first + change.count - 1
            self.dataChanged.emit(self.index(change.first, 0), self.index(last, len(Column) - 1))
        elif change.kind == "reset":
            self.beginResetModel()
            self._cues = self._document.cues
            self.endResetModel()
        elif change.kind == "properties" and self._cues:  # the language sets the reading rules behind CPS
            self.dataChanged.emit(self.index(0, Column.CPS), self.index(len(self._cues) - 1, Column.CPS))

    def _renumber(self, first: int) -> None:
        if first < len(self._cues):
            self.headerDataChanged.emit(Qt.Orientation.Vertical, first, len(self._cues) - 1)

    # --- decorations --------------------------------------------------------
    def set_findings(self, findings: Iterable[Any]) -> None:
        """QC findings (objects with .row, .severity, .message) colour their rows."""
        by_row: dict[int, list[Any]] = {}
        for finding in findings:
            row = getattr(finding, "row", None)
            if row is not None and 0 <= row < len(self._cues):
                by_row.setdefault(row, []).append(finding)
        self._findings = by_row
        if len(self._cues):
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._cues) - 1, len(Column) - 1))

    def findings_at(self, row: int) -> list[Any]:
        return list(self._findings.get(row, ()))

    def set_marks(self, marks: dict[int, str]) -> None:
        """Rows with a problem in their words (misspellings): a mark in the text cell, the words as its tooltip."""
        self._marks = dict(marks)
        self._refresh_column(Column.TEXT)

    def marks(self) -> dict[int, str]:
        return dict(self._marks)

    def set_matches(self, matches: dict[int, list[tuple[int, int]]]) -> None:
        """Find results to highlight in the text cells (character ranges of the cue text)."""
        self._matches = {row: list(spans) for row, spans in matches.items()}
        self._refresh_column(Column.TEXT)

    def set_original_text(self, lookup: Callable[[int], str | None] | None) -> None:
        """Translation view: `lookup(row)` is the original's text for a row (None: no original open)."""
        self._original_text = lookup
        self._refresh_column(Column.ORIGINAL)

    def _refresh_column(self, column: Column) -> None:
        if len(self._cues):
            self.dataChanged.emit(self.index(0, column), self.index(len(self._cues) - 1, column))

    def set_playing_row(self, row: int | None) -> None:
        """The cue under the playhead reads bold; the clock decides, the model only shows it."""
        if row == self._playing_row:
            return
        changed = [r for r in (self._playing_row, row) if r is not None and r < len(self._cues)]
        self._playing_row = row
        for r in changed:
            self.dataChanged.emit(self.index(r, 0), self.index(r, len(Column) - 1), [Qt.ItemDataRole.FontRole])

    # --- Qt model API --------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(self._cues)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return HEADERS[section] if 0 <= section < len(HEADERS) else None
        return str(section + 1)  # the "#" column

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.column() in (Column.START, Column.END, Column.DURATION, Column.TEXT, Column.STYLE, Column.SPEAKER):
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = index.row()
        if not index.isValid() or row >= len(self._cues):
            return None
        cue = self._cues[row]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._text(cue, row, Column(index.column()), role)
        if role == HTML_ROLE and index.column() == Column.TEXT:
            return display_html(cue) if has_markup(cue) else None  # plain text: Qt's own (fast) painting
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._background(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            messages = [str(getattr(f, "message", f)) for f in self._findings.get(row, ())]
            if row in self._marks and index.column() == Column.TEXT:
                messages.append(self._marks[row])
            return "\n".join(messages) or None
        if role == Qt.ItemDataRole.DecorationRole and index.column() == Column.TEXT and row in self._marks:
            return _mark_icon()
        if role == Qt.ItemDataRole.DecorationRole and index.column() == Column.SPEAKER and cue.speaker:
            return QColor(speaker_colour(self._document, cue.speaker, self.speaker_names()))
        if role == MATCHES_ROLE and index.column() == Column.TEXT and row in self._matches:
            shown = display_positions(cue)  # the cell shows display_text: tags rendered, voices named, " | " for breaks
            return [(shown[min(a, len(shown) - 1)], shown[min(b, len(shown) - 1)]) for a, b in self._matches[row]]
        if role == Qt.ItemDataRole.FontRole and row == self._playing_row:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() not in (Column.TEXT, Column.STYLE, Column.ORIGINAL, Column.SPEAKER):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, cue: Cue, row: int, column: Column, role: int) -> str:
        if column == Column.START:
            return format_timecode(cue.start_ms)
        if column == Column.END:
            return format_timecode(cue.end_ms)
        if column == Column.DURATION:
            return f"{cue.duration_ms / 1000:.3f}"
        if column == Column.CPS:
            return f"{cps(cue.text, cue.duration_ms, profile_for_language(self._document.language)):.1f}"
        if column == Column.STYLE:
            return cue.style or ""
        if column == Column.SPEAKER:
            return cue.speaker or ""
        if column == Column.ORIGINAL:
            original = self._original_text(row) if self._original_text is not None else None
            return (original or "").replace("\n", LINE_BREAK if role == Qt.ItemDataRole.DisplayRole else "|")
        if role == Qt.ItemDataRole.DisplayRole:
            return display_text(cue)  # tags rendered, voices named; the cell editor gets the source below
        return cue.text.replace("\n", "|")

    def _background(self, row: int) -> QBrush | None:
        severities = {str(getattr(f, "severity", "info")).lower().split(".")[-1] for f in self._findings.get(row, ())}
        for severity in reversed(SEVERITY_ORDER):
            if severity in severities:
                return QBrush(SEVERITY_COLOURS[severity])
        return QBrush(SEVERITY_COLOURS["info"]) if severities else None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.row() >= len(self._document):
            return False
        command = self._command_for(index.row(), Column(index.column()), str(value))
        if command is None:
            return False
        self._push(command)
        return True

    def _command_for(self, row: int, column: Column, value: str) -> Any:
        cue = self._document[row]
        try:
            if column == Column.TEXT:
                text = "\n".join(part.strip() for part in value.split("|"))
                return None if text == cue.text else set_text_command(self._document, row, text)
            if column == Column.STYLE:
                style = value.strip() or None
                return None if style == cue.style else SetStyle(self._document, [row], style)
            if column == Column.SPEAKER:
                speaker = " ".join(value.split()) or None
                return None if speaker == cue.speaker else SetSpeaker(self._document, [row], speaker)
            start, end = cue.start_ms, cue.end_ms
            if column == Column.START:
                start = parse_timecode(value)
            elif column == Column.END:
                end = parse_timecode(value)
            elif column == Column.DURATION:
                end = start + parse_duration(value)
        except ValueError:
            return None
        if end <= start or (start, end) == (cue.start_ms, cue.end_ms):
            return None
        return set_times_command(self._document, row, start, end)


class RichTextDelegate(QStyledItemDelegate):
    """Draws HTML_ROLE as rich text on one line (selection colours kept), so <i> shows as italic, not as "<i>"."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        markup = index.data(HTML_ROLE)
        if markup is None:
            super().paint(painter, option, index)
            return
        options = QStyleOptionViewItem(option)
        self.initStyleOption(options, index)
        options.text = ""
        style = options.widget.style() if options.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, options, painter, options.widget)
        document = QTextDocument()
        document.setDocumentMargin(0)
        document.setDefaultFont(options.font)
        document.setHtml(f'<span style="white-space:pre">{markup}</span>')
        selected = bool(options.state & QStyle.StateFlag.State_Selected)
        context = QAbstractTextDocumentLayout.PaintContext()
        context.palette.setColor(QPalette.ColorRole.Text, options.palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text))
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, options, options.widget)
        painter.save()
        painter.translate(rect.left(), rect.top() + (rect.height() - document.size().height()) / 2)
        painter.setClipRect(0, 0, rect.width(), rect.height())
        document.documentLayout().draw(painter, context)
        painter.restore()


_MARK_ICON: QIcon | None = None


def _mark_icon() -> QIcon:
    """A red wavy underline: the same sign as the underline in the text editor."""
    global _MARK_ICON
    if _MARK_ICON is None:
        pixmap = QPixmap(14, 14)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setPen(QPen(QColor(220, 40, 40), 2))
        for x in range(0, 12, 4):
            painter.drawLine(x, 10, x + 2, 7)
            painter.drawLine(x + 2, 7, x + 4, 10)
        painter.end()
        _MARK_ICON = QIcon(pixmap)
    return _MARK_ICON


class CueTableView(QTableView):
    """The list of cues; emits the current row so the editor, timeline and video follow it."""

    current_row_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cue_table")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.setAlternatingRowColors(False)
        self.verticalHeader().setVisible(True)
        self.verticalHeader().setDefaultSectionSize(22)
        self.setWordWrap(False)
        self.placeholder = ""

    def set_placeholder(self, text: str) -> None:
        """What the empty list says (how to get cues); drawn only while there are no rows."""
        self.placeholder = text
        self.viewport().update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        super().paintEvent(event)
        model = self.model()
        if model is not None and model.rowCount() == 0 and self.placeholder:
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
            painter.drawText(self.viewport().rect().adjusted(24, 24, -24, -24), flags, self.placeholder)
            painter.end()

    def setModel(self, model: CueTableModel) -> None:  # noqa: N802 - Qt's name
        super().setModel(model)
        # Fixed widths from sample text, not ResizeToContents: that re-measures every row on each
        # dataChanged, which made typing in a 3,000-cue document take ~100 ms a key.
        header = self.horizontalHeader()
        metrics = self.fontMetrics()
        padding = 3 * metrics.horizontalAdvance("0")
        for column, sample in ((Column.START, "00:00:00,000"), (Column.END, "00:00:00,000"),
                               (Column.DURATION, "Duration"), (Column.CPS, "99.9")):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.setColumnWidth(column, metrics.horizontalAdvance(sample) + padding)
        header.setSectionResizeMode(Column.TEXT, QHeaderView.ResizeMode.Stretch)
        self.setItemDelegateForColumn(Column.TEXT, RichTextDelegate(self))
        for column in (Column.STYLE, Column.ORIGINAL, Column.SPEAKER):  # before the text, hidden until there is something to show
            header.moveSection(header.visualIndex(column), header.visualIndex(Column.TEXT))
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.setColumnHidden(column, True)
        self.setColumnWidth(Column.STYLE, metrics.horizontalAdvance("Default") + padding)
        self.setColumnWidth(Column.ORIGINAL, 28 * metrics.horizontalAdvance("n"))
        self.setColumnWidth(Column.SPEAKER, metrics.horizontalAdvance("Speaker 10") + 2 * padding)
        self.selectionModel().currentRowChanged.connect(self._on_selection_current_row_changed)

    def _on_selection_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.current_row_changed.emit(current.row() if current.isValid() else -1)

    def current_row(self) -> int:
        index = self.currentIndex()
        return index.row() if index.isValid() else -1

    def selected_rows(self) -> list[int]:
        rows = sorted({index.row() for index in self.selectionModel().selectedRows()})
        current = self.current_row()
        return rows or ([current] if current >= 0 else [])

    def select_row(self, row: int) -> None:
        """Make `row` current and the only selection, scrolled into view (no-op when out of range)."""
        model = self.model()
        if model is None or not 0 <= row < model.rowCount():
            return
        index = model.index(row, Column.TEXT)
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.selectionModel().setCurrentIndex(index, flags)
        self.scrollTo(index)

    def select_rows(self, rows: Sequence[int]) -> None:
        if not rows:
            return
        self.select_row(rows[0])
        model = self.model()
        for row in rows[1:]:
            if 0 <= row < model.rowCount():
                self.selectionModel().select(
                    model.index(row, 0), QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
                )
