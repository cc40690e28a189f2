"""Which stretches of the audio a transcription decodes: all of it, the caller's clips, or the speech the VAD hears.

With the voice-activity filter, speech regions are merged into stretches of at most one window
(30 s) each, so that short phrases share a window instead of costing one each, and the
silence between stretches is never decoded (where Whisper invents text). The stretches are
decoded in place on the original timeline — each window starts at its stretch's first frame
and stops at its last — so every time comes back exact, with nothing to map.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from subtitler.asr.audio import FRAMES_PER_SECOND, N_FRAMES
from subtitler.asr.vad import SpeechRegion

Span = tuple[int, int]  # [first, end) in mel frames (10 ms)


def to_frames(start_s: float, end_s: float, content_frames: int) -> Span:
    """Seconds to mel frames, widened to whole frames and clipped to the audio."""
    first = max(0, int(start_s * FRAMES_PER_SECOND))
    end = min(content_frames, math.ceil(end_s * FRAMES_PER_SECOND))
    return first, max(first, end)


def merge_regions(regions: Sequence[SpeechRegion], max_s: float = N_FRAMES / FRAMES_PER_SECOND) -> list[tuple[float, float]]:
    """Consecutive regions joined while the stretch from the first's start to the last's end stays within ``max_s``.

    A region longer than ``max_s`` is a stretch of its own (it is decoded window after window).
    """
    out: list[tuple[float, float]] = []
    for region in regions:
        if out and region.end - out[-1][0] <= max_s:
            out[-1] = (out[-1][0], max(out[-1][1], region.end))
        else:
            out.append((region.start, region.end))
    return out


def decode_spans(content_frames: int, clip_timestamps: Sequence[tuple[float, float]] = (),
                 speech: Sequence[SpeechRegion] | None = None) -> list[Span]:
    """Sorted, disjoint frame spans to decode: the clips (or the whole audio), narrowed to the speech stretches when given."""
    clips = [to_frames(a, b, content_frames) for a, b in sorted(clip_timestamps)] or [(0, content_frames)]
    if speech is not None:
        stretches = [to_frames(a, b, content_frames) for a, b in merge_regions(speech)]
        clips = [(max(a, c), min(b, d)) for a, b in clips for c, d in stretches if max(a, c) < min(b, d)]
    out: list[Span] = []
    for first, end in clips:
        if end <= first:
            continue
        if out and first <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((first, end))
    return out


def batch_chunks(content_frames: int, speech: Sequence[SpeechRegion],
                 clip_timestamps: Sequence[tuple[float, float]] = (), max_frames: int = N_FRAMES) -> list[Span]:
    """Chunks of at most ``max_frames`` for the batched mode: speech regions joined while they fit, cut at pauses.

    Each chunk is decoded on its own (no previous text), so it must hold whole phrases: neighbouring regions
    share a chunk while the stretch from the first's start to the last's end fits, and a chunk ends in the
    pause before the region that would not fit. A region longer than ``max_frames`` (the voice-activity
    model found no pause in it) is cut into equal parts. Only the caller's clips, when given, are kept.
    """
    clips = [to_frames(a, b, content_frames) for a, b in sorted(clip_timestamps)] or [(0, content_frames)]
    regions = [(max(a, c), min(b, d)) for c, d in clips
               for a, b in (to_frames(r.start, r.end, content_frames) for r in speech) if max(a, c) < min(b, d)]
    chunks: list[Span] = []
    for first, end in sorted(regions):
        if chunks and end - chunks[-1][0] <= max_frames:
            chunks[-1] = (chunks[-1][0], max(chunks[-1][1], end))
            continue
        if chunks and first < chunks[-1][1]:  # overlaps a chunk it cannot join: start where that one ends
            first = chunks[-1][1]
        parts = -(-(end - first) // max_frames)
        step = -(-(end - first) // max(parts, 1))
        chunks += [(a, min(end, a + step)) for a in range(first, end, step)] if end > first else []
    return chunks
