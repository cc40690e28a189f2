"""The Transcribe dialog: model (installed or downloaded here), language, task, device, precision and decoding options.

Everything is remembered between runs of the app (choice.py); the defaults are the
CLI's. With no model installed it becomes the first-run question: download one
(sizes and what each is good for) or choose a model folder, and it says how to
work offline when the download server cannot be reached.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QApplication, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
    QProgressBar, QPushButton, QSpinBox, QVBoxLayout, QWidget,
)

from subtitler.asr.models import ModelInfo, is_complete, model_info
from subtitler.asr.option_specs import BY_FIELD
from subtitler.asr.tokenizer import LANGUAGES
from subtitler.core.reading_rules import PROFILES
from subtitler.gui.transcription.choice import (
    KEY_DEVICE, KEY_MODEL, KEY_PRECISION, KEY_PROFILE, TranscribeChoice, available_switches, default_options,
    load_options, model_folders, remember_model_folder, save_choice,
)
from subtitler.gui.transcription.download import ModelDownloadWorker
from subtitler.gui.workers.job import start_worker

if TYPE_CHECKING:
    from subtitler.asr.transcribe import TranscribeOptions

BATCH_IMPLIED = ("condition_on_previous_text", "vad_filter")  # switches the batched mode decides for itself
CLI_DEFAULT_MODEL = "base"  # subtitler.cli_asr.DEFAULT_MODEL (not imported: that module is the CLI's)
DEVICES = (("auto", "Automatic (GPU when available)"), ("cpu", "CPU"), ("cuda", "NVIDIA GPU (CUDA)"))
PRECISIONS = (("auto", "Automatic"), ("float32", "float32"), ("int8", "int8 (CPU, faster)"),
              ("float16", "float16 (GPU only)"), ("bfloat16", "bfloat16"))
TASKS = (("transcribe", "Transcribe (same language)"), ("translate", "Translate to English"))
OFFLINE_HELP = ("Offline? Copy a model folder (model.bin, config.json and tokenizer.json, e.g. made by "
                "`subtitler models download NAME` on a computer with internet) to this one and pick it with "
                "“Choose model folder…”, or put it in the models folder ($SUBTITLER_MODELS_DIR).")


def ordered_models(models: Sequence[ModelInfo]) -> list[ModelInfo]:
    """Installed models first (in their listed order), then the ones that would need a download."""
    return [m for m in models if m.path is not None] + [m for m in models if m.path is None]


def _megabytes(size: int | None) -> str:
    if not size:
        return "?"
    return f"{size / 1e9:.1f} GB" if size >= 1e9 else f"{size / 1e6:.0f} MB"


def model_label(info: ModelInfo) -> str:
    if info.path is None:
        return f"{info.name} — download about {_megabytes(info.download_bytes)}"
    where = "folder" if info.source == "path" else "installed"
    return f"{info.name} — {where}, {_megabytes(info.size_bytes)}"


def _set_data(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)


def _list_models() -> list[ModelInfo]:
    from subtitler.asr.models import list_models

    return list_models()


def ask_model_folder(parent: QWidget | None) -> Path | None:
    """The folder chooser (module-level so tests can answer it)."""
    folder = QFileDialog.getExistingDirectory(parent, "Choose a Whisper model folder")
    return Path(folder) if folder else None


def looks_like_model(folder: Path) -> bool:
    """A CTranslate2 folder, or one holding openai-whisper .pt or Hugging Face safetensors weights."""
    return is_complete(folder) or any(folder.glob("*.pt")) or (folder / "model.safetensors").is_file()


class TranscribeDialog(QDialog):
    """Asks how to transcribe; `choice()` after exec() returns Accepted. Accepting remembers the choice."""

    def __init__(self, settings: QSettings, models: Sequence[ModelInfo] | None = None, media_name: str = "",
                 parent: QWidget | None = None, detected: tuple[str, float] | None = None,
                 task: str | None = None, title: str | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle(title or f"Transcribe {media_name}".strip())
        self._models: list[ModelInfo] = []
        self._download: ModelDownloadWorker | None = None
        self._expected_bytes = 0
        self._free_choice: tuple[object, object] = (None, "transcribe")  # language, task before an .en model forced them
        self._init_widgets(detected)
        self._init_layout()
        self._fill_models(models if models is not None else _list_models())
        self._restore(load_options(settings))
        if task is not None:
            self._free_choice = (self._free_choice[0], task)
            _set_data(self.task_combo, task)
        self.model_combo.currentIndexChanged.connect(self._on_model_combo_current_index_changed)
        self._on_model_combo_current_index_changed()
        self.batch_spin.valueChanged.connect(self._on_batch_spin_value_changed)
        self._on_batch_spin_value_changed(self.batch_spin.value())

    # --- construction ------------------------------------------------------------------------
    def _init_widgets(self, detected: tuple[str, float] | None) -> None:
        self.first_run = QLabel("<b>No speech model is installed yet.</b> Pick one below and download it (it stays "
                                "installed for next time), or choose a model folder you already have (without "
                                "internet: copy one from another computer).")
        self.first_run.setWordWrap(True)
        self.model_combo = QComboBox()
        self.model_note = QLabel()
        self.model_note.setWordWrap(True)
        self.folder_button = QPushButton("Choose model &folder…")
        self.folder_button.clicked.connect(self._on_folder_button_clicked)
        self.download_button = QPushButton("&Download")
        self.download_button.clicked.connect(self.start_download)
        self.cancel_download_button = QPushButton("Stop download")
        self.cancel_download_button.clicked.connect(self.cancel_download)
        self.download_bar = QProgressBar()
        self.download_bar.setRange(0, 1000)
        self.download_status = QLabel()
        self.download_status.setWordWrap(True)
        self.language_combo = QComboBox()
        self.language_combo.addItem("Detect automatically", None)
        for code, name in sorted(LANGUAGES.items(), key=lambda item: item[1]):
            self.language_combo.addItem(f"{name.title()} ({code})", code)
        self.detected_label = QLabel(self._detected_text(detected))
        self.task_combo = _combo(TASKS)
        self.device_combo = _combo(DEVICES)
        self.precision_combo = _combo(PRECISIONS)
        self.hardware_label = QLabel(self._hardware_text())
        self.hardware_label.setWordWrap(True)
        self.beam_spin = QSpinBox()
        self.beam_spin.setRange(1, 16)
        self.beam_spin.setSpecialValueText("1 (greedy, fastest)")
        self.beam_spin.setToolTip("Beam search keeps this many candidate texts per window: a little more accurate, slower")
        batch = BY_FIELD["batch_size"]  # the CLI's --batch-size: same label, bounds and wording
        self.batch_spin = QSpinBox()
        self.batch_spin.setRange(0, int(batch.high))
        self.batch_spin.setSpecialValueText("Off (window by window, previous text as prompt)")
        self.batch_spin.setSuffix(" chunks at once")
        self.batch_spin.setToolTip(batch.help[0].upper() + batch.help[1:] + ". Worth it from a few minutes of audio.")
        self.prompt_edit = QLineEdit()
        self.prompt_edit.setPlaceholderText("Names and terms to spell right, e.g. Kubernetes, Dr. Nguyen")
        self.profile_combo = QComboBox()
        self.profile_combo.addItem("By the spoken language", None)
        for name, profile in PROFILES.items():
            self.profile_combo.addItem(f"{name}: {profile.max_chars_per_line} characters a line, {profile.max_cps:g} cps", name)
        self.switches: dict[str, QCheckBox] = {}
        for name, label, tip in available_switches():
            box = QCheckBox(label)
            box.setToolTip(tip)
            self.switches[name] = box
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
                                        | QDialogButtonBox.StandardButton.RestoreDefaults)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Transcribe")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(self.restore_defaults)
        self._show_download(False)

    def _init_layout(self) -> None:
        model_row = QHBoxLayout()
        model_row.addWidget(self.model_combo, 1)
        model_row.addWidget(self.folder_button)
        download_row = QHBoxLayout()
        download_row.addWidget(self.download_button)
        download_row.addWidget(self.download_bar, 1)
        download_row.addWidget(self.cancel_download_button)
        device_row = QHBoxLayout()
        device_row.addWidget(self.device_combo, 1)
        device_row.addWidget(_label("Pre&cision:", self.precision_combo))
        device_row.addWidget(self.precision_combo, 1)
        form = QFormLayout()
        form.addRow(_label("&Model:", self.model_combo), model_row)
        form.addRow("", self.model_note)
        form.addRow("", download_row)
        form.addRow("", self.download_status)
        form.addRow("&Language:", self.language_combo)
        form.addRow("", self.detected_label)
        form.addRow("&Task:", self.task_combo)
        form.addRow(_label("&Device:", self.device_combo), device_row)
        form.addRow("", self.hardware_label)
        form.addRow("&Beam size:", self.beam_spin)
        form.addRow("Batc&h long files:", self.batch_spin)
        form.addRow("Initial &prompt:", self.prompt_edit)
        form.addRow("&Reading rules:", self.profile_combo)
        for box in self.switches.values():
            form.addRow("", box)
        layout = QVBoxLayout(self)
        layout.addWidget(self.first_run)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)

    @staticmethod
    def _detected_text(detected: tuple[str, float] | None) -> str:
        if detected is None:
            return "Detected on the first 30 s of speech when the job starts"
        code, probability = detected
        return f"Last detected in this file: {LANGUAGES.get(code, code).title()} ({code}), {probability:.0%} sure"

    @staticmethod
    def _hardware_text() -> str:
        from subtitler.asr.engine import hardware_summary

        return hardware_summary()[1]

    # --- models ---------------------------------------------------------------------------------
    def _fill_models(self, models: Sequence[ModelInfo]) -> None:
        current = self.model_combo.currentData()
        folders = [model_info(folder) for folder in model_folders(self.settings)]
        self._models = ordered_models([*folders, *models])
        self.model_combo.blockSignals(True)
        self.model_combo.clear()
        for info in self._models:
            self.model_combo.addItem(model_label(info), str(info.path) if info.source == "path" else info.name)
            self.model_combo.setItemData(self.model_combo.count() - 1, info.note, Qt.ItemDataRole.ToolTipRole)
        self.model_combo.blockSignals(False)
        if current is not None:
            _set_data(self.model_combo, current)
        self.first_run.setVisible(not self.installed())

    def installed(self) -> list[str]:
        return [str(m.path) if m.source == "path" else m.name for m in self._models if m.path is not None]

    def _info(self, data: object) -> ModelInfo | None:
        return next((m for m in self._models if data in (m.name, str(m.path))), None)

    def _on_folder_button_clicked(self) -> None:
        folder = ask_model_folder(self)
        if folder is None:
            return
        if not looks_like_model(folder):
            self.download_status.setText(f"{folder}: no Whisper model here; a model folder holds model.bin, config.json "
                                         "and tokenizer.json (or a .pt / model.safetensors file)")
            return
        remember_model_folder(self.settings, folder)
        self._fill_models([m for m in self._models if m.source != "path"])
        _set_data(self.model_combo, str(folder))

    # --- download -------------------------------------------------------------------------------
    def _show_download(self, running: bool) -> None:
        self.download_bar.setVisible(running)
        self.cancel_download_button.setVisible(running)
        self.download_button.setEnabled(not running)
        self.model_combo.setEnabled(not running)
        self.folder_button.setEnabled(not running)

    def start_download(self) -> None:
        info = self._info(self.model_combo.currentData())
        if info is None or info.path is not None or self._download is not None:
            return
        worker = ModelDownloadWorker(info.name)
        worker.progress_changed.connect(self._on_download_progress_changed)
        worker.downloaded.connect(self._on_download_downloaded)
        worker.failed.connect(self._on_download_failed)
        worker.cancelled.connect(self._on_download_cancelled)
        worker.done.connect(self._on_download_done)
        self._download = worker
        self._expected_bytes = info.download_bytes or 0
        self.download_bar.setValue(0)
        self.download_status.setText(f"Downloading {info.name}…")
        self._show_download(True)
        self._refresh_ok()
        start_worker(worker)

    def cancel_download(self) -> None:
        if self._download is not None:
            self._download.cancel()

    def is_downloading(self) -> bool:
        return self._download is not None

    def _on_download_progress_changed(self, done: int, total: int) -> None:
        """`total` covers the files so far (model.bin, the bulk, comes last): the known model size keeps the bar steady."""
        total = max(total, self._expected_bytes)
        if total > 0:
            self.download_bar.setValue(min(1000, int(1000 * done / total)))
            self.download_status.setText(f"Downloading: {_megabytes(done)} of about {_megabytes(total)}")

    def _on_download_downloaded(self, folder: str) -> None:
        name = self._download.name if self._download is not None else ""
        self._fill_models([m for m in _list_models()])
        _set_data(self.model_combo, name)
        self.download_status.setText(f"{name} is installed in {folder} (checksum verified)")

    def _on_download_failed(self, message: str) -> None:
        offline = "cannot download" in message or "internet" in message
        self.download_status.setText(f"{message}\n{OFFLINE_HELP}" if offline else message)

    def _on_download_cancelled(self) -> None:
        self.download_status.setText("Download stopped; it continues where it stopped when you download again.")

    def _on_download_done(self) -> None:
        self._download = None
        self._show_download(False)
        self._on_model_combo_current_index_changed()

    # --- options ----------------------------------------------------------------------------------
    def _restore(self, options: TranscribeOptions) -> None:
        model = str(self.settings.value(KEY_MODEL, "") or "")
        installed = self.installed()
        fallback = CLI_DEFAULT_MODEL if CLI_DEFAULT_MODEL in installed else (installed or [self.model_combo.itemData(0)])[0]
        _set_data(self.model_combo, model if model in installed else fallback)
        _set_data(self.device_combo, str(self.settings.value(KEY_DEVICE, "auto") or "auto"))
        _set_data(self.precision_combo, str(self.settings.value(KEY_PRECISION, "auto") or "auto"))
        _set_data(self.profile_combo, str(self.settings.value(KEY_PROFILE, "") or "") or None)
        self._show_options(options)

    def _show_options(self, options: TranscribeOptions) -> None:
        _set_data(self.language_combo, options.language)
        _set_data(self.task_combo, options.task)
        self._free_choice = (options.language, options.task)
        self.beam_spin.setValue(options.beam_size or 1)
        self.batch_spin.setValue(options.batch_size or 0)
        self.prompt_edit.setText(options.initial_prompt or "")
        for name, box in self.switches.items():
            box.setChecked(bool(getattr(options, name)))

    def restore_defaults(self) -> None:
        """The CLI's defaults (TranscribeOptions(), automatic device and precision, the language's reading rules)."""
        for combo in (self.device_combo, self.precision_combo):
            combo.setCurrentIndex(0)
        self.profile_combo.setCurrentIndex(0)
        self._show_options(default_options())
        self._on_model_combo_current_index_changed()

    def _on_model_combo_current_index_changed(self, _index: int = -1) -> None:
        """English-only models neither translate nor take another language; a model to download shows its button."""
        data = self.model_combo.currentData()
        info = self._info(data)
        english_only = info is not None and not info.multilingual
        if english_only and self.language_combo.isEnabled():  # keep the user's choice for the next multilingual model
            self._free_choice = (self.language_combo.currentData(), self.task_combo.currentData())
            _set_data(self.language_combo, "en")
            _set_data(self.task_combo, "transcribe")
        elif not english_only and not self.language_combo.isEnabled():
            _set_data(self.language_combo, self._free_choice[0])
            _set_data(self.task_combo, self._free_choice[1])
        self.task_combo.setEnabled(not english_only)
        self.language_combo.setEnabled(not english_only)
        needs_download = info is not None and info.path is None
        self.download_button.setVisible(needs_download)
        if needs_download:
            self.download_button.setText(f"&Download {info.name} (about {_megabytes(info.download_bytes)})")
        self.model_note.setText(info.note[0].upper() + info.note[1:] + "." if info is not None and info.note else "")
        self._refresh_ok()

    def _on_batch_spin_value_changed(self, value: int) -> None:
        """Batched chunks never see the previous text and decode only speech: those switches do not apply."""
        for name in BATCH_IMPLIED:
            if name in self.switches:
                self.switches[name].setEnabled(value == 0)

    def _refresh_ok(self) -> None:
        data = self.model_combo.currentData()
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(data in self.installed() and self._download is None)
        info = self._info(data)
        if info is not None and info.path is None:
            self.hint.setText(f"{info.name} is not installed: download it here, or choose another model.")
        elif info is not None and not info.multilingual:
            self.hint.setText("English-only model: it transcribes English and cannot translate.")
        else:
            self.hint.setText("")

    # --- result ---------------------------------------------------------------------------------------
    def choice(self) -> TranscribeChoice:
        import dataclasses

        changes: dict[str, object] = {
            "language": self.language_combo.currentData(),
            "task": str(self.task_combo.currentData()),
            "beam_size": self.beam_spin.value() if self.beam_spin.value() > 1 else None,
            "batch_size": self.batch_spin.value() or None,
            "initial_prompt": self.prompt_edit.text().strip() or None,
        }
        changes.update({name: box.isChecked() for name, box in self.switches.items()})
        options = dataclasses.replace(default_options(), **changes)
        return TranscribeChoice(model_name=str(self.model_combo.currentData()), options=options,
                                device=str(self.device_combo.currentData()), precision=str(self.precision_combo.currentData()),
                                profile=self.profile_combo.currentData())

    def accept(self) -> None:
        if self.model_combo.currentData() not in self.installed():
            return
        save_choice(self.settings, self.choice(), language_chosen=self.language_combo.isEnabled())
        super().accept()

    def done(self, result: int) -> None:  # noqa: D401 - Qt's name
        self.cancel_download()  # closing the dialog stops a download; the next one resumes it
        super().done(result)


def _label(text: str, buddy: QWidget) -> QLabel:
    """A form label whose &-key focuses `buddy` (QFormLayout does that only for a single-widget field)."""
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


def _combo(items: Sequence[tuple[str, str]]) -> QComboBox:
    combo = QComboBox()
    for value, label in items:
        combo.addItem(label, value)
    return combo


def ask_transcription(parent: QWidget | None, settings: QSettings, media_name: str = "",
                      detected: tuple[str, float] | None = None, task: str | None = None,
                      title: str | None = None) -> TranscribeChoice | None:
    """The modal question (module-level so tests can replace it); None when the user cancels.

    The first time, building it imports torch (the engine's defaults and the hardware found):
    a second or two, under a wait cursor.
    """
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        dialog = TranscribeDialog(settings, media_name=media_name, parent=parent, detected=detected, task=task, title=title)
    finally:
        QApplication.restoreOverrideCursor()
    return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None
