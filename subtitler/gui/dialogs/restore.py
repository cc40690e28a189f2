"""The question asked at start when a previous session crashed with unsaved work."""

from __future__ import annotations

import time
from enum import Enum

from PySide6.QtWidgets import QMessageBox, QWidget

from subtitler.gui.autosave import Recovery


class RestoreChoice(Enum):
    RESTORE = "restore"
    DISCARD = "discard"
    LATER = "later"


def describe(recovery: Recovery) -> str:
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(recovery.saved_at)) if recovery.saved_at else "an unknown time"
    what = recovery.source_path or (f"an untitled document for {recovery.media_path}" if recovery.media_path else "an untitled document")
    return f"Subtitler closed unexpectedly while you were editing {what}.\nThe work autosaved at {when} can be restored."


def ask_restore(parent: QWidget | None, recovery: Recovery) -> RestoreChoice:
    """Restore / Discard / Keep for later (the autosave stays for the next start)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Restore unsaved work?")
    box.setText(describe(recovery))
    restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton("Not now", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(restore)
    box.exec()
    if box.clickedButton() is restore:
        return RestoreChoice.RESTORE
    if box.clickedButton() is discard:
        return RestoreChoice.DISCARD
    return RestoreChoice.LATER
