"""SpellerWorker: loads a spelling dictionary (a few hundred ms) off the GUI thread."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal

from subtitler.core.spelling import Speller
from subtitler.gui.workers.job import JobWorker


class SpellerWorker(JobWorker):
    """completed(Speller) once loaded; failed(message) when the language has no dictionary."""

    completed = Signal(object)

    def __init__(self, language: str, user_dir: Path | None = None) -> None:
        super().__init__()
        self.language = language
        self.user_dir = user_dir

    def _work(self) -> None:
        self.completed.emit(Speller(self.language, self.user_dir))
