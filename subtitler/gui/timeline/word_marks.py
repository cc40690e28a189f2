"""Word marks: a strip along the bottom of the timeline with every timed word of the cues in view.

Each word is a box from its start to its end with its text when there is room; words the
recogniser was unsure of are orange, words still waiting for alignment (retyped, or typed by
hand) red, and the word under the playhead is lit as it is spoken (the layer mirrors the one
clock, it keeps no time). One item paints every word in device pixels, like the cue overview:
cheap whatever the zoom, and nothing to recycle. Zoomed far out (more than ``MAX_WORDS`` words
in view) the strip stays empty; the cue regions still show where cues are.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter

from subtitler.core.cue import Word
from subtitler.core.document import Document, DocumentChange
from subtitler.gui.word_spans import DEFAULT_LOW_CONFIDENCE, is_low_confidence

BAND = (-1.0, -0.72)  # the strip's place in the timeline's fixed amplitude range (-1 .. 1)
MAX_WORDS = 800
MIN_TEXT_PX = 14

WORD = QColor(120, 170, 255, 90)
UNSURE = QColor(255, 140, 40, 150)
UNALIGNED = QColor(230, 60, 60, 170)
SPOKEN = QColor(255, 230, 120, 230)
TICK = QColor(230, 230, 230, 200)
TEXT = QColor(245, 245, 245)
SPOKEN_TEXT = QColor(20, 20, 20)


def word_colour(word: Word, spoken: bool, threshold: float) -> QColor:
    if spoken:
        return SPOKEN
    if word.needs_alignment:
        return UNALIGNED
    return UNSURE if is_low_confidence(word, threshold) else WORD


class WordMarkLayer(pg.GraphicsObject):
    """The words of the document on the timeline; ``attach`` adds it to a view box."""

    def __init__(self) -> None:
        super().__init__()
        self.document: Document | None = None
        self.threshold = DEFAULT_LOW_CONFIDENCE
        self.position_ms = -1
        self.spoken: Word | None = None
        self.painted_words = 0  # how many words the last paint drew (tests and the status of the strip)
        self.setZValue(20)  # above the cue regions: the strip is narrow and shows what the regions cannot

    @classmethod
    def attach(cls, view_box: pg.ViewBox) -> "WordMarkLayer":
        layer = cls()
        view_box.addItem(layer, ignoreBounds=True)
        return layer

    # --- inputs ---------------------------------------------------------------------------
    def set_document(self, document: Document | None) -> None:
        if self.document is not None:
            self.document.changed.disconnect(self._on_document_changed)
        self.document = document
        if document is not None:
            document.changed.connect(self._on_document_changed)
        self._on_document_changed(None)

    def set_low_confidence_threshold(self, threshold: float) -> None:
        self.threshold = threshold
        self.update()

    def set_position_ms(self, ms: int) -> None:
        """Follow the clock: repaint only when the spoken word changes."""
        self.position_ms = ms
        spoken = self.word_at(ms)
        if spoken != self.spoken:
            self.spoken = spoken
            self.update()

    def word_at(self, ms: int) -> Word | None:
        """The word spoken at ``ms`` (in the cues around it), or None."""
        if self.document is None or ms < 0:
            return None
        words = self.visible_words(ms / 1000.0, (ms + 1) / 1000.0)
        return next((w for w in words if w.start_ms <= ms < w.end_ms), None)

    def _on_document_changed(self, _change: DocumentChange | None) -> None:
        self.prepareGeometryChange()
        self.spoken = self.word_at(self.position_ms)
        self.update()

    # --- painting -------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        end_s = 0.0
        if self.document is not None and len(self.document):
            index = self.document.time_index()
            end_s = max(index.max_ends[-1], max((w.end_ms for w in self.document[-1].words), default=0)) / 1000.0 + 1.0
        return QRectF(0.0, BAND[0], end_s, BAND[1] - BAND[0])

    def visible_words(self, x0_s: float, x1_s: float) -> list[Word]:
        """Words of the cues overlapping [x0_s, x1_s] (their neighbours too: a word may lie outside its cue)."""
        if self.document is None or not len(self.document):
            return []
        rows = self.document.time_index().rows_in(x0_s * 1000.0, x1_s * 1000.0)
        if rows:
            rows = range(max(0, min(rows) - 1), min(len(self.document), max(rows) + 2))
        return [w for r in rows for w in self.document[r].words if w.end_ms >= x0_s * 1000 and w.start_ms <= x1_s * 1000]

    def paint(self, p: QPainter, *args: object) -> None:
        tr = p.transform()
        scale, offset = tr.m11(), tr.dx()
        if scale <= 0 or self.document is None:
            return
        width = p.device().width() if p.device() is not None else 2000
        words = self.visible_words(-offset / scale, (width - offset) / scale)
        self.painted_words = 0
        if not words or len(words) > MAX_WORDS:
            return
        top, bottom = sorted((tr.map(0.0, BAND[1])[1], tr.map(0.0, BAND[0])[1]))
        metrics = QFontMetrics(p.font())
        p.save()
        p.resetTransform()
        for word in words:
            x0, x1 = word.start_ms / 1000.0 * scale + offset, word.end_ms / 1000.0 * scale + offset
            box = QRectF(x0, top, max(1.0, x1 - x0), bottom - top)
            spoken = word == self.spoken
            p.fillRect(box, word_colour(word, spoken, self.threshold))
            p.fillRect(QRectF(x0, top, 1.0, bottom - top), TICK)
            text = word.text.strip()
            if box.width() >= MIN_TEXT_PX and metrics.horizontalAdvance(text) <= box.width() - 3:
                p.setPen(SPOKEN_TEXT if spoken else TEXT)
                p.drawText(box.adjusted(2, 0, 0, 0), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)
            self.painted_words += 1
        p.restore()
