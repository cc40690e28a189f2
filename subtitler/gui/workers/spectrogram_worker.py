"""SpectrogramWorker: the ASR's log-mel spectrogram, as display columns, off the GUI thread.

Reuses subtitler.asr.audio.log_mel_spectrogram on 30-s windows of the streamed
16 kHz audio. Long files are max-pooled in time to at most `max_columns`
columns, so a two-hour film is one modest image (80 x 100k bytes). Values are
mapped to uint8 with fixed levels here, so the GUI never rescales.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import Signal

from subtitler.gui.workers.job import JobWorker, Throttle
from subtitler.media.decode import iter_audio
from subtitler.media.probe import probe

N_MELS = 80
FRAMES_PER_SECOND = 100  # Whisper's hop: 10 ms
LEVELS = (-0.8, 1.4)  # Whisper's (log10 + 4) / 4 scale: speech peaks ~1.2, the floor ~-0.8
MAX_COLUMNS = 100_000
WINDOW_S = 30.0


@dataclass(frozen=True)
class SpectrogramLayout:
    """Size of the whole picture, known before the first column arrives."""

    total_columns: int
    seconds_per_column: float
    n_mels: int = N_MELS


@dataclass(frozen=True)
class SpectrogramChunk:
    """Columns [first_column, first_column + columns.shape[0]) as uint8, shape (columns, n_mels)."""

    first_column: int
    columns: np.ndarray


def layout_for(duration_s: float, max_columns: int = MAX_COLUMNS) -> SpectrogramLayout:
    frames = max(1, math.ceil(duration_s * FRAMES_PER_SECOND))
    pool = max(1, math.ceil(frames / max_columns))
    return SpectrogramLayout(math.ceil(frames / pool), pool / FRAMES_PER_SECOND)


def to_display(log_mel: np.ndarray) -> np.ndarray:
    """Whisper log-mel (n_mels, frames) -> uint8 (frames, n_mels) with the fixed levels."""
    lo, hi = LEVELS
    scaled = (np.asarray(log_mel, dtype=np.float32).T - lo) * (255.0 / (hi - lo))
    return np.clip(scaled, 0, 255).astype(np.uint8)


def pool_columns(frames: np.ndarray, pool: int) -> tuple[np.ndarray, np.ndarray]:
    """Max-pool (frames, n_mels) by `pool` frames; returns (pooled, leftover frames)."""
    usable = len(frames) // pool * pool
    pooled = frames[:usable].reshape(-1, pool, frames.shape[1]).max(axis=1) if usable else frames[:0]
    return pooled, frames[usable:]


class SpectrogramWorker(JobWorker):
    """Emits `layout_decided` once, then `chunk_ready` (at most 10 Hz) until the file is done."""

    layout_decided = Signal(object)  # SpectrogramLayout
    chunk_ready = Signal(object)  # SpectrogramChunk
    completed = Signal()

    def __init__(self, path: str | Path, audio_stream: int = 0, max_columns: int = MAX_COLUMNS) -> None:
        super().__init__()
        self.path = Path(path)
        self.audio_stream = audio_stream
        self.max_columns = max_columns

    def _work(self) -> None:
        from subtitler.asr.audio import (
            log_mel_spectrogram,  # torch: imported in the worker thread, only when needed
        )

        info = probe(self.path)
        layout = layout_for(info.duration_s or 60.0, self.max_columns)
        pool = round(layout.seconds_per_column * FRAMES_PER_SECOND)
        self.layout_decided.emit(layout)
        throttle = Throttle()
        leftover = np.zeros((0, N_MELS), np.uint8)
        pending: list[np.ndarray] = []
        sent = 0
        for audio in iter_audio(self.path, self.audio_stream, chunk_seconds=WINDOW_S, should_stop=self.should_stop):
            frames = np.concatenate([leftover, to_display(log_mel_spectrogram(audio, N_MELS).numpy())])
            pooled, leftover = pool_columns(frames, pool)
            pending.append(pooled)
            if throttle.ready():
                sent = self._send(sent, pending, layout)
        if self.should_stop():
            return
        if len(leftover):
            pending.append(leftover.max(axis=0, keepdims=True))
        self._send(sent, pending, layout)
        self.completed.emit()

    def _send(self, sent: int, pending: list[np.ndarray], layout: SpectrogramLayout) -> int:
        block = np.concatenate(pending) if pending else np.zeros((0, N_MELS), np.uint8)
        pending.clear()
        block = block[: max(0, layout.total_columns - sent)]  # the probed duration may be a little short
        if len(block):
            self.chunk_ready.emit(SpectrogramChunk(sent, block))
        return sent + len(block)
