"""JobWorker: the shared shape of every background job, and how to start one on a thread.

A job runs `_work()` in its thread, checks `should_stop()` between steps (the
core raises Cancelled), and ends with exactly one of completed / failed /
cancelled, then `done` (which quits its thread). `cancel()` is thread-safe and
may be called directly from the GUI thread while the job runs.
"""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal, Slot

from subtitler.errors import Cancelled, UserError

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
        except Exception as exc:  # noqa: BLE001 - a bug: report it rather than end the thread silently
            self.failed.emit(f"{type(exc).__name__}: {exc}")
        finally:
            self.done.emit()

    def _work(self) -> None:
        raise RuntimeError(f"{type(self).__name__} must define _work()")


class _Keeper(QObject):
    """Holds running workers and threads until their thread has finished.

    Without it, dropping the last Python reference would delete a QThread that
    is still running (Qt aborts) or a worker that is still executing.
    """

    def __init__(self) -> None:
        super().__init__(QCoreApplication.instance())
        self.running: dict[int, tuple[JobWorker, QThread]] = {}

    def keep(self, worker: JobWorker, thread: QThread) -> None:
        self.running[id(thread)] = (worker, thread)
        thread.finished.connect(self._on_thread_finished)  # queued: runs here, after the thread ended

    def _on_thread_finished(self) -> None:
        thread = self.sender()
        if thread is None:
            return
        thread.wait()  # `finished` is the thread's last act: returns at once, and the thread has truly ended
        self.running.pop(id(thread), None)  # the worker (Python-owned) goes with its last reference
        thread.deleteLater()


_keeper: _Keeper | None = None


def start_worker(worker: JobWorker) -> QThread:
    """Move `worker` to a new thread and start it; both are released once the thread has finished.

    To stop early, call worker.cancel(); `done` follows (then the thread quits).
    """
    global _keeper
    if _keeper is None:
        _keeper = _Keeper()
    thread = QThread(QCoreApplication.instance())
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.done.connect(thread.quit, Qt.ConnectionType.DirectConnection)  # no round trip through a GUI thread that may be waiting
    _keeper.keep(worker, thread)
    thread.start()
    return thread
