"""Decode any audio/video file to mono float32 at 16 kHz (Whisper's input), streamed.

ffmpeg resamples and downmixes; samples come through a pipe in big reads so a
two-hour film never needs more than one copy of its samples in memory.

Damaged files: a truncated or partly corrupt file still gives the audio that
ffmpeg can read (what a user editing subtitles wants: work on what is there),
with a MediaWarning naming the file, how far it decoded and ffmpeg's
complaint. A file ffmpeg cannot open or decode at all raises MediaError.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from subtitler.errors import Cancelled, MediaError
from subtitler.media.pipe import PcmPipe, decode_command
from subtitler.media.probe import MediaInfo, check_readable, probe, require_audio_stream

SAMPLE_RATE = 16000
_READ_SECONDS = 30.0
MAX_SECONDS = 24 * 3600  # 5.5 GB of samples: beyond this a file is refused, not decoded until memory runs out
_TRUSTED_SECONDS = 4 * 3600  # a longer announced duration is not allocated up front (headers can lie)

ShouldStop = Callable[[], bool]


class MediaWarning(UserWarning):
    """Audio was decoded, but not all of it: the file is truncated or damaged."""


def iter_audio(
    path: str | Path,
    audio_stream: int = 0,
    sample_rate: int = SAMPLE_RATE,
    chunk_seconds: float = 30.0,
    should_stop: ShouldStop | None = None,
    start_s: float = 0.0,
) -> Iterator[np.ndarray]:
    """Yield float32 mono chunks of `chunk_seconds` (the last may be shorter) from `start_s` on.

    `audio_stream` is the position among audio tracks (0 = first). Raises
    Cancelled as soon as `should_stop()` turns true between chunks.
    """
    path = check_readable(path)
    info = probe(path)
    require_audio_stream(info, audio_stream)
    chunk = max(1, round(chunk_seconds * sample_rate))
    with PcmPipe(decode_command(path, audio_stream, sample_rate, start_s), path) as pipe:
        while True:
            raise_if_stopped(should_stop)
            out = np.empty(chunk, dtype=np.float32)
            n = pipe.read_into(out)
            if n:
                yield out if n == chunk else out[:n]
            if n < chunk:
                break
        complaint = pipe.finish()
    warn_if_incomplete(path, complaint, pipe.samples_read / sample_rate, _expected_s(info, start_s))


def decode_audio(
    path: str | Path,
    audio_stream: int = 0,
    sample_rate: int = SAMPLE_RATE,
    should_stop: ShouldStop | None = None,
    duration_s: float | None = None,
) -> np.ndarray:
    """The whole track (or its first `duration_s`) as one float32 mono array.

    The array is sized from the probed duration and filled in place, so peak
    memory is one copy of the samples (no list of chunks to concatenate). Raises
    MediaError when the track holds no samples or is longer than MAX_SECONDS.
    """
    path = check_readable(path)
    info = probe(path)
    require_audio_stream(info, audio_stream)
    limit = MAX_SECONDS * sample_rate
    expected = _expected_samples(info, sample_rate)
    if duration_s is not None:
        expected = min(expected, math.ceil(duration_s * sample_rate) + sample_rate)
    buf = _allocate(path, expected)
    step = round(_READ_SECONDS * sample_rate)
    filled = 0
    with PcmPipe(decode_command(path, audio_stream, sample_rate, duration_s=duration_s), path) as pipe:
        while True:
            raise_if_stopped(should_stop)
            if filled == len(buf):
                if filled > limit:
                    raise MediaError(f"{path}: longer than {MAX_SECONDS // 3600} hours; split it into parts and open those")
                _grow(path, buf, len(buf) + max(step, len(buf) // 2))
            want = min(step, len(buf) - filled)
            n = pipe.read_into(buf[filled:filled + want])
            filled += n
            if n < want:
                break
        complaint = pipe.finish()
    buf.resize(filled, refcheck=False)  # shrinks in place
    if filled == 0:
        raise MediaError(f"{path}: holds no sound (0 samples of audio); choose a file with sound")
    expected = _expected_s(info, 0.0) if duration_s is None else min(duration_s, _expected_s(info, 0.0) or duration_s)
    warn_if_incomplete(path, complaint, filled / sample_rate, expected)
    return buf


def _allocate(path: Path, samples: int) -> np.ndarray:
    try:
        return np.empty(samples, dtype=np.float32)
    except MemoryError:
        raise MediaError(f"{path}: not enough memory for {samples / SAMPLE_RATE / 3600:.1f} h of audio; "
                         "close other programs or split the file") from None


def _grow(path: Path, buf: np.ndarray, samples: int) -> None:
    try:
        buf.resize(samples, refcheck=False)
    except MemoryError:
        raise MediaError(f"{path}: not enough memory for {samples / SAMPLE_RATE / 3600:.1f} h of audio; "
                         "close other programs or split the file") from None


def decode_span(
    path: str | Path,
    start_s: float,
    duration_s: float,
    audio_stream: int = 0,
    sample_rate: int = SAMPLE_RATE,
    should_stop: ShouldStop | None = None,
) -> np.ndarray:
    """`duration_s` of the track from `start_s` (shorter at the end of the file): re-transcribing a
    selection of a two-hour film decodes seconds, not the film."""
    if start_s < 0 or duration_s <= 0:
        raise ValueError(f"decode_span needs start_s >= 0 and duration_s > 0, not {start_s}, {duration_s}")
    want = round(duration_s * sample_rate)
    out = np.empty(want, dtype=np.float32)
    filled = 0
    chunks = iter_audio(path, audio_stream, sample_rate, chunk_seconds=min(_READ_SECONDS, duration_s),
                        should_stop=should_stop, start_s=start_s)
    try:
        for chunk in chunks:
            take = min(len(chunk), want - filled)
            out[filled:filled + take] = chunk[:take]
            filled += take
            if filled == want:
                break
    finally:
        chunks.close()  # stops ffmpeg when the span ends before the file does
    return out[:filled]


def warn_if_incomplete(path: Path, complaint: str, decoded_s: float, expected_s: float | None) -> None:
    """Issue a MediaWarning when ffmpeg complained, or the audio ended well before the announced duration.

    The duration check catches truncated MP3s, which ffmpeg decodes silently;
    its slack tolerates estimated durations and video that outlasts the audio.
    """
    if complaint:
        detail = f"ffmpeg said: {complaint}"
    elif expected_s and decoded_s < 0.9 * expected_s - 2.0:
        detail = f"the file announces {expected_s:.1f} s"
    else:
        return
    warnings.warn(
        MediaWarning(
            f"{path}: only part of the audio could be decoded ({decoded_s:.1f} s; {detail}); "
            "the file may be truncated or damaged, re-export or re-download it"
        ),
        stacklevel=3,
    )


def _expected_s(info: MediaInfo, start_s: float) -> float | None:
    return max(0.0, info.duration_s - start_s) if info.duration_s else None


def _expected_samples(info: MediaInfo, sample_rate: int) -> int:
    """Probed duration plus a second of slack (durations are estimates for some formats).

    A header announcing more than _TRUSTED_SECONDS (damaged, or crafted: '200 h') gets a
    small first buffer that grows with what is really decoded.
    """
    seconds = info.duration_s if info.duration_s and info.duration_s <= _TRUSTED_SECONDS else 60.0
    return math.ceil(seconds * sample_rate) + sample_rate


def raise_if_stopped(should_stop: ShouldStop | None) -> None:
    """The cooperative cancel point between decode steps."""
    if should_stop is not None and should_stop():
        raise Cancelled()
