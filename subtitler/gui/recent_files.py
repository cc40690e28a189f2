"""Recently opened files, newest first, kept in QSettings."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from subtitler.gui.settings import SettingsKey, read_list

MAX_RECENT = 10


class RecentFiles:
    def __init__(self, settings: QSettings, limit: int = MAX_RECENT) -> None:
        self._settings = settings
        self._limit = limit

    def paths(self) -> list[str]:
        return read_list(self._settings, SettingsKey.RECENT_FILES)

    def add(self, path: str | Path) -> None:
        path = str(Path(path).resolve())
        paths = [path] + [p for p in self.paths() if p != path]
        self._settings.setValue(SettingsKey.RECENT_FILES.value, paths[: self._limit])

    def remove(self, path: str) -> None:
        self._settings.setValue(SettingsKey.RECENT_FILES.value, [p for p in self.paths() if p != path])

    def clear(self) -> None:
        self._settings.setValue(SettingsKey.RECENT_FILES.value, [])
