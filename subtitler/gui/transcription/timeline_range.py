"""A time range dragged on the timeline with Shift held: what "transcribe the selection again" takes when no cue fits.

It attaches to the timeline's ViewBox from outside (an invisible item on top that
takes only Shift+left drags that start off the cues, and lets every other press
through to the cues and the view: Shift+drag on a cue stays the timeline's exact,
unsnapped retime), so the timeline keeps its own mouse handling. The range shows as a
shaded band and stays until Esc, a plain click elsewhere, or a new drag.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter

BAND = QColor(255, 200, 60, 60)
BAND_EDGE = QColor(255, 200, 60, 200)
MIN_RANGE_MS = 200  # shorter drags are slips of the hand, not ranges
Z_TOP = 1000


class _ShiftDragCatcher(pg.GraphicsObject):
    """Covers the whole view, draws nothing, and accepts a drag only when Shift is held."""

    def __init__(self, owner: TimelineRange) -> None:
        super().__init__()
        self._owner = owner
        self.setZValue(Z_TOP)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        return QRectF(-1e7, -1e3, 2e7, 2e3)  # seconds x amplitude: everything the timeline can show

    def paint(self, painter: QPainter, *args) -> None:
        """Nothing to draw: this item only catches Shift-drags; the band is a separate item."""

    def mouseDragEvent(self, ev) -> None:  # noqa: N802 - pyqtgraph's name
        if ev.button() != Qt.MouseButton.LeftButton or not ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            ev.ignore()
            return
        if ev.isStart() and self._on_a_cue(ev.buttonDownScenePos()):
            ev.ignore()  # Shift+drag on a cue is the timeline's (an edge or a move placed exactly, no snapping)
            return
        ev.accept()
        self._owner.preview_s(ev.buttonDownPos().x(), ev.pos().x())
        if ev.isFinish():
            self._owner.finish()

    def mouseClickEvent(self, ev) -> None:  # noqa: N802 - pyqtgraph's name
        ev.ignore()

    def _on_a_cue(self, scene_pos) -> bool:
        from subtitler.gui.timeline.cue_regions import CueRegionItem

        scene = self.scene()
        return scene is not None and any(isinstance(item, CueRegionItem) and item.isVisible() for item in scene.items(scene_pos))


class TimelineRange(QObject):
    """The dragged range, in milliseconds; `range_changed(start_ms, end_ms)` (both -1 when cleared)."""

    range_changed = Signal(int, int)

    def __init__(self, view_box: pg.ViewBox, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._band = pg.LinearRegionItem(brush=BAND, pen=BAND_EDGE, movable=True)
        self._band.setZValue(Z_TOP - 1)
        self._band.hide()
        self._band.sigRegionChangeFinished.connect(self._on_band_region_change_finished)
        self._catcher = _ShiftDragCatcher(self)
        view_box.addItem(self._band, ignoreBounds=True)
        view_box.addItem(self._catcher, ignoreBounds=True)
        self._range_ms: tuple[int, int] | None = None

    @property
    def range_ms(self) -> tuple[int, int] | None:
        return self._range_ms

    def set_range_ms(self, start_ms: int, end_ms: int) -> None:
        self.preview_s(start_ms / 1000, end_ms / 1000)
        self.finish()

    def preview_s(self, a_s: float, b_s: float) -> None:
        start, end = sorted((max(0.0, a_s), max(0.0, b_s)))
        self._band.blockSignals(True)
        self._band.setRegion((start, end))
        self._band.blockSignals(False)
        self._band.show()

    def finish(self) -> None:
        start, end = (round(x * 1000) for x in self._band.getRegion())
        if end - start < MIN_RANGE_MS:
            self.clear()
            return
        self._range_ms = (start, end)
        self.range_changed.emit(start, end)

    def clear(self) -> None:
        self._band.hide()
        if self._range_ms is not None:
            self._range_ms = None
            self.range_changed.emit(-1, -1)

    def _on_band_region_change_finished(self, _band: object) -> None:
        if self._band.isVisible():
            self.finish()
