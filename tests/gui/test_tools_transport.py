"""The transport bar and its keys in the real window: frame steps, speed, volume, mute, loop, follow playback."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from subtitler.core.cue import Cue
from subtitler.core.document import Document
from subtitler.gui.player.transport import frame_index, frame_start_ms, next_speed
from tests.gui.window_helpers import dialogs, jfk_srt, open_with_media, window  # noqa: F401 - fixtures

ALT, CTRL, SHIFT = Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def test_frame_arithmetic_and_speed_steps():
    assert frame_index(2000, 25) == 50 and frame_index(2039, 25) == 50 and frame_index(1999, 25) == 49
    assert frame_index(100, 29.97) == 3, "100 ms is frame 3's start (100.1 ms) in whole ms"
    assert frame_start_ms(51, 25) == 2040 and frame_start_ms(3, 29.97) == 100
    assert next_speed(1.0, 1) == 1.25 and next_speed(2.0, 1) == 2.0 and next_speed(0.25, -1) == 0.25
    assert next_speed(1.1, -1) == 1.0


def _open(window, qtbot, jfk_srt, data_dir):
    open_with_media(window, qtbot, jfk_srt, data_dir / "jfk.mp4")
    window.table.setFocus()


def _paused_at(window, qtbot, ms):
    window.player.pause()
    with qtbot.waitSignal(window.player.position_ms_changed, timeout=5000, check_params_cb=lambda p: p == ms):
        window.player.seek(ms)


def test_transport_bar_and_its_keys(window, jfk_srt, data_dir, qtbot):
    _open(window, qtbot, jfk_srt, data_dir)
    bar = window.tools.transport.bar
    assert bar.isVisible() and bar.position.maximum() == window.player.duration_ms > 11_000
    _paused_at(window, qtbot, 2010)
    assert bar.position.value() == 2010 and bar.time_label.text() == "00:02,010 / 00:11,360"
    qtbot.keyClick(window.table, Qt.Key.Key_Period)  # one frame forward (25 fps): the next frame's start
    assert window.player.position_ms == 2040
    qtbot.keyClick(window.table, Qt.Key.Key_Comma)
    qtbot.keyClick(window.table, Qt.Key.Key_Comma)
    assert window.player.position_ms == 1960 and window.document[0].start_ms == 320, "the playhead moves, not the cue"

    qtbot.keyClick(window.table, Qt.Key.Key_BracketRight)
    assert window.player.playback_rate == 1.25 and bar.speed.currentText() == "1.25×"
    for _ in range(6):
        qtbot.keyClick(window.table, Qt.Key.Key_BracketLeft)
    assert window.player.playback_rate == 0.25
    qtbot.keyClick(window.table, Qt.Key.Key_Equal)
    assert window.player.playback_rate == 1.0

    qtbot.keyClick(window.table, Qt.Key.Key_Down, CTRL | SHIFT)
    assert window.player.volume == pytest.approx(0.9) and bar.volume.value() == 90
    qtbot.keyClick(window.table, Qt.Key.Key_M, CTRL | ALT)
    assert window.player.muted and bar.buttons["mute"].isChecked()
    qtbot.keyClick(window.table, Qt.Key.Key_M, CTRL | ALT)
    assert not window.player.muted


def test_loop_plays_the_selected_cue_over_and_over(window, jfk_srt, data_dir, qtbot):
    _open(window, qtbot, jfk_srt, data_dir)
    window.push(_short_cue(window))
    window.table.select_row(0)
    qtbot.keyClick(window.table, Qt.Key.Key_L, CTRL)
    assert window.player.loop_range == (1000, 1600) and window.tools.transport.bar.buttons["loop"].isChecked()
    seen: list[int] = []
    window.player.position_ms_changed.connect(seen.append)
    qtbot.keyClick(window.table, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: any(a >= 1500 and b < 1200 for a, b in zip(seen, seen[1:])), timeout=8000)
    assert window.player.is_playing, "it wrapped round and plays on"
    window.player.pause()
    assert all(950 <= ms <= 1700 for ms in seen[1:]), "it stays within the cue"
    window.table.select_rows([0, 1])
    assert window.player.loop_range == (1000, 7500), "the selection's span"
    qtbot.keyClick(window.table, Qt.Key.Key_L, CTRL)
    assert window.player.loop_range is None


def _short_cue(window):
    from subtitler.core.commands import ReplaceAllCues

    cues = [Cue(1000, 1600, "Short one")] + list(window.document.cues[1:])
    return ReplaceAllCues(window.document, cues, "Short first cue")


def test_follow_playback_selects_the_cue_being_played(window, jfk_srt, data_dir, qtbot):
    _open(window, qtbot, jfk_srt, data_dir)
    window.table.select_row(0)
    _paused_at(window, qtbot, 2800)
    qtbot.keyClick(window.table, Qt.Key.Key_F, CTRL | SHIFT)
    assert window.tools.transport.follow and window.tools.transport.bar.buttons["follow_playback"].isChecked()
    window.player.play()
    qtbot.waitUntil(lambda: window.table.current_row() == 1, timeout=8000)
    window.player.pause()
    assert window.document.index_at(window.player.position_ms) == 1
    qtbot.keyClick(window.table, Qt.Key.Key_F, CTRL | SHIFT)
    _paused_at(window, qtbot, 7000)
    window.player.play()
    qtbot.waitUntil(lambda: window.player.position_ms > 8000, timeout=8000)
    window.player.pause()
    assert window.table.current_row() == 1, "follow off: the list stays"


def test_speed_keeps_the_clock_true(window, jfk_srt, data_dir, qtbot):
    """At 2x the published position runs about twice as fast as the wall clock."""
    import time

    _open(window, qtbot, jfk_srt, data_dir)
    window.set_document(Document([Cue(0, 11000, "long")]))
    _paused_at(window, qtbot, 1000)
    window.player.set_playback_rate(2.0)
    window.player.play()
    qtbot.waitUntil(lambda: window.player.position_ms > 1300, timeout=8000)
    start_ms, start = window.player.position_ms, time.monotonic()
    qtbot.wait(1500)
    rate = (window.player.position_ms - start_ms) / ((time.monotonic() - start) * 1000)
    window.player.pause()
    assert 1.5 < rate < 2.5, rate
