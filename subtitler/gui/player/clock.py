"""The position estimate behind MediaPlayer: coarse player reports, extrapolated with a monotonic clock.

Pure Python (no Qt) so the arithmetic is tested on its own. QMediaPlayer reports
its position every 50-100 ms; between reports the position is the last report
plus the time since it arrived at the playback rate (never more than
`max_extrapolation_ms` ahead, in case the player stalls). After a seek, reports
of the old position that were already on their way are ignored until the
player reports the new one (or `seek_settle_s` passes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MAX_EXTRAPOLATION_MS = 120
SEEK_MATCH_MS = 250
SEEK_SETTLE_S = 0.5


@dataclass
class PositionEstimate:
    """Anchor (last trusted report and when it came) and an optional seek still in flight."""

    anchor_ms: int = 0
    anchor_time_s: float = 0.0
    pending_seek_ms: int | None = None
    pending_since_s: float = 0.0
    max_extrapolation_ms: int = MAX_EXTRAPOLATION_MS

    def reanchor(self, ms: int, now_s: float) -> None:
        self.anchor_ms, self.anchor_time_s = int(ms), now_s

    def seek(self, ms: int, now_s: float) -> None:
        self.reanchor(ms, now_s)
        self.pending_seek_ms, self.pending_since_s = int(ms), now_s

    def report(self, raw_ms: int, now_s: float) -> None:
        """A position read from the player; a changed one becomes the new anchor."""
        if self.pending_seek_ms is not None:
            settled = abs(raw_ms - self.pending_seek_ms) <= SEEK_MATCH_MS or now_s - self.pending_since_s > SEEK_SETTLE_S
            if not settled:
                return
            self.pending_seek_ms = None
        if raw_ms != self.anchor_ms:
            self.reanchor(raw_ms, now_s)

    def estimate(self, now_s: float, rate: float, playing: bool, duration_ms: int = 0) -> int:
        elapsed_ms = (now_s - self.anchor_time_s) * 1000.0 * rate if playing else 0.0
        estimate = self.anchor_ms + min(max(0.0, elapsed_ms), self.max_extrapolation_ms)
        return round(min(estimate, duration_ms) if duration_ms > 0 else estimate)


def frame_centre_ms(ms: int, frame_rate: float) -> int:
    """The middle of the video frame whose presentation interval [n/fps, (n+1)/fps) contains `ms`.

    Qt's FFmpeg backend, asked for an exact frame boundary, shows the frame before
    or after it depending on how its timestamps round; asked for the middle of a
    frame it shows that frame. The player seeks there and still reports `ms`.
    """
    if frame_rate <= 0:
        return ms
    frame_ms = 1000.0 / frame_rate
    return round((math.floor(ms / frame_ms + 1e-9) + 0.5) * frame_ms)
