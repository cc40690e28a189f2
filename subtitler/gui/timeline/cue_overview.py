"""All cues as plain bars, for zoom levels where there are too many to give each an item."""

from __future__ import annotations

from typing import Sequence

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath

from subtitler.core.cue import Cue

BAR = QColor(70, 130, 230, 80)
SPAN = (-1.0, 1.0)


class CueOverviewItem(pg.GraphicsObject):
    """One painter path of rectangles: cheap to draw at any zoom, not editable."""

    def __init__(self) -> None:
        super().__init__()
        self._path = QPainterPath()
        self._rect = QRectF()
        self.setZValue(9)

    def set_cues(self, cues: Sequence[Cue]) -> None:
        self.prepareGeometryChange()
        path = QPainterPath()
        for cue in cues:
            path.addRect(QRectF(cue.start_ms / 1000.0, SPAN[0], (cue.end_ms - cue.start_ms) / 1000.0, SPAN[1] - SPAN[0]))
        self._path = path
        self._rect = path.boundingRect()
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return self._rect

    def paint(self, p: QPainter, *args: object) -> None:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QBrush(BAR))
        p.drawPath(self._path)
