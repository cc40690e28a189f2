"""AlignmentController: the "Align words" command of the editor, on a worker thread, as one undo step.

The user retypes words (the core flags them ``needs_alignment``) or types a cue by hand; this
command times those words by forced alignment against the media, leaving every other word as
it was. The work runs on a thread so the window stays live; Cancel stops it and changes nothing.
The result is pushed as one :class:`~subtitler.core.commands_words.SetWords` command, for the
rows that did not change while it ran.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, QSettings, QThread, Signal

from subtitler.core.commands_words import SetWords
from subtitler.core.word_alignment import needs_alignment
from subtitler.gui.alignment.worker import AlignWordsJob, AlignWordsWorker
from subtitler.gui.dialogs import messages
from subtitler.gui.workers.job import start_worker

if TYPE_CHECKING:
    from subtitler.gui.actions import ActionRegistry
    from subtitler.gui.main_window import MainWindow

DEFAULT_MODEL = "base"


def choose_model(recent: tuple[str, str] | None, settings: QSettings) -> tuple[str, str]:
    """(model, device): the engine already loaded (the one that transcribed), else the one the Transcribe dialog remembers."""
    if recent is not None:
        return recent
    from subtitler.gui.transcription.choice import KEY_DEVICE, KEY_MODEL

    return str(settings.value(KEY_MODEL, "") or DEFAULT_MODEL), str(settings.value(KEY_DEVICE, "auto") or "auto")


class AlignmentController(QObject):
    """Starts one alignment at a time for the window's selection and applies its result."""

    running_changed = Signal(bool)
    status_changed = Signal(str)
    finished = Signal(int)  # rows whose words changed
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.w = window
        self._worker: AlignWordsWorker | None = None
        self._thread: QThread | None = None
        self._job: AlignWordsJob | None = None
        self._document = None

    @property
    def is_running(self) -> bool:
        return self._worker is not None

    def bind(self, actions: "ActionRegistry") -> None:
        """Menu actions and the window's status bar and dialogs (called once the actions exist)."""
        actions.connect({"align_words": self.align_selection, "cancel_alignment": self.cancel})
        actions["cancel_alignment"].setEnabled(False)
        self.running_changed.connect(lambda running: actions["align_words"].setEnabled(not running))
        self.running_changed.connect(actions["cancel_alignment"].setEnabled)
        self.status_changed.connect(lambda text: self.w.status.show_hint(text, 0))
        self.failed.connect(lambda message: messages.show_error(self.w, "Could not align words", message))

    # --- starting -----------------------------------------------------------------------------------
    def align_selection(self) -> bool:
        """Align the selected cues (or the current one); False with a status hint when there is nothing to do."""
        rows = self.w.table.selected_rows() or ([self.w.table.current_row()] if self.w.table.current_row() >= 0 else [])
        document = self.w.document
        wanted = tuple(r for r in sorted(set(rows)) if 0 <= r < len(document) and needs_alignment(document[r]))
        if self.is_running:
            self.status_changed.emit("Words are being aligned already; wait for it or cancel it")
            return False
        if not wanted:
            self.status_changed.emit("Nothing to align: every word of the selection already has its time"
                                     if rows else "Select the cues whose words to align")
            return False
        if not document.media_path:
            self.failed.emit("Open the video or audio of these subtitles first: alignment listens to it")
            return False
        model, device = choose_model(self.w.transcription.engines.recent(), self.w.settings)
        language = document.language or self.w.transcription.language
        self._job = AlignWordsJob(Path(document.media_path), document.cues, wanted, model, device, language)
        self._document = document
        worker = AlignWordsWorker(self._job, self.w.transcription.engines.get)
        worker.aligned.connect(self._on_worker_aligned)
        worker.status_changed.connect(self.status_changed)
        worker.failed.connect(self._on_worker_failed)
        worker.cancelled.connect(self._on_worker_cancelled)
        worker.done.connect(self._on_worker_done)
        self._worker = worker
        self._thread = start_worker(worker)
        self.running_changed.emit(True)
        return True

    def cancel(self) -> None:
        if self._worker is not None and shiboken6.isValid(self._worker):
            self._worker.cancel()
            self.status_changed.emit("Cancelling the word alignment…")

    def shutdown(self, timeout_ms: int = 10_000) -> None:
        """Cancel and wait for the thread (the window is closing)."""
        thread = self._thread
        self.cancel()
        if thread is not None and shiboken6.isValid(thread):
            thread.wait(timeout_ms)

    # --- results (queued to the GUI thread) ----------------------------------------------------------
    def _on_worker_aligned(self, words: dict[int, Any]) -> None:
        job, document = self._job, self._document
        if job is None or document is not self.w.document:
            self.status_changed.emit("Word alignment dropped: another document was opened meanwhile")
            return
        fresh = {row: w for row, w in words.items() if row < len(document) and document[row] == job.cues[row]}
        stale = sorted(set(words) - set(fresh))
        if fresh:
            self.w.push(SetWords(document, fresh))
        count = sum(1 for row in fresh for word in words[row] if word not in job.cues[row].words)
        note = f"; cue {', '.join(str(r + 1) for r in stale)} changed meanwhile: align it again" if stale else ""
        self.status_changed.emit(f"Aligned the words of {len(fresh)} cue{'s' if len(fresh) != 1 else ''}"
                                 f" ({count} word{'s' if count != 1 else ''} timed){note}")
        self.finished.emit(len(fresh))

    def _on_worker_failed(self, message: str) -> None:
        self.status_changed.emit("Word alignment failed; nothing changed")
        self.failed.emit(message)

    def _on_worker_cancelled(self) -> None:
        self.status_changed.emit("Word alignment cancelled; nothing changed")
        self.cancelled.emit()

    def _on_worker_done(self) -> None:
        self._worker = None
        self._thread = None
        self.running_changed.emit(False)
