"""TranscriptionController: starts one transcription at a time and feeds its cues into the document.

Cues go through the undo stack as they arrive (see subtitler.gui.transcription
for why the whole job is one undo step). The controller re-publishes the
worker's state as status text and progress for the main window's status bar.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, Qt, QThread, Signal

from subtitler.core.commands_base import Command
from subtitler.core.document import Document
from subtitler.errors import UserError
from subtitler.gui.transcription import EngineCache, EngineFactory, InsertTranscribedCues, TranscriptionJob
from subtitler.gui.transcription_worker import TranscriptionWorker

if TYPE_CHECKING:
    from subtitler.asr.transcribe import TranscribeOptions


class TranscriptionBusy(UserError):
    """A second job was asked for while one runs."""


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}" if whole >= 3600 else f"{whole // 60}:{whole % 60:02d}"


class TranscriptionController(QObject):
    """Owns the worker thread and the engine cache; `document()` and `push(command)` come from the window."""

    status_changed = Signal(str)
    progress_changed = Signal(float, float)  # done_s, total_s
    running_changed = Signal(bool)  # False once the worker thread has ended
    cues_added = Signal(int)  # per batch
    warned = Signal(str)
    finished = Signal(int)  # cues added by the whole job
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, document: Callable[[], Document], push: Callable[[Command], None],
                 engine_factory: EngineFactory | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self._push = push
        self.engines = EngineCache(engine_factory) if engine_factory is not None else EngineCache()
        self._thread: QThread | None = None
        self._worker: TranscriptionWorker | None = None
        self._job: TranscriptionJob | None = None
        self._job_document: Document | None = None
        self._added = 0
        self.language: str | None = None  # of the last job, once known
        self._started = 0.0  # time.monotonic() at the job's start: the finished message gives the realtime factor
        self._duration: float | None = None

    @property
    def is_running(self) -> bool:
        return self._thread is not None

    def start(self, media_path: str | Path, options: TranscribeOptions | None, model_name: str, device: str = "auto") -> None:
        """Start a job; TranscriptionBusy (a UserError) while another one runs."""
        path = Path(media_path)
        if self._thread is not None:
            running = self._job.media_path.name if self._job is not None else "a file"
            raise TranscriptionBusy(f"{path.name}: a transcription of {running} is still running; "
                                    "wait for it to finish or cancel it first")
        self._job = TranscriptionJob(media_path=path, model_name=model_name, options=options, device=device)
        self._job_document = self._document()
        self._added = 0
        self.language = None
        self._started, self._duration = time.monotonic(), None
        self._start_thread(TranscriptionWorker(self._job, self.engines.get))
        self.running_changed.emit(True)

    def cancel(self) -> None:
        """Ask the job to stop; `cancelled` follows within one decode step or window."""
        if self._worker is not None and shiboken6.isValid(self._worker):
            self._worker.cancel()
            self.status_changed.emit("Cancelling the transcription…")

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Cancel and wait for the thread (window closing); False if it did not end in time."""
        thread = self._thread
        if thread is None:
            return True
        self.cancel()
        ended = not shiboken6.isValid(thread) or thread.wait(timeout_ms)
        if ended:
            self._on_thread_finished()
        return ended

    def _start_thread(self, worker: TranscriptionWorker) -> None:
        # Not workers.start_worker: that starts the thread before the caller could hear it finish,
        # and its queued quit would deadlock shutdown()'s wait on the GUI thread.
        thread = QThread(self)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.done.connect(thread.quit, Qt.ConnectionType.DirectConnection)  # QThread.quit is thread-safe
        worker.progress_changed.connect(self._on_worker_progress_changed)
        worker.segments_ready.connect(self._on_worker_segments_ready)
        worker.info_ready.connect(self._on_worker_info_ready)
        worker.status_changed.connect(self.status_changed)
        worker.warned.connect(self.warned)
        worker.finished.connect(self._on_worker_finished)
        worker.failed.connect(self._on_worker_failed)
        worker.cancelled.connect(self._on_worker_cancelled)
        thread.finished.connect(self._on_thread_finished)
        self._thread, self._worker = thread, worker
        thread.start()

    def _on_thread_finished(self) -> None:
        """Let the worker go only once its thread has ended.

        The worker was made in Python, so Python deletes it when the last reference
        goes; a deleteLater in its thread as well would race that and delete it twice.
        """
        thread = self._thread
        if thread is None:
            return
        if shiboken6.isValid(thread):
            thread.wait()  # `finished` is its last act: returns at once
            thread.deleteLater()
        self._thread = self._worker = None
        self.running_changed.emit(False)

    # --- worker results (queued to the GUI thread, in the order they were sent) ---------------
    def _on_worker_segments_ready(self, cues: list[Any]) -> None:
        doc = self._job_document
        if doc is None or not cues:
            return
        if self._document() is not doc:  # another document was opened: these cues belong to the old one
            self.cancel()
            return
        self._push(InsertTranscribedCues(doc, cues, job=self._job))
        self._added += len(cues)
        self.cues_added.emit(len(cues))

    def _on_worker_progress_changed(self, done_s: float, total_s: float) -> None:
        self.progress_changed.emit(done_s, total_s)
        if self._job is not None:
            self.status_changed.emit(f"Transcribing {self._job.media_path.name}: {_clock(done_s)} of {_clock(total_s)}, "
                                     f"{self._added} cue{'s' if self._added != 1 else ''}")

    def _on_worker_info_ready(self, info: Any) -> None:
        self.language = str(info.language)
        self._duration = float(info.duration)

    def _on_worker_finished(self) -> None:
        name = self._job.media_path.name if self._job is not None else ""
        self.status_changed.emit(f"Transcribed {name}: {self._added} cue{'s' if self._added != 1 else ''}"
                                 + (f" ({self.language})" if self.language else "") + self._speed())
        self.finished.emit(self._added)

    def _speed(self) -> str:
        """', 4.2x realtime' for the whole job (model load included), as the CLI reports it."""
        wall = time.monotonic() - self._started
        if self._duration is None or wall <= 0:
            return ""
        return f", {self._duration / wall:.1f}x realtime"

    def _on_worker_failed(self, message: str) -> None:
        self.status_changed.emit(f"Transcription failed: {message}")
        self.failed.emit(message)

    def _on_worker_cancelled(self) -> None:
        kept = f"; the {self._added} cues found so far stay (Undo removes them)" if self._added else ""
        self.status_changed.emit("Transcription cancelled" + kept)
        self.cancelled.emit()
