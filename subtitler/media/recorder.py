"""Record live audio to a WAV file as it arrives.

Python's own ``wave`` module (16-bit PCM, which every player and editor reads) is enough here,
and it rewrites the header's sizes after every write, so a recording cut short by a crash or a
power loss is still a valid file up to the last block written.
"""

from __future__ import annotations

import threading
import wave
from pathlib import Path

import numpy as np

from subtitler.errors import MediaError


class WavRecorder:
    """Mono 16-bit WAV at `sample_rate`; `write` takes float32 samples in [-1, 1]. Thread-safe."""

    def __init__(self, path: str | Path, sample_rate: int = 16_000) -> None:
        self.path = Path(path)
        self.sample_rate = sample_rate
        try:
            self._raw = open(self.path, "wb")  # noqa: SIM115 - kept open for the whole recording, flushed per write
            self._file = wave.open(self._raw, "wb")
        except OSError as exc:
            raise MediaError(f"{self.path}: cannot record here ({exc.strerror or exc}); choose a folder you can write to") from exc
        self._file.setnchannels(1)
        self._file.setsampwidth(2)
        self._file.setframerate(sample_rate)
        self._lock = threading.Lock()
        self.frames = 0
        self._file.writeframes(b"")  # the header now: the file is a valid (empty) WAV from the start
        self._raw.flush()

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate

    def write(self, samples: np.ndarray) -> None:
        # The scale readers use to give floats back (libsndfile, ffmpeg): x * 32768, clipped to int16.
        pcm = np.clip(np.round(np.asarray(samples, np.float32) * 32768.0), -32768, 32767).astype("<i2")
        with self._lock:
            if self._file is None:
                return
            try:
                self._file.writeframes(pcm.tobytes())  # also rewrites the header's sizes
                self._raw.flush()
            except OSError as exc:
                raise MediaError(f"{self.path}: recording stopped ({exc.strerror or exc}); free some disk space") from exc
            self.frames += len(pcm)

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._raw.close()
                self._file = None

    def __enter__(self) -> WavRecorder:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
