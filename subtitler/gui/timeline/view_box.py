"""The timeline's ViewBox: x-only zoom and pan, a click reports its time, a right click asks for a menu, Shift+wheel scrolls."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal

Y_RANGE = (-1.0, 1.0)
SCROLL_FRACTION = 0.15  # of the visible width per wheel notch with Shift


class TimelineViewBox(pg.ViewBox):
    """Y is fixed to the waveform's amplitude; only time zooms and scrolls."""

    clicked_at_s = Signal(float)
    context_menu_requested = Signal(float, object)  # seconds, global position (QPoint)

    def __init__(self) -> None:
        super().__init__(enableMenu=False)
        self.setMouseEnabled(x=True, y=False)
        self.enableAutoRange(x=False, y=False)
        self.setYRange(*Y_RANGE, padding=0.02)
        self.setDefaultPadding(0.0)

    def mouseClickEvent(self, ev) -> None:
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self.clicked_at_s.emit(self.mapSceneToView(ev.scenePos()).x())
        elif ev.button() == Qt.MouseButton.RightButton:
            ev.accept()
            self.context_menu_requested.emit(self.mapSceneToView(ev.scenePos()).x(), ev.screenPos().toPoint())
        else:
            ev.ignore()

    def wheelEvent(self, ev, axis=None) -> None:
        if ev.modifiers() & Qt.KeyboardModifier.ShiftModifier or ev.orientation() == Qt.Orientation.Horizontal:
            ev.accept()
            x0, x1 = self.viewRange()[0]
            step = (x1 - x0) * SCROLL_FRACTION * (-1 if ev.delta() > 0 else 1)
            self.setXRange(x0 + step, x1 + step, padding=0)
            return
        super().wheelEvent(ev, axis=0)
