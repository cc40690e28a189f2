"""Spell check and the QC panel in the real window, by keyboard: find, correct, add, ignore; step through findings, fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer, Qt
from PySide6.QtGui import QTextCharFormat
from PySide6.QtWidgets import QApplication

from tests.gui.window_helpers import dialogs, window  # noqa: F401 - fixtures

ALT, CTRL, SHIFT = Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
TYPOS_SRT = (
    "1\n00:00:01,000 --> 00:00:03,000\nTeh contry is big.\n\n"
    "2\n00:00:04,000 --> 00:00:06,000\nAll fine here.\n\n"
    "3\n00:00:07,000 --> 00:00:09,000\n<i>Shee</i> said NASA.\n\n"
)
QC_SRT = (
    "1\n00:00:01,000 --> 00:00:01,400\nHi.\n\n"
    "2\n00:00:03,000 --> 00:00:04,000\nThis is far too much text to read in a single second, really.\n\n"
    "3\n00:00:10,000 --> 00:00:10,500\nShort too.\n\n"
    "4\n00:00:12,000 --> 00:00:14,000\nA fine cue.\n\n"
)


@pytest.fixture
def user_data(isolated_user_data: Path) -> Path:
    """The user dictionaries in the test's own app-data folder (tests/conftest.py)."""
    return isolated_user_data / "subtitler" / "dictionaries"


def _open_text(window, tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert window.files.open_subtitles(path)
    window.table.select_row(0)
    window.table.setFocus()


def _underlined(window) -> list[tuple[int, int]]:
    block = window.editor.document().firstBlock()
    return [(r.start, r.start + r.length) for r in block.layout().formats()
            if r.format.underlineStyle() == QTextCharFormat.UnderlineStyle.SpellCheckUnderline]


def test_spell_check_marks_underlines_and_corrects_by_keyboard(window, tmp_path, user_data, qtbot):
    _open_text(window, tmp_path, "typos.srt", TYPOS_SRT)
    spelling = window.tools.spelling
    qtbot.waitUntil(lambda: spelling.speller is not None, timeout=10_000)
    assert window.table_model.marks() == {0: "Misspelt: Teh, contry", 2: "Misspelt: Shee"}
    assert _underlined(window) == [(0, 3), (4, 10)]

    qtbot.keyClick(window.table, Qt.Key.Key_F7)  # next misspelling: from the start of cue 1
    assert window.editor.hasFocus() and window.editor.textCursor().selectedText() == "Teh"

    def choose_first_suggestion() -> None:  # the menu is open: Enter takes the highlighted first suggestion
        qtbot.keyClick(QApplication.activePopupWidget(), Qt.Key.Key_Return)

    QTimer.singleShot(300, choose_first_suggestion)
    qtbot.keyClick(window.editor, Qt.Key.Key_F7, ALT)  # Alt+F7: the next misspelling, with its suggestions
    assert window.document[0].text == "Teh country is big." and window.undo_stack.count() == 1
    assert window.undo_stack.undoText() == "Correct spelling"

    qtbot.keyClick(window.editor, Qt.Key.Key_F7)
    assert window.table.current_row() == 2 and window.editor.textCursor().selectedText() == "Shee"
    qtbot.keyClick(window.editor, Qt.Key.Key_F7, CTRL)  # add to dictionary
    assert (user_data / "en.txt").read_text(encoding="utf-8") == "shee\n"
    qtbot.keyClick(window.editor, Qt.Key.Key_F7, SHIFT)  # previous: back to "Teh"
    assert window.table.current_row() == 0 and window.editor.textCursor().selectedText() == "Teh"
    qtbot.keyClick(window.editor, Qt.Key.Key_F7, CTRL | SHIFT)  # ignore
    qtbot.waitUntil(lambda: window.table_model.marks() == {}, timeout=2000)
    qtbot.keyClick(window.editor, Qt.Key.Key_Z, CTRL)
    assert window.document[0].text == "Teh contry is big."


def test_suggestion_menu_with_the_mouse_and_a_language_without_a_dictionary(window, tmp_path, user_data, qtbot):
    _open_text(window, tmp_path, "typos.srt", TYPOS_SRT)
    spelling = window.tools.spelling
    qtbot.waitUntil(lambda: spelling.speller is not None, timeout=10_000)
    editor = window.editor
    menu = spelling.build_menu(editor.cursorRect(editor.textCursor()).center())  # cursor at 0: on "Teh"
    texts = [a.text() for a in menu.actions()]
    assert texts[0] == "The" and "Add “Teh” to dictionary" in texts and "Ignore “Teh”" in texts
    assert any("Copy" in t for t in texts), "the editor's own entries stay"
    window.document.language = "ja"
    spelling.refresh()
    qtbot.waitUntil(lambda: "no spelling dictionary for the language 'ja'" in window.status.currentMessage(), timeout=10_000)
    assert window.table_model.marks() == {} and spelling.speller is None


def test_qc_panel_steps_fixes_and_follows_edits_by_keyboard(window, tmp_path, qtbot):
    _open_text(window, tmp_path, "qc.srt", QC_SRT)
    qtbot.keyClick(window.table, Qt.Key.Key_F8, CTRL)  # SE5's "list errors"
    panel = window.tools.qc.panel
    assert panel.isVisible() and window.actions["toggle_qc_panel"].isChecked()
    rules = [(f.row, f.rule) for f in panel.model.findings]
    assert (0, "too_short") in rules and (1, "too_fast") in rules and (1, "line_too_long") in rules and (2, "too_short") in rules
    assert window.table.current_row() == 0

    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_F8)  # next finding
    assert window.table.current_row() == panel.model.findings[panel.current_index()].row
    while window.tools.qc.current().rule != "line_too_long":
        qtbot.keyClick(window.table, Qt.Key.Key_F8)
    qtbot.keyClick(window.table, Qt.Key.Key_F8, CTRL | SHIFT)  # fix this one
    assert "\n" in window.document[1].text and window.undo_stack.undoText() == "Fix line too long"

    too_short = next(i for i, f in enumerate(panel.model.findings) if f.rule == "too_short")
    panel.select(too_short)
    qtbot.keyClick(window.table, Qt.Key.Key_F8, CTRL | ALT)  # fix all of this kind: one step
    assert window.document[0].end_ms == 1833 and window.document[2].end_ms == 10_833
    assert window.undo_stack.count() == 2 and window.undo_stack.undoText() == "Fix all: too short"
    assert not any(f.rule == "too_short" for f in panel.model.findings)

    window.table.select_row(3)
    window.editor.setFocus()
    window.editor.moveCursor(window.editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(window.editor, " Now it has grown far longer than forty-two letters on one line")
    qtbot.waitUntil(lambda: any(f.row == 3 and f.rule == "line_too_long" for f in panel.model.findings), timeout=3000)

    panel.profile.setFocus()
    before = len(panel.model.findings)
    while panel.profile.currentData() != "ja":
        qtbot.keyClick(panel.profile, Qt.Key.Key_Down)  # a closed combo chooses as the arrow moves
    assert window.qc.profile.name == "ja" and len(panel.model.findings) > before
    qtbot.keyClick(window.table, Qt.Key.Key_F8, CTRL)
    assert not panel.isVisible()
