"""Where a dragged cue edge lands: snapped to something meaningful, never through a neighbour.

Targets, nearest first within `threshold_ms`: the playhead, the neighbouring cues'
edges (keeping the profile's minimum gap), the cue's own word boundaries
(`Cue.words`: a start snaps to word starts, an end to word ends), and shot changes
(a start on the cut, an end the minimum gap before it, as the QC rule wants).
Frame boundaries come last: with no other target in reach, the edge is rounded to
the nearest frame. With snapping off (the user holds the modifier) the edge stays
where the mouse put it. Either way it stops at its neighbour.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Iterable, Sequence

from subtitler.core.cue import Cue

MIN_DURATION_MS = 10


class Edge(Enum):
    MOVE = "move"
    START = "start"
    END = "end"


@dataclass(frozen=True)
class SnapOptions:
    """What an edge may snap to; `enabled` False keeps only the neighbour limits."""

    threshold_ms: float = 100.0
    min_gap_ms: int = 83
    frame_rate: float | None = None
    playhead_ms: int | None = None
    shot_changes_ms: tuple[int, ...] = ()
    enabled: bool = True


def limits(cues: Sequence[Cue], row: int) -> tuple[int, float]:
    """Earliest start and latest end for cue `row`: its neighbours' edges (or where it already is, if it overlaps one)."""
    cue = cues[row]
    low = min(cues[row - 1].end_ms, cue.start_ms) if row > 0 else 0
    high = max(cues[row + 1].start_ms, cue.end_ms) if row + 1 < len(cues) else float("inf")
    return low, high


def start_targets(cues: Sequence[Cue], row: int, options: SnapOptions) -> list[int]:
    cue = cues[row]
    targets = [w.start_ms for w in cue.words] + list(options.shot_changes_ms)
    if row > 0:
        targets.append(cues[row - 1].end_ms + options.min_gap_ms)
    return targets + _playhead(options)


def end_targets(cues: Sequence[Cue], row: int, options: SnapOptions) -> list[int]:
    cue = cues[row]
    targets = [w.end_ms for w in cue.words] + [t - options.min_gap_ms for t in options.shot_changes_ms]
    if row + 1 < len(cues):
        targets.append(cues[row + 1].start_ms - options.min_gap_ms)
    return targets + _playhead(options)


def _playhead(options: SnapOptions) -> list[int]:
    return [options.playhead_ms] if options.playhead_ms is not None else []


def nearest(ms: float, targets: Iterable[int], threshold_ms: float) -> int | None:
    """The target nearest to `ms` if within the threshold."""
    best = min(targets, key=lambda t: abs(t - ms), default=None)
    return best if best is not None and abs(best - ms) <= threshold_ms else None


def to_frame(ms: float, frame_rate: float | None) -> int:
    """The nearest frame boundary (whole ms), or `ms` rounded when the frame rate is unknown."""
    if not frame_rate:
        return round(ms)
    frame = 1000.0 / frame_rate
    return round(round(ms / frame) * frame)


def _snapped(ms: int, targets: list[int], options: SnapOptions) -> int:
    if not options.enabled:
        return ms
    found = nearest(ms, targets, options.threshold_ms)
    return found if found is not None else to_frame(ms, options.frame_rate)


def snap(cues: Sequence[Cue], row: int, edge: Edge, start_ms: int, end_ms: int, options: SnapOptions) -> tuple[int, int]:
    """The (start, end) a drag to (start_ms, end_ms) gives cue `row`, snapped and kept between its neighbours."""
    low, high = limits(cues, row)
    if edge is Edge.START:
        start = _snapped(start_ms, start_targets(cues, row, options), options)
        return int(min(max(start, low), end_ms - MIN_DURATION_MS)), end_ms
    if edge is Edge.END:
        end = _snapped(end_ms, end_targets(cues, row, options), options)
        return start_ms, int(max(min(end, high), start_ms + MIN_DURATION_MS))
    offset = _move_offset(cues, row, start_ms, end_ms, options)
    offset = max(min(offset, high - end_ms), low - start_ms)
    return int(start_ms + offset), int(end_ms + offset)


def _move_offset(cues: Sequence[Cue], row: int, start_ms: int, end_ms: int, options: SnapOptions) -> float:
    """A moved cue snaps by whichever edge is nearer a target (words move with the cue, so they are not targets)."""
    if not options.enabled:
        return 0
    bare = list(cues)
    bare[row] = Cue(start_ms, end_ms, "")
    offsets = []
    for ms, targets in ((start_ms, start_targets(bare, row, options)), (end_ms, end_targets(bare, row, options))):
        found = nearest(ms, targets, options.threshold_ms)
        if found is not None:
            offsets.append(found - ms)
    if offsets:
        return min(offsets, key=abs)
    return to_frame(start_ms, options.frame_rate) - start_ms
