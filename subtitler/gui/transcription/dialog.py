"""The Transcribe dialog: model (installed or downloaded here), language, task, device, precision and decoding options.

The decoding settings and guards are built from subtitler.asr.option_specs, as the command line's flags
are: the main ones (advanced=False) on the form, the rest under "Advanced settings…" (advanced.py). A
combination that cannot work (option_specs.apply_settings refuses it) is said in the dialog, which stays open.

Everything is remembered between runs of the app (choice.py); the defaults are the
CLI's. With no model installed it becomes the first-run question: download one
(sizes and what each is good for) or choose a model folder, and it says how to
work offline when the download server cannot be reached.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QApplication, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QGridLayout, QHBoxLayout, QLabel,
    QProgressBar, QPushButton, QVBoxLayout, QWidget,
)

from subtitler.asr.models import ModelInfo, is_complete, model_info
from subtitler.asr.option_specs import SPECS, TEMPERATURE_SPECS, apply_settings, settings_of
from subtitler.asr.tokenizer import LANGUAGES
from subtitler.core.reading_rules import PROFILES
from subtitler.gui.transcription.choice import (
    KEY_DEVICE, KEY_MODEL, KEY_PRECISION, KEY_PROFILE, TranscribeChoice, default_options, load_options, model_folders,
    remember_model_folder, save_choice,
)
from subtitler.errors import UserError
from subtitler.gui.transcription.advanced import ERROR_STYLE, AdvancedSettingsDialog
from subtitler.gui.transcription.download import ModelDownloadWorker
from subtitler.gui.transcription.option_fields import OptionField, mnemonics_of, with_mnemonic
from subtitler.gui.workers.job import start_worker

if TYPE_CHECKING:
    from subtitler.asr.transcribe import TranscribeOptions

CLI_DEFAULT_MODEL = "base"  # subtitler.cli_asr.DEFAULT_MODEL (not imported: that module is the CLI's)
DEVICES = (("auto", "Automatic (GPU when available)"), ("cpu", "CPU"), ("cuda", "NVIDIA GPU (CUDA)"))
PRECISIONS = (("auto", "Automatic (int8 on a CPU, float16 on a GPU)"), ("float32", "float32 (the reference, slower)"),
              ("int8", "int8 (CPU)"), ("float16", "float16 (GPU only)"), ("bfloat16", "bfloat16"))
TASKS = (("transcribe", "Transcribe (same language)"), ("translate", "Translate to English"))
MAIN_LABELS = ("&Model:", "Choose model &folder…", "&Download", "Pre&cision:", "&Language:", "&Task:", "&Device:",
               "&Reading rules:", "&Advanced settings…")  # their &-keys are taken before the settings' get theirs
SETTING_NAMES = {spec.field: spec.label for spec in (*SPECS, *TEMPERATURE_SPECS)}
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
        self.profile_combo = QComboBox()
        self.profile_combo.addItem("By the spoken language", None)
        for name, profile in PROFILES.items():
            self.profile_combo.addItem(f"{name}: {profile.max_chars_per_line} characters a line, {profile.max_cps:g} cps", name)
        main_keys = mnemonics_of(MAIN_LABELS)
        advanced_keys: set[str] = set()
        self.fields: dict[str, OptionField] = {}  # every decoding setting and guard, plus the temperature fallback
        for spec in (*TEMPERATURE_SPECS, *SPECS):
            keys = advanced_keys if spec.advanced else main_keys
            self.fields[spec.field] = OptionField(spec, with_mnemonic(spec.label, keys))
        self.advanced_button = QPushButton(MAIN_LABELS[-1])
        self.advanced_button.clicked.connect(self.show_advanced)
        self.advanced_note = QLabel()
        self.advanced_note.setWordWrap(True)
        self.advanced = AdvancedSettingsDialog([f for f in self.fields.values() if f.spec.advanced],
                                               self.problem, self.restore_advanced_defaults, self)
        self.advanced.finished.connect(self._show_advanced_note)
        for field in self.fields.values():
            field.on_change(self._on_setting_changed)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.message = QLabel()  # why the settings cannot work together; the dialog stays open
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.hide()
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
        self._download_row = QWidget()  # one widget, so the row can be hidden without showing the bar and Stop
        download_row = QHBoxLayout(self._download_row)
        download_row.setContentsMargins(0, 0, 0, 0)
        download_row.addWidget(self.download_button)
        download_row.addWidget(self.download_bar, 1)
        download_row.addWidget(self.cancel_download_button)
        device_row = QHBoxLayout()
        device_row.addWidget(self.device_combo, 1)
        device_row.addWidget(_label("Pre&cision:", self.precision_combo))
        device_row.addWidget(self.precision_combo, 1)
        form = self.form = QFormLayout()
        form.addRow(_label("&Model:", self.model_combo), model_row)
        form.addRow("", self.model_note)
        form.addRow("", self._download_row)
        form.addRow("", self.download_status)
        form.addRow("&Language:", self.language_combo)
        form.addRow("", self.detected_label)
        form.addRow("&Task:", self.task_combo)
        form.addRow(_label("&Device:", self.device_combo), device_row)
        form.addRow("", self.hardware_label)
        form.addRow(MAIN_LABELS[7], self.profile_combo)
        main = [f for f in self.fields.values() if not f.spec.advanced]
        for field in main:
            if not field.is_check_box:
                form.addRow(field.label, field.widget)
        switches = QGridLayout()
        for index, field in enumerate(f for f in main if f.is_check_box):
            switches.addWidget(field.widget, index // 2, index % 2)
        form.addRow("", switches)
        advanced_row = QHBoxLayout()
        advanced_row.addWidget(self.advanced_button)
        advanced_row.addWidget(self.advanced_note, 1)
        form.addRow("", advanced_row)
        layout = QVBoxLayout(self)
        layout.addWidget(self.first_run)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(600)

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
            self._say_download(f"{folder}: no Whisper model here; a model folder holds model.bin, config.json "
                                         "and tokenizer.json (or a .pt / model.safetensors file)")
            return
        remember_model_folder(self.settings, folder)
        self._fill_models([m for m in self._models if m.source != "path"])
        _set_data(self.model_combo, str(folder))

    # --- download -------------------------------------------------------------------------------
    def _say_download(self, text: str) -> None:
        self.download_status.setText(text)
        self._fit_rows()

    def _fit_rows(self) -> None:
        """The model note and download rows only while there is something in them: no gaps under an installed model."""
        if not hasattr(self, "form"):
            return
        self.form.setRowVisible(self.model_note, bool(self.model_note.text()))
        self.form.setRowVisible(self.download_status, bool(self.download_status.text()))
        self.form.setRowVisible(self._download_row, not self.download_button.isHidden() or not self.download_bar.isHidden())
        if self.isVisible():  # a row shown now must not squeeze the others
            self.layout().activate()
            self.resize(self.width(), max(self.height(), self.layout().totalHeightForWidth(self.width())))

    def _show_download(self, running: bool) -> None:
        self.download_bar.setVisible(running)
        self.cancel_download_button.setVisible(running)
        self.download_button.setEnabled(not running)
        self.model_combo.setEnabled(not running)
        self.folder_button.setEnabled(not running)
        self._fit_rows()

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
        self._say_download(f"Downloading {info.name}…")
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
            self._say_download(f"Downloading: {_megabytes(done)} of about {_megabytes(total)}")

    def _on_download_downloaded(self, folder: str) -> None:
        name = self._download.name if self._download is not None else ""
        self._fill_models([m for m in _list_models()])
        _set_data(self.model_combo, name)
        self._say_download(f"{name} is installed in {folder} (checksum verified)")

    def _on_download_failed(self, message: str) -> None:
        offline = "cannot download" in message or "internet" in message
        self._say_download(f"{message}\n{OFFLINE_HELP}" if offline else message)

    def _on_download_cancelled(self) -> None:
        self._say_download("Download stopped; it continues where it stopped when you download again.")

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
        self._show_settings(settings_of(options), self.fields)

    def _show_settings(self, values: dict[str, object], fields: dict[str, OptionField]) -> None:
        for field, widget in fields.items():
            widget.set_value(values[field])
        self.message.hide()
        self._show_advanced_note()
        self._on_setting_changed()

    def restore_defaults(self) -> None:
        """The CLI's defaults (TranscribeOptions(), automatic device and precision, the language's reading rules)."""
        for combo in (self.device_combo, self.precision_combo):
            combo.setCurrentIndex(0)
        self.profile_combo.setCurrentIndex(0)
        self._show_options(default_options())
        self._on_model_combo_current_index_changed()

    def restore_advanced_defaults(self) -> None:
        """The advanced settings' defaults; the main form keeps what the user set there."""
        self._show_settings(settings_of(default_options()), {k: f for k, f in self.fields.items() if f.spec.advanced})

    def changed_advanced(self) -> list[str]:
        """The labels of the advanced settings that differ from the defaults (said beside the button)."""
        defaults = settings_of(default_options())
        return [f.spec.label for k, f in self.fields.items() if f.spec.advanced and f.value() != defaults[k]]

    def _show_advanced_note(self, _result: int = 0) -> None:
        changed = self.changed_advanced()
        self.advanced_note.setText("all at their defaults" if not changed else
                                   f"changed: {', '.join(changed[:3])}" + (f" and {len(changed) - 3} more" if len(changed) > 3 else ""))
        self.advanced_note.setToolTip("\n".join(changed))

    def _on_setting_changed(self) -> None:
        """A message about a bad combination goes as soon as the user has put it right (and says what is left).

        The batched mode never prompts a chunk with the previous text: that switch is greyed while it is on."""
        self.fields["condition_on_previous_text"].editor.setEnabled(self.fields["batch_size"].value() is None)
        for message in (self.message, self.advanced.message):
            if not message.isHidden():
                problem = self.problem()
                message.setText(problem or "")
                message.setVisible(problem is not None)

    def show_advanced(self) -> None:
        self.advanced.message.hide()
        self.advanced.exec()

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
        self._fit_rows()
        self._refresh_ok()

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
    def settings_shown(self) -> dict[str, object]:
        """The decoding settings as the fields hold them (field -> value, None = off), as apply_settings takes them."""
        return {field: widget.value() for field, widget in self.fields.items()}

    def choice(self) -> TranscribeChoice:
        """What the user chose; UserError (naming the settings by their labels) for a combination that cannot work."""
        base = dataclasses.replace(default_options(), language=self.language_combo.currentData(),
                                   task=str(self.task_combo.currentData()))
        options = apply_settings(base, self.settings_shown(), _setting_name)
        return TranscribeChoice(model_name=str(self.model_combo.currentData()), options=options,
                                device=str(self.device_combo.currentData()), precision=str(self.precision_combo.currentData()),
                                profile=self.profile_combo.currentData())

    def problem(self) -> str | None:
        """Why the settings cannot work together, with where to change them; None when they can."""
        try:
            self.choice()
        except UserError as error:
            advanced = any(f.spec.advanced and _setting_name(f.spec.field) in str(error) for f in self.fields.values())
            return f"{error}." + (" (Some of these are under Advanced settings.)" if advanced and not self.advanced.isVisible() else "")
        return None

    def accept(self) -> None:
        if self.model_combo.currentData() not in self.installed():
            return
        problem = self.problem()
        self.message.setText(problem or "")
        self.message.setVisible(problem is not None)
        if problem is not None:
            return
        save_choice(self.settings, self.choice(), language_chosen=self.language_combo.isEnabled())
        super().accept()

    def done(self, result: int) -> None:  # noqa: D401 - Qt's name
        self.cancel_download()  # closing the dialog stops a download; the next one resumes it
        super().done(result)


def _setting_name(field: str) -> str:
    """How apply_settings' messages name a setting here: its label, quoted."""
    return f"“{SETTING_NAMES.get(field, field)}”"


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
