"""EnvelopeWorker: the waveform envelope off the GUI thread, delivered as it grows."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal

from subtitler.gui.workers.job import JobWorker, Throttle
from subtitler.media.envelope import Envelope, iter_envelope


class EnvelopeWorker(JobWorker):
    """Runs iter_envelope; each `envelope_updated` carries the whole (immutable) envelope so far.

    Intermediate envelopes are dropped when they come faster than 10 Hz: each
    one contains all the earlier ones, so nothing is lost. The complete one is
    always delivered, by envelope_updated and then completed.
    """

    envelope_updated = Signal(object)  # Envelope
    completed = Signal(object)  # Envelope

    def __init__(self, path: str | Path, audio_stream: int = 0, bin_ms: int = 10, cache_dir: Path | None = None) -> None:
        super().__init__()
        self.path = Path(path)
        self.audio_stream = audio_stream
        self.bin_ms = bin_ms
        self.cache_dir = cache_dir

    def _work(self) -> None:
        throttle = Throttle()
        last: Envelope | None = None
        last_sent = False
        for envelope in iter_envelope(self.path, self.audio_stream, self.bin_ms, self.should_stop, self.cache_dir):
            last, last_sent = envelope, throttle.ready()
            if last_sent:
                self.envelope_updated.emit(envelope)
        if last is None or self.should_stop():
            return
        if not last_sent:
            self.envelope_updated.emit(last)
        self.completed.emit(last)
