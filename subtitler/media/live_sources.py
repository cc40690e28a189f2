"""Where live audio comes from: a media file played in real time (or faster), or a microphone.

Every source hands out 16-kHz mono float32 blocks through ``read`` (what the speech model
takes), keeps a level meter of what it captured, and can copy what it captured into a
:class:`~subtitler.media.recorder.WavRecorder`. The microphone lives in
:mod:`subtitler.media.microphone` (PortAudio is optional there); this module holds the
protocol, the level meter and the file source, which is how live captions are tested and
measured on a machine without a microphone.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np

from subtitler.media.decode import iter_audio
from subtitler.media.probe import check_readable, probe, require_audio_stream
from subtitler.media.recorder import WavRecorder

SAMPLE_RATE = 16_000
SILENCE_DB = -90.0  # the meter's floor


def level_db(samples: np.ndarray) -> float:
    """RMS level in dB relative to full scale (a full-scale sine is -3 dB), floored at -90."""
    if len(samples) == 0:
        return SILENCE_DB
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    return max(SILENCE_DB, 20 * math.log10(rms)) if rms > 0 else SILENCE_DB


class AudioSource(Protocol):
    """Live audio; `read` returns None once the source has ended (a file played to its end)."""

    name: str
    level_db: float  # of the latest captured block, for a meter; updated as audio is captured
    recorder: WavRecorder | None  # set by start() when the source was asked to record

    def start(self) -> None: ...

    def read(self, timeout_s: float) -> np.ndarray | None:
        """The audio captured since the last call (16 kHz mono), waiting up to `timeout_s` for some; may be empty."""
        ...

    def close(self) -> None: ...


class FileSource:
    """A media file played as a live source at `speed` times real time.

    `speed` 1 is real time, 4 is four times faster; 0 hands out `block_s` of audio on every
    read, as fast as the reader takes it (tests and benchmarks that measure results, not clocks).
    """

    def __init__(self, path: str | Path, speed: float = 1.0, block_s: float = 0.1, audio_stream: int = 0,
                 record_to: str | Path | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        if speed < 0 or block_s <= 0:
            raise ValueError("FileSource: speed must be 0 (as fast as read) or more, block_s above 0")
        self.path = check_readable(path)
        require_audio_stream(probe(self.path), audio_stream)  # a clear MediaError before anything starts
        self.name = self.path.name
        self.speed, self.block_s, self.audio_stream = speed, block_s, audio_stream
        self._record_to = record_to
        self.recorder: WavRecorder | None = None
        self.level_db = SILENCE_DB
        self._clock = clock
        self._blocks: queue.Queue[np.ndarray | None] = queue.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._iterator = None
        self._ended = False
        self.error: BaseException | None = None

    def start(self) -> None:
        if self._record_to is not None:
            self.recorder = WavRecorder(self._record_to, SAMPLE_RATE)
        if self.speed == 0:
            self._iterator = iter_audio(self.path, self.audio_stream, chunk_seconds=self.block_s)
            return
        self._thread = threading.Thread(target=self._play, name=f"play {self.name}", daemon=True)
        self._thread.start()

    def read(self, timeout_s: float) -> np.ndarray | None:
        if self._ended:
            return None
        if self._iterator is not None:
            block = next(self._iterator, None)
        else:
            block = self._drain(timeout_s)
        if block is None:
            self._ended = True
            if self.error is not None:
                raise self.error
            return None
        if len(block):
            self.level_db = level_db(block)
            if self.recorder is not None:
                self.recorder.write(block)
        return block

    def close(self) -> None:
        self._stop.set()
        if self._iterator is not None:
            self._iterator.close()  # kills ffmpeg
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self.recorder is not None:
            self.recorder.close()

    def _drain(self, timeout_s: float) -> np.ndarray | None:
        """Every block released so far (waiting up to `timeout_s` for the first); None at the end."""
        parts: list[np.ndarray] = []
        try:
            item = self._blocks.get(timeout=timeout_s) if timeout_s > 0 else self._blocks.get_nowait()
        except queue.Empty:
            return np.zeros(0, np.float32)
        while True:
            if item is None:
                if parts:
                    self._blocks.put(None)  # end after these blocks
                    break
                return None
            parts.append(item)
            try:
                item = self._blocks.get_nowait()
            except queue.Empty:
                break
        return np.concatenate(parts)

    def _play(self) -> None:
        """Release each block when its audio would have been heard, then None."""
        start, played = self._clock(), 0.0
        try:
            for block in iter_audio(self.path, self.audio_stream, chunk_seconds=self.block_s,
                                    should_stop=self._stop.is_set):
                played += len(block) / SAMPLE_RATE
                wait = start + played / self.speed - self._clock()
                if wait > 0 and self._stop.wait(wait):
                    break
                self._blocks.put(block)
        except BaseException as exc:  # noqa: BLE001 - handed to the reader's thread, raised there
            if not self._stop.is_set():
                self.error = exc
        finally:
            self._blocks.put(None)
