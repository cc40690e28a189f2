"""Spell check as you type: misspelt words underlined in the text editor and marked in the cue list.

Suggestions, "Add to dictionary" and "Ignore" are in the editor's context menu
(right click, or the Menu key / Shift+F10 at the text cursor); F7 / Shift+F7 jump
to the next / previous misspelt word, Alt+F7 jumps and opens the suggestions.
A correction is one undo step. The dictionary follows the document's language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import shiboken6
from PySide6.QtCore import QObject, QPoint, Qt, QThread, QTimer
from PySide6.QtGui import QColor, QSyntaxHighlighter, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import QMenu

from subtitler.core.commands import ReplaceTexts
from subtitler.core.spelling import Misspelling, Speller, dictionary_language
from subtitler.gui.workers.job import start_worker
from subtitler.gui.workers.speller_worker import SpellerWorker

if TYPE_CHECKING:
    from subtitler.gui.main_window import MainWindow

MISSPELT_COLOUR = QColor(220, 40, 40)
MARKS_DEBOUNCE_MS = 300


class SpellHighlighter(QSyntaxHighlighter):
    """Red wavy underline under the words the speller does not know (a block is one line of the cue)."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self.speller: Speller | None = None
        self._format = QTextCharFormat()
        self._format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SpellCheckUnderline)
        self._format.setUnderlineColor(MISSPELT_COLOUR)

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt's name
        if self.speller is None:
            return
        for word in self.speller.misspellings(text):
            self.setFormat(word.start, word.end - word.start, self._format)


class SpellController(QObject):
    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.w = window
        self.spellers: dict[str, Speller] = {}
        self.speller: Speller | None = None
        self.language: str | None = None  # the dictionary wanted (loaded or loading)
        self.unavailable: dict[str, str] = {}  # language -> why there is no dictionary
        self.highlighter = SpellHighlighter(window.editor.document())
        self.menu: QMenu | None = None
        self._threads: list[QThread] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(MARKS_DEBOUNCE_MS)
        self._timer.timeout.connect(self.refresh)
        window.editor.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        window.editor.customContextMenuRequested.connect(self.show_menu)
        window.undo_stack.indexChanged.connect(lambda _i: self._timer.start())
        window.document_replaced.connect(lambda _doc: self.refresh())

    def handlers(self) -> dict[str, Callable[[], Any]]:
        return {"spell_check": lambda: self.jump(True, with_menu=True), "next_misspelling": lambda: self.jump(True),
                "previous_misspelling": lambda: self.jump(False), "add_to_dictionary": lambda: self._at_cursor(self.add_word),
                "ignore_word": lambda: self._at_cursor(self.ignore_word)}

    # --- dictionary ---------------------------------------------------------------
    def refresh(self) -> None:
        """Load the document language's dictionary if needed, then mark the rows with misspellings."""
        wanted = dictionary_language(self.w.document.language)
        if wanted != self.language:
            self._load(wanted)
        self._mark_rows()

    def _load(self, language: str) -> None:
        self.language = language
        if language in self.spellers:
            self._use(self.spellers[language])
            return
        self._use(None)
        if language in self.unavailable:
            self.w.status.show_hint(self.unavailable[language])
            return
        worker = SpellerWorker(language)
        worker.completed.connect(self._on_speller_worker_completed)
        worker.failed.connect(self._on_speller_failed)  # a method, not a lambda: Qt queues it to the GUI thread
        self._threads.append(start_worker(worker))

    def shutdown(self) -> None:
        """Wait for a dictionary still loading (a fraction of a second; the load cannot be interrupted)."""
        for thread in self._threads:
            if shiboken6.isValid(thread):
                thread.wait(10_000)
        self._threads.clear()

    def _on_speller_worker_completed(self, speller: Speller) -> None:
        self.spellers[speller.language] = speller
        if speller.language == self.language:
            self._use(speller)

    def _on_speller_failed(self, message: str) -> None:
        language = self.sender().language  # the worker outlives this call: the keeper drops it after `finished`, queued later
        self.unavailable[language] = f"Spell check off: {message}"
        if language == self.language:
            self.w.status.show_hint(self.unavailable[language], 10_000)

    def _use(self, speller: Speller | None) -> None:
        self.speller = speller
        self.highlighter.speller = speller
        self.highlighter.rehighlight()
        self._mark_rows()

    def _mark_rows(self) -> None:
        marks: dict[int, str] = {}
        if self.speller is not None:
            for row, cue in enumerate(self.w.document):
                words = self.speller.misspellings(cue.text)
                if words:
                    marks[row] = "Misspelt: " + ", ".join(dict.fromkeys(w.word for w in words))
        self.w.table_model.set_marks(marks)

    # --- finding ---------------------------------------------------------------------
    def misspelling_at(self, row: int, position: int) -> Misspelling | None:
        if self.speller is None or not 0 <= row < len(self.w.document):
            return None
        return next((m for m in self.speller.misspellings(self.w.document[row].text) if m.start <= position <= m.end), None)

    def jump(self, forward: bool, with_menu: bool = False) -> Misspelling | None:
        """Select the next (previous) misspelt word after (before) the text cursor, wrapping round."""
        if self.speller is None:
            self.w.status.show_hint(self.unavailable.get(self.language or "", "The spelling dictionary is still loading"))
            return None
        doc, row = self.w.document, max(self.w.table.current_row(), 0)
        cursor = self.w.editor.textCursor()
        position = cursor.selectionEnd() if forward else cursor.selectionStart()
        hits = [(r, m) for r in range(len(doc)) for m in self.speller.misspellings(doc[r].text)]
        if not hits:
            self.w.status.show_hint("No misspelt words")
            return None
        if forward:
            found = next(((r, m) for r, m in hits if (r, m.start) >= (row, position)), hits[0])
        else:
            found = next(((r, m) for r, m in reversed(hits) if (r, m.start) < (row, position)), hits[-1])
        self.w.table.select_row(found[0])
        self.w.editor.select_span(found[1].start, found[1].end)
        self.w.editor.setFocus()
        if with_menu:
            self.show_menu(self.w.editor.cursorRect().center())
        return found[1]

    # --- context menu ----------------------------------------------------------------
    def build_menu(self, pos: QPoint) -> QMenu:
        """The editor's usual menu with the word's suggestions, Add to dictionary and Ignore on top."""
        editor = self.w.editor
        menu = editor.createStandardContextMenu()
        row = self.w.table.current_row()
        word = self.misspelling_at(row, editor.cursorForPosition(pos).position())
        if editor.textCursor().hasSelection():  # a jump selected the word: use it rather than the click position
            selected = self.misspelling_at(row, editor.textCursor().selectionStart())
            word = selected or word
        if word is None or self.speller is None:
            return menu
        first = menu.actions()[0] if menu.actions() else None
        suggestions = self.speller.suggestions(word.word)
        for suggestion in suggestions:
            action = menu.addAction(suggestion)
            action.triggered.connect(lambda _c=False, r=row, m=word, s=suggestion: self.correct(r, m, s))
            menu.insertAction(first, action)
        if not suggestions:
            menu.insertAction(first, _disabled(menu, "(no suggestions)"))
        add = menu.addAction(f"Add “{word.word}” to dictionary")
        add.triggered.connect(lambda _c=False, w=word.word: self.add_word(w))
        ignore = menu.addAction(f"Ignore “{word.word}”")
        ignore.triggered.connect(lambda _c=False, w=word.word: self.ignore_word(w))
        menu.insertActions(first, [add, ignore])
        menu.insertSeparator(first)
        return menu

    def show_menu(self, pos: QPoint) -> None:
        self.menu = self.build_menu(pos)
        if self.menu.actions() and self.menu.actions()[0].isEnabled():
            self.menu.setActiveAction(self.menu.actions()[0])  # Enter takes the first suggestion
        self.menu.exec(self.w.editor.mapToGlobal(pos))

    # --- changes ------------------------------------------------------------------------
    def correct(self, row: int, word: Misspelling, replacement: str) -> None:
        text = self.w.document[row].text
        if text[word.start : word.end] != word.word:
            self.w.status.show_hint("The text changed; find the word again (F7)")
            return
        self.w.push(ReplaceTexts(self.w.document, {row: text[: word.start] + replacement + text[word.end :]}, "Correct spelling"))
        self.w.editor.select_span(word.start, word.start + len(replacement))

    def _at_cursor(self, action: Callable[[str], None]) -> None:
        cursor = self.w.editor.textCursor()
        word = self.misspelling_at(self.w.table.current_row(), cursor.selectionStart() if cursor.hasSelection() else cursor.position())
        if word is None:
            self.w.status.show_hint("Put the text cursor on a misspelt word first (F7 finds the next)")
            return
        action(word.word)

    def add_word(self, word: str) -> None:
        if self.speller is None:
            return
        try:
            self.speller.add_word(word)
        except OSError as exc:
            self.w.status.show_hint(f"Could not save the user dictionary: {exc}")
        self.w.status.show_hint(f"Added “{word}” to the {self.speller.language} dictionary ({self.speller.user_path})")
        self._use(self.speller)

    def ignore_word(self, word: str) -> None:
        if self.speller is not None:
            self.speller.ignore(word)
            self._use(self.speller)


def _disabled(menu: QMenu, text: str):
    action = menu.addAction(text)
    action.setEnabled(False)
    return action
