"""Waveform envelope: min/max per 10-ms bin, computed progressively and cached.

The waveform only needs the extremes per bin, so audio is decoded at 8 kHz
(80 samples per 10-ms bin): half the samples of the ASR's 16 kHz through the
pipe and numpy, which keeps a two-hour file well under the time budget. The
first chunk is short so the GUI can draw its first pixels at once.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from subtitler.media.decode import ShouldStop, raise_if_stopped, warn_if_incomplete
from subtitler.media.envelope_cache import envelope_cache_dir, load_cached_envelope, save_envelope
from subtitler.media.envelope_data import Envelope
from subtitler.media.pipe import PcmPipe, decode_command
from subtitler.media.probe import check_readable, probe, require_audio_stream

__all__ = ["ENVELOPE_RATE", "Envelope", "envelope_cache_dir", "iter_envelope", "load_cached_envelope"]

ENVELOPE_RATE = 8000
_FIRST_CHUNK_S = 5
_CHUNK_S = 60


def iter_envelope(
    path: str | Path,
    audio_stream: int = 0,
    bin_ms: int = 10,
    should_stop: ShouldStop | None = None,
    cache_dir: Path | None = None,
) -> Iterator[Envelope]:
    """Yield the envelope growing from the start of the file; the last one yielded is complete.

    A cache hit yields the whole envelope once. On completion the envelope is
    written to `cache_dir` (default: envelope_cache_dir()). Raises Cancelled
    when `should_stop()` turns true, and MediaError as decode does.
    """
    if bin_ms < 1:
        raise ValueError(f"bin_ms must be a positive number of milliseconds, not {bin_ms}")
    path = check_readable(path)
    cached = load_cached_envelope(path, audio_stream, bin_ms, cache_dir)
    if cached is not None:
        yield cached
        return
    info = probe(path)
    require_audio_stream(info, audio_stream)
    spb = ENVELOPE_RATE * bin_ms // 1000
    bins = _BinBuffer(math.ceil((info.duration_s or 60.0) * 1000 / bin_ms) + 100)
    first = np.empty(_FIRST_CHUNK_S * 1000 // bin_ms * spb, dtype=np.float32)
    later = np.empty(_CHUNK_S * 1000 // bin_ms * spb, dtype=np.float32)
    with PcmPipe(decode_command(path, audio_stream, ENVELOPE_RATE), path) as pipe:
        chunk = first
        while True:
            raise_if_stopped(should_stop)
            n = pipe.read_into(chunk)
            bins.append(chunk[:n], spb)
            if n < len(chunk):
                break
            yield bins.envelope(spb)
            chunk = later
        complaint = pipe.finish()
    warn_if_incomplete(path, complaint, pipe.samples_read / ENVELOPE_RATE, info.duration_s)
    envelope = bins.envelope(spb, final=True)
    save_envelope(envelope, path, audio_stream, bin_ms, cache_dir)
    yield envelope


def bin_extremes(samples: np.ndarray, samples_per_bin: int) -> tuple[np.ndarray, np.ndarray]:
    """Min and max of each bin of `samples`; a shorter last bin covers what is left."""
    full = len(samples) // samples_per_bin
    grid = samples[: full * samples_per_bin].reshape(full, samples_per_bin)
    mins, maxs = grid.min(axis=1), grid.max(axis=1)
    rest = samples[full * samples_per_bin:]
    if len(rest):
        mins, maxs = np.append(mins, rest.min()), np.append(maxs, rest.max())
    return mins.astype(np.float32, copy=False), maxs.astype(np.float32, copy=False)


class _BinBuffer:
    """Growing min/max arrays; envelopes are read-only views of the finished prefix.

    Views stay valid when the buffer grows (the old arrays live on while
    referenced) and the prefix they show is never written again.
    """

    def __init__(self, capacity: int) -> None:
        self._mins = np.empty(capacity, dtype=np.float32)
        self._maxs = np.empty(capacity, dtype=np.float32)
        self._count = 0

    def append(self, samples: np.ndarray, samples_per_bin: int) -> None:
        mins, maxs = bin_extremes(samples, samples_per_bin)
        end = self._count + len(mins)
        if end > len(self._mins):
            size = max(end, len(self._mins) * 3 // 2)
            self._mins = np.concatenate([self._mins[: self._count], np.empty(size - self._count, np.float32)])
            self._maxs = np.concatenate([self._maxs[: self._count], np.empty(size - self._count, np.float32)])
        self._mins[self._count:end] = mins
        self._maxs[self._count:end] = maxs
        self._count = end

    def envelope(self, samples_per_bin: int, final: bool = False) -> Envelope:
        mins, maxs = self._mins[: self._count], self._maxs[: self._count]
        if final:  # a compact copy, so the cache and the GUI do not keep the slack alive
            mins, maxs = mins.copy(), maxs.copy()
        return Envelope(samples_per_bin, ENVELOPE_RATE, _read_only(mins), _read_only(maxs))


def _read_only(view: np.ndarray) -> np.ndarray:
    view = view.view()
    view.setflags(write=False)
    return view
