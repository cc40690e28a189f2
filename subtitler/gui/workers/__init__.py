"""Long jobs as worker QObjects moved to a QThread (never a QThread subclass, never terminate())."""

from subtitler.gui.workers.job import JobWorker, start_worker

__all__ = ["JobWorker", "start_worker"]
