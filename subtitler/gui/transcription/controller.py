"""TranscriptionController: starts one transcription at a time and places its cues in the document.

Cues go through the undo stack as ApplyTranscription commands (see
subtitler.core.commands_transcription for why a whole job is one undo step):
- FILL streams the cues into the stretches without cues (all of an empty document);
- REPLACE_ALL removes every cue when the job starts, then streams;
- SELECTION collects the cues of the selected span and, when the job has finished,
  replaces the selected cues with them in one step (a cancelled or silent job keeps them).
A whole-file job sets the document's language to the one spoken (English for a
translation), so QC, CPS and the saved project follow it. The controller re-publishes
the worker's state as status text and progress for the window.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, QThread, Signal

from subtitler.core.commands_base import Command
from subtitler.core.commands_transcription import ApplyTranscription
from subtitler.core.cue import Cue
from subtitler.core.document import Document
from subtitler.core.placement import fit_into_gaps
from subtitler.core.reading_rules import get_profile, profile_for_language
from subtitler.errors import UserError
from subtitler.gui.transcription.job import EngineCache, EngineFactory, Placement, TranscriptionJob
from subtitler.gui.transcription.worker import TranscriptionWorker


class TranscriptionBusy(UserError):
    """A second job was asked for while one runs."""


def clock(seconds: float) -> str:
    whole = int(max(0.0, seconds))
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}" if whole >= 3600 else f"{whole // 60}:{whole % 60:02d}"


def _plural(n: int, word: str = "cue") -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


class TranscriptionController(QObject):
    """Owns the worker thread and the engine cache; `document()` and `push(command)` come from the window."""

    status_changed = Signal(str)
    progress_changed = Signal(float, float)  # done_s (< 0: the first window is running), total_s
    running_changed = Signal(bool)  # False once the worker thread has ended
    language_detected = Signal(str, float)  # code, probability (1.0 when it was given)
    cues_added = Signal(int)  # per batch
    warned = Signal(str)
    finished = Signal(int)  # cues added by the whole job
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, document: Callable[[], Document], push: Callable[[Command], Any],
                 engine_factory: EngineFactory | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self._push = push
        self.engines = EngineCache(engine_factory) if engine_factory is not None else EngineCache()
        self._thread: QThread | None = None
        self._worker: TranscriptionWorker | None = None
        self.job: TranscriptionJob | None = None
        self.placement = Placement.FILL
        self._job_document: Document | None = None
        self._kept: tuple[Cue, ...] = ()  # cues the job's cues must fit around
        self._replaced: tuple[Cue, ...] = ()  # SELECTION: the cues its result replaces
        self._collected: list[Cue] = []
        self._sets_language = False
        self._pending_language: str | None = None
        self._added = 0
        self.language: str | None = None  # of the last job, once known
        self.language_probability: float | None = None
        self._started = 0.0  # time.monotonic() at the job's start
        self._duration: float | None = None  # seconds of audio the job transcribes, once known

    @property
    def is_running(self) -> bool:
        return self._thread is not None

    def start(self, job: TranscriptionJob, placement: Placement = Placement.FILL, rows: Sequence[int] = ()) -> None:
        """Start a job; TranscriptionBusy (a UserError) while another one runs. `rows`: the selection it replaces."""
        if self._thread is not None:
            running = self.job.media_path.name if self.job is not None else "a file"
            raise TranscriptionBusy(f"{job.media_path.name}: a transcription of {running} is still running; "
                                    "wait for it to finish or cancel it first")
        doc = self._document()
        if placement is Placement.SELECTION and job.span_ms is None:
            raise UserError("Select the cues (or Shift+drag a range on the timeline) to transcribe again")
        self.job, self.placement, self._job_document = job, placement, doc
        chosen = set(rows) if placement is Placement.SELECTION else set(range(len(doc))) if placement is Placement.REPLACE_ALL else set()
        self._replaced = tuple(doc[r] for r in sorted(chosen))
        self._kept = tuple(cue for r, cue in enumerate(doc) if r not in chosen)
        self._collected = []
        self._sets_language = placement is Placement.REPLACE_ALL or (placement is Placement.FILL and (not len(doc) or doc.language is None))
        self._pending_language = None
        self._added = 0
        self.language = self.language_probability = None
        self._started, self._duration = time.monotonic(), None  # the finished message gives the realtime factor
        if placement is Placement.REPLACE_ALL and len(doc):
            self._push(ApplyTranscription(doc, [], job, remove_rows=range(len(doc)), text="Transcribe (replace all)"))
        self._start_thread(TranscriptionWorker(job, self.engines.get))
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

    # --- placing cues ------------------------------------------------------------------------
    def _min_gap_ms(self) -> int:
        job = self.job
        profile = get_profile(job.profile) if job is not None and job.profile else profile_for_language(self.language)
        return profile.min_gap_ms

    def _apply(self, command: ApplyTranscription) -> None:
        if self._push(command) is not False:  # the window's push answers False when an edit was refused
            self._added += len(command.cues)
            if command.cues:
                self.cues_added.emit(len(command.cues))

    def _replace_selection(self) -> None:
        """The end of a SELECTION job: its cues instead of the selected ones, in one step."""
        doc = self._job_document
        replaced = {id(cue) for cue in self._replaced}  # the same objects unless they were edited (cues are immutable)
        rows = [r for r, cue in enumerate(doc) if id(cue) in replaced] if doc is not None else []
        if doc is None or len(rows) != len(self._replaced):
            self.failed.emit("The selected cues were edited while they were transcribed; nothing was replaced. "
                             "Select them again and repeat.")
            return
        cues = fit_into_gaps(self._kept, self._collected, self._min_gap_ms())
        if not cues:
            self.status_changed.emit("No speech was recognised in the selection; its cues were kept")
            return
        task = self.job.options.task if self.job is not None and self.job.options is not None else "transcribe"
        self._apply(ApplyTranscription(doc, cues, self.job, remove_rows=rows,
                                       text="Translate selection" if task == "translate" else "Transcribe selection"))

    # --- worker results (queued to the GUI thread, in the order they were sent) ---------------
    def _on_worker_segments_ready(self, cues: list[Cue]) -> None:
        doc = self._job_document
        if doc is None or not cues:
            return
        if self._document() is not doc:  # another document was opened: these cues belong to the old one
            self.cancel()
            return
        if self.placement is Placement.SELECTION:
            self._collected.extend(cues)
            return
        fitted = fit_into_gaps(self._kept, cues, self._min_gap_ms())
        language, self._pending_language = self._pending_language, None
        if fitted or (language is not None and language != doc.language):
            self._apply(ApplyTranscription(doc, fitted, self.job, language=language))

    def _on_worker_progress_changed(self, done_s: float, total_s: float) -> None:
        self.progress_changed.emit(done_s, total_s)
        if self.job is not None and done_s >= 0:
            found = len(self._collected) if self.placement is Placement.SELECTION else self._added
            self.status_changed.emit(f"Transcribing {self.job.media_path.name}: {clock(done_s)} of {clock(total_s)}, "
                                     f"{_plural(found)}")

    def _on_worker_info_ready(self, info: Any) -> None:
        translating = self.job is not None and self.job.options is not None and self.job.options.task == "translate"
        self.language, self.language_probability = str(info.language), float(info.language_probability)
        self._duration = float(info.duration)
        self.language_detected.emit(self.language, self.language_probability)
        if self._sets_language:
            self._pending_language = "en" if translating else self.language

    def _on_worker_finished(self) -> None:
        if self.placement is Placement.SELECTION:
            self._replace_selection()
        name = self.job.media_path.name if self.job is not None else ""
        self.status_changed.emit(f"Transcribed {name}: {_plural(self._added)}" + (f" ({self.language})" if self.language else "")
                                 + self._speed())
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
        if self.placement is Placement.SELECTION:
            kept = "; the selected cues were kept"
        else:
            kept = f"; the {_plural(self._added)} found so far stay (Undo removes them)" if self._added else ""
        self.status_changed.emit("Transcription cancelled" + kept)
        self.cancelled.emit()
