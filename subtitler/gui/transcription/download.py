"""ModelDownloadWorker: the CLI's verified, resumable model download, on a worker thread.

The same function as `subtitler models download` (subtitler.asr.models.download_model):
one file at a time through a `.part` file, resumed with an HTTP Range request,
checked against the sha256 the hub announces. Cancelling leaves the `.part` file,
so the next attempt continues where this one stopped.
"""

from __future__ import annotations

from PySide6.QtCore import Signal

from subtitler.gui.workers.job import JobWorker, Throttle


class ModelDownloadWorker(JobWorker):
    """Downloads one named model; `progress_changed(done, total)` in bytes (total 0 while unknown)."""

    progress_changed = Signal("qint64", "qint64")
    downloaded = Signal(str)  # the model folder

    def __init__(self, name: str, base_url: str | None = None) -> None:
        super().__init__()
        self.name = name
        self.base_url = base_url
        self._throttle = Throttle()

    def _work(self) -> None:
        from subtitler.asr.models import download_model, hub_url

        folder = download_model(self.name, on_progress=self._on_progress, base_url=self.base_url or hub_url(),
                                should_stop=self.should_stop)
        if not self.should_stop():
            self.downloaded.emit(str(folder))

    def _on_progress(self, done: int, total: int) -> None:
        if self._throttle.ready() or (total and done >= total):
            self.progress_changed.emit(done, total)
