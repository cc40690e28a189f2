"""First start without a model: the question leads to the download, "Don't ask again" sticks, a model silences it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from subtitler.gui.dialogs import first_start


@pytest.fixture
def settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def no_models(monkeypatch, tmp_path):
    """A machine like a fresh bundle's: empty user models folder, no weight packages."""
    from subtitler.asr import models

    monkeypatch.setenv("SUBTITLER_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setattr(models, "package_models", lambda: {})


def test_no_model_asks_and_download_opens_the_model_dialog(qtbot, settings, no_models, monkeypatch) -> None:
    asked, opened = [], []
    monkeypatch.setattr(first_start, "ask", lambda parent, folder: asked.append(folder) or first_start.Answer.DOWNLOAD)
    assert first_start.offer_model_download(None, settings, lambda: opened.append(True))
    assert opened == [True] and asked[0].endswith("models")


def test_dont_ask_again_sticks_and_later_asks_again(qtbot, settings, no_models, monkeypatch) -> None:
    answers = [first_start.Answer.LATER, first_start.Answer.NEVER]
    monkeypatch.setattr(first_start, "ask", lambda parent, folder: answers.pop(0))
    assert first_start.offer_model_download(None, settings, lambda: None)  # later
    assert first_start.offer_model_download(None, settings, lambda: None)  # asked again: never
    assert not first_start.offer_model_download(None, settings, lambda: None)
    assert answers == []


def test_an_installed_model_means_no_question(qtbot, settings, monkeypatch) -> None:
    monkeypatch.setattr(first_start, "ask", lambda *_: pytest.fail("asked although tiny.en is installed"))
    assert first_start.model_installed()  # the test extra's tiny.en weight package
    assert not first_start.offer_model_download(None, settings, lambda: None)


@pytest.mark.parametrize(("button", "answer"), [
    ("Download a model…", first_start.Answer.DOWNLOAD),
    ("Not now", first_start.Answer.LATER),
    ("Don't ask again", first_start.Answer.NEVER),
])
def test_the_real_question_maps_its_buttons(qtbot, button: str, answer) -> None:
    def click() -> None:
        box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
        assert "No speech model" in box.text() and "/somewhere/models" in box.informativeText()
        next(b for b in box.buttons() if b.text() == button).click()

    QTimer.singleShot(50, click)
    assert first_start.ask(None, "/somewhere/models") is answer


def test_app_start_without_a_model_asks_and_opens_the_model_dialog(qtbot, tmp_path, monkeypatch, no_models) -> None:
    """The bundle's situation: the editor opens, then the question; "Download a model…" opens the model dialog."""
    from subtitler.gui import app, autosave, main_window
    from subtitler.gui.settings import open_settings

    monkeypatch.setattr(main_window, "open_settings", lambda: open_settings(tmp_path / "settings.ini"))
    monkeypatch.setattr(autosave, "default_directory", lambda: tmp_path / "autosave")
    monkeypatch.setattr(first_start, "ask", lambda parent, folder: first_start.Answer.DOWNLOAD)
    opened = []
    monkeypatch.setattr(first_start, "open_model_dialog", lambda window: opened.append(window))

    class EventLoop:
        def exec(self) -> int:
            qtbot.waitUntil(lambda: bool(opened), timeout=10_000)
            opened[0].close()
            return 0

    monkeypatch.setattr(app, "create_application", lambda _argv: EventLoop())
    assert app.main([]) == 0
    assert isinstance(opened[0], main_window.MainWindow)


def test_model_dialog_opens_in_its_no_model_state(qtbot, settings, no_models) -> None:
    from PySide6.QtWidgets import QDialog, QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    parent.settings = settings
    seen = []

    def close() -> None:
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible())
        seen.append(" ".join(label.text() for label in dialog.findChildren(type(dialog.hint)) if label.isVisible()))
        dialog.reject()

    QTimer.singleShot(50, close)
    first_start.open_model_dialog(parent)
    assert "No speech model is installed" in seen[0]
