"""Fixtures for tests that drive the real editor window: isolated settings and autosave folder, recorded dialogs."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

JFK_SRT = (
    "1\n00:00:00,320 --> 00:00:03,000\nAnd so, my fellow Americans,\n\n"
    "2\n00:00:03,200 --> 00:00:07,500\nask not what your country\ncan do for you,\n\n"
    "3\n00:00:07,800 --> 00:00:10,600\nask what you can do for your country.\n\n"
)


class DialogRecorder:
    """Stands in for the blocking dialogs: records what would have been shown and answers as told."""

    def __init__(self) -> None:
        self.errors: list[tuple[str, str]] = []
        self.warnings: list[tuple[str, str]] = []
        self.save_prompts: list[str] = []
        self.restore_prompts: list[object] = []
        self.save_answer = None
        self.restore_answer = None


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> DialogRecorder:
    from subtitler.gui.dialogs import messages, restore
    from subtitler.gui.dialogs.messages import SaveChoice
    from subtitler.gui.dialogs.restore import RestoreChoice

    recorder = DialogRecorder()
    recorder.save_answer = SaveChoice.DISCARD
    recorder.restore_answer = RestoreChoice.RESTORE

    def show_error(_parent, title: str, message: str) -> None:
        recorder.errors.append((title, message))

    def ask_save_changes(_parent, name: str):
        recorder.save_prompts.append(name)
        return recorder.save_answer

    def ask_restore(_parent, recovery):
        recorder.restore_prompts.append(recovery)
        return recorder.restore_answer

    monkeypatch.setattr(messages, "show_error", show_error)
    monkeypatch.setattr(messages, "show_warning", lambda _parent, title, message: recorder.warnings.append((title, message)))
    monkeypatch.setattr(messages, "ask_save_changes", ask_save_changes)
    monkeypatch.setattr(restore, "ask_restore", ask_restore)
    return recorder


def make_window(qtbot, tmp_path: Path, autosave_dir: Path | None = None):
    from subtitler.gui.main_window import MainWindow
    from subtitler.gui.settings import open_settings

    window = MainWindow(open_settings(tmp_path / "settings.ini"), autosave_dir or tmp_path / "autosave")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)  # window shortcuts fire only in the active window
    return window


def close_window(window) -> None:
    window.undo_stack.setClean()
    window.close()


@pytest.fixture
def window(qtbot, tmp_path: Path, dialogs: DialogRecorder):
    window = make_window(qtbot, tmp_path)
    yield window
    close_window(window)


@pytest.fixture
def jfk_srt(tmp_path: Path) -> Path:
    path = tmp_path / "jfk.srt"
    path.write_text(JFK_SRT, encoding="utf-8")
    return path


def open_with_media(window, qtbot, subtitles: Path, media: Path) -> None:
    """Open both and wait until the player has the media (a seek before that is lost by QMediaPlayer)."""
    with qtbot.waitSignal(window.player.media_loaded, timeout=10_000):
        assert window.files.open_paths([subtitles, media])


def drop(target, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    rest = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    enter = QDragEnterEvent(QPoint(10, 10), *rest)  # QPoint here, QPointF below: what every PySide6 6.x accepts
    QApplication.sendEvent(target, enter)  # Qt delivers a drop only where the drag entered and was accepted
    assert enter.isAccepted()
    QApplication.sendEvent(target, QDropEvent(QPointF(10, 10), *rest))
