"""JobWorker: the shared shape of every background job, and how to start one on a thread.

A job runs `_work()` in its thread, checks `should_stop()` between steps (the
core raises Cancelled), and ends with exactly one of completed / failed /
cancelled, then `done` (which quits its thread). `cancel()` is thread-safe and
may be called directly from the GUI thread while the job runs.
"""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, QThread, Signal, Slot

from subtitler.errors import Cancelled, UserError
from subtitler.gui.player import refcount_guard  # noqa: F401

PROGRESS_INTERVAL_S = 0.1  # progress and partial results at most 10 times a second


class Throttle:
    """Lets an event through at most once per interval (the first always passes)."""

    def __init__(self, interval_s: float = PROGRESS_INTERVAL_S) -> None:
        self.interval_s = interval_s
        self._last = -float("inf")

    def ready(self) -> bool:
        now = time.monotonic()
        if now - self._last < self.interval_s:
            return False
        self._last = now
        return True


class JobWorker(QObject):
    """Base for background jobs: subclasses implement `_work()` and emit their own partial results."""

    failed = Signal(str)
    cancelled = Signal()
    done = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._stop = threading.Event()

    def cancel(self) -> None:
        self._stop.set()

    def should_stop(self) -> bool:
        return self._stop.is_set()

    @Slot()
    def run(self) -> None:
        try:
            self._work()
            if self.should_stop():
                self.cancelled.emit()
        except Cancelled:
            self.cancelled.emit()
        except UserError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # a bug: report it instead of killing the thread silently
            self.failed.emit(f"{type(exc).__name__}: {exc}")
        finally:
            self.done.emit()

    def _work(self) -> None:
        raise RuntimeError(f"{type(self).__name__} must define _work()")


def start_worker(worker: JobWorker, parent: QObject | None = None) -> QThread:
    """Move `worker` to a new thread, start it, and clean both up when the job is done.

    The caller keeps the returned thread (and worker) referenced until `done`;
    to stop early, call worker.cancel() and wait for `done`.
    """
    thread = QThread(parent)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.done.connect(thread.quit)
    thread.finished.connect(worker.deleteLater)
    thread.finished.connect(thread.deleteLater)
    thread.start()
    return thread
