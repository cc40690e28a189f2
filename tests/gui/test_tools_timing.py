"""Timing tools (with preview), timing fields and ASS styles in the real window, by keyboard; each edit one undo step."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from subtitler.core.cue import Cue, Word
from subtitler.core.document import Document
from subtitler.gui.cue_table import Column
from tests.gui.window_helpers import dialogs, jfk_srt, open_with_media, window  # noqa: F401 - fixtures

ALT, CTRL, SHIFT = Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
JFK_TIMES = [(320, 3000), (3200, 7500), (7800, 10600)]
STYLED_ASS = """[Script Info]
ScriptType: v4.00+

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Default,Arial,20,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,2,2,2,10,10,10,1
Style: Sign,Arial,16,&H0000FFFF,&H000000FF,&H00000000,&H00000000,1,0,0,0,100,100,0,0,1,2,2,8,10,10,10,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:01.00,0:00:03.00,Default,,0,0,0,,Spoken line
Dialogue: 0,0:00:04.00,0:00:06.00,Sign,,0,0,0,,A SIGN ON THE WALL
"""


def _times(window) -> list[tuple[int, int]]:
    return [(c.start_ms, c.end_ms) for c in window.document]


def _open(window, qtbot, jfk_srt, data_dir) -> None:
    open_with_media(window, qtbot, jfk_srt, data_dir / "jfk.mp4")
    window.table.select_row(0)
    window.table.setFocus()


def _dialog(window, qtbot, key, modifiers):
    qtbot.keyClick(window.table, key, modifiers)
    dialog = window.tools.timing.dialog
    qtbot.waitUntil(dialog.isVisible, timeout=2000)
    return dialog


def _back(window, qtbot) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    window.table.setFocus()


def test_shift_times_with_preview_all_or_from_here_on(window, jfk_srt, data_dir, qtbot):
    _open(window, qtbot, jfk_srt, data_dir)
    dialog = _dialog(window, qtbot, Qt.Key.Key_A, CTRL | SHIFT)
    qtbot.waitUntil(dialog.offset.hasFocus, timeout=2000)
    qtbot.keyClicks(dialog.offset, "-200")
    assert dialog.preview.rowCount() == 3 and dialog.preview.item(0, 3).text() == "00:00:00,120"
    assert _times(window) == JFK_TIMES, "the preview leaves the document alone"
    qtbot.keyClick(dialog.offset, Qt.Key.Key_Return)
    assert _times(window) == [(s - 200, e - 200) for s, e in JFK_TIMES] and window.undo_stack.count() == 1
    _back(window, qtbot)
    window.table.select_row(1)
    dialog = _dialog(window, qtbot, Qt.Key.Key_A, CTRL | SHIFT)
    qtbot.waitUntil(dialog.offset.hasFocus, timeout=2000)
    qtbot.keyClicks(dialog.offset, "+00:00:01,000")
    qtbot.keyClick(dialog, Qt.Key.Key_O, ALT)  # From cue 2 &on
    qtbot.waitUntil(lambda: dialog.preview.rowCount() == 2, timeout=2000)
    qtbot.keyClick(dialog.offset, Qt.Key.Key_Return)
    assert _times(window) == [(120, 2800), (4000, 8300), (8600, 11400)]
    _back(window, qtbot)
    dialog = _dialog(window, qtbot, Qt.Key.Key_A, CTRL | SHIFT)
    qtbot.keyClicks(dialog.offset, "-5000")
    assert "Cannot do this" in dialog.summary.text() and "before 0" in dialog.summary.text()
    qtbot.keyClick(dialog.offset, Qt.Key.Key_Escape)
    assert window.undo_stack.count() == 2


def test_change_speed_and_two_point_sync(window, jfk_srt, data_dir, qtbot):
    _open(window, qtbot, jfk_srt, data_dir)
    dialog = _dialog(window, qtbot, Qt.Key.Key_E, CTRL | SHIFT)  # 25 -> 23.976 proposed
    assert dialog.preview.rowCount() == 3
    qtbot.keyClick(dialog.from_fps, Qt.Key.Key_Return)
    assert _times(window) == [(round(s * 25 / 23.976), round(e * 25 / 23.976)) for s, e in JFK_TIMES]
    qtbot.keyClick(window.table, Qt.Key.Key_Z, CTRL)
    _back(window, qtbot)
    dialog = _dialog(window, qtbot, Qt.Key.Key_P, CTRL | SHIFT)
    assert (dialog.point_a.cue.value(), dialog.point_b.cue.value()) == (1, 3)
    dialog.point_a.time.selectAll()
    qtbot.keyClicks(dialog.point_a.time, "00:00:01,320")
    dialog.point_b.time.selectAll()
    qtbot.keyClicks(dialog.point_b.time, "00:00:09,800")  # +1 s and +2 s: offset and stretch
    qtbot.keyClick(dialog.point_b.time, Qt.Key.Key_Return)
    new = _times(window)
    assert new[0][0] == 1320 and new[2][0] == 9800 and new[1][0] == round(1320 + (3200 - 320) * (8480 / 7480))
    assert window.undo_stack.count() == 1


def test_snap_to_words_from_the_menu_key(window, qtbot):
    words = (Word("ask", 1200, 1500), Word(" not", 1550, 1900))
    window.set_document(Document([Cue(900, 3000, "ask not", words), Cue(3200, 5000, "no words here")]))
    window.table.setFocus()
    dialog = _dialog(window, qtbot, Qt.Key.Key_W, CTRL | SHIFT)
    assert dialog.preview.rowCount() == 1 and dialog.preview.item(0, 3).text() == "00:00:01,200"
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert _times(window) == [(1200, 2100), (3200, 5000)]


def _type_into(qtbot, field, text: str) -> None:
    field.selectAll()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def test_timing_fields_by_keyboard_one_undo_step_each(window, jfk_srt, data_dir, qtbot):
    _open(window, qtbot, jfk_srt, data_dir)
    fields = window.tools.fields
    assert fields.start.text() == "00:00:00,320" and fields.duration.text() == "2.680"
    qtbot.keyClick(window.table, Qt.Key.Key_F2)
    qtbot.keyClick(window.editor, Qt.Key.Key_Tab)
    assert fields.start.hasFocus()
    _type_into(qtbot, fields.start, "00:00:00,500")
    assert _times(window)[0] == (500, 3000) and window.undo_stack.count() == 1
    qtbot.keyClick(fields.start, Qt.Key.Key_Tab)
    qtbot.keyClick(fields.end, Qt.Key.Key_Tab)
    assert fields.duration.hasFocus()
    _type_into(qtbot, fields.duration, "2.25")
    assert _times(window)[0] == (500, 2750) and window.undo_stack.count() == 2, "a second field edit is a second step"
    fields.end.setFocus()
    _type_into(qtbot, fields.end, "soon")
    assert "ffd6d6" in fields.end.styleSheet() and window.undo_stack.count() == 2
    qtbot.keyClick(fields.end, Qt.Key.Key_Escape)
    assert fields.end.text() == "00:00:02,750" and window.table.hasFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Z, CTRL)
    assert fields.duration.text() == "2.500"


def test_ass_styles_are_shown_and_chosen_per_cue(window, tmp_path: Path, qtbot):
    path = tmp_path / "styled.ass"
    path.write_text(STYLED_ASS, encoding="utf-8")
    assert window.files.open_subtitles(path)
    fields = window.tools.fields
    assert not window.table.isColumnHidden(Column.STYLE)
    model = window.table_model
    assert [model.data(model.index(r, Column.STYLE)) for r in range(2)] == ["Default", "Sign"]
    assert [fields.style.itemText(i) for i in range(fields.style.count())] == ["Default", "Sign"]
    window.table.select_row(0)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_F9)
    assert fields.style.hasFocus()
    qtbot.keyClick(fields.style, Qt.Key.Key_Down)
    assert window.document[0].style == "Sign" and window.undo_stack.undoText() == "Set style"
    out = tmp_path / "out.ass"
    assert window.files.save_as(out)
    text = out.read_text(encoding="utf-8")
    assert "Style: Sign,Arial,16,&H0000FFFF" in text and "Dialogue: 0,0:00:01.00,0:00:03.00,Sign," in text
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Z, CTRL)
    assert window.document[0].style == "Default"
    plain = tmp_path / "plain.srt"
    plain.write_text("1\n00:00:01,000 --> 00:00:02,000\nHi\n", encoding="utf-8")
    assert window.files.open_subtitles(plain)
    assert window.table.isColumnHidden(Column.STYLE) and not fields.style.isVisible()
