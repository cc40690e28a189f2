"""Cue regions on the timeline: drag the body to move a cue, drag an edge to retime it.

Own GraphicsObject rather than pyqtgraph's LinearRegionItem: that one is three
items per cue, reports "finished" on programmatic setRegion, and cannot draw
the cue's words; one light item per cue keeps recycling cheap. A drag only
previews (the document is untouched) and reports one RegionEdit on release.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter

from subtitler.core.cue import Cue
from subtitler.core.snapping import Edge as DragMode  # what a drag grabs: the body or an edge
from subtitler.gui.timeline.markup import strip_tags

EDGE_PX = 6  # how close to an edge (in pixels) a press grabs the edge instead of the body
MIN_WORD_PX = 6  # draw word marks only when the words average at least this width on screen
MIN_TEXT_PX = 30
EDGE_WIDTH_PX = 2.0
SPEAKER_BAND_PX = 5.0
MIN_DURATION_MS = 10
LOW_CONFIDENCE = 0.5  # words Whisper was less sure of are tinted
Y_SPAN = (-1.0, 1.0)

FILL = QColor(70, 130, 230, 55)
FILL_SELECTED = QColor(90, 160, 255, 110)
EDGE = QColor(120, 170, 255, 220)
EDGE_SELECTED = QColor(255, 255, 255, 240)
WORD_LINE = QColor(220, 220, 220, 110)
LOW_CONFIDENCE_TINT = QColor(255, 120, 40, 70)
TEXT = QColor(235, 235, 235)


@dataclass(frozen=True)
class RegionEdit:
    """What one finished drag did to one cue (the document is not changed yet)."""

    row: int
    mode: DragMode
    old_start_ms: int
    old_end_ms: int
    new_start_ms: int
    new_end_ms: int

    @property
    def offset_ms(self) -> int:
        return self.new_start_ms - self.old_start_ms

    @property
    def changed(self) -> bool:
        return (self.old_start_ms, self.old_end_ms) != (self.new_start_ms, self.new_end_ms)


def dragged_times(mode: DragMode, start_ms: int, end_ms: int, delta_ms: int) -> tuple[int, int]:
    """New (start, end) after dragging by delta_ms: never before 0, never shorter than MIN_DURATION_MS."""
    if mode is DragMode.MOVE:
        delta_ms = max(delta_ms, -start_ms)
        return start_ms + delta_ms, end_ms + delta_ms
    if mode is DragMode.START:
        return max(0, min(start_ms + delta_ms, end_ms - MIN_DURATION_MS)), end_ms
    return start_ms, max(end_ms + delta_ms, start_ms + MIN_DURATION_MS)


# (row, what is dragged, start, end, snapping on) -> where the cue may go: snapped, kept between its neighbours
Constrain = Callable[[int, DragMode, int, int, bool], tuple[int, int]]


class CueRegionItem(pg.GraphicsObject):
    """One cue's span, words and text; recycled between cues as the view scrolls."""

    def __init__(self, on_clicked: Callable[[int, float], None], on_drag_finished: Callable[[RegionEdit], None],
                 constrain: Constrain | None = None) -> None:
        super().__init__()
        self._on_clicked = on_clicked
        self._on_drag_finished = on_drag_finished
        self._constrain = constrain
        self.row = -1
        self.cue: Cue | None = None
        self.selected = False
        self.band: QColor | None = None  # the speaker's colour
        self.start_ms = 0
        self.end_ms = 0
        self._drag_mode: DragMode | None = None
        self.setAcceptHoverEvents(True)
        self.setZValue(10)

    # --- state ------------------------------------------------------------
    def assign(self, row: int, cue: Cue, selected: bool, band: QColor | None = None) -> None:
        self.prepareGeometryChange()
        self.row, self.cue, self.selected, self.band = row, cue, selected, band
        self.start_ms, self.end_ms = cue.start_ms, cue.end_ms
        self._drag_mode = None
        self.setZValue(11 if selected else 10)
        self.update()

    def set_selected(self, selected: bool) -> None:
        if selected != self.selected:
            self.selected = selected
            self.setZValue(11 if selected else 10)
            self.update()

    @property
    def dragging(self) -> bool:
        return self._drag_mode is not None

    def _set_span(self, start_ms: int, end_ms: int) -> None:
        self.prepareGeometryChange()
        self.start_ms, self.end_ms = start_ms, end_ms
        self.update()

    # --- geometry and painting --------------------------------------------
    def boundingRect(self) -> QRectF:
        return QRectF(self.start_ms / 1000.0, Y_SPAN[0], (self.end_ms - self.start_ms) / 1000.0, Y_SPAN[1] - Y_SPAN[0])

    def paint(self, p: QPainter, *args: object) -> None:
        """Drawn in device pixels with fillRect: the cheapest path of the raster engine (no scaled pens)."""
        if self.cue is None:
            return
        tr = p.transform()
        device = tr.mapRect(self.boundingRect())
        p.save()
        p.resetTransform()
        p.fillRect(device, FILL_SELECTED if self.selected else FILL)
        if self.cue.words and device.width() / len(self.cue.words) >= MIN_WORD_PX:
            self._paint_words(p, device, tr.m11(), tr.dx())
        if self.band is not None:
            p.fillRect(QRectF(device.left(), device.bottom() - SPEAKER_BAND_PX, device.width(), SPEAKER_BAND_PX), self.band)
        edge = EDGE_SELECTED if self.selected else EDGE
        p.fillRect(QRectF(device.left(), device.top(), EDGE_WIDTH_PX, device.height()), edge)
        p.fillRect(QRectF(device.right() - EDGE_WIDTH_PX, device.top(), EDGE_WIDTH_PX, device.height()), edge)
        if device.width() >= MIN_TEXT_PX:
            self._paint_text(p, device)
        p.restore()

    def _paint_words(self, p: QPainter, device: QRectF, scale: float, offset: float) -> None:
        """Low-confidence words tinted, a thin line where each word after the first starts."""
        shift_s = (self.start_ms - self.cue.start_ms) / 1000.0 if self._drag_mode is DragMode.MOVE else 0.0
        for i, word in enumerate(self.cue.words):
            x0 = (word.start_ms / 1000.0 + shift_s) * scale + offset
            x1 = (word.end_ms / 1000.0 + shift_s) * scale + offset
            if word.probability is not None and word.probability < LOW_CONFIDENCE:
                p.fillRect(QRectF(x0, device.top(), x1 - x0, device.height()).intersected(device), LOW_CONFIDENCE_TINT)
            if i > 0 and device.left() < x0 < device.right():
                p.fillRect(QRectF(x0, device.top(), 1.0, device.height()), WORD_LINE)

    def _paint_text(self, p: QPainter, device: QRectF) -> None:
        p.setClipRect(device)
        p.setPen(TEXT)
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap)
        p.drawText(device.adjusted(4, 2, -2, -2), flags, f"{self.row + 1}  {strip_tags(self.cue.plain_text)}")

    # --- mouse ------------------------------------------------------------
    def mode_at(self, x_s: float) -> DragMode:
        """Which part of the region a press at x_s (seconds) grabs."""
        pixel_s = self.pixelWidth() or 0.0
        width_s = (self.end_ms - self.start_ms) / 1000.0
        grab_s = min(EDGE_PX * pixel_s, width_s / 3)
        if x_s - self.start_ms / 1000.0 <= grab_s:
            return DragMode.START
        if self.end_ms / 1000.0 - x_s <= grab_s:
            return DragMode.END
        return DragMode.MOVE

    def hoverEvent(self, ev) -> None:
        if ev.isExit():
            self.unsetCursor()
            return
        ev.acceptDrags(Qt.MouseButton.LeftButton)
        ev.acceptClicks(Qt.MouseButton.LeftButton)
        edge = self.mode_at(ev.pos().x()) is not DragMode.MOVE
        self.setCursor(Qt.CursorShape.SizeHorCursor if edge else Qt.CursorShape.SizeAllCursor)

    def mouseClickEvent(self, ev) -> None:
        """A click selects the cue and puts the playhead where it was clicked (a drag moves the cue instead)."""
        if ev.button() == Qt.MouseButton.LeftButton and self.cue is not None:
            ev.accept()
            self._on_clicked(self.row, ev.pos().x())

    def mouseDragEvent(self, ev) -> None:
        if ev.button() != Qt.MouseButton.LeftButton or self.cue is None:
            ev.ignore()
            return
        ev.accept()
        if ev.isStart():
            self._drag_mode = self.mode_at(ev.buttonDownPos().x())
        if self._drag_mode is None:
            return
        delta_ms = round((ev.pos().x() - ev.buttonDownPos().x()) * 1000)
        start, end = dragged_times(self._drag_mode, self.cue.start_ms, self.cue.end_ms, delta_ms)
        if self._constrain is not None:
            snapping = not ev.modifiers() & Qt.KeyboardModifier.ShiftModifier  # Shift: exactly where the mouse is
            start, end = self._constrain(self.row, self._drag_mode, start, end, snapping)
        self._set_span(start, end)
        if ev.isFinish():
            edit = RegionEdit(self.row, self._drag_mode, self.cue.start_ms, self.cue.end_ms, start, end)
            self._drag_mode = None
            self._set_span(self.cue.start_ms, self.cue.end_ms)  # the document's answer redraws it
            self._on_drag_finished(edit)

    def cancel_drag(self) -> None:
        if self.cue is not None:
            self._drag_mode = None
            self._set_span(self.cue.start_ms, self.cue.end_ms)
