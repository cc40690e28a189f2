"""Shortcut schemes, their storage and rebinding, and the keyboard-only correction loop on the real window."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt

from subtitler.core.cue import Word
from subtitler.core.timecode import frame_ms
from subtitler.gui.actions import Scheme, default_shortcuts, find_conflicts, load_shortcuts, normalized, save_shortcuts
from subtitler.gui.dialogs.shortcuts import ShortcutsDialog
from subtitler.gui.settings import open_settings
from tests.gui.window_helpers import dialogs, jfk_srt, open_with_media, window  # noqa: F401 - fixtures

ALT, CTRL, SHIFT = Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
SE5 = {"play_pause": "Space", "play_cue": "F5", "set_start": "F11", "set_end": "F12", "previous_cue": "Alt+Up",
       "next_cue": "Alt+Down", "merge_cues": "Ctrl+Shift+M", "split_cue": "Ctrl+Alt+V", "insert_cue": "Alt+Ins",
       "undo": "Ctrl+Z", "redo": "Ctrl+Y"}


def test_schemes_have_the_expected_keys_and_no_conflicts():
    for scheme in Scheme:
        assert find_conflicts(default_shortcuts(scheme)) == []
    se5 = default_shortcuts(Scheme.SUBTITLE_EDIT)
    for action_id, key in SE5.items():
        assert key in se5[action_id], action_id
    aegisub = default_shortcuts(Scheme.AEGISUB)
    assert ("Q", "W") == (aegisub["play_before"][0], aegisub["play_after"][0])
    assert "Z" in aegisub["previous_cue"] and "X" in aegisub["next_cue"]
    assert find_conflicts({"a": ("ctrl+z",), "b": ("Ctrl+Z",)}) == [("Ctrl+Z", "a", "b")]


def test_rebinding_is_stored_as_overrides(tmp_path):
    settings = open_settings(tmp_path / "s.ini")
    shortcuts = default_shortcuts(Scheme.AEGISUB)
    shortcuts["split_cue"] = ("Ctrl+K",)
    save_shortcuts(settings, Scheme.AEGISUB, shortcuts)
    settings.sync()
    scheme, loaded = load_shortcuts(open_settings(tmp_path / "s.ini"))
    assert scheme is Scheme.AEGISUB and loaded == shortcuts
    assert "play_before" not in settings.value("shortcuts/overrides")  # only the difference is stored


def test_shortcuts_dialog_captures_pressed_keys_and_refuses_conflicts(qtbot):
    """Keys are pressed, not typed as text (issue 11, fault 8), and a key bound twice is refused."""
    from PySide6.QtCore import Qt

    dialog = ShortcutsDialog(Scheme.SUBTITLE_EDIT, default_shortcuts(Scheme.SUBTITLE_EDIT))
    qtbot.addWidget(dialog)
    dialog.show()
    key, alternative = dialog.edits["merge_cues"]
    assert key.keySequence().toString() == "Ctrl+Shift+M"
    key.setFocus()
    qtbot.keyClick(key, Qt.Key.Key_F5)  # already "Play current cue"
    assert key.keySequence().toString() == "F5" and "F5" in dialog.problem.text()
    dialog.accept()
    assert dialog.result() == 0
    key.clear()
    key.setFocus()
    qtbot.keyClick(key, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    alternative.setFocus()
    qtbot.keyClick(alternative, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    assert dialog.problem.text() == ""
    dialog.accept()
    assert dialog.result() == 1
    assert dialog.shortcuts()["merge_cues"] == ("Ctrl+Shift+J", "Ctrl+J")


def test_keyboard_correction_loop(window, jfk_srt, data_dir, qtbot):
    open_with_media(window, qtbot, jfk_srt, data_dir / "jfk.mp4")
    table = window.table
    table.setFocus()
    table.select_row(0)
    qtbot.keyClick(table, Qt.Key.Key_Down, ALT)
    assert table.current_row() == 1
    window.player.seek(3300)
    qtbot.keyClick(table, Qt.Key.Key_F11)
    window.player.seek(7300)
    qtbot.keyClick(table, Qt.Key.Key_F12)
    assert (window.document[1].start_ms, window.document[1].end_ms) == (3300, 7300)
    step = frame_ms(window.document.frame_rate)
    qtbot.keyClick(table, Qt.Key.Key_Right, ALT)
    qtbot.keyClick(table, Qt.Key.Key_Left, ALT | SHIFT)
    assert (window.document[1].start_ms, window.document[1].end_ms) == (3300 + step, 7300 - step)
    qtbot.keyClick(table, Qt.Key.Key_Insert, ALT)
    assert len(window.document) == 4 and table.current_row() == 2 and window.document[2].text == ""
    assert window.editor.hasFocus()
    qtbot.keyClicks(window.editor, "new words")
    assert window.document[2].text == "new words"
    qtbot.keyClick(window.editor, Qt.Key.Key_Escape)
    assert table.hasFocus()
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    assert len(window.document) == 3
    qtbot.keyClick(table, Qt.Key.Key_Up, ALT)
    assert table.current_row() == 1
    window.player.seek(3800)
    qtbot.keyClick(table, Qt.Key.Key_F12)  # a short cue keeps the test quick
    with qtbot.waitSignal(window.player.playing_changed, timeout=10_000, check_params_cb=bool):
        qtbot.keyClick(table, Qt.Key.Key_F5)
    with qtbot.waitSignal(window.player.playing_changed, timeout=10_000, check_params_cb=lambda playing: not playing):
        pass  # F5 stops at the cue's end
    assert abs(window.player.position_ms - window.document[1].end_ms) <= 50


def test_ctrl_f3_jumps_to_the_next_low_confidence_word(window, jfk_srt, data_dir, qtbot):
    """Ctrl+F3 since F3 became Find next (Subtitle Edit 5's key)."""
    from subtitler.core.commands import ReplaceRows

    open_with_media(window, qtbot, jfk_srt, data_dir / "jfk.mp4")
    cue = window.document[2]
    words = (Word("ask", 7800, 8100, 0.9), Word(" what", 8100, 8400, 0.2), Word(" you", 8400, 8600, 0.9))
    window.push(ReplaceRows(window.document, "Words", {2: replace(cue, words=words)}))
    window.table.select_row(0)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_F3, CTRL)
    assert window.table.current_row() == 2
    assert window.editor.textCursor().selectedText() == "what"
    assert window.player.position_ms == 8100
    assert window.editor.hasFocus()
    assert window.files.save()  # an SRT stays an SRT, and the user hears that word timings are not in it
    assert "keeps no word timings" in window.status.currentMessage()


def test_aegisub_scheme_letters_act_outside_the_editor_only(window, jfk_srt, data_dir, qtbot):
    open_with_media(window, qtbot, jfk_srt, data_dir / "jfk.mp4")
    window.set_shortcuts(Scheme.AEGISUB, default_shortcuts(Scheme.AEGISUB))
    window.table.setFocus()
    window.table.select_row(0)
    qtbot.keyClick(window.table, Qt.Key.Key_X)
    assert window.table.current_row() == 1
    window.editor.setFocus()
    window.editor.moveCursor(window.editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(window.editor, "xz")
    assert window.document[1].text.endswith("xz") and window.table.current_row() == 1
    window.table.setFocus()
    with qtbot.waitSignal(window.player.playing_changed, timeout=10_000, check_params_cb=bool):
        qtbot.keyClick(window.table, Qt.Key.Key_W)  # 500 ms after the cue
    window.player.pause()
    assert window.player.position_ms >= window.document[1].end_ms - 50
    assert normalized("ctrl+shift+m") == "Ctrl+Shift+M"
