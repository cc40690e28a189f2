"""First start without a speech model: say so when the window opens and lead to the model download.

A double-clicked bundle has no model (the test extra's weight packages are not in it), and a user who
never opened a terminal would otherwise find out only when Ctrl+T has nothing to offer. The question
comes at every start until a model is installed or the user answers "Don't ask again"; the download
itself is the Transcribe dialog's (its first-run mode), opened through `open_model_dialog`.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox, QWidget

KEY_DECLINED = "first_start/model_question_declined"


class Answer(Enum):
    DOWNLOAD = "download"
    LATER = "later"
    NEVER = "never"


def model_installed() -> bool:
    """True when any model is found the way transcription looks (user models folder, weight packages)."""
    from subtitler.asr.models import list_models

    return any(info.path is not None for info in list_models())


def ask(parent: QWidget | None, models_folder: str) -> Answer:
    """The question (module-level so tests can answer it)."""
    box = QMessageBox(parent)
    box.setObjectName("first_start_question")
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle("Welcome to Subtitler")
    box.setText("No speech model is installed yet.")
    box.setInformativeText(
        "Subtitler writes subtitles with a Whisper speech model. Download one now: it is kept in "
        f"{models_folder} and transcription works offline from then on. You can also do it later "
        "from Speech → Transcribe.")
    download = box.addButton("Download a model…", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Not now", QMessageBox.ButtonRole.RejectRole)
    never = box.addButton("Don't ask again", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(download)
    box.exec()
    clicked = box.clickedButton()
    return Answer.DOWNLOAD if clicked is download else Answer.NEVER if clicked is never else Answer.LATER


def offer_model_download(parent: QWidget | None, settings: QSettings, open_model_dialog: Callable[[], object]) -> bool:
    """Ask when no model is installed (and the user has not declined for good); True when the question was shown."""
    if settings.value(KEY_DECLINED, False, type=bool) or model_installed():
        return False
    from subtitler.asr.models import user_models_dir

    answer = ask(parent, str(user_models_dir()))
    if answer is Answer.DOWNLOAD:
        open_model_dialog()
    elif answer is Answer.NEVER:
        settings.setValue(KEY_DECLINED, True)
    return True


def open_model_dialog(window: QWidget) -> None:
    """The Transcribe dialog in its no-model state: the models there are and how to install one."""
    from subtitler.gui.transcription.dialog import TranscribeDialog

    TranscribeDialog(window.settings, parent=window).exec()  # type: ignore[attr-defined]
