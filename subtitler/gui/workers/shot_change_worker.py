"""ShotChangeWorker: the video's shot changes off the GUI thread, with throttled progress."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal

from subtitler.gui.workers.job import JobWorker, Throttle
from subtitler.media.shot_changes import DEFAULT_THRESHOLD, scene_scores


class ShotChangeWorker(JobWorker):
    """Emits progress(done_s, total_s) at most 10 times a second, then completed(cut times in ms)."""

    progress = Signal(float, float)
    completed = Signal(object)  # tuple[int, ...]

    def __init__(self, path: str | Path, threshold: float = DEFAULT_THRESHOLD, cache_dir: Path | None = None) -> None:
        super().__init__()
        self.path = Path(path)
        self.threshold = threshold
        self.cache_dir = cache_dir
        self._throttle = Throttle()

    def _on_progress(self, done_s: float, total_s: float) -> None:
        if self._throttle.ready():
            self.progress.emit(done_s, total_s)

    def _work(self) -> None:
        scores = scene_scores(self.path, self.should_stop, self._on_progress, self.cache_dir)
        if not self.should_stop():
            self.completed.emit(scores.shot_changes(self.threshold))
