"""The whole product path in the real window: drop a video, Ctrl+T, Whisper runs on a thread, cues appear, one undo."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.gui.window_helpers import dialogs, drop, window  # noqa: F401 - fixtures

JOB_TIMEOUT_MS = 120_000


def test_transcribe_without_media_says_what_to_do(window, dialogs, qtbot):
    window.actions["transcribe"].trigger()
    assert dialogs.errors and "Open a video or audio file first" in dialogs.errors[-1][1]


@pytest.mark.slow
def test_drop_video_then_ctrl_t_fills_the_document(window, dialogs, data_dir, qtbot, monkeypatch):
    from subtitler.asr.transcribe import TranscribeOptions
    from subtitler.gui.transcription import dialog as transcribe_dialog
    from subtitler.gui.transcription.choice import TranscribeChoice

    monkeypatch.setattr(transcribe_dialog, "ask_transcription",
                        lambda *_, **__: TranscribeChoice("tiny.en", TranscribeOptions(language="en")))
    drop(window, [data_dir / "jfk.mp4"])
    qtbot.waitUntil(lambda: window.document.media_path is not None, timeout=10_000)
    assert "Ctrl+T" in window.table.placeholder
    with qtbot.waitSignal(window.transcription.finished, timeout=JOB_TIMEOUT_MS):
        qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: not window.actions["transcribe"].isEnabled(), timeout=5_000)
        assert window.actions["cancel_transcription"].isEnabled()
    qtbot.waitUntil(lambda: window.actions["transcribe"].isEnabled(), timeout=10_000)
    text = " ".join(cue.plain_text for cue in window.document).lower()
    assert "ask not what your country" in text
    assert window.table_model.rowCount() == len(window.document) > 0
    assert window.isWindowModified() and not dialogs.errors
    window.undo_stack.undo()
    assert len(window.document) == 0


@pytest.mark.slow
def test_advanced_settings_chosen_in_the_real_dialog_reach_the_job(window, dialogs, data_dir, qtbot, monkeypatch):
    """Ctrl+T opens the real Transcribe dialog (modal); the settings typed there are the job's, as the CLI's flags
    would give them, and the transcript is right."""
    import dataclasses

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from subtitler.gui.transcription.dialog import TranscribeDialog
    from tests.gui.transcription.test_dialog_settings import cli_options, set_number

    jobs = []
    start = window.transcription.start
    monkeypatch.setattr(window.transcription, "start", lambda job, *a, **k: (jobs.append(job), start(job, *a, **k)))

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, TranscribeDialog):
            QTimer.singleShot(50, answer)
            return
        dialog.model_combo.setCurrentIndex(dialog.model_combo.findData("tiny.en"))
        dialog.device_combo.setCurrentIndex(dialog.device_combo.findData("cpu"))
        set_number(dialog, "beam_size", 2)
        set_number(dialog, "best_of", 2)
        set_number(dialog, "hallucination_silence_threshold", 2)
        dialog.fields["hotwords"].editor.setText("Kennedy")
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()

    drop(window, [data_dir / "jfk.mp4"])
    qtbot.waitUntil(lambda: window.document.media_path is not None, timeout=10_000)
    QTimer.singleShot(0, answer)
    with qtbot.waitSignal(window.transcription.finished, timeout=JOB_TIMEOUT_MS):
        window.actions["transcribe"].trigger()
    qtbot.waitUntil(lambda: window.actions["transcribe"].isEnabled(), timeout=10_000)
    expected = cli_options("--beam-size", "2", "--best-of", "2", "--hallucination-silence-threshold", "2",
                           "--hotwords", "Kennedy")
    assert len(jobs) == 1 and jobs[0].options == dataclasses.replace(expected, language="en")  # tiny.en: English
    assert (jobs[0].model_name, jobs[0].device) == ("tiny.en", "cpu")
    assert "ask not what your country" in " ".join(cue.plain_text for cue in window.document).lower()
    assert not dialogs.errors
