"""Transcription jobs: a bounded queue, one worker thread per loaded model, and the waiters of each job.

Threads and the event loop meet in one place: a worker reports a job's progress only through
``loop.call_soon_threadsafe``, so a Job's state is read and written on the loop alone. The
worker polls a ``threading.Event`` between windows and decoding steps (the engine's
``should_stop``); the last waiter leaving sets it, which is how a client that disconnects
cancels its job.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import queue
import threading
from collections import Counter
from collections.abc import AsyncIterator, Callable

import numpy as np

from subtitler.asr.transcribe import Segment, TranscribeOptions, TranscriptionInfo
from subtitler.errors import Cancelled, UserError
from subtitler.service.results import TranscriptResult

log = logging.getLogger(__name__)


class ServiceBusy(Exception):
    """The queue is full (HTTP 503 with Retry-After)."""


class JobState(enum.Enum):
    PREPARING = "preparing"  # the request that created it is still decoding the upload
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED = (JobState.DONE, JobState.FAILED, JobState.CANCELLED)


class Job:
    """One transcription that one or more identical requests wait for."""

    def __init__(self, key: str, task: str, loop: asyncio.AbstractEventLoop) -> None:
        self.key, self.task, self.loop = key, task, loop
        self.state = JobState.PREPARING
        self.info: TranscriptionInfo | None = None
        self.segments: list[Segment] = []
        self.result: TranscriptResult | None = None
        self.error: BaseException | None = None
        self.waiters = 0
        self.audio: np.ndarray | None = None
        self.options: TranscribeOptions | None = None
        self._stop = threading.Event()
        self._changed = asyncio.Event()
        self._on_finished: list[Callable[[Job], None]] = []

    # --- on the loop ------------------------------------------------------------------
    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    def join(self) -> None:
        self.waiters += 1

    def leave(self) -> None:
        """A waiter went away; the last one leaving an unfinished job cancels it."""
        self.waiters -= 1
        if self.waiters <= 0:
            self.cancel()

    def cancel(self) -> None:
        """Stop the job: at once when it waits, at the worker's next check when it runs."""
        if self.finished or self._stop.is_set():
            return
        self._stop.set()
        if self.state in (JobState.PREPARING, JobState.QUEUED):
            self._set(JobState.CANCELLED)  # the worker drops it when it comes up
        else:
            self._notify_finished_early()

    def fail(self, error: BaseException) -> None:
        if not self.finished:
            self.error = error
            self._set(JobState.FAILED)

    def add_finished_callback(self, callback: Callable[[Job], None]) -> None:
        self._on_finished.append(callback)

    async def updates(self) -> AsyncIterator[Segment]:
        """Every segment so far, then each new one as the worker finishes it; ends when the job does."""
        sent = 0
        while True:
            changed = self._changed  # taken before reading, so a change after the read wakes us
            while sent < len(self.segments):
                sent += 1
                yield self.segments[sent - 1]
            if self.finished:
                return
            await changed.wait()

    async def wait(self) -> TranscriptResult:
        """The result; raises the job's error, or Cancelled."""
        async for _ in self.updates():
            pass
        if self.state is JobState.DONE and self.result is not None:
            return self.result
        if self.state is JobState.FAILED and self.error is not None:
            raise self.error
        raise Cancelled("the job was cancelled")

    def _set(self, state: JobState) -> None:
        self.state = state
        if self.finished:
            self.audio = None
            for callback in self._on_finished:
                callback(self)
        self._wake()

    def _notify_finished_early(self) -> None:
        """Cancelled while running: identical requests from now on start afresh instead of joining."""
        for callback in self._on_finished:
            callback(self)

    def _wake(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    # --- from the worker thread ---------------------------------------------------------
    def should_stop(self) -> bool:
        return self._stop.is_set()

    def post(self, method: Callable, *args) -> None:
        try:
            self.loop.call_soon_threadsafe(method, *args)
        except RuntimeError:  # the loop closed: the server is shutting down
            self._stop.set()

    def _running(self) -> None:
        if not self.finished:
            self._set(JobState.RUNNING)

    def _got_info(self, info: TranscriptionInfo) -> None:
        self.info = info
        self._wake()

    def _got_segment(self, segment: Segment) -> None:
        self.segments.append(segment)
        self._wake()

    def _done(self, result: TranscriptResult) -> None:
        if not self.finished:
            self.result = result
            self._set(JobState.DONE)

    def _cancelled(self) -> None:
        if not self.finished:
            self._set(JobState.CANCELLED)


class JobQueue:
    """A bounded queue in front of one worker thread per engine (one engine per device)."""

    def __init__(self, engines: dict[str, object], size: int, on_result: Callable[[str, TranscriptResult], None]) -> None:
        self.engines = engines
        self._queue: queue.Queue[Job | None] = queue.Queue(maxsize=size)
        self._on_result = on_result  # called on the worker thread before the job is marked done (the cache)
        self._lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self._threads = [threading.Thread(target=self._work, args=(device, engine), name=f"asr-{device}", daemon=True)
                         for device, engine in engines.items()]
        for thread in self._threads:
            thread.start()

    def submit(self, job: Job, audio: np.ndarray, options: TranscribeOptions) -> None:
        """Queue a prepared job (call on the loop); ServiceBusy when the queue is full."""
        if job.finished:  # its last waiter left while the upload was decoded
            return
        job.audio, job.options, job.state = audio, options, JobState.QUEUED
        try:
            self._queue.put_nowait(job)
        except queue.Full:
            job.audio = None
            raise ServiceBusy(f"{self._queue.maxsize} jobs are waiting already; try again in a minute") from None

    def stats(self) -> dict[str, int]:
        with self._lock:
            counts = dict(self.counts)
        return {"queued": self._queue.qsize(), "running": counts.get("running", 0), "workers": len(self._threads),
                "done": counts.get("done", 0), "failed": counts.get("failed", 0), "cancelled": counts.get("cancelled", 0)}

    def close(self, timeout: float = 10.0) -> None:
        """Stop the workers after their current job (whose waiters have been cancelled by then)."""
        while True:
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                break
            if job is not None:
                job.post(job._cancelled)
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout)

    def _count(self, name: str, delta: int = 1) -> None:
        with self._lock:
            self.counts[name] += delta

    def _work(self, device: str, engine) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            if job.should_stop():
                self._count("cancelled")
                job.post(job._cancelled)
                continue
            self._count("running")
            try:
                outcome, method, value = self._run(engine, job)
            finally:
                job.audio = None
            with self._lock:  # one step, so /health never shows a job both running and finished
                self.counts["running"] -= 1
                self.counts[outcome] += 1
            if value is None:
                job.post(method)
            else:
                job.post(method, value)

    def _run(self, engine, job: Job) -> tuple[str, Callable, object]:
        """Run one job; returns the outcome's counter name and what to tell the job."""
        job.post(job._running)
        infos: list[TranscriptionInfo] = []
        segments: list[Segment] = []

        def info(value: TranscriptionInfo) -> None:
            infos.append(value)
            job.post(job._got_info, value)

        try:
            for segment in engine.transcribe(job.audio, job.options, should_stop=job.should_stop, on_info=info):
                segments.append(segment)
                job.post(job._got_segment, segment)
            result = TranscriptResult(job.task, infos[0], tuple(segments))
            self._on_result(job.key, result)  # cached before done: an identical request from now on is a hit
        except Cancelled:
            return "cancelled", job._cancelled, None
        except UserError as exc:
            return "failed", job.fail, exc
        except Exception as exc:  # a bug: logged with its traceback, the client gets a 500
            log.exception("transcription failed")
            return "failed", job.fail, exc
        return "done", job._done, result
