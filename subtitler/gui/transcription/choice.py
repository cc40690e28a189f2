"""What the user chose in the Transcribe dialog, and how it is remembered between runs of the app.

Every default comes from ``TranscribeOptions()`` (and the CLI's model and device
defaults), so the dialog, the CLI and the engine share one source of defaults:
when the accuracy work changes an option's default, the dialog follows. Options
that only some versions of the engine have (voice-activity filter, word timings)
are offered only when TranscribeOptions has the field.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings

from subtitler.asr.user_options import MAX_BATCH_SIZE
from subtitler.gui.transcription.job import TranscriptionJob

if TYPE_CHECKING:
    from subtitler.asr.transcribe import TranscribeOptions

# QSettings paths (beside subtitler.gui.settings.SettingsKey, which holds the window's own keys).
KEY_MODEL = "transcribe/model"
KEY_LANGUAGE = "transcribe/language"
KEY_TASK = "transcribe/task"
KEY_DEVICE = "transcribe/device"
KEY_PRECISION = "transcribe/precision"
KEY_PROFILE = "transcribe/reading_profile"
KEY_MODEL_FOLDERS = "transcribe/model_folders"  # folders the user picked, offered again next time
OPTION_PREFIX = "transcribe/option/"  # + a TranscribeOptions field name

# (TranscribeOptions field, label, tooltip) for the yes/no options, shown when the field exists.
SWITCHES: tuple[tuple[str, str, str], ...] = (
    ("condition_on_previous_text", "Condition on previous text",
     "Feed each window the text before it: more consistent names and style; off is less prone to repetition loops"),
    ("vad_filter", "Skip silence (voice-activity filter)",
     "Find speech first and transcribe only that: fewer invented lines over music and silence"),
    ("word_timestamps", "Word timings",
     "Time every word: cues start on speech, karaoke highlight, snapping and splitting at words"),
)
VALUE_OPTIONS = ("language", "task", "beam_size", "batch_size", "initial_prompt")  # remembered fields that are not switches


def default_options() -> TranscribeOptions:
    from subtitler.asr.transcribe import TranscribeOptions  # torch: only once the user asks for a job

    return TranscribeOptions()


def option_fields() -> set[str]:
    from subtitler.asr.transcribe import TranscribeOptions

    return {f.name for f in dataclasses.fields(TranscribeOptions)}


def available_switches() -> list[tuple[str, str, str]]:
    fields = option_fields()
    return [switch for switch in SWITCHES if switch[0] in fields]


@dataclass(frozen=True)
class TranscribeChoice:
    """A model, the engine's options, where to run it, and the reading rules for the cues."""

    model_name: str
    options: TranscribeOptions
    device: str = "auto"
    precision: str = "auto"
    profile: str | None = None  # None: the spoken language's rules

    @property
    def language(self) -> str | None:
        return self.options.language

    @property
    def task(self) -> str:
        return self.options.task

    def job(self, media_path: str | Path, span_ms: tuple[int, int] | None = None, audio_stream: int = 0) -> TranscriptionJob:
        return TranscriptionJob(media_path=Path(media_path), model_name=self.model_name, options=self.options,
                                device=self.device, precision=self.precision, span_ms=span_ms,
                                profile=self.profile, audio_stream=audio_stream)


def _to_bool(value: object, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, str):  # INI files give strings back
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def _text(settings: QSettings, key: str) -> str | None:
    value = settings.value(key)
    return None if value is None else str(value)


def load_options(settings: QSettings) -> TranscribeOptions:
    """The remembered options on top of the engine's defaults; a damaged value falls back to its default."""
    defaults = default_options()
    fields = option_fields()
    changes: dict[str, object] = {}
    for name, _, _ in SWITCHES:
        if name in fields:
            changes[name] = _to_bool(settings.value(OPTION_PREFIX + name), getattr(defaults, name))
    language = _text(settings, KEY_LANGUAGE)
    if language is not None:
        changes["language"] = language or None
    task = _text(settings, KEY_TASK)
    if task in ("transcribe", "translate"):
        changes["task"] = task
    beam = _text(settings, OPTION_PREFIX + "beam_size")
    if beam is not None:
        changes["beam_size"] = int(beam) if beam.isdigit() and int(beam) > 1 else None
    batch = _text(settings, OPTION_PREFIX + "batch_size")
    if batch is not None:
        changes["batch_size"] = int(batch) if batch.isdigit() and 1 <= int(batch) <= MAX_BATCH_SIZE else None
    prompt = _text(settings, OPTION_PREFIX + "initial_prompt")
    if prompt is not None:
        changes["initial_prompt"] = prompt.strip() or None
    return dataclasses.replace(defaults, **changes)


def save_choice(settings: QSettings, choice: TranscribeChoice, language_chosen: bool = True) -> None:
    """Remember a choice; `language_chosen` False keeps the stored language and task (an English-only model forced them)."""
    settings.setValue(KEY_MODEL, choice.model_name)
    settings.setValue(KEY_DEVICE, choice.device)
    settings.setValue(KEY_PRECISION, choice.precision)
    settings.setValue(KEY_PROFILE, choice.profile or "")
    if language_chosen:
        settings.setValue(KEY_LANGUAGE, choice.options.language or "")
        settings.setValue(KEY_TASK, choice.options.task)
    settings.setValue(OPTION_PREFIX + "beam_size", str(choice.options.beam_size or 1))
    settings.setValue(OPTION_PREFIX + "batch_size", str(choice.options.batch_size or 0))
    settings.setValue(OPTION_PREFIX + "initial_prompt", choice.options.initial_prompt or "")
    for name, _, _ in available_switches():
        settings.setValue(OPTION_PREFIX + name, bool(getattr(choice.options, name)))


def model_folders(settings: QSettings) -> list[Path]:
    value = settings.value(KEY_MODEL_FOLDERS, [])
    items = [value] if isinstance(value, str) else list(value or [])
    return [Path(p) for p in items if p and Path(p).exists()]


def remember_model_folder(settings: QSettings, folder: Path) -> None:
    folders = [str(folder)] + [str(p) for p in model_folders(settings) if p != folder]
    settings.setValue(KEY_MODEL_FOLDERS, folders[:10])
