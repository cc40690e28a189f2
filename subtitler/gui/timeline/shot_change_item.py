"""Shot changes on the timeline: one thin vertical line per cut, drawn as a single curve of line pairs."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pyqtgraph as pg

SHOT_CHANGE_COLOR = (255, 160, 40, 240)


class ShotChangeItem(pg.PlotDataItem):
    """Lines at the cut times (ms); clip-to-view keeps a film's thousand cuts cheap."""

    def __init__(self) -> None:
        super().__init__(pen=pg.mkPen(SHOT_CHANGE_COLOR, width=2, style=pg.QtCore.Qt.PenStyle.DashLine), connect="pairs")
        self.setZValue(5)  # over the waveform, under the cues
        self.times_ms: tuple[int, ...] = ()

    def set_times_ms(self, times_ms: Sequence[int]) -> None:
        self.times_ms = tuple(times_ms)
        x = np.repeat(np.asarray(self.times_ms, dtype=np.float64) / 1000.0, 2)
        y = np.tile(np.array([-1.0, 1.0]), len(self.times_ms))
        self.setData(x, y)
