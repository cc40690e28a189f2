"""The real editor window, offscreen: open real media with subtitles, play, edit by keyboard, undo to the original bytes, export, drop files, survive bad files."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from subtitler.formats.registry import read_document
from tests.gui.window_helpers import JFK_SRT, dialogs, drop, jfk_srt, open_with_media, window  # noqa: F401 - fixtures

SIGNAL_TIMEOUT_MS = 10_000


def open_jfk(window, qtbot, jfk_srt: Path, data_dir: Path) -> None:
    open_with_media(window, qtbot, jfk_srt, data_dir / "jfk.mp4")
    assert len(window.document) == 3


def test_open_play_seek_and_title(window, jfk_srt, data_dir, qtbot):
    open_jfk(window, qtbot, jfk_srt, data_dir)
    assert window.windowTitle().startswith("jfk.srt")
    assert not window.isWindowModified()
    assert window.document.media_path == str(data_dir / "jfk.mp4")
    assert window.status.qc_label.text().startswith("QC: ") and window.status.selection_label.text() == "Cue 1 of 3"
    with qtbot.waitSignal(window.player.position_ms_changed, timeout=SIGNAL_TIMEOUT_MS, check_params_cb=lambda ms: ms > 0):
        window.actions["play_pause"].trigger()
    window.player.pause()
    with qtbot.waitSignal(window.player.position_ms_changed, timeout=SIGNAL_TIMEOUT_MS, check_params_cb=lambda ms: ms == 8000):
        window.player.seek(8000)
    assert window.table_model.data(window.table_model.index(2, 0), Qt.ItemDataRole.FontRole).bold()  # the cue under the playhead
    assert "8" in window.status.position_label.text()


def test_type_split_merge_undo_redo_round_trip(window, jfk_srt, data_dir, tmp_path, qtbot):
    open_jfk(window, qtbot, jfk_srt, data_dir)
    window.table.select_row(0)
    editor = window.editor
    editor.setFocus()
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor, " Yes")
    assert window.document[0].text == "And so, my fellow Americans, Yes"
    assert window.undo_stack.count() == 1  # typing in one cue is one undo step
    assert window.isWindowModified()

    cursor = editor.textCursor()
    cursor.setPosition(len("And so,"))
    editor.setTextCursor(cursor)
    qtbot.keyClick(editor, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    assert len(window.document) == 4
    assert window.document[0].text == "And so,"
    assert window.document[1].text.startswith("my fellow Americans")

    window.table.setFocus()
    window.table.select_row(0)
    qtbot.keyClick(window, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(window.document) == 3
    assert "And so," in window.document[0].text and "Americans" in window.document[0].text

    edited = tmp_path / "edited.srt"
    assert window.files.export(edited, "srt")
    while window.undo_stack.canUndo():
        qtbot.keyClick(window.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not window.isWindowModified()
    assert window.files.save()
    assert jfk_srt.read_bytes() == JFK_SRT.encode("utf-8")

    while window.undo_stack.canRedo():
        qtbot.keyClick(window.table, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    redone = tmp_path / "redone.srt"
    assert window.files.export(redone, "srt")
    assert redone.read_bytes() == edited.read_bytes()


def test_space_types_in_editor_and_plays_elsewhere(window, jfk_srt, data_dir, qtbot):
    open_jfk(window, qtbot, jfk_srt, data_dir)
    window.table.select_row(2)
    window.editor.setFocus()
    window.editor.moveCursor(window.editor.textCursor().MoveOperation.End)
    qtbot.keyClick(window.editor, Qt.Key.Key_Space)
    assert window.document[2].text.endswith("country. ")
    assert not window.player.is_playing
    window.table.setFocus()
    with qtbot.waitSignal(window.player.playing_changed, timeout=SIGNAL_TIMEOUT_MS, check_params_cb=bool):
        qtbot.keyClick(window.table, Qt.Key.Key_Space)
    window.player.pause()


def test_export_srt_and_vtt_read_back(window, jfk_srt, data_dir, tmp_path, qtbot):
    open_jfk(window, qtbot, jfk_srt, data_dir)
    for fmt in ("srt", "vtt"):
        out = tmp_path / f"out.{fmt}"
        assert window.files.export(out, fmt)
        back = read_document(out).document
        assert [c.text for c in back] == [c.text for c in window.document]
        assert [(c.start_ms, c.end_ms) for c in back] == [(c.start_ms, c.end_ms) for c in window.document]
    assert (tmp_path / "out.vtt").read_text().startswith("WEBVTT")
    assert window.files.path == jfk_srt  # export leaves the document's own file alone


def test_drop_subtitle_opens_with_matching_media(window, tmp_path, data_dir, qtbot):
    folder = tmp_path / "clips"
    folder.mkdir()
    (folder / "talk.mp4").symlink_to(data_dir / "jfk.mp4")
    (folder / "talk.en.srt").write_text(JFK_SRT, encoding="utf-8")
    drop(window, [folder / "talk.en.srt"])
    qtbot.waitUntil(lambda: len(window.document) == 3, timeout=SIGNAL_TIMEOUT_MS)
    assert window.document.media_path == str(folder / "talk.mp4")
    assert window.player.path == str(folder / "talk.mp4")
    assert window.windowTitle().startswith("talk.en.srt")


def test_drop_media_alone_gives_empty_document_with_hint(window, data_dir, qtbot):
    drop(window, [data_dir / "jfk.mp4"])
    qtbot.waitUntil(lambda: window.document.media_path is not None, timeout=SIGNAL_TIMEOUT_MS)
    assert len(window.document) == 0
    assert "jfk.mp4" in window.windowTitle()
    assert "No subtitles yet" in window.status.currentMessage()
    assert "No subtitles yet for jfk.mp4" in window.table.placeholder  # stays after the status message goes


def test_bad_files_show_a_dialog_and_keep_the_work(window, jfk_srt, data_dir, tmp_path, dialogs, qtbot):
    open_jfk(window, qtbot, jfk_srt, data_dir)
    window.table.select_row(1)
    window.editor.insertPlainText("edited ")
    before = window.document.cues
    bad = tmp_path / "broken.srt"
    bad.write_bytes(b"1\n00:00:01,000 --> garbage\n\x00\x01\x02 not a subtitle at all\n")
    assert not window.files.open_path(bad)
    corrupt = tmp_path / "corrupt.mp4"
    corrupt.write_bytes(b"this is not a video" * 100)
    assert not window.files.open_path(corrupt)
    assert not window.files.open_path(tmp_path / "missing.srt")
    assert len(dialogs.errors) == 3, dialogs.errors
    assert "broken.srt" in dialogs.errors[0][1] and "corrupt.mp4" in dialogs.errors[1][1] and "missing.srt" in dialogs.errors[2][1]
    assert window.document.cues == before
    assert window.files.path == jfk_srt and window.isWindowModified()
    assert dialogs.save_prompts == []  # a file that cannot be read needs no save-changes question


def test_unsaved_changes_prompt_cancel_keeps_document(window, jfk_srt, data_dir, dialogs, tmp_path, qtbot):
    from subtitler.gui.dialogs.messages import SaveChoice

    open_jfk(window, qtbot, jfk_srt, data_dir)
    window.table.select_row(0)
    window.editor.insertPlainText("Well, ")
    dialogs.save_answer = SaveChoice.CANCEL
    other = tmp_path / "other.srt"
    other.write_text(JFK_SRT, encoding="utf-8")
    assert not window.files.open_path(other)
    assert dialogs.save_prompts == ["jfk.srt"]
    assert window.document[0].text.startswith("Well, ")
    dialogs.save_answer = SaveChoice.SAVE
    assert window.files.open_path(other)
    assert read_document(jfk_srt).document[0].text.startswith("Well, ")  # saved before switching
    assert window.document.media_path == str(data_dir / "jfk.mp4")  # no media beside other.srt: the open video stays


def test_save_as_project_and_reopen(window, jfk_srt, data_dir, tmp_path, qtbot):
    open_jfk(window, qtbot, jfk_srt, data_dir)
    project = tmp_path / "jfk.subtitler.json"
    assert window.files.save_as(project)
    assert window.files.format == "project" and window.windowTitle().startswith("jfk.subtitler.json")
    assert window.files.open_path(project)
    assert window.document.media_path == str(data_dir / "jfk.mp4")
    assert window.player.path == str(data_dir / "jfk.mp4")
    assert window.recent.paths()[0] == str(project.resolve())


def test_import_replaces_cues_in_one_undo_step_and_keeps_media(window, jfk_srt, data_dir, tmp_path):
    assert window.files.open_media(data_dir / "jfk.mp4")
    other = tmp_path / "other.vtt"
    other.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nimported\n", encoding="utf-8")
    assert window.files.import_subtitles(other)
    assert [c.text for c in window.document] == ["imported"]
    assert window.document.media_path == str(data_dir / "jfk.mp4") and window.files.path is None
    assert window.undo_stack.count() == 1
    window.undo_stack.undo()
    assert len(window.document) == 0
    assert window.files.open_path(jfk_srt)
    window.table.select_row(2)
    assert window.files.import_subtitles(other)
    window.undo_stack.undo()
    assert window.table.current_row() == 0 and window.editor.row == 0  # a reset re-selects instead of leaving none
    assert window.editor.toPlainText() == window.document[0].text


def test_media_dropped_on_open_cues_without_media_binds_to_them(window, tmp_path, data_dir, qtbot):
    subtitles = tmp_path / "lonely.srt"
    subtitles.write_text(JFK_SRT, encoding="utf-8")
    assert window.files.open_path(subtitles)
    assert window.document.media_path is None and window.editor.isEnabled()
    drop(window.editor.viewport(), [data_dir / "jfk.mp4"])  # the text editor passes file drops on to the window
    qtbot.waitUntil(lambda: window.document.media_path is not None, timeout=SIGNAL_TIMEOUT_MS)
    assert len(window.document) == 3 and window.editor.toPlainText() == "And so, my fellow Americans," and window.document.media_path == str(data_dir / "jfk.mp4")
    assert window.player.path == str(data_dir / "jfk.mp4")


def test_recent_menu_lists_opened_files_and_reopens(window, jfk_srt, qtbot, dialogs):
    assert window.files.open_path(jfk_srt)
    menu = window.findChild(type(window.menus["file"]), "menu_recent")
    menu.aboutToShow.emit()
    entries = [a for a in menu.actions() if a.toolTip() == str(jfk_srt.resolve())]
    assert len(entries) == 1
    window.table.select_row(0)
    window.editor.insertPlainText("x")
    window.undo_stack.setClean()  # no prompt
    entries[0].trigger()
    assert window.document[0].text == "And so, my fellow Americans,"
    jfk_srt.unlink()
    assert not window.files.open_recent(str(jfk_srt.resolve()))
    assert window.recent.paths() == [] and "moved or deleted" in dialogs.errors[-1][1]


def test_layout_and_view_settings_survive_a_restart(qtbot, tmp_path, dialogs):
    from tests.gui.window_helpers import close_window, make_window

    first = make_window(qtbot, tmp_path)
    first.top_splitter.setSizes([700, 576])  # the video column has a minimum width (the transport bar)
    sizes = first.top_splitter.sizes()
    first.actions["toggle_spectrogram"].setChecked(True)
    close_window(first)
    second = make_window(qtbot, tmp_path)
    try:
        restored = second.top_splitter.sizes()  # the offscreen screen clamps the restored window, so compare shares
        assert abs(restored[0] / sum(restored) - sizes[0] / sum(sizes)) < 0.02
        assert second.actions["toggle_spectrogram"].isChecked()
    finally:
        close_window(second)


def test_close_with_unsaved_changes_asks_and_cancel_keeps_the_window(window, jfk_srt, dialogs):
    from subtitler.gui.dialogs.messages import SaveChoice

    assert window.files.open_path(jfk_srt)
    window.table.select_row(0)
    window.editor.insertPlainText("x")
    dialogs.save_answer = SaveChoice.CANCEL
    assert not window.close()
    assert window.isVisible() and dialogs.save_prompts == ["jfk.srt"]


def test_window_autosaves_its_edits(window, jfk_srt):
    assert window.files.open_path(jfk_srt)
    window.table.select_row(2)
    window.editor.insertPlainText("Now ")
    assert window.autosaver.save_now()
    saved = read_document(window.autosaver.store.autosave_path).document
    assert saved[2].text == "Now ask what you can do for your country."


def test_file_kinds_and_media_pairing(tmp_path):
    from subtitler.gui.file_ops import FileKind, classify, media_beside, pair_paths, suggested_path

    assert classify("a.subtitler.json") is FileKind.PROJECT
    assert classify("a.SRT") is FileKind.SUBTITLES and classify("a.MKV") is FileKind.MEDIA
    assert classify("a.docx") is FileKind.UNKNOWN
    (tmp_path / "talk.webm").write_bytes(b"")
    assert media_beside(tmp_path / "talk.en.vtt") == tmp_path / "talk.webm"
    assert media_beside(tmp_path / "talk.subtitler.json") == tmp_path / "talk.webm"
    assert media_beside(tmp_path / "other.srt") is None
    assert pair_paths(["x.mp4", "y.srt", "z.wav"]) == (Path("y.srt"), Path("x.mp4"))
    assert suggested_path(None, "/m/talk.mp4", ".subtitler.json") == Path("/m/talk.subtitler.json")


def test_app_main_opens_the_files_given(qtbot, tmp_path, monkeypatch, jfk_srt, data_dir, dialogs):
    from subtitler.gui import app, autosave, main_window
    from subtitler.gui.settings import open_settings

    monkeypatch.setattr(main_window, "open_settings", lambda: open_settings(tmp_path / "settings.ini"))
    monkeypatch.setattr(autosave, "default_directory", lambda: tmp_path / "autosave")
    seen = {}

    class EventLoop:
        """Stands in for QApplication.exec (a nested exec under pytest-qt leaves later windows unable to activate)."""

        def exec(self) -> int:
            window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, main_window.MainWindow) and w.isVisible())
            qtbot.waitUntil(lambda: len(window.document) == 3, timeout=SIGNAL_TIMEOUT_MS)
            seen.update(title=window.windowTitle(), media=window.player.path)
            window.close()
            return 0

    monkeypatch.setattr(app, "create_application", lambda _argv: EventLoop())
    assert app.main([str(jfk_srt), str(data_dir / "jfk.mp4")]) == 0
    assert seen == {"title": "jfk.srt[*] — Subtitler", "media": str(data_dir / "jfk.mp4")}
    assert list((tmp_path / "autosave").iterdir()) == []  # a clean exit leaves no autosave


def test_editor_and_table_stay_on_the_same_cue_when_rows_change_above(window, jfk_srt, data_dir, qtbot):
    open_jfk(window, qtbot, jfk_srt, data_dir)
    last = "ask what you can do for your country."
    window.table.setFocus()
    window.table.select_row(0)
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    window.table.select_row(1)
    assert window.editor.toPlainText() == last
    qtbot.keyClick(window.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo puts row 0 back, above
    assert len(window.document) == 3
    assert window.table.current_row() == 2 and window.editor.row == 2
    assert window.editor.toPlainText() == last
    qtbot.keyClicks(window.editor, "!")
    assert window.document[2].text == "!" + last
