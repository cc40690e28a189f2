"""The text editor for the current cue.

Typing pushes SetText commands that merge while the user types in one cue, so
Ctrl+Z goes through the one QUndoStack (the widget's own undo is off). Words the
recogniser was unsure of are underlined; the word under the playhead is shaded
from the one clock; clicking a timed word asks the window to seek there.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QDragEnterEvent, QKeyEvent, QKeySequence, QMouseEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from subtitler.core.document import Document, DocumentChange
from subtitler.gui.edits import set_text_command
from subtitler.gui.word_spans import DEFAULT_LOW_CONFIDENCE, WordSpan, is_low_confidence, span_at_char, span_at_time, word_spans

LOW_CONFIDENCE_COLOUR = QColor(220, 60, 40)  # below half the threshold: probably wrong
UNSURE_COLOUR = QColor(235, 150, 30)  # below the threshold
SPOKEN_WORD_COLOUR = QColor(255, 230, 120)
NO_CUE_PLACEHOLDER = "Select a cue to edit its text"


class CueEditor(QPlainTextEdit):
    """Edits the text of one row of the document; follows the clock for the word highlight."""

    seek_requested = Signal("qint64")  # ms

    def __init__(self, document: Document, push: Callable[[Any], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cue_editor")
        self.setUndoRedoEnabled(False)
        self.setTabChangesFocus(True)
        self.setPlaceholderText(NO_CUE_PLACEHOLDER)
        self._push = push
        self._document = document
        self._row = -1
        self._syncing = False
        self._threshold = DEFAULT_LOW_CONFIDENCE
        self._position_ms = -1
        self._window_keys: set[str] = set()
        document.changed.connect(self._on_document_changed)
        self.textChanged.connect(self._on_self_text_changed)
        self.setEnabled(False)

    # --- binding ----------------------------------------------------------------
    @property
    def row(self) -> int:
        return self._row

    def set_document(self, document: Document) -> None:
        self._document.changed.disconnect(self._on_document_changed)
        self._document = document
        document.changed.connect(self._on_document_changed)
        self.set_row(-1)

    def set_row(self, row: int) -> None:
        self._row = row if 0 <= row < len(self._document) else -1
        self.setEnabled(self._row >= 0)
        self.setPlaceholderText(f"Type the text of cue {self._row + 1}" if self._row >= 0 else NO_CUE_PLACEHOLDER)
        self._sync_from_document(keep_cursor=False)

    def set_window_keys(self, keys: set[str]) -> None:
        """Shortcuts with Ctrl/Alt/function keys that must reach the window even while typing here."""
        self._window_keys = set(keys)

    def set_low_confidence_threshold(self, threshold: float) -> None:
        self._threshold = threshold
        self._refresh_decorations()

    def text_position(self) -> int:
        return self.textCursor().position()

    def select_span(self, start: int, end: int) -> None:
        cursor = self.textCursor()
        cursor.setPosition(min(start, len(self.toPlainText())))
        cursor.setPosition(min(end, len(self.toPlainText())), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)

    # --- clock --------------------------------------------------------------------
    def show_position_ms(self, ms: int) -> None:
        """Shade the word spoken at `ms` (the window connects this to the player's position_ms_changed)."""
        before = self._spoken_span()
        self._position_ms = ms
        if before != self._spoken_span():
            self._refresh_decorations()

    def spoken_word_range(self) -> tuple[int, int] | None:
        span = self._spoken_span()
        return (span.start, span.end) if span else None

    def _spoken_span(self) -> WordSpan | None:
        if self._row < 0 or self._position_ms < 0:
            return None
        return span_at_time(self._spans(), self._position_ms)

    def _spans(self) -> list[WordSpan]:
        if self._row < 0:
            return []
        cue = self._document[self._row]
        return word_spans(self.toPlainText(), cue.words)

    # --- document <-> widget -------------------------------------------------
    def _on_document_changed(self, change: DocumentChange) -> None:
        """Keep showing the same cue when rows are inserted or removed before it (undo of an insert, a merge above)."""
        row = self._row
        if row >= 0 and change.kind == "inserted" and change.first <= row:
            row += change.count
        elif row >= 0 and change.kind == "removed" and change.first < row:
            row = max(change.first, row - change.count)
        if row != self._row or row >= len(self._document):
            self.set_row(min(row, len(self._document) - 1))
            return
        self._sync_from_document(keep_cursor=True)

    def _sync_from_document(self, keep_cursor: bool) -> None:
        text = self._document[self._row].text if self._row >= 0 else ""
        if text != self.toPlainText():
            position = self.textCursor().position()
            self._syncing = True
            try:
                self.setPlainText(text)
            finally:
                self._syncing = False
            if keep_cursor:
                cursor = self.textCursor()
                cursor.setPosition(min(position, len(text)))
                self.setTextCursor(cursor)
        self._refresh_decorations()

    def _on_self_text_changed(self) -> None:
        if self._syncing or self._row < 0:
            return
        text = self.toPlainText()
        if text != self._document[self._row].text:
            self._push(set_text_command(self._document, self._row, text))

    # --- decorations -----------------------------------------------------------
    def low_confidence_ranges(self) -> list[tuple[int, int]]:
        return [(s.start, s.end) for s in self._low_confidence_spans()]

    def _low_confidence_spans(self) -> list[WordSpan]:
        return [s for s in self._spans() if is_low_confidence(s.word, self._threshold)]

    def _refresh_decorations(self) -> None:
        selections = [
            self._selection((s.start, s.end), self._underline_format(self._colour_for(s.word.probability)))
            for s in self._low_confidence_spans()
        ]
        spoken = self.spoken_word_range()
        if spoken is not None:
            shade = QTextCharFormat()
            shade.setBackground(SPOKEN_WORD_COLOUR)
            selections.append(self._selection(spoken, shade))
        self.setExtraSelections(selections)

    def _selection(self, span: tuple[int, int], fmt: QTextCharFormat) -> QTextEdit.ExtraSelection:
        selection = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.document())
        cursor.setPosition(span[0])
        cursor.setPosition(span[1], QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor
        selection.format = fmt
        return selection

    def _colour_for(self, probability: float | None) -> QColor:
        return LOW_CONFIDENCE_COLOUR if probability is not None and probability < self._threshold / 2 else UNSURE_COLOUR

    @staticmethod
    def _underline_format(colour: QColor) -> QTextCharFormat:
        fmt = QTextCharFormat()
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        fmt.setUnderlineColor(colour)
        return fmt

    # --- events -------------------------------------------------------------------
    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            sequence = QKeySequence(event.keyCombination()).toString(QKeySequence.SequenceFormat.PortableText)
            if sequence in self._window_keys:
                event.ignore()  # not ours: the window's shortcut runs (undo, split, set start...)
                return True
        return super().event(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt's name
        if event.mimeData().hasUrls():
            event.ignore()  # files dropped here open in the window, they are not pasted as text
            return
        super().dragEnterEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        super().mouseReleaseEvent(event)
        if event.button() != Qt.MouseButton.LeftButton or self.textCursor().hasSelection():
            return
        span = span_at_char(self._spans(), self.cursorForPosition(event.position().toPoint()).position())
        if span is not None:
            self.seek_requested.emit(span.word.start_ms)
