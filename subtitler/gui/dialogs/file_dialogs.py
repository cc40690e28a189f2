"""File choosers behind plain functions, so actions stay testable (tests call the window's path methods directly)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFileDialog, QLineEdit, QWidget


def ask_open_path(parent: QWidget | None, title: str, directory: str, name_filter: str) -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, title, directory, name_filter)
    return path or None


def save_dialog(parent: QWidget | None, title: str, suggested: str, name_filter: str,
                rename: Callable[[str, str], str] | None = None) -> QFileDialog:
    """A Save dialog whose file name follows the filter the user picks.

    Qt's own dialog swaps only the last suffix ('talk.subtitler.json' became
    'talk.subtitler.srt'); `rename(name, chosen_filter)` gives the sensible name
    instead. Native dialogs (GTK, Windows, macOS) do their own naming and are left alone.
    """
    dialog = QFileDialog(parent, title)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setNameFilters(name_filter.split(";;"))
    dialog.selectFile(suggested)
    if rename is not None:
        def follow_filter(chosen: str) -> None:
            edit = dialog.findChild(QLineEdit, "fileNameEdit")  # the widget dialog's name box
            if edit is not None and edit.text():
                edit.setText(rename(edit.text(), chosen))

        dialog.filterSelected.connect(follow_filter)
    return dialog


def ask_save_path(parent: QWidget | None, title: str, suggested: str, name_filter: str,
                  rename: Callable[[str, str], str] | None = None) -> tuple[str, str] | None:
    """The chosen path and the filter the user picked (it names the format), or None when cancelled."""
    dialog = save_dialog(parent, title, suggested, name_filter, rename)
    if dialog.exec() != QFileDialog.DialogCode.Accepted or not dialog.selectedFiles():
        return None
    return dialog.selectedFiles()[0], dialog.selectedNameFilter()
