"""The question Ctrl+T asks when the document already has cues (it used to add a second set silently)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from subtitler.gui.transcription.job import Placement

BUTTON_REPLACE = "&Replace all cues"
BUTTON_FILL = "&Fill stretches without cues"
BUTTON_SELECTION = "Only the &selection"


def ask_existing_cues(parent: QWidget | None, cue_count: int, selection: str | None) -> Placement | None:
    """Replace all, fill only the stretches without cues, only the selection (when there is one), or None to cancel."""
    box = QMessageBox(parent)
    box.setObjectName("existing_cues_question")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("The document already has cues")
    box.setText(f"This document already has {cue_count} cue{'s' if cue_count != 1 else ''}. What should the transcription do?")
    box.setInformativeText("Replacing is one undo step. Filling keeps every cue and adds recognised speech only where "
                           "there are no cues." + (f" The selection is {selection}." if selection else ""))
    answers = {
        box.addButton(BUTTON_REPLACE, QMessageBox.ButtonRole.DestructiveRole): Placement.REPLACE_ALL,
        box.addButton(BUTTON_FILL, QMessageBox.ButtonRole.AcceptRole): Placement.FILL,
    }
    if selection:
        answers[box.addButton(BUTTON_SELECTION, QMessageBox.ButtonRole.AcceptRole)] = Placement.SELECTION
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.exec()
    return answers.get(box.clickedButton())
