"""The one place that names every QSettings key the GUI stores.

A single enum keeps keys from drifting between the writer and the reader, and
`open_settings` is the one constructor so tests can hand the window their own file.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

from PySide6.QtCore import QSettings

ORGANIZATION = "Subtitler"
APPLICATION = "Subtitler"


class SettingsKey(str, Enum):
    """Every persisted GUI setting; the value is the QSettings path."""

    WINDOW_GEOMETRY = "window/geometry"
    WINDOW_STATE = "window/state"
    SPLITTER_MAIN = "window/splitter_main"
    SPLITTER_TOP = "window/splitter_top"
    SPLITTER_SIDE = "window/splitter_side"
    SHORTCUT_SCHEME = "shortcuts/scheme"
    SHORTCUT_OVERRIDES = "shortcuts/overrides"
    RECENT_FILES = "files/recent"
    LAST_DIRECTORY = "files/last_directory"
    SPECTROGRAM_VISIBLE = "view/spectrogram_visible"
    LOW_CONFIDENCE_THRESHOLD = "editor/low_confidence_threshold"


def open_settings(path: Path | None = None) -> QSettings:
    """The user's settings (INI format everywhere, so a file can be inspected), or a given file."""
    if path is not None:
        return QSettings(str(path), QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION)


def read_str(settings: QSettings, key: SettingsKey, default: str = "") -> str:
    value = settings.value(key.value, default)
    return default if value is None else str(value)


def read_bool(settings: QSettings, key: SettingsKey, default: bool) -> bool:
    value = settings.value(key.value, default)
    if isinstance(value, str):  # INI files give strings back
        return value.lower() in ("1", "true", "yes")
    return bool(value)


def read_float(settings: QSettings, key: SettingsKey, default: float) -> float:
    try:
        return float(settings.value(key.value, default))
    except (TypeError, ValueError):
        return default


def read_list(settings: QSettings, key: SettingsKey) -> list[str]:
    value = settings.value(key.value, [])
    if value is None:
        return []
    if isinstance(value, str):  # a one-element list comes back as a plain string from INI
        return [value] if value else []
    return [str(v) for v in value]
