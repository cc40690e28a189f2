"""Transcribe one stretch of a recording and give its segments in the recording's own times.

Re-transcribing a selection (other model, other language, or a translation) runs
Whisper on that stretch alone: its windows start at the stretch, not at the last
30-s boundary of the whole file, and nothing outside it is decoded again. The
segments (and their word timings, when the engine gives them) are moved by the
stretch's start so that they land where the stretch is. No Qt here: the GUI's
worker and any script call the same function.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import numpy as np

from subtitler.asr.audio import SAMPLE_RATE
from subtitler.asr.transcribe import Segment, TranscribeOptions, TranscriptionInfo


def shift_segment(segment: Segment, offset_s: float) -> Segment:
    """The same segment `offset_s` later, its word timings (if any) with it."""
    changes: dict[str, object] = {"start": segment.start + offset_s, "end": segment.end + offset_s}
    words = getattr(segment, "words", None)
    if words:
        changes["words"] = tuple(dataclasses.replace(w, start=w.start + offset_s, end=w.end + offset_s) for w in words)
    return dataclasses.replace(segment, **changes)


def span_samples(audio: np.ndarray, start_s: float, end_s: float) -> np.ndarray:
    """The samples of [start_s, end_s) of a whole recording at 16 kHz (clipped to it)."""
    if end_s <= start_s:
        raise ValueError(f"an empty span ({start_s:.3f} s to {end_s:.3f} s)")
    first = max(0, round(start_s * SAMPLE_RATE))
    return audio[first: max(first, round(end_s * SAMPLE_RATE))]


def transcribe_span(
    engine,
    samples: np.ndarray,
    offset_s: float,
    options: TranscribeOptions = TranscribeOptions(),
    on_progress: Callable[[float, float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_info: Callable[[TranscriptionInfo], None] | None = None,
) -> Iterator[Segment]:
    """Transcribe `samples` (a stretch starting `offset_s` into the recording); segments in recording time.

    Progress is reported within the stretch (done, length of the stretch).
    """
    for segment in engine.transcribe(samples, options, on_progress=on_progress, should_stop=should_stop, on_info=on_info):
        yield shift_segment(segment, offset_s)
