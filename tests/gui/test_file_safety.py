"""Issue 10 in the editor: restores save to the right file, a save supersedes its autosave, saves keep the
file's encoding and say what the format could not carry, and bad paths or headers never leave a traceback."""

from __future__ import annotations

import codecs
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from PySide6.QtCore import Qt

from subtitler.core.commands import SetText
from subtitler.formats.registry import read_document
from tests.gui.window_helpers import JFK_SRT, close_window, dialogs, make_window, window  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parents[2]


def run_gui_session(cwd: Path, autosave_dir: Path, body: str) -> None:
    """A real editor process in `cwd`: runs `body` with `window` open, then dies without a clean exit (a crash)."""
    script = textwrap.dedent("""
        import os, sys
        from pathlib import Path
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        from subtitler.core.commands import SetText
        from subtitler.gui.main_window import MainWindow
        from subtitler.gui.settings import open_settings
        window = MainWindow(open_settings(Path("settings.ini").absolute()), Path(sys.argv[1]))
    """) + textwrap.dedent(body) + "\nos._exit(1)\n"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", script, str(autosave_dir)], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1, done.stderr


def folders(tmp_path: Path, data_dir: Path) -> tuple[Path, Path]:
    first, second = tmp_path / "A", tmp_path / "B"
    first.mkdir()
    second.mkdir()
    (first / "doc.srt").write_text(JFK_SRT, encoding="utf-8")
    shutil.copy(data_dir / "jfk.mp4", first / "clip.mp4")
    return first, second


def test_restore_started_elsewhere_saves_to_the_file_that_was_open(tmp_path, data_dir, qtbot, dialogs, monkeypatch):
    """10.1: `cd A; subtitler doc.srt clip.mp4`, crash, restore from B: Ctrl+S created B/doc.srt, media pointed into the autosave folder."""
    first, second = folders(tmp_path, data_dir)
    autosave_dir = tmp_path / "autosave"
    run_gui_session(first, autosave_dir, """
        assert window.files.open_paths(["doc.srt", "clip.mp4"])
        window.push(SetText(window.document, 0, "Edited before the crash"))
        assert window.autosaver.save_now()
    """)
    monkeypatch.chdir(second)
    window = make_window(qtbot, tmp_path, autosave_dir)
    try:
        assert window.offer_restore()
        assert window.files.path == first / "doc.srt"
        assert window.document.media_path == str(first / "clip.mp4") and window.player.path == str(first / "clip.mp4")
        assert window.files.save()
        assert not (second / "doc.srt").exists()
        assert read_document(first / "doc.srt").document[0].text == "Edited before the crash"
    finally:
        close_window(window)


def test_project_saved_into_another_folder_keeps_its_media(window, tmp_path, data_dir, monkeypatch):
    """10.1: Save As a project elsewhere wrote the relative media path unchanged, so it pointed beside the project."""
    first, second = folders(tmp_path, data_dir)
    monkeypatch.chdir(first)
    assert window.files.open_paths(["doc.srt", "clip.mp4"])
    assert window.document.media_path == str(first / "clip.mp4")
    project = second / "doc.subtitler.json"
    assert window.files.save_as(project)
    monkeypatch.chdir(tmp_path)
    assert read_document(project).document.media_path == str(first / "clip.mp4")


def crashed_in_first_folder(tmp_path: Path, data_dir: Path, body: str) -> tuple[Path, Path]:
    """Folder A with doc.srt, a crashed editor session run there; returns A and the autosave folder."""
    first, _ = folders(tmp_path, data_dir)
    autosave_dir = tmp_path / "autosave"
    run_gui_session(first, autosave_dir, body)
    return first, autosave_dir


def assert_nothing_offered(qtbot, tmp_path: Path, autosave_dir: Path, dialogs) -> None:
    window = make_window(qtbot, tmp_path, autosave_dir)
    try:
        assert not window.offer_restore() and dialogs.restore_prompts == []
    finally:
        close_window(window)
    assert list(autosave_dir.iterdir()) == []


def test_a_save_supersedes_the_autosave(tmp_path, data_dir, qtbot, dialogs):
    """10.2: after Ctrl+S a crash offered the older autosave (Restore the default) and its save overwrote the newer file."""
    first, autosave_dir = crashed_in_first_folder(tmp_path, data_dir, """
        assert window.files.open_paths(["doc.srt"])
        window.push(SetText(window.document, 0, "autosaved, then saved"))
        assert window.autosaver.save_now()
        assert window.files.save()
        assert not window.autosaver.store.autosave_path.exists()
    """)
    assert_nothing_offered(qtbot, tmp_path, autosave_dir, dialogs)
    assert read_document(first / "doc.srt").document[0].text == "autosaved, then saved"


def test_an_autosave_older_than_its_file_is_never_offered(tmp_path, data_dir, qtbot, dialogs):
    """10.2, the class: whatever saved the file after the autosave (this editor, another one), the file is newer."""
    first, autosave_dir = crashed_in_first_folder(tmp_path, data_dir, """
        assert window.files.open_paths(["doc.srt"])
        window.push(SetText(window.document, 0, "older work"))
        assert window.autosaver.save_now()
    """)
    later = time.time() + 5
    os.utime(first / "doc.srt", (later, later))
    assert_nothing_offered(qtbot, tmp_path, autosave_dir, dialogs)


def test_the_editor_opens_and_warns_when_the_autosave_folder_cannot_be_used(qtbot, tmp_path, dialogs, monkeypatch):
    """10.9: the GUI exited with a traceback when the autosave folder could not be created or locked."""
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    for autosave_dir, lock_fails in ((blocker / "autosave", False), (tmp_path / "autosave", True)):
        if lock_fails:
            from PySide6.QtCore import QLockFile

            monkeypatch.setattr(QLockFile, "tryLock", lambda self, timeout=0: False)
        window = make_window(qtbot, tmp_path, autosave_dir)
        try:
            qtbot.waitUntil(lambda: len(dialogs.warnings) == 1 + lock_fails, timeout=5000)
            title, message = dialogs.warnings[-1]
            assert title == "Autosave is off" and str(autosave_dir) in message
            assert window.autosaver.store is None and not window.offer_restore()
            window.push(SetText(window.document, 0, "x")) if len(window.document) else None
            assert not window.autosaver.save_now()
        finally:
            close_window(window)


CP1252_CRLF = JFK_SRT.replace("Americans", "Américains").replace("\n", "\r\n").encode("cp1252")


def test_save_keeps_encoding_bom_and_line_ends(window, tmp_path):
    """10.5: cp1252, UTF-16 and BOM+CRLF files became UTF-8+LF on save."""
    for name, data, codec in (("cp1252.srt", CP1252_CRLF, "cp1252"),
                              ("utf16.srt", codecs.BOM_UTF16_LE + JFK_SRT.replace("\n", "\r\n").encode("utf-16-le"), "utf-16-le"),
                              ("bom.srt", codecs.BOM_UTF8 + JFK_SRT.replace("\n", "\r\n").encode("utf-8"), "utf-8")):
        path = tmp_path / name
        path.write_bytes(data)
        assert window.files.open_path(path)
        window.push(SetText(window.document, 2, "Ask what you can do."))
        assert window.files.save()
        raw = path.read_bytes()
        assert raw[:3] == data[:3] and raw.count("\r\n".encode(codec)) == data.count("\r\n".encode(codec))
        assert raw.decode(codec).replace("\ufeff", "") == data.decode(codec).replace("\ufeff", "").replace(
            "ask what you can do for your country.", "Ask what you can do.")
        window.undo_stack.setClean()


def test_text_a_legacy_encoding_cannot_hold_is_saved_as_utf8_and_said(window, tmp_path):
    path = tmp_path / "legacy.srt"
    path.write_bytes(CP1252_CRLF)
    assert window.files.open_path(path)
    window.push(SetText(window.document, 0, "Łódź"))
    assert window.files.save()
    assert read_document(path).document[0].text == "Łódź" and path.read_bytes().count(b"\r\n") > 3
    assert "UTF-8" in window.status.currentMessage()


def test_save_as_srt_translates_ass_markup_and_says_what_was_dropped(window, tmp_path):
    """10.7 and 10.4 through the editor: override tags and a blank line typed into a cue."""
    source = tmp_path / "styled.ass"
    source.write_text(
        "[Script Info]\nScriptType: v4.00+\n\n[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, "
        "MarginV, Effect, Text\nDialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,{\\i1}Hello{\\i0} {\\pos(10,20)}there\n",
        encoding="utf-8")
    assert window.files.open_path(source)
    window.table.select_row(0)
    window.editor.setFocus()
    window.editor.moveCursor(window.editor.textCursor().MoveOperation.End)
    window.editor.insertPlainText("\n\nsecond paragraph")
    target = tmp_path / "styled.srt"
    assert window.files.save_as(target, "srt")
    assert read_document(target).document[0].text == "<i>Hello</i> there\nsecond paragraph"
    hint = window.status.currentMessage()
    assert "\\pos" in hint and "more" in hint


def test_too_long_names_and_huge_durations_never_raise(window, tmp_path, dialogs, qtbot):
    """10.9: 300-character names and a header announcing 1000 h (OverflowError in the GUI)."""
    long_name = "a" * 300
    for path in (tmp_path / f"{long_name}.srt", tmp_path / f"{long_name}.mp4", tmp_path / long_name / "x.srt"):
        assert not window.files.open_path(path)
    assert len(dialogs.errors) == 3 and all("too long" in message for _, message in dialogs.errors)
    window.player.duration_ms_changed.emit(1000 * 3600 * 1000)
    window.player.position_ms_changed.emit(999 * 3600 * 1000)
    qtbot.wait(50)
    assert window.timeline.duration_s > 590 * 3600
