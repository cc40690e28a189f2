"""O(log n) lookups of cues by time, for everything that follows the 60 Hz clock.

The document keeps one, built on first use after each change (one pass), so the
table, the overlay and the timeline share it instead of scanning the cue list.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import accumulate

from subtitler.core.cue import Cue


class CueIndex:
    """Start times and the running maximum of end times of a list of cues."""

    def __init__(self, cues: Sequence[Cue] = ()) -> None:
        self.cues = tuple(cues)
        self.starts = [c.start_ms for c in self.cues]
        self.max_ends = list(accumulate((c.end_ms for c in self.cues), max))
        self.sorted = all(a <= b for a, b in zip(self.starts, self.starts[1:]))

    def __len__(self) -> int:
        return len(self.cues)

    def rows_in(self, start_ms: float, end_ms: float) -> list[int]:
        """Rows of the cues that overlap [start_ms, end_ms)."""
        if not self.sorted:
            return [i for i, c in enumerate(self.cues) if c.end_ms > start_ms and c.start_ms < end_ms]
        first = bisect_right(self.max_ends, start_ms)
        last = bisect_left(self.starts, end_ms)
        return [i for i in range(first, last) if self.cues[i].end_ms > start_ms]

    def rows_at(self, ms: float) -> list[int]:
        """Every cue shown at `ms` (overlapping cues are all on screen), in row order."""
        return [row for row in self.rows_in(ms, ms + 1) if self.cues[row].start_ms <= ms]

    def row_at(self, ms: float) -> int | None:
        """The cue shown at `ms`: the latest-starting one that contains it (as Document.index_at)."""
        if not self.sorted:
            found = [i for i, c in enumerate(self.cues) if c.start_ms <= ms < c.end_ms]
            return found[-1] if found else None
        i = bisect_right(self.starts, ms) - 1
        while i >= 0 and self.max_ends[i] > ms:
            if self.cues[i].end_ms > ms:
                return i
            i -= 1
        return None
