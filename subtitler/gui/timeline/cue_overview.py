"""All cues as plain bars, for zoom levels where there are too many to give each an item.

Painted in device pixels: the visible cues' spans are mapped to pixels and
merged where they touch, so a frame costs at most one rectangle per pixel
column however many cues there are (a QPainterPath of 1,500 rectangles took
~0.7 s to fill at full zoom-out).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPainter

from subtitler.core.cue import Cue

BAR = QColor(70, 130, 230, 80)
SPAN = (-1.0, 1.0)


def merged_spans(starts_px: np.ndarray, ends_px: np.ndarray, gap_px: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Union of [start, end] pixel spans (sorted by start) where gaps under `gap_px` are closed."""
    if len(starts_px) == 0:
        return starts_px, ends_px
    reach = np.maximum.accumulate(ends_px)
    new_group = np.empty(len(starts_px), dtype=bool)
    new_group[0] = True
    new_group[1:] = starts_px[1:] > reach[:-1] + gap_px
    first = np.flatnonzero(new_group)
    last = np.append(first[1:] - 1, len(starts_px) - 1)
    return starts_px[first], reach[last]


class CueOverviewItem(pg.GraphicsObject):
    """Every cue as a bar, not editable; shown instead of regions when zoomed far out."""

    def __init__(self) -> None:
        super().__init__()
        self._starts = np.zeros(0)
        self._ends = np.zeros(0)
        self._rect = QRectF()
        self.setZValue(9)

    def set_cues(self, cues: Sequence[Cue]) -> None:
        self.prepareGeometryChange()
        order = sorted(range(len(cues)), key=lambda i: cues[i].start_ms)
        self._starts = np.array([cues[i].start_ms / 1000.0 for i in order], dtype=np.float64)
        self._ends = np.array([cues[i].end_ms / 1000.0 for i in order], dtype=np.float64)
        self._rect = QRectF(0.0, SPAN[0], float(self._ends.max()) if len(cues) else 0.0, SPAN[1] - SPAN[0])
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, p: QPainter, *args: object) -> None:
        if len(self._starts) == 0:
            return
        tr = p.transform()
        scale, offset = tr.m11(), tr.dx()
        top, bottom = tr.map(0.0, SPAN[1])[1], tr.map(0.0, SPAN[0])[1]
        lo, hi = sorted((top, bottom))
        starts, ends = merged_spans(self._starts * scale + offset, self._ends * scale + offset)
        width = p.device().width() if p.device() is not None else 1e9
        visible = (ends >= 0) & (starts <= width)
        p.save()
        p.resetTransform()
        for a, b in zip(starts[visible], ends[visible]):
            p.fillRect(QRectF(a, lo, max(1.0, b - a), hi - lo), BAR)
        p.restore()
