"""Translation view in the real window: original beside the translation, overlay either, each saved to its own file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from subtitler.formats.registry import read_document
from subtitler.gui.cue_table import Column
from tests.gui.window_helpers import JFK_SRT, dialogs, jfk_srt, open_with_media, window  # noqa: F401 - fixtures

CTRL, ALT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.AltModifier
GERMAN = ("Und so, meine Mitbuerger,", "fragt nicht, was euer Land\nfuer euch tun kann,", "fragt, was ihr fuer euer Land tun koennt.")  # QTest types ASCII


def _original_column(window) -> list[str]:
    model = window.table_model
    return [model.data(model.index(r, Column.ORIGINAL)) for r in range(model.rowCount())]


def _type_over(window, qtbot, row: int, text: str) -> None:
    window.table.select_row(row)
    window.editor.setFocus()
    window.editor.selectAll()
    qtbot.keyClicks(window.editor, text.replace("\n", " "))


def test_new_translation_typed_beside_the_original_and_saved_apart(window, jfk_srt, data_dir, tmp_path: Path, qtbot):
    open_with_media(window, qtbot, jfk_srt, data_dir / "jfk.mp4")
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_N, CTRL | ALT)
    translation = window.tools.translation
    assert translation.original is not None and translation.original_path == jfk_srt
    assert not window.table.isColumnHidden(Column.ORIGINAL)
    assert window.files.path is None and window.windowTitle().startswith("Untitled")
    english = [c.text for c in translation.original]
    for row, text in enumerate(GERMAN):
        _type_over(window, qtbot, row, text)
    assert [c.text for c in window.document] == [t.replace("\n", " ") for t in GERMAN]
    assert _original_column(window) == [t.replace("\n", " | ") for t in english]
    assert [(c.start_ms, c.end_ms) for c in window.document] == [(c.start_ms, c.end_ms) for c in translation.original]

    window.player.pause()
    window.player.seek(1000)
    assert window.video_view.overlay_text() == GERMAN[0]
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_T, CTRL | ALT)  # the overlay shows the original
    assert window.video_view.overlay_text() == english[0]
    qtbot.keyClick(window.table, Qt.Key.Key_T, CTRL | ALT)
    assert window.video_view.overlay_text() == GERMAN[0]

    german = tmp_path / "jfk.de.srt"
    assert window.files.save_as(german)
    assert [c.text for c in read_document(german).document] == [t.replace("\n", " ") for t in GERMAN]
    jfk_srt.write_text("changed on disk", encoding="utf-8")
    qtbot.keyClick(window.table, Qt.Key.Key_S, CTRL | ALT)  # save the original to its own file
    assert jfk_srt.read_text(encoding="utf-8") == JFK_SRT


def test_open_an_original_file_pairs_by_time_and_closes_with_the_document(window, jfk_srt, tmp_path: Path, qtbot):
    german = tmp_path / "jfk.de.srt"
    german.write_text(
        "1\n00:00:00,300 --> 00:00:02,900\nUnd so,\n\n"
        "2\n00:00:03,300 --> 00:00:05,000\nfragt nicht\n\n"
        "3\n00:00:05,100 --> 00:00:07,400\nwas euer Land tun kann,\n\n"
        "4\n00:00:07,900 --> 00:00:10,500\nfragt, was ihr tun könnt.\n\n", encoding="utf-8")
    assert window.files.open_subtitles(german)
    assert window.tools.translation.open_original(jfk_srt)
    original = _original_column(window)
    assert original[0] == "And so, my fellow Americans,"
    assert original[1] == original[2] == "ask not what your country | can do for you,", "a split pairs both halves"
    window.table.select_row(1)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_M, CTRL | Qt.KeyboardModifier.ShiftModifier)  # merge: pairs follow
    assert len(window.document) == 3 and _original_column(window)[1].startswith("ask not")
    assert not window.tools.translation.open_original(tmp_path / "missing.srt")
    assert window.files.open_subtitles(jfk_srt)
    assert window.tools.translation.original is None and window.table.isColumnHidden(Column.ORIGINAL)
