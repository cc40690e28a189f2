"""SpeakerWorker: the media's speaker turns off the GUI thread (decode, voice activity, embeddings, clustering)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal

from subtitler.gui.workers.job import JobWorker, Throttle


class SpeakerWorker(JobWorker):
    """Emits progress(done_s, total_s) at most 10 times a second, then completed(list of SpeakerTurn)."""

    progress = Signal(float, float)
    completed = Signal(object)

    def __init__(self, path: str | Path, options=None) -> None:
        super().__init__()
        self.path = Path(path)
        self.options = options
        self._throttle = Throttle()

    def _on_progress(self, done_s: float, total_s: float) -> None:
        if self._throttle.ready() or done_s >= total_s:
            self.progress.emit(done_s, total_s)

    def _work(self) -> None:
        from subtitler.asr.speakers import DiarizationOptions, diarize
        from subtitler.media.decode import decode_audio

        audio = decode_audio(self.path)
        if self.should_stop():
            return
        turns = list(diarize(audio, self.options or DiarizationOptions(), self._on_progress, self.should_stop))
        if not self.should_stop():
            self.completed.emit(turns)
