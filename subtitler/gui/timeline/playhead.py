"""The playhead: a vertical line that only mirrors the clock (MediaPlayer.position_ms_changed)."""

from __future__ import annotations

import pyqtgraph as pg

PLAYHEAD_COLOR = (255, 64, 64)


class Playhead(pg.InfiniteLine):
    """Holds no time of its own: set_position_ms is called from the clock's signal."""

    def __init__(self) -> None:
        super().__init__(pos=0.0, angle=90, movable=False, pen=pg.mkPen(PLAYHEAD_COLOR, width=2))
        self.setZValue(50)
        self.position_ms = 0

    def set_position_ms(self, ms: int) -> None:
        self.position_ms = int(ms)
        self.setValue(ms / 1000.0)
