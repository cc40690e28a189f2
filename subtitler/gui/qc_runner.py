"""Re-runs the reading-rule checks shortly after edits stop, so rows and the status bar show current findings."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from subtitler.core.document import Document, DocumentChange
from dataclasses import replace

from subtitler.core.qc import CheckOptions, check
from subtitler.core.reading_rules import ReadingProfile, profile_for_language

DEBOUNCE_MS = 300


class QcRunner(QObject):
    """Checks run on the GUI thread: they are linear in the cues and take milliseconds for a feature film."""

    findings_changed = Signal(list)

    def __init__(self, min_probability: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._document: Document | None = None
        self._options = CheckOptions(min_probability=min_probability)
        self.chosen_profile: ReadingProfile | None = None  # None: the document language's profile
        self.findings: list = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.run_now)

    def watch(self, document: Document) -> None:
        if self._document is not None:
            self._document.changed.disconnect(self._on_document_changed)
        self._document = document
        document.changed.connect(self._on_document_changed)
        self.run_now()

    def _on_document_changed(self, _change: DocumentChange) -> None:
        self._timer.start()

    @property
    def profile(self) -> ReadingProfile:
        if self.chosen_profile is not None:
            return self.chosen_profile
        return profile_for_language(self._document.language if self._document is not None else None)

    def set_profile(self, profile: ReadingProfile | None) -> None:
        """Check against this profile from now on (None: follow the document's language)."""
        self.chosen_profile = profile
        self.run_now()

    def set_shot_changes(self, times_ms: tuple[int, ...]) -> None:
        """The video's cuts, for the shot-change rule."""
        self._options = replace(self._options, shot_changes_ms=tuple(times_ms))
        self.run_now()

    def run_now(self) -> None:
        self._timer.stop()
        if self._document is None:
            return
        self.findings = check(self._document, self.profile, self._options)
        self.findings_changed.emit(self.findings)
