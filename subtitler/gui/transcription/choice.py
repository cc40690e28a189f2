"""What the user chose in the Transcribe dialog, and how it is remembered between runs of the app.

Every default comes from ``TranscribeOptions()`` (and the CLI's model and device
defaults), so the dialog, the CLI and the engine share one source of defaults:
when an option's default changes, the dialog follows. Every decoding setting and
guard of ``subtitler.asr.option_specs`` is remembered under ``transcribe/decoding/``
in the CLI's spelling; the first dialog's keys (``transcribe/option/``) are still read.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings

from subtitler.asr.option_specs import (
    FALLBACK_STEP, FIRST_TEMPERATURE, SPECS, TEMPERATURE_SPECS, OptionSpec, apply_settings, settings_of,
)
from subtitler.errors import UserError
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
OPTION_PREFIX = "transcribe/option/"  # + a field name: where the first dialog stored its five options

DECODING_PREFIX = "transcribe/decoding/"  # + an option_specs field: every decoding setting and guard, as text
LEGACY_SWITCHES = ("condition_on_previous_text", "vad_filter", "word_timestamps")  # the first dialog's, under OPTION_PREFIX


def default_options() -> TranscribeOptions:
    from subtitler.asr.transcribe import TranscribeOptions  # torch: only once the user asks for a job

    return TranscribeOptions()


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


def stored_text(spec: OptionSpec, value: Any) -> str:
    """A setting as it is remembered: the CLI's spelling (``off``, ``on``, ``0.6``); free text as typed, "" for none."""
    if spec.kind is str and not spec.choices:
        return "" if value is None else ",".join(map(str, value)) if isinstance(value, tuple) else str(value)
    return spec.shown(value)


def parse_stored(spec: OptionSpec, text: str) -> Any:
    """The value ``stored_text`` wrote; ValueError for a damaged one (out of bounds, not a number, not a choice)."""
    if spec.kind is str and not spec.choices:
        return text.strip() or None
    return spec.parse(text)


def _legacy(settings: QSettings, field: str) -> tuple[bool, Any]:
    """A value the first dialog stored (beam size "1" meant greedy); (False, None) where it stored none."""
    raw = settings.value(OPTION_PREFIX + field)
    if raw is None:
        return False, None
    if field == "beam_size":
        text = str(raw)
        return True, int(text) if text.isdigit() and int(text) > 1 else None
    if field == "initial_prompt":
        return True, str(raw).strip() or None
    if field in LEGACY_SWITCHES:
        return True, _to_bool(raw, False)
    return False, None


def stored_settings(settings: QSettings) -> dict[str, Any]:
    """Every remembered decoding setting (field -> value); damaged ones are left out, so they keep their default."""
    found: dict[str, Any] = {}
    for spec in (*SPECS, *TEMPERATURE_SPECS):
        raw = settings.value(DECODING_PREFIX + spec.field)
        if raw is None:
            known, value = _legacy(settings, spec.field)
            if known:
                found[spec.field] = value
            continue
        try:
            found[spec.field] = parse_stored(spec, str(raw) if not isinstance(raw, bool) else spec.shown(raw))
        except ValueError:
            continue
    return found


def load_options(settings: QSettings) -> TranscribeOptions:
    """The remembered options on top of the engine's defaults; a damaged value falls back to its default.

    A combination that no longer passes the checks (a settings file edited by hand, or a check added since)
    keeps what passes setting by setting, in the order of SPECS, so the dialog always opens.
    """
    options = default_options()
    changes: dict[str, object] = {}
    language = _text(settings, KEY_LANGUAGE)
    if language is not None:
        changes["language"] = language or None
    task = _text(settings, KEY_TASK)
    if task in ("transcribe", "translate"):
        changes["task"] = task
    options = dataclasses.replace(options, **changes)
    stored = stored_settings(settings)
    try:
        return apply_settings(options, stored)
    except UserError:  # a stored combination that no longer holds: keep what still applies, one setting at a time
        pass
    temperature = {k: stored.pop(k) for k in (FIRST_TEMPERATURE, FALLBACK_STEP) if k in stored}
    for part in [*({field: value} for field, value in stored.items()), temperature]:
        try:
            options = apply_settings(options, part)
        except UserError:
            continue
    return options


def save_choice(settings: QSettings, choice: TranscribeChoice, language_chosen: bool = True) -> None:
    """Remember a choice; `language_chosen` False keeps the stored language and task (an English-only model forced them)."""
    settings.setValue(KEY_MODEL, choice.model_name)
    settings.setValue(KEY_DEVICE, choice.device)
    settings.setValue(KEY_PRECISION, choice.precision)
    settings.setValue(KEY_PROFILE, choice.profile or "")
    if language_chosen:
        settings.setValue(KEY_LANGUAGE, choice.options.language or "")
        settings.setValue(KEY_TASK, choice.options.task)
    values = settings_of(choice.options)
    for spec in (*SPECS, *TEMPERATURE_SPECS):
        settings.setValue(DECODING_PREFIX + spec.field, stored_text(spec, values[spec.field]))
    for field in ("beam_size", "initial_prompt", *LEGACY_SWITCHES):  # the first dialog's keys: superseded
        settings.remove(OPTION_PREFIX + field)


def model_folders(settings: QSettings) -> list[Path]:
    value = settings.value(KEY_MODEL_FOLDERS, [])
    items = [value] if isinstance(value, str) else list(value or [])
    return [Path(p) for p in items if p and Path(p).exists()]


def remember_model_folder(settings: QSettings, folder: Path) -> None:
    folders = [str(folder)] + [str(p) for p in model_folders(settings) if p != folder]
    settings.setValue(KEY_MODEL_FOLDERS, folders[:10])
