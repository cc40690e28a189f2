"""The overlay shows the cue at the clock's position and highlights the word being spoken."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor

from subtitler.core.cue import Cue, Word
from subtitler.core.document import Document
from subtitler.gui.player.media_player import MediaPlayer
from subtitler.gui.video_view import (
    HIGHLIGHT_COLOR,
    VideoView,
    overlay_html,
    spoken_span,
)
from tests.gui.players import close_player


def _words(spec: list[tuple[str, int, int]]) -> tuple[Word, ...]:
    return tuple(Word(t, a, b, 0.9) for t, a, b in spec)


@pytest.fixture
def document() -> Document:
    first = _words([("And", 300, 500), ("so,", 500, 900), ("my", 1100, 1300), ("fellow", 1300, 1700), ("Americans,", 1700, 3500)])
    second = _words([("ask", 3900, 4300), ("not", 4300, 4700), ("what", 5100, 5400), ("your", 5400, 5600), ("country", 5600, 6000)])
    return Document([
        Cue(300, 3500, "And so, my fellow\nAmericans,", first),
        Cue(3900, 6200, "ask not what your country", second),
    ])


@pytest.fixture
def view(qtbot, data_dir, document):
    player = MediaPlayer()
    with qtbot.waitSignal(player.duration_ms_changed, timeout=10000, check_params_cb=lambda d: d > 0):
        player.load(data_dir / "jfk.mp4")
    widget = VideoView()
    qtbot.addWidget(widget)
    widget.resize(480, 360)
    widget.set_player(player)
    widget.set_document(document)
    widget.show()
    yield widget, player, document
    close_player(qtbot, player)


def test_overlay_html_and_spoken_span():
    words = _words([("Hello,", 0, 100), ("i", 150, 300)])
    cue = Cue(0, 300, "<i>Hello,</i> i & you", words)
    span = spoken_span(cue, 200)
    assert (span.start, span.end) == (14, 15), "the word 'i' is not found inside the <i> tag"
    assert spoken_span(cue, 120) is None, "between words nothing is spoken"
    first = spoken_span(cue, 50)
    assert cue.text[first.start : first.end] == "Hello,"
    html = overlay_html(cue.text, (14, 15))
    assert "<i>Hello,</i>" in html and f'<span style="color:{HIGHLIGHT_COLOR}">i</span>' in html and "&amp;" in html
    assert "{" not in overlay_html("{\\an8}Top", None) and "Top" in overlay_html("{\\an8}Top", None)
    assert overlay_html("a\nb", (2, 3)).count("</span>") == 1 and "<br>" in overlay_html("a\nb", None)


def test_overlay_follows_the_clock(view):
    widget, player, _ = view
    player.seek(100)
    assert widget.overlay_text() == ""
    player.seek(1400)
    assert widget.overlay_text() == "And so, my fellow\nAmericans,"
    assert widget.highlighted_word() == "fellow"
    player.seek(2000)
    assert widget.highlighted_word() == "Americans,"
    player.seek(5000)
    assert widget.overlay_text() == "ask not what your country"
    assert widget.highlighted_word() is None, "a pause between words highlights nothing"
    player.seek(5450)
    assert widget.highlighted_word() == "your"
    player.seek(7000)
    assert widget.overlay_text() == ""


def test_overlay_follows_playback(qtbot, view):
    widget, player, _ = view
    player.seek(3950)
    with qtbot.waitSignal(player.playing_changed, timeout=5000):
        player.play()
    qtbot.waitUntil(lambda: widget.highlighted_word() == "not", timeout=3000)
    player.pause()


def test_overlay_updates_when_the_document_changes(view):
    from subtitler.core.commands import SetText

    widget, player, document = view
    player.seek(4000)
    SetText(document, 1, "ask not").redo()
    assert widget.overlay_text() == "ask not"


def test_audio_only_shows_placeholder_and_draws_highlight(qtbot, data_dir, document):
    player = MediaPlayer()
    widget = VideoView()
    qtbot.addWidget(widget)
    widget.resize(480, 300)
    widget.set_player(player)
    with qtbot.waitSignal(player.media_loaded, timeout=10000):
        player.load(data_dir / "jfk.flac")
    assert not player.has_video
    widget.set_document(document)
    widget.show()
    player.seek(1400)
    highlighted = _count_color(widget.grab().toImage(), QColor(HIGHLIGHT_COLOR))
    player.seek(1000)  # in the cue, between words
    plain = _count_color(widget.grab().toImage(), QColor(HIGHLIGHT_COLOR))
    assert widget.overlay_text().startswith("And so")
    assert highlighted > 20 and plain == 0
    close_player(qtbot, player)


def _count_color(image, color: QColor, tolerance: int = 40) -> int:
    count = 0
    for y in range(0, image.height(), 2):
        for x in range(0, image.width(), 2):
            c = image.pixelColor(x, y)
            if abs(c.red() - color.red()) + abs(c.green() - color.green()) + abs(c.blue() - color.blue()) < tolerance:
                count += 1
    return count


def test_markup_helpers():
    from subtitler.gui.timeline.markup import masked, strip_tags

    text = "<i>Hi</i> {\\an8}there"
    assert strip_tags(text) == "Hi there"
    assert len(masked(text)) == len(text) and masked(text).replace("\0", "") == "Hi there"


def test_a_full_reading_line_fits_the_picture_width(qtbot):
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QFontMetricsF

    from subtitler.gui.video_view import REFERENCE_LINE, overlay_font

    for width, height in ((320, 240), (1920, 1080), (1080, 1920)):
        frame = QRectF(0, 0, width, height)
        font = overlay_font(frame)
        assert QFontMetricsF(font).horizontalAdvance(REFERENCE_LINE) <= width * 0.9 + 1
        assert font.pixelSize() <= int(height * 0.06)
    assert overlay_font(QRectF(0, 0, 1920, 1080)).pixelSize() == int(1080 * 0.06)  # wide pictures keep the full size


def test_overlapping_cues_are_all_shown_the_earliest_at_the_bottom(view, qtbot):
    """Issue 11, fault 8: of two overlapping cues only one showed in the preview."""
    widget, player, document = view
    from subtitler.core.commands import InsertCue

    InsertCue(document, 2, Cue(5000, 7000, "a second speaker")).redo()
    with qtbot.waitSignal(player.position_ms_changed, timeout=5000, check_params_cb=lambda ms: ms == 5500):
        player.seek(5500)
    assert widget.overlay_text().splitlines() == ["a second speaker", "ask not what your country"]
    assert widget.highlighted_word() == "your"


def test_no_media_is_not_called_audio_only(qtbot, data_dir):
    """Issue 11, fault 8: an empty window said "Audio only"."""
    player = MediaPlayer()
    widget = VideoView()
    qtbot.addWidget(widget)
    widget.set_player(player)
    widget.show()
    assert widget.placeholder_text().startswith("No video or audio open") and "Ctrl+O" in widget.placeholder_text()
    with qtbot.waitSignal(player.media_loaded, timeout=10_000):
        player.load(data_dir / "jfk.flac")
    assert widget.placeholder_text() == "Audio only"
    close_player(qtbot, player)
