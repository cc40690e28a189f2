"""Find and replace: a non-modal dialog, F3/Shift+F3 from anywhere, matches highlighted in the cue list.

Find next selects the cue and the match in the text editor (focus stays in the
dialog, so Enter repeats); Replace replaces the selected match and finds the
next; Replace all is one undo step and says how many it replaced.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QTimer
from PySide6.QtGui import QColor, QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import (
    QApplication, QCheckBox, QDialog, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QStyle,
    QStyleOptionViewItem, QVBoxLayout, QWidget,
)

from subtitler.core.find_replace import FindOptions, Match, ReplaceAll, ReplaceMatch, find_all, find_next
from subtitler.gui.cue_table import MATCHES_ROLE, Column, RichTextDelegate

if TYPE_CHECKING:
    from subtitler.gui.main_window import MainWindow

MATCH_COLOUR = QColor(255, 210, 0, 120)
HIGHLIGHT_DEBOUNCE_MS = 150


class MatchDelegate(RichTextDelegate):
    """Paints the cell as usual (rich text where the cue has markup), then shades the find results in it."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        super().paint(painter, option, index)
        spans = index.data(MATCHES_ROLE)
        if not spans:
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, opt.widget)
        metrics = opt.fontMetrics
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, opt.widget) + 1
        painter.save()
        painter.setClipRect(rect)
        for start, end in spans:  # positions in the cell's text (the model maps them)
            x0 = metrics.horizontalAdvance(opt.text[:start])
            x1 = metrics.horizontalAdvance(opt.text[:end])
            painter.fillRect(QRectF(rect.left() + margin + x0, rect.top() + 2, x1 - x0, rect.height() - 4), MATCH_COLOUR)
        painter.restore()


class FindReplaceDialog(QDialog):
    """The fields and buttons; the controller does the work."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("find_replace_dialog")
        self.setModal(False)
        self.find_edit = QLineEdit()
        self.replace_edit = QLineEdit()
        self.replace_label = QLabel("Replace &with:")
        self.replace_label.setBuddy(self.replace_edit)
        find_label = QLabel("&Find:")
        find_label.setBuddy(self.find_edit)
        self.regex = QCheckBox("Regular e&xpression")
        self.match_case = QCheckBox("Match &case")
        self.whole_word = QCheckBox("W&hole word")
        self.in_selection = QCheckBox("In &selected cues only")
        self.find_next_button = QPushButton("Find &next")
        self.find_previous_button = QPushButton("Find &previous")
        self.replace_button = QPushButton("&Replace")
        self.replace_all_button = QPushButton("Replace &all")
        self.close_button = QPushButton("Close")
        self.find_next_button.setDefault(True)
        self.result = QLabel()
        self.result.setObjectName("find_result")
        self._init_layout(find_label)

    def _init_layout(self, find_label: QLabel) -> None:
        grid = QGridLayout()
        grid.addWidget(find_label, 0, 0)
        grid.addWidget(self.find_edit, 0, 1)
        grid.addWidget(self.replace_label, 1, 0)
        grid.addWidget(self.replace_edit, 1, 1)
        options = QHBoxLayout()
        for box in (self.regex, self.match_case, self.whole_word, self.in_selection):
            options.addWidget(box)
        buttons = QHBoxLayout()
        for button in (self.find_previous_button, self.find_next_button, self.replace_button, self.replace_all_button,
                       self.close_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addLayout(options)
        layout.addWidget(self.result)
        layout.addLayout(buttons)

    def show_replace(self, replace: bool) -> None:
        self.setWindowTitle("Replace" if replace else "Find")
        for widget in (self.replace_label, self.replace_edit, self.replace_button, self.replace_all_button):
            widget.setVisible(replace)

    def options(self) -> FindOptions:
        return FindOptions(self.find_edit.text(), self.regex.isChecked(), self.match_case.isChecked(), self.whole_word.isChecked())


class FindReplaceController:
    def __init__(self, window: "MainWindow") -> None:
        self.w = window
        self.dialog = FindReplaceDialog(window)
        self.scope: list[int] | None = None  # rows searched when "in selected cues only" is on
        self.delegate = MatchDelegate(window.table)
        window.table.setItemDelegateForColumn(Column.TEXT, self.delegate)
        self._highlight_timer = QTimer(window)
        self._highlight_timer.setSingleShot(True)
        self._highlight_timer.setInterval(HIGHLIGHT_DEBOUNCE_MS)
        self._highlight_timer.timeout.connect(self.highlight)
        self._init_connections()

    def _init_connections(self) -> None:
        d = self.dialog
        d.find_next_button.clicked.connect(lambda: self.find(True))
        d.find_previous_button.clicked.connect(lambda: self.find(False))
        d.replace_button.clicked.connect(self.replace_one)
        d.replace_all_button.clicked.connect(self.replace_all)
        d.close_button.clicked.connect(d.close)
        d.finished.connect(lambda _result: self.w.table_model.set_matches({}))
        for signal in (d.find_edit.textChanged, d.regex.toggled, d.match_case.toggled, d.whole_word.toggled):
            signal.connect(lambda *_: self._highlight_timer.start())
        d.in_selection.toggled.connect(self._on_in_selection_toggled)
        QShortcut(QKeySequence("F3"), d, lambda: self.find(True))  # the window's F3 does not reach another window
        QShortcut(QKeySequence("Shift+F3"), d, lambda: self.find(False))
        self.w.undo_stack.indexChanged.connect(lambda _i: self._highlight_timer.start() if d.isVisible() else None)
        self.w.document_replaced.connect(lambda _doc: self.dialog.close())

    def handlers(self) -> dict[str, Callable[[], Any]]:
        return {"find": lambda: self.show(False), "replace": lambda: self.show(True),
                "find_next": lambda: self.find(True), "find_previous": lambda: self.find(False)}

    # --- dialog -----------------------------------------------------------------
    def show(self, replace: bool) -> None:
        d = self.dialog
        d.show_replace(replace)
        selected = self.w.editor.textCursor().selectedText()
        if selected and "\u2029" not in selected:
            d.find_edit.setText(selected)
        d.show()
        d.raise_()
        d.activateWindow()
        d.find_edit.setFocus()
        d.find_edit.selectAll()
        self.highlight()

    def _on_in_selection_toggled(self, on: bool) -> None:
        self.scope = self.w.table.selected_rows() if on else None
        self._highlight_timer.start()

    def _options(self) -> FindOptions | None:
        try:
            options = self.dialog.options()
            options.compiled()
        except ValueError as exc:
            self._say(str(exc))
            return None
        return options

    def _say(self, text: str) -> None:
        self.dialog.result.setText(text)
        self.w.status.show_hint(text)

    def highlight(self) -> list[Match]:
        """Shade every match in the list and say how many there are."""
        if not self.dialog.find_edit.text():
            self.w.table_model.set_matches({})
            self.dialog.result.setText("")
            return []
        options = self._options()
        matches = find_all(self.w.document.cues, options, self.scope) if options else []
        spans: dict[int, list[tuple[int, int]]] = {}
        for m in matches:
            spans.setdefault(m.row, []).append((m.start, m.end))
        self.w.table_model.set_matches(spans)
        if options:
            self.dialog.result.setText(f"{len(matches)} match(es) in {len(spans)} cue(s)" if matches else "Not found")
        return matches

    # --- actions ----------------------------------------------------------------------
    def find(self, forward: bool) -> Match | None:
        if not self.dialog.find_edit.text():
            self.show(False)
            return None
        options = self._options()
        if options is None:
            return None
        cursor = self.w.editor.textCursor()
        row = max(self.w.table.current_row(), 0)
        position = cursor.selectionEnd() if forward else cursor.selectionStart()
        match = find_next(self.w.document.cues, options, row, position, forward, self.scope)
        if match is None:
            self._say(f"“{options.pattern}” not found")
            return None
        self.w.table.select_row(match.row)
        self.w.editor.select_span(match.start, match.end)
        self.highlight()
        return match

    def _selected_match(self, options: FindOptions) -> Match | None:
        """The match the editor has selected (what Find next found), if the text still holds it."""
        cursor = self.w.editor.textCursor()
        row = self.w.table.current_row()
        if row < 0 or not cursor.hasSelection():
            return None
        wanted = Match(row, cursor.selectionStart(), cursor.selectionEnd())
        return wanted if wanted in find_all(self.w.document.cues, options, [row]) else None

    def replace_one(self) -> None:
        options = self._options()
        if options is None:
            return
        match = self._selected_match(options)
        if match is None:
            self.find(True)
            return
        old_length = len(self.w.document[match.row].text)
        try:
            self.w.push(ReplaceMatch(self.w.document, options, self.dialog.replace_edit.text(), match))
        except ValueError as exc:
            self._say(str(exc))
            return
        after = match.end + len(self.w.document[match.row].text) - old_length  # just past the replacement
        self.w.editor.select_span(after, after)
        self.find(True)

    def replace_all(self) -> int:
        options = self._options()
        if options is None:
            return 0
        try:
            command = ReplaceAll(self.w.document, options, self.dialog.replace_edit.text(), self.scope)
        except ValueError as exc:
            self._say(str(exc))
            return 0
        if command.count:
            self.w.push(command)
        self.highlight()
        self._say(f"Replaced {command.count} in {len(command.rows)} cue(s)" if command.count else f"“{options.pattern}” not found")
        return command.count
