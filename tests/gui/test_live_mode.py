"""Live mode in the real window: a file played live at 4x, tentative text in the overlay, committed cues in the document."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import soundfile as sf
from PySide6.QtCore import Qt

from tests.gui.window_helpers import dialogs, window  # noqa: F401 - fixtures

TAKE_TIMEOUT_MS = 400_000


def words(text: str) -> list[str]:
    return re.sub(r"[^\w\s']", " ", text.lower()).split()


@pytest.mark.slow
def test_live_take_from_a_file_appends_cues_and_leaves_the_recording_as_media(window, dialogs, data_dir, qtbot, tmp_path):
    from subtitler.gui.live.live_dialog import FILE_SOURCE

    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    live = window.live_dialog
    assert live.isVisible()
    live.source.setCurrentIndex(live.source.findData(FILE_SOURCE))
    live.file.setText(str(data_dir / "jfk.flac"))
    live.speed.setValue(4.0)
    live.model.setCurrentText("tiny.en")
    live.record.setText(str(tmp_path / "take.wav"))
    overlay: list[str] = []
    live_texts: list[str] = []
    levels: list[float] = []
    qtbot.mouseClick(live.start_button, Qt.MouseButton.LeftButton)
    assert live.is_running and not live.start_button.isEnabled()
    live.worker.live_text_changed.connect(lambda _t: overlay.append(window.video_view.overlay_text()))
    live.worker.live_text_changed.connect(live_texts.append)
    live.worker.level_changed.connect(levels.append)
    qtbot.waitUntil(lambda: not live.is_running, timeout=TAKE_TIMEOUT_MS)

    assert not dialogs.errors
    text = " ".join(cue.plain_text for cue in window.document)
    assert "my fellow americans" in " ".join(words(text)) and "your country" in " ".join(words(text))
    assert any(t for t in overlay), "the overlay never showed live text"
    assert live_texts[-1] == "" and live.live_text.text() == ""  # after the take the overlay follows the cues again
    assert window.video_view.overlay_text() in ("", *(c.plain_text for c in window.document))
    assert max(levels) > -40  # the meter moved with the speech
    # the recording is the document's media, and the cues lie on its clock
    assert window.document.media_path == str((tmp_path / "take.wav").resolve())
    assert sf.info(tmp_path / "take.wav").duration == pytest.approx(11.0, abs=0.1)
    assert window.document[len(window.document) - 1].end_ms <= 11_100
    # one take is one undo step; everything stays editable
    assert window.isWindowModified()
    window.undo_stack.undo()
    assert len(window.document) == 0
    assert live.start_button.isEnabled() and not live.stop_button.isEnabled()


def test_live_mode_refuses_a_file_without_sound_and_starts_nothing(window, dialogs, bad_media, qtbot):
    from subtitler.gui.live.live_dialog import FILE_SOURCE, show_live_dialog

    live = show_live_dialog(window)
    live.source.setCurrentIndex(live.source.findData(FILE_SOURCE))
    live.file.setText(str(bad_media["silent"]))
    live.start()
    assert dialogs.errors and str(bad_media["silent"]) in dialogs.errors[-1][1]
    assert not live.is_running and live.start_button.isEnabled()


def frames_written(path) -> int:
    """Frames in a take being written; 0 until its header is on disk (the file exists a moment before)."""
    try:
        return sf.info(path).frames
    except (sf.LibsndfileError, RuntimeError):
        return 0


@pytest.mark.slow
def test_closing_the_editor_during_a_take_stops_it_and_keeps_the_recording(window, dialogs, data_dir, qtbot, tmp_path):
    from subtitler.gui.live.live_dialog import FILE_SOURCE, show_live_dialog

    live = show_live_dialog(window)
    live.source.setCurrentIndex(live.source.findData(FILE_SOURCE))
    live.file.setText(str(data_dir / "jfk.flac"))
    live.model.setCurrentText("tiny.en")
    live.record.setText(str(tmp_path / "take.wav"))
    live.start()
    qtbot.waitUntil(lambda: frames_written(tmp_path / "take.wav") > 16000, timeout=TAKE_TIMEOUT_MS)
    assert live.shutdown(timeout_ms=TAKE_TIMEOUT_MS)  # what closeEvent calls: returns once the thread ended
    assert 1.0 < sf.info(tmp_path / "take.wav").duration < 11.0  # stopped early, the file is valid
    assert not dialogs.errors


def test_the_worker_s_signals_reach_the_dialog_on_the_gui_thread(window, qtbot):
    """The input meter was connected to a lambda, which Qt ran on the worker's thread: the meter repainted from there
    and Qt's text drawing crashed in the GUI thread now and then. Every signal must arrive on the GUI thread."""
    import threading

    from PySide6.QtCore import QObject, QThread, Signal

    from subtitler.gui.live.live_dialog import show_live_dialog

    class Emitter(QObject):
        cues_ready, live_text_changed, level_changed = Signal(object), Signal(str), Signal(float)
        status_changed, failed, ended, done = Signal(str), Signal(str), Signal(object), Signal()

        def emit_level(self) -> None:
            self.level_changed.emit(-20.0)
            self.status_changed.emit("Live: test")

    from PySide6.QtWidgets import QProgressBar

    live = show_live_dialog(window)
    seen: list[int] = []

    def set_value(value: int) -> None:  # records the thread that drives the widget
        seen.append(threading.get_ident())
        QProgressBar.setValue(live.meter, value)

    live.meter.setValue = set_value
    emitter, thread = Emitter(), QThread()
    live._connect(emitter)
    emitter.moveToThread(thread)
    thread.started.connect(emitter.emit_level)
    thread.start()
    try:
        qtbot.waitUntil(lambda: live.status.text() == "Live: test" and bool(seen), timeout=5000)
    finally:
        thread.quit()
        thread.wait(5000)
    assert live.meter.value() == 40
    assert seen == [threading.get_ident()]  # the GUI thread, not the emitter's


def test_the_recording_is_named_after_the_project_or_the_media(window, tmp_path):
    """Beside media with no project the take was named "live-live-<time>.wav"; it is named after the media now."""
    from subtitler.gui.live.live_dialog import default_recording

    window.document.media_path = str(tmp_path / "interview.mp4")
    assert re.fullmatch(r"interview-live-\d{8}-\d{6}\.wav", default_recording(window).name)
    assert default_recording(window).parent == tmp_path
    window.document.media_path = None
    assert re.fullmatch(r"live-\d{8}-\d{6}\.wav", default_recording(window).name)


def test_the_open_media_is_the_file_to_play_live(window, data_dir, tmp_path):
    """With a video open the file field stayed empty: "Media file played live", the only source where there is no
    microphone, refused to start until the user browsed for the file already open. A path the user typed stays."""
    from subtitler.gui.live.live_dialog import FILE_SOURCE, show_live_dialog

    window.document.media_path = str(data_dir / "jfk.flac")
    live = show_live_dialog(window)
    assert live.file.text() == str(data_dir / "jfk.flac")
    assert re.fullmatch(r"jfk-live-\d{8}-\d{6}\.wav", Path(live.record.text()).name)
    live.source.setCurrentIndex(live.source.findData(FILE_SOURCE))
    job = live._job()
    assert str(job.file) == str(data_dir / "jfk.flac") and job.record_to.parent == data_dir
    live.hide()
    window.document.media_path = str(data_dir / "leopard_test.wav")  # another media opened since: followed
    assert show_live_dialog(window).file.text() == str(data_dir / "leopard_test.wav")
    live.file.setText(str(tmp_path / "mine.wav"))
    live.record.setText(str(tmp_path / "take.wav"))
    live.hide()
    show_live_dialog(window)  # the user's own choices are kept
    assert live.file.text() == str(tmp_path / "mine.wav") and live.record.text() == str(tmp_path / "take.wav")


def test_a_recording_where_nothing_can_be_written_is_refused_before_the_take(window, dialogs, data_dir, qtbot,
                                                                            tmp_path, monkeypatch):
    """With the media in a read-only folder the recording was suggested beside it, and Start started a take whose
    recording could not be written there (only the folder's existence was checked). The suggested recording now goes
    to the first folder that takes a file (the project's, the media's, the home folder), and a folder that takes none
    is refused before anything starts."""
    from subtitler.gui.live.live_dialog import FILE_SOURCE, default_recording, show_live_dialog

    monkeypatch.setenv("HOME", str(tmp_path))
    window.document.media_path = "/proc/interview.mp4"  # /proc takes no file, even for root
    assert default_recording(window).parent == tmp_path
    assert re.fullmatch(r"interview-live-\d{8}-\d{6}\.wav", default_recording(window).name)
    live = show_live_dialog(window)
    live.source.setCurrentIndex(live.source.findData(FILE_SOURCE))
    live.file.setText(str(data_dir / "jfk.flac"))
    live.record.setText("/proc/take.wav")
    live.start()
    assert dialogs.errors and "/proc/take.wav" in dialogs.errors[-1][1] and "cannot write" in dialogs.errors[-1][1]
    assert not live.is_running and live.start_button.isEnabled()
