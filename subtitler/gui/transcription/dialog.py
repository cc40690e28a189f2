"""The Transcribe dialog: model, language, task and device, remembered between sessions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from subtitler.asr.models import ModelInfo
from subtitler.asr.tokenizer import LANGUAGES

if TYPE_CHECKING:
    from subtitler.asr.transcribe import TranscribeOptions
    from subtitler.gui.transcription.controller import TranscriptionController

# QSettings paths (beside subtitler.gui.settings.SettingsKey, which is the lead's file).
KEY_MODEL = "transcribe/model"
KEY_LANGUAGE = "transcribe/language"
KEY_TASK = "transcribe/task"
KEY_DEVICE = "transcribe/device"

DEVICES = (("auto", "Automatic (GPU when available)"), ("cpu", "CPU"), ("cuda", "NVIDIA GPU (CUDA)"))
TASKS = (("transcribe", "Transcribe (same language)"), ("translate", "Translate to English"))


@dataclass(frozen=True)
class TranscribeChoice:
    model_name: str
    language: str | None  # None: detect from the first 30 s
    task: str = "transcribe"
    device: str = "auto"

    def options(self) -> TranscribeOptions:
        from subtitler.asr.transcribe import TranscribeOptions  # torch: only once the user asked for a job

        return TranscribeOptions(task=self.task, language=self.language)


def ordered_models(models: Sequence[ModelInfo]) -> list[ModelInfo]:
    """Installed models first (in their listed order), then the ones that would need a download."""
    return [m for m in models if m.path is not None] + [m for m in models if m.path is None]


def is_english_only(model_name: str) -> bool:
    return model_name.endswith(".en")


def _disable_item(combo: QComboBox, index: int) -> None:
    model = combo.model()
    if isinstance(model, QStandardItemModel):  # QComboBox's own model unless someone replaced it
        model.item(index).setEnabled(False)


def _set_data(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)


class TranscribeDialog(QDialog):
    """Asks how to transcribe; `choice()` after exec() returns Accepted. Accepting remembers the choice."""

    def __init__(self, settings: QSettings, models: Sequence[ModelInfo] | None = None, media_name: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle(f"Transcribe {media_name}".strip())
        self._init_widgets(ordered_models(models if models is not None else _list_models()))
        self._init_layout()
        self._restore()
        self.model_combo.currentIndexChanged.connect(self._on_model_combo_current_index_changed)
        self._on_model_combo_current_index_changed()

    def _init_widgets(self, models: list[ModelInfo]) -> None:
        self.model_combo = QComboBox()
        for info in models:
            size = f", {info.size_bytes / 1e6:.0f} MB" if info.size_bytes else ""
            label = info.name + (f" (installed{size})" if info.path is not None else " (not installed)")
            self.model_combo.addItem(label, info.name)
            if info.path is None:  # listed so the user sees what exists; `subtitler models download NAME` gets it
                _disable_item(self.model_combo, self.model_combo.count() - 1)
        self.language_combo = QComboBox()
        self.language_combo.addItem("Detect automatically", None)
        for code, name in sorted(LANGUAGES.items(), key=lambda item: item[1]):
            self.language_combo.addItem(f"{name.title()} ({code})", code)
        self.task_combo = QComboBox()
        for value, label in TASKS:
            self.task_combo.addItem(label, value)
        self.device_combo = QComboBox()
        for value, label in DEVICES:
            self.device_combo.addItem(label, value)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Transcribe")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._installed = [info.name for info in models if info.path is not None]
        self._free_choice: tuple[object, object] = (None, "transcribe")  # language, task before an .en model forced them

    def _init_layout(self) -> None:
        form = QFormLayout()
        form.addRow("&Model:", self.model_combo)
        form.addRow("&Language:", self.language_combo)
        form.addRow("&Task:", self.task_combo)
        form.addRow("&Device:", self.device_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)

    def _restore(self) -> None:
        model = str(self.settings.value(KEY_MODEL, "") or "")
        _set_data(self.model_combo, model if model in self._installed else (self._installed or [None])[0])
        language = str(self.settings.value(KEY_LANGUAGE, "") or "")
        _set_data(self.language_combo, language or None)
        _set_data(self.task_combo, str(self.settings.value(KEY_TASK, "transcribe") or "transcribe"))
        _set_data(self.device_combo, str(self.settings.value(KEY_DEVICE, "auto") or "auto"))

    def _on_model_combo_current_index_changed(self, _index: int = -1) -> None:
        """English-only models neither translate nor take another language; no model, no job."""
        name = self.model_combo.currentData()
        english_only = bool(name) and is_english_only(name)
        if english_only and self.language_combo.isEnabled():  # keep the user's choice for the next multilingual model
            self._free_choice = (self.language_combo.currentData(), self.task_combo.currentData())
            _set_data(self.language_combo, "en")
            _set_data(self.task_combo, "transcribe")
        elif not english_only and not self.language_combo.isEnabled():
            _set_data(self.language_combo, self._free_choice[0])
            _set_data(self.task_combo, self._free_choice[1])
        self.task_combo.setEnabled(not english_only)
        self.language_combo.setEnabled(not english_only)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(name in self._installed)
        if not self._installed:
            self.hint.setText("No speech model is installed. Install one with `subtitler models download base` "
                              "(or tiny.en for English only), then open this dialog again.")
        else:
            self.hint.setText("English-only model: it transcribes English and cannot translate." if english_only else "")

    def choice(self) -> TranscribeChoice:
        return TranscribeChoice(model_name=str(self.model_combo.currentData()), language=self.language_combo.currentData(),
                                task=str(self.task_combo.currentData()), device=str(self.device_combo.currentData()))

    def accept(self) -> None:
        choice = self.choice()
        self.settings.setValue(KEY_MODEL, choice.model_name)
        if self.language_combo.isEnabled():  # what an English-only model forced is not the user's choice
            self.settings.setValue(KEY_LANGUAGE, choice.language or "")
            self.settings.setValue(KEY_TASK, choice.task)
        self.settings.setValue(KEY_DEVICE, choice.device)
        super().accept()


def _list_models() -> list[ModelInfo]:
    from subtitler.asr.models import list_models

    return list_models()


def ask_transcription(parent: QWidget | None, settings: QSettings, media_name: str = "") -> TranscribeChoice | None:
    """The modal question (module-level so tests can replace it); None when the user cancels."""
    dialog = TranscribeDialog(settings, media_name=media_name, parent=parent)
    return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None


def transcribe_media(parent: QWidget | None, settings: QSettings, controller: TranscriptionController,
                     media_path: str | Path) -> bool:
    """Ask, then start the job; False when the user cancelled. A busy controller raises TranscriptionBusy."""
    choice = ask_transcription(parent, settings, Path(media_path).name)
    if choice is None:
        return False
    controller.start(media_path, choice.options(), choice.model_name, choice.device)
    return True
