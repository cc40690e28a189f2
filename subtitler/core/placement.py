"""Where recognised cues may go among cues that stay: the gaps between them, and which cues a time range takes.

Used when a transcription fills only the stretches without cues, and when a
selection is transcribed again (its new cues must not run into the cues around it).
Plain functions over immutable cues, so they are tested on their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from subtitler.core.cue import Cue

MAX_OVERLAP_SHARE = 0.5  # a new cue that overlaps kept cues for more than this share of its duration repeats them


def free_intervals(kept: Sequence[Cue], min_gap_ms: int, start_ms: int = 0, end_ms: int | None = None) -> list[tuple[int, int]]:
    """The stretches of [start_ms, end_ms) that no kept cue covers, each `min_gap_ms` clear of the cues beside it."""
    intervals: list[tuple[int, int]] = []
    cursor = start_ms
    for cue in sorted(kept, key=lambda c: c.start_ms):
        if cue.end_ms <= cursor:
            continue
        if cue.start_ms - min_gap_ms > cursor:
            intervals.append((cursor, cue.start_ms - min_gap_ms))
        cursor = max(cursor, cue.end_ms + min_gap_ms)
    if end_ms is None or cursor < end_ms:
        intervals.append((cursor, end_ms if end_ms is not None else 2**62))
    return intervals


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def fit_into_gaps(kept: Sequence[Cue], new: Sequence[Cue], min_gap_ms: int) -> list[Cue]:
    """The new cues that belong in the stretches without kept cues, clipped to them.

    A new cue mostly covered by kept cues says again what they say and is dropped;
    one that only runs into a neighbour (Whisper's timing differs a little from the
    subtitler's) is clipped to keep `min_gap_ms` from it, its words with it.
    """
    intervals = free_intervals(kept, min_gap_ms)
    fitted: list[Cue] = []
    for cue in new:
        duration = max(1, cue.duration_ms)
        best = max(intervals, key=lambda iv: _overlap(cue.start_ms, cue.end_ms, *iv), default=None)
        inside = _overlap(cue.start_ms, cue.end_ms, *best) if best is not None else 0
        if inside <= 0 or inside < duration * (1 - MAX_OVERLAP_SHARE):
            continue
        start, end = max(cue.start_ms, best[0]), min(cue.end_ms, best[1])
        words = tuple(w for w in cue.words if w.start_ms >= start and w.end_ms <= end)
        fitted.append(cue if (start, end) == (cue.start_ms, cue.end_ms) else replace(cue, start_ms=start, end_ms=end, words=words))
    return fitted


def rows_in_range(cues: Sequence[Cue], start_ms: int, end_ms: int) -> list[int]:
    """Rows a time range takes for re-transcription: the cues whose middle lies inside it."""
    return [row for row, cue in enumerate(cues) if start_ms <= (cue.start_ms + cue.end_ms) / 2 < end_ms]


def span_of(cues: Sequence[Cue], rows: Sequence[int], start_ms: int | None = None, end_ms: int | None = None) -> tuple[int, int]:
    """The audio to transcribe for `rows` (and a dragged range, when given): it covers every cue it replaces."""
    starts = [cues[r].start_ms for r in rows] + ([start_ms] if start_ms is not None else [])
    ends = [cues[r].end_ms for r in rows] + ([end_ms] if end_ms is not None else [])
    if not starts or not ends:
        raise ValueError("no cues and no range to transcribe")
    return min(starts), max(ends)
