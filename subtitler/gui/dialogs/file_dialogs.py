"""File choosers behind plain functions, so actions stay testable (tests call the window's path methods directly)."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QWidget


def ask_open_path(parent: QWidget | None, title: str, directory: str, name_filter: str) -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, title, directory, name_filter)
    return path or None


def ask_save_path(parent: QWidget | None, title: str, suggested: str, name_filter: str) -> tuple[str, str] | None:
    """The chosen path and the filter the user picked (it names the format), or None when cancelled."""
    path, chosen_filter = QFileDialog.getSaveFileName(parent, title, suggested, name_filter)
    return (path, chosen_filter) if path else None
