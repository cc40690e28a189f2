"""AlignWordsWorker: decode the audio around the cues and force-align their words, off the GUI thread.

Runs on a QThread (see subtitler.gui.workers.job.start_worker). Ends with exactly one of
`aligned(dict)`, `failed(str)` or `cancelled`, then `done`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal

from subtitler.core.cue import Cue
from subtitler.errors import Cancelled
from subtitler.gui.workers.job import JobWorker

EngineGetter = Callable[[str, str], Any]  # (model name, device) -> Engine-like object (model, tokenizer)


@dataclass(frozen=True)
class AlignWordsJob:
    """The cues as they were when the user asked (the result is checked against them), and where their audio is."""

    media_path: Path
    cues: tuple[Cue, ...]
    rows: tuple[int, ...]
    model_name: str
    device: str = "auto"
    language: str | None = None
    audio_stream: int = 0


class AlignWordsWorker(JobWorker):
    """One re-alignment; `cancel()` (any thread) stops it between decoding, windows and cues."""

    aligned = Signal(object)  # dict[int, tuple[Word, ...]]: new words per row
    status_changed = Signal(str)

    def __init__(self, job: AlignWordsJob, get_engine: EngineGetter) -> None:
        super().__init__()
        self.job = job
        self.get_engine = get_engine

    def _work(self) -> None:
        """UserError (bad text, unreadable media) becomes `failed` with its message, as any other error does (JobWorker.run)."""
        words = self._align()
        if self.should_stop():
            raise Cancelled("alignment stopped")
        self.aligned.emit(words)

    def _align(self) -> dict:
        from subtitler.asr.span_alignment import media_loader, realign_rows  # torch loads in this thread

        self.status_changed.emit(f"Loading the model {self.job.model_name}…")
        engine = self.get_engine(self.job.model_name, self.job.device)
        if self.should_stop():
            raise Cancelled("alignment stopped")
        count = len(self.job.rows)
        self.status_changed.emit(f"Aligning the words of {count} cue{'s' if count != 1 else ''}…")
        loader = media_loader(self.job.media_path, self.job.audio_stream, self.should_stop)
        return realign_rows(engine.model, engine.tokenizer, loader, self.job.cues, self.job.rows,
                            self.job.language, self.should_stop)
