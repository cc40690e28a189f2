"""Go to, Find and Replace, and the context menus in the real window, driven by the keyboard alone."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from subtitler.gui.cue_table import MATCHES_ROLE, Column
from tests.gui.test_timeline import _viewport_point
from tests.gui.window_helpers import dialogs, jfk_srt, open_with_media, window  # noqa: F401 - fixtures

ALT, CTRL, SHIFT = Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def _open(window, qtbot, jfk_srt, data_dir):
    open_with_media(window, qtbot, jfk_srt, data_dir / "jfk.mp4")
    window.table.select_row(0)
    window.table.setFocus()


def _back_to(window, qtbot) -> None:
    """What the window manager does when a dialog closes: the main window is active again."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    window.table.setFocus()


def _go_to(window, qtbot, text: str):
    _back_to(window, qtbot)
    qtbot.keyClick(window.table, Qt.Key.Key_G, CTRL)
    dialog = window.tools.go_to.dialog
    qtbot.waitUntil(dialog.field.hasFocus, timeout=2000)
    qtbot.keyClicks(dialog.field, text)
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    return dialog


def test_go_to_a_cue_number_a_time_and_a_wrong_entry(window, jfk_srt, data_dir, qtbot):
    _open(window, qtbot, jfk_srt, data_dir)
    dialog = _go_to(window, qtbot, "3")
    assert not dialog.isVisible()
    assert window.table.current_row() == 2 and window.player.position_ms == 7800
    _go_to(window, qtbot, "0:05.5")
    assert window.player.position_ms == 5500 and window.table.current_row() == 1
    _go_to(window, qtbot, "125f")  # 25 fps
    assert window.player.position_ms == 5000
    dialog = _go_to(window, qtbot, "99")
    assert dialog.isVisible() and "no cue 99" in dialog.problem.text()
    qtbot.keyClick(dialog.field, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and window.table.current_row() == 1


def _highlighted(window) -> dict[int, list]:
    model = window.table_model
    return {r: model.data(model.index(r, Column.TEXT), MATCHES_ROLE) for r in range(model.rowCount())
            if model.data(model.index(r, Column.TEXT), MATCHES_ROLE)}


def _shaded_pixels(window, row: int) -> int:
    """Pixels of the find highlight's yellow in the text cell of `row`."""
    table = window.table
    rect = table.visualRect(window.table_model.index(row, Column.TEXT))
    image = table.viewport().grab(rect).toImage()
    return sum(1 for x in range(image.width()) for y in range(image.height())
               if (c := image.pixelColor(x, y)).red() > 200 and c.green() > 180 and c.blue() < 150)


def test_find_by_keyboard_highlights_matches_and_f3_goes_on(window, jfk_srt, data_dir, qtbot):
    _open(window, qtbot, jfk_srt, data_dir)
    qtbot.keyClick(window.table, Qt.Key.Key_F, CTRL)
    finder = window.tools.find
    dialog = finder.dialog
    qtbot.waitUntil(dialog.find_edit.hasFocus, timeout=2000)
    assert not dialog.replace_edit.isVisible()
    qtbot.keyClicks(dialog.find_edit, "ask")
    qtbot.waitUntil(lambda: set(_highlighted(window)) == {1, 2}, timeout=2000)
    assert _highlighted(window)[1] == [(0, 3)]
    assert dialog.result.text() == "2 match(es) in 2 cue(s)"
    assert _shaded_pixels(window, 1) > 20 and _shaded_pixels(window, 0) == 0, "the match is painted in its cell"
    qtbot.keyClick(dialog.find_edit, Qt.Key.Key_Return)
    assert window.table.current_row() == 1 and window.editor.textCursor().selectedText() == "ask"
    qtbot.keyClick(dialog.find_edit, Qt.Key.Key_Return)
    assert window.table.current_row() == 2
    qtbot.keyClick(dialog.find_edit, Qt.Key.Key_Return)
    assert window.table.current_row() == 1, "wraps round"
    qtbot.keyClick(dialog.find_edit, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and _highlighted(window) == {}
    _back_to(window, qtbot)
    qtbot.keyClick(window.table, Qt.Key.Key_F3)  # Find next from the list, with the last search
    assert window.table.current_row() == 2
    qtbot.keyClick(window.table, Qt.Key.Key_F3, SHIFT)
    assert window.table.current_row() == 1
    dialog.find_edit.setText("(unclosed")
    dialog.regex.setChecked(True)
    assert finder.find(True) is None and "not a valid regular expression" in dialog.result.text()


def test_replace_all_by_keyboard_is_one_undo_step_with_a_count(window, jfk_srt, data_dir, qtbot):
    _open(window, qtbot, jfk_srt, data_dir)
    before = [c.text for c in window.document]
    qtbot.keyClick(window.table, Qt.Key.Key_H, CTRL)
    dialog = window.tools.find.dialog
    qtbot.waitUntil(dialog.find_edit.hasFocus, timeout=2000)
    assert dialog.replace_edit.isVisible()
    qtbot.keyClicks(dialog.find_edit, "country")
    qtbot.keyClick(dialog.find_edit, Qt.Key.Key_Tab)
    assert dialog.replace_edit.hasFocus()
    qtbot.keyClicks(dialog.replace_edit, "land")
    qtbot.keyClick(dialog, Qt.Key.Key_A, ALT)  # Replace &all (a mnemonic clicks after a short animation)
    qtbot.waitUntil(lambda: window.undo_stack.count() == 1, timeout=2000)
    assert [c.text for c in window.document] == [t.replace("country", "land") for t in before]
    assert "Replaced 2 in 2 cue(s)" == dialog.result.text()
    qtbot.keyClick(dialog.find_edit, Qt.Key.Key_Escape)
    _back_to(window, qtbot)
    qtbot.keyClick(window.table, Qt.Key.Key_Z, CTRL)
    assert [c.text for c in window.document] == before


def test_replace_one_then_next_with_regex_groups_and_whole_words(window, jfk_srt, data_dir, qtbot):
    _open(window, qtbot, jfk_srt, data_dir)
    finder = window.tools.find
    qtbot.keyClick(window.table, Qt.Key.Key_H, CTRL)
    dialog = finder.dialog
    qtbot.waitUntil(dialog.find_edit.hasFocus, timeout=2000)
    qtbot.keyClick(dialog, Qt.Key.Key_X, ALT)  # regular e&xpression
    qtbot.waitUntil(dialog.regex.isChecked, timeout=2000)
    qtbot.keyClick(dialog, Qt.Key.Key_H, ALT)  # W&hole word
    qtbot.waitUntil(dialog.whole_word.isChecked, timeout=2000)
    dialog.find_edit.setFocus()
    qtbot.keyClicks(dialog.find_edit, r"(y)ou")
    dialog.replace_edit.setText(r"\1e")
    qtbot.keyClick(dialog.find_edit, Qt.Key.Key_Return)  # finds "you" in cue 2 (not "your")
    assert window.table.current_row() == 1 and window.editor.textCursor().selectedText() == "you"
    qtbot.keyClick(dialog, Qt.Key.Key_R, ALT)  # &Replace: this one, then on to the next
    qtbot.waitUntil(lambda: window.undo_stack.count() == 1, timeout=2000)
    assert window.document[1].text.endswith("can do for ye,")
    assert window.table.current_row() == 2 and window.editor.textCursor().selectedText() == "you"


def test_cue_list_context_menu_by_keyboard(window, jfk_srt, data_dir, qtbot):
    _open(window, qtbot, jfk_srt, data_dir)
    window.table.select_row(2)
    where = window.table.visualRect(window.table.currentIndex()).center()
    QApplication.sendEvent(window.table.viewport(), QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, where, window.table.viewport().mapToGlobal(where)))  # the Menu key
    menu = window.tools.menus.menu
    qtbot.waitUntil(menu.isVisible, timeout=2000)
    texts = [a.text().replace("&", "") for a in menu.actions() if a.text()]
    assert texts[:3] == ["Insert cue before", "Insert cue after", "Delete cues"]
    assert {"Split at text cursor", "Merge cues", "Play current cue", "Snap to words", "Transcribe selection again…",
            "Translate selection to English…"} <= set(texts)
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_Return):  # the second item: Insert cue after
        qtbot.keyClick(QApplication.activePopupWidget() or menu, key)
    assert len(window.document) == 4 and window.document[3].start_ms == 10_683


def test_timeline_right_click_inserts_a_cue_where_clicked(window, jfk_srt, data_dir, qtbot):
    _open(window, qtbot, jfk_srt, data_dir)
    window.timeline.set_visible_range_s(0.0, 14.0)
    window.player.seek(1000)
    viewport = window.timeline.plot.viewport()
    QTest.mouseClick(viewport, Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, _viewport_point(window.timeline, 11.5))
    menu = window.tools.menus.menu
    qtbot.waitUntil(menu.isVisible, timeout=2000)
    insert = next(a for a in menu.actions() if a.text() == "Insert cue &here")
    insert.trigger()
    menu.close()
    added = window.document[3]
    assert abs(added.start_ms - 11_500) < 60 and added.text == ""
    window.player.seek(1000)
    QTest.mouseClick(viewport, Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, _viewport_point(window.timeline, 5.0))
    qtbot.waitUntil(lambda: window.tools.menus.menu.isVisible(), timeout=2000)
    window.tools.menus.menu.close()
    assert window.table.current_row() == 1, "the cue under the pointer is selected"
    assert window.player.position_ms == 1000, "a right click leaves the playhead"
