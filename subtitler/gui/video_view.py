"""VideoView: the picture with the current cue drawn over it, the spoken word highlighted.

It follows the one clock (MediaPlayer.position_ms_changed) and keeps no time of
its own; the overlay is rebuilt only when the cue or the word changes.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QRectF, QSizeF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen, QResizeEvent
from PySide6.QtMultimediaWidgets import QGraphicsVideoItem
from PySide6.QtWidgets import (
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsTextItem,
    QGraphicsView,
    QVBoxLayout,
    QWidget,
)

from subtitler.core.cue import Cue
from subtitler.core.document import Document, DocumentChange
from subtitler.gui.player.media_player import MediaPlayer
from subtitler.core.cue_index import CueIndex
from subtitler.gui.timeline.markup import TAG, masked
from subtitler.gui.word_spans import WordSpan, span_at_time, word_spans

PLACEHOLDER_SIZE = QSizeF(640, 360)
HIGHLIGHT_COLOR = "#ffd23f"
NO_MEDIA = "No video or audio open\nOpen one with Ctrl+O or drop it here"
TEXT_COLOR = "#ffffff"


def spoken_span(cue: Cue, ms: int) -> WordSpan | None:
    """Where in the cue text the word spoken at `ms` sits, if it can be found."""
    return span_at_time(word_spans(masked(cue.text), cue.words), ms)


def _tag_html(tag: str) -> str:
    return tag.lower() if tag.startswith("<") else ""  # <i>, </b> pass through; ASS overrides are not shown


def overlay_html(text: str, span: tuple[int, int] | None) -> str:
    """The cue text as centred HTML: formatting tags kept, the rest escaped, the span highlighted."""
    tags = {m.start(): m for m in TAG.finditer(text)}
    parts: list[str] = []
    i = 0
    while i < len(text):
        if span is not None and i == span[0]:
            parts.append(f'<span style="color:{HIGHLIGHT_COLOR}">')
        if span is not None and i == span[1]:
            parts.append("</span>")
        if i in tags:
            parts.append(_tag_html(tags[i].group()))
            i = tags[i].end()
            continue
        parts.append("<br>" if text[i] == "\n" else html.escape(text[i]))
        i += 1
    if span is not None and span[1] >= len(text):
        parts.append("</span>")
    return f'<div align="center" style="color:{TEXT_COLOR}">{"".join(parts)}</div>'


class _FittingView(QGraphicsView):
    """A graphics view that keeps its scene rect fitted (the layout resizes it after the parent)."""

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)


class VideoView(QWidget):
    """A QGraphicsView holding the video item (or an audio-only placeholder) and the subtitle overlay."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._player: MediaPlayer | None = None
        self._document: Document | None = None
        self._index = CueIndex()
        self._shown: tuple[tuple[Cue, WordSpan | None], ...] = ()  # the cues on screen, each with its spoken word
        self._live_text = ""  # live captions: shown instead of the cues while a take runs
        self._init_scene()
        self._init_layout()
        self._show_placeholder(True)

    # --- construction -----------------------------------------------------
    def _init_scene(self) -> None:
        self._scene = QGraphicsScene(self)
        self._scene.setBackgroundBrush(QBrush(Qt.GlobalColor.black))
        self._video_item = QGraphicsVideoItem()
        self._video_item.setSize(PLACEHOLDER_SIZE)
        self._video_item.nativeSizeChanged.connect(self._on_video_item_native_size_changed)
        self._scene.addItem(self._video_item)
        self._placeholder = QGraphicsSimpleTextItem("Audio only")
        self._placeholder.setBrush(QBrush(QColor("#8a8a8a")))
        self._scene.addItem(self._placeholder)
        self._overlay_box = QGraphicsRectItem()
        self._overlay_box.setBrush(QBrush(QColor(0, 0, 0, 150)))
        self._overlay_box.setPen(QPen(Qt.PenStyle.NoPen))
        self._overlay_box.setZValue(10)
        self._scene.addItem(self._overlay_box)
        self._overlay = QGraphicsTextItem()
        self._overlay.setZValue(11)
        self._scene.addItem(self._overlay)

    def _init_layout(self) -> None:
        self._view = _FittingView(self._scene, self)
        self._view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._view.setFrameShape(QGraphicsView.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._view)

    # --- public API -------------------------------------------------------
    def set_player(self, player: MediaPlayer) -> None:
        self._player = player
        player.set_video_output(self._video_item)
        player.position_ms_changed.connect(self._on_player_position_ms_changed)
        player.has_video_changed.connect(self._on_player_has_video_changed)
        player.media_loaded.connect(lambda _path: self._show_placeholder(not player.has_video))
        self._show_placeholder(not player.has_video)
        self._refresh(player.position_ms)

    def set_document(self, document: Document | None) -> None:
        if self._document is not None:
            self._document.changed.disconnect(self._on_document_changed)
        self._document = document
        if document is not None:
            document.changed.connect(self._on_document_changed)
        self._rebuild_index()

    def overlay_text(self) -> str:
        """The subtitle text shown now (plain), for tests and accessibility."""
        return self._overlay.toPlainText() if self._overlay.isVisible() else ""

    def placeholder_text(self) -> str:
        """What the picture area says when there is no picture ('' while video shows)."""
        return self._placeholder.text() if self._placeholder.isVisible() else ""

    def highlighted_word(self) -> str | None:
        """The text of the (first) highlighted word, or None."""
        return next((cue.text[span.start : span.end] for cue, span in self._shown if span is not None), None)

    # --- clock and document ---------------------------------------------
    def _on_player_position_ms_changed(self, ms: int) -> None:
        self._refresh(ms)

    def _on_player_has_video_changed(self, has_video: bool) -> None:
        self._show_placeholder(not has_video)

    def _on_document_changed(self, change: DocumentChange) -> None:
        self._rebuild_index()

    def _on_video_item_native_size_changed(self, size: QSizeF) -> None:
        if size.isValid() and not size.isEmpty():
            self._video_item.setSize(size)
            self._fit()
            self._draw_overlay()

    def _rebuild_index(self) -> None:
        self._index = self._document.time_index() if self._document is not None else CueIndex()
        self._shown = ()
        self._refresh(self._player.position_ms if self._player is not None else 0, force=True)

    def show_live_text(self, text: str) -> None:
        """Live captions: show `text` whatever the playhead says; '' hands the overlay back to the cues."""
        self._live_text = text
        if text:
            self._shown = ((Cue(0, 1, text), None),)
            self._draw_overlay()
            return
        self._refresh(self._player.position_ms if self._player is not None else 0, force=True)

    def _refresh(self, ms: int, force: bool = False) -> None:
        if self._live_text:
            return
        cues = [self._index.cues[row] for row in self._index.rows_at(ms)]
        shown = tuple((cue, spoken_span(cue, ms) if cue.words else None) for cue in cues)
        if shown == self._shown and not force:
            return
        self._shown = shown
        self._draw_overlay()

    # --- drawing ----------------------------------------------------------
    def _frame_rect(self) -> QRectF:
        return self._video_item.boundingRect() if self._video_item.isVisible() else QRectF(0, 0, PLACEHOLDER_SIZE.width(), PLACEHOLDER_SIZE.height())

    def _draw_overlay(self) -> None:
        """Every cue on screen; overlapping cues stack as players stack them (the earliest at the bottom)."""
        shown = [(cue, span) for cue, span in self._shown if cue.text.strip()]
        visible = bool(shown)
        self._overlay.setVisible(visible)
        self._overlay_box.setVisible(visible)
        if not visible:
            return
        frame = self._frame_rect()
        self._overlay.setFont(overlay_font(frame))
        self._overlay.setTextWidth(frame.width() * 0.9)
        blocks = [overlay_html(cue.text, (span.start, span.end) if span is not None else None) for cue, span in reversed(shown)]
        self._overlay.setHtml("".join(blocks))
        box = self._overlay.boundingRect()
        x = frame.left() + (frame.width() - box.width()) / 2
        y = frame.bottom() - box.height() - frame.height() * 0.04
        self._overlay.setPos(x, y)
        self._overlay_box.setRect(QRectF(x, y, box.width(), box.height()).adjusted(-4, 0, 4, 0))

    def _show_placeholder(self, audio_only: bool) -> None:
        """No picture: 'Audio only' for loaded media without video, else how to open something."""
        self._video_item.setVisible(not audio_only)
        self._placeholder.setVisible(audio_only)
        loaded = self._player is not None and self._player.path is not None
        self._placeholder.setText("Audio only" if loaded else NO_MEDIA)
        if audio_only:
            font = QFont()
            font.setPixelSize(28)
            self._placeholder.setFont(font)
            r = self._placeholder.boundingRect()
            self._placeholder.setPos((PLACEHOLDER_SIZE.width() - r.width()) / 2, (PLACEHOLDER_SIZE.height() - r.height()) / 2 - 40)
        self._fit()
        self._draw_overlay()

    def _fit(self) -> None:
        frame = self._frame_rect()
        self._scene.setSceneRect(frame)
        self._view.fitInView(frame, Qt.AspectRatioMode.KeepAspectRatio)


# A full line of the default reading profile (42 characters) must fit the picture, as in a player.
REFERENCE_LINE = "A subtitle line may hold forty-two letters"


def overlay_font(frame: QRectF) -> QFont:
    """Bold, 6 % of the picture's height, smaller where a 42-character line would not fit 90 % of its width (4:3 video)."""
    font = QFont()
    font.setBold(True)
    size = max(8, int(frame.height() * 0.06))
    font.setPixelSize(size)
    line = QFontMetricsF(font).horizontalAdvance(REFERENCE_LINE)
    if line > frame.width() * 0.9:
        font.setPixelSize(max(8, int(size * frame.width() * 0.9 / line)))
    return font
