"""On-disk cache of waveform envelopes (re-exported by envelope.py).

Keyed by file identity (absolute path, size, mtime) plus the audio track and
bin width, so an edited or replaced file, or another track, never reuses a
stale picture. Writes are atomic: a crash leaves either no entry or a whole one.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from subtitler.media.envelope_data import Envelope
from subtitler.media.file_cache import atomic_savez, cache_root, entry_path

_FORMAT_VERSION = 1
_log = logging.getLogger(__name__)


def envelope_cache_dir() -> Path:
    """The user's cache folder for envelopes (created on first write)."""
    return cache_root() / "envelopes"


def cache_file(path: Path, audio_stream: int, bin_ms: int, cache_dir: Path | None = None) -> Path:
    """Where the envelope of (file as it is now, track, bin width) lives."""
    return entry_path(path, (_FORMAT_VERSION, audio_stream, bin_ms), cache_dir or envelope_cache_dir())


def load_cached_envelope(
    path: str | Path, audio_stream: int = 0, bin_ms: int = 10, cache_dir: Path | None = None
) -> Envelope | None:
    """The cached envelope, or None when there is none (or it is unreadable)."""
    try:
        entry = cache_file(Path(path), audio_stream, bin_ms, cache_dir)
        with np.load(entry) as data:
            return Envelope(
                samples_per_bin=int(data["samples_per_bin"]),
                sample_rate=int(data["sample_rate"]),
                mins=_frozen(data["mins"]),
                maxs=_frozen(data["maxs"]),
            )
    except (OSError, KeyError, ValueError) as exc:  # missing, truncated or foreign entry: recompute
        if not isinstance(exc, FileNotFoundError):
            _log.warning("ignoring unreadable envelope cache entry for %s: %s", path, exc)
        return None


def save_envelope(envelope: Envelope, path: Path, audio_stream: int, bin_ms: int, cache_dir: Path | None) -> None:
    """Write the entry atomically; a cache that cannot be written only costs speed next time."""
    try:
        entry = cache_file(path, audio_stream, bin_ms, cache_dir)
        atomic_savez(entry, samples_per_bin=envelope.samples_per_bin, sample_rate=envelope.sample_rate,
                     mins=envelope.mins, maxs=envelope.maxs)
    except OSError as exc:
        _log.warning("could not cache the waveform of %s: %s", path, exc)


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.ascontiguousarray(array, dtype=np.float32)
    array.setflags(write=False)
    return array
