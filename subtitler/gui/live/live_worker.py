"""LiveWorker: one live-captioning take on a worker thread (the same LiveSession loop as `subtitler live`).

The model loads and every decode runs here; the GUI thread gets final cues (to insert through
the undo stack), the text to show in the overlay (the open cue's committed words and the
tentative guess, which is never inserted), the input level, and the result at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal

from subtitler.asr.streaming import StreamingOptions
from subtitler.gui.workers.job import JobWorker, Throttle

SHOWN_CHARS = 90  # the overlay shows the end of the live text: about two subtitle lines


@dataclass(frozen=True)
class LiveJob:
    """One take: a media file played at `speed` (tests, rehearsals) or an input device, and where to record it."""

    model_name: str
    record_to: Path
    file: Path | None = None  # None: the microphone
    speed: float = 1.0
    input_device: int | None = None  # None: the system's default input
    device: str = "auto"  # where the model runs
    options: StreamingOptions = field(default_factory=StreamingOptions)

    def make_source(self):
        if self.file is not None:
            from subtitler.media.live_sources import FileSource

            return FileSource(self.file, speed=self.speed, record_to=self.record_to)
        from subtitler.media.microphone import MicrophoneSource, find_input_device

        return MicrophoneSource(find_input_device(self.input_device), record_to=self.record_to)


class LiveWorker(JobWorker):
    cues_ready = Signal(object)  # list[Cue], final: committed words the reading rules have closed into cues
    live_text_changed = Signal(str)  # for display only
    level_changed = Signal(float)  # dBFS of the latest input
    position_changed = Signal(float)  # seconds captured
    status_changed = Signal(str)
    ended = Signal(object)  # LiveResult, after the last cue was sent

    def __init__(self, job: LiveJob, engines: Callable[[str, str], Any]) -> None:
        super().__init__()
        self.job = job
        self._engines = engines
        self._open_words: list[tuple[str, float]] = []  # (text, end in ms) of committed words not yet in a final cue
        self._meter = Throttle()

    def _work(self) -> None:
        from subtitler.asr.live_session import LiveSession

        source = self.job.make_source()  # a missing device or bad file fails before the model loads
        self.status_changed.emit(f"Loading {self.job.model_name}…")
        engine = self._engines(self.job.model_name, self.job.device)
        session = LiveSession(engine, source, self.job.options, on_update=self._on_update)
        try:
            session.start()
            self.status_changed.emit(f"Live: {source.name}")
            while not session.ended and not self.should_stop():
                session.pump()
                if self._meter.ready():
                    self.level_changed.emit(source.level_db)
                    self.position_changed.emit(session.transcriber.position_s)
        finally:
            result = session.finish(drain=session.ended)  # a Stop takes one last decode, not the whole backlog
            self.live_text_changed.emit("")
            self.ended.emit(result)

    def _on_update(self, update, cues) -> None:
        # Committed words not yet in a closed cue, found by time (the cue stream took them before closing cues).
        self._open_words += [(w.word, w.end * 1000) for w in update.committed]
        if cues:
            self.cues_ready.emit(list(cues))
            closed_ms = cues[-1].end_ms
            self._open_words = [(text, end) for text, end in self._open_words if end > closed_ms]
        text = ("".join(t for t, _ in self._open_words) + update.tentative_text).strip()
        self.live_text_changed.emit(shown_tail(text))


def shown_tail(text: str, limit: int = SHOWN_CHARS) -> str:
    """The end of the live text, about two subtitle lines, starting at a whole word."""
    if len(text) <= limit:
        return text
    tail = text[-limit:]
    return tail[tail.find(" ") + 1:] if " " in tail else tail
