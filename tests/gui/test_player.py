"""The player is the one clock: it loads, plays, seeks, stops at a range end and reports failures."""

from __future__ import annotations

import itertools

import pytest

pytest.importorskip("PySide6.QtMultimedia")

from subtitler.gui.player.media_player import MediaPlayer
from tests.gui.players import close_player


@pytest.fixture
def player(qtbot, data_dir):
    p = MediaPlayer()
    with qtbot.waitSignal(p.duration_ms_changed, timeout=10000, check_params_cb=lambda d: d > 0):
        p.load(data_dir / "jfk.mp4")
    yield p
    close_player(qtbot, p)


def test_loads_duration_and_video(player):
    assert 11000 <= player.duration_ms <= 11500
    assert player.has_video


def test_loaded_media_waits_paused_so_the_picture_shows(qtbot, player):
    """A stopped QMediaPlayer renders no frame; paused, it shows the frame at the position (and after each seek)."""
    from PySide6.QtMultimedia import QMediaPlayer

    backend = player._player
    qtbot.waitUntil(lambda: backend.playbackState() == QMediaPlayer.PlaybackState.PausedState, timeout=5000)
    assert not player.is_playing


def test_play_emits_increasing_positions_at_frame_rate(qtbot, player):
    seen: list[int] = []
    player.position_ms_changed.connect(seen.append)
    with qtbot.waitSignal(player.playing_changed, timeout=5000, check_params_cb=lambda p: p):
        player.play()
    qtbot.wait(700)
    with qtbot.waitSignal(player.playing_changed, timeout=2000, check_params_cb=lambda p: not p):
        player.pause()
    assert player.is_playing is False
    assert len(seen) >= 20, "60 Hz polling should give far more updates than QMediaPlayer's ~20 Hz"
    assert seen[-1] > 300
    steps = [b - a for a, b in itertools.pairwise(seen)]
    assert all(s >= 0 for s in steps), "the clock never steps backwards while playing"
    assert max(steps) <= 90, "no step longer than about two video frames"


def test_seek_publishes_position_at_once(qtbot, player):
    with qtbot.waitSignal(player.position_ms_changed, timeout=1000, check_params_cb=lambda ms: ms == 5000):
        player.seek(5000)
    assert player.position_ms == 5000
    player.seek(-50)
    assert player.position_ms == 0
    player.seek(10**9)
    assert player.position_ms == player.duration_ms


def test_play_range_stops_at_end(qtbot, player):
    with qtbot.waitSignal(player.playing_changed, timeout=5000, check_params_cb=lambda p: not p):
        player.play_range(2000, 2300)
    assert player.position_ms == 2300


def test_toggle_play(qtbot, player):
    with qtbot.waitSignal(player.playing_changed, timeout=5000):
        player.toggle_play()
    assert player.is_playing
    with qtbot.waitSignal(player.playing_changed, timeout=5000):
        player.toggle_play()
    assert not player.is_playing


def test_quick_toggles_follow_the_last_request(qtbot, player):
    player.toggle_play()
    player.toggle_play()  # before the backend has even started: this one pauses
    player.toggle_play()
    qtbot.waitUntil(lambda: player.is_playing, timeout=5000)
    qtbot.wait(100)
    assert player.is_playing


def test_missing_file_reports_failure(qtbot, tmp_path):
    p = MediaPlayer()
    with qtbot.waitSignal(p.media_failed, timeout=3000) as blocker:
        p.load(tmp_path / "nope.mp4")
    assert "nope.mp4" in blocker.args[0]
    close_player(qtbot, p)


def test_garbage_file_reports_failure(qtbot, tmp_path):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video at all" * 100)
    p = MediaPlayer()
    with qtbot.waitSignal(p.media_failed, timeout=5000) as blocker:
        p.load(bad)
    assert "bad.mp4" in blocker.args[0]
    close_player(qtbot, p)


def test_many_emits_and_void_calls_do_not_abort_the_process():
    """PySide6 6.12.0 loses a reference to True per emit() and to None per void call (excluded in pyproject.toml)."""
    import subprocess
    import sys

    code = (
        "from PySide6.QtCore import QObject, Signal\n"
        "class A(QObject):\n    s = Signal(bool)\n"
        "a = A()\n"
        "for i in range(200000):\n    a.s.emit(i % 2 == 0)\n    a.setObjectName('x')\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.strip() == "ok"


def test_a_closed_player_reports_when_the_backend_has_let_go(qtbot, data_dir):
    """close() only queues the unload: the player may be freed once unloaded() says so (tests wait for it)."""
    p = MediaPlayer()
    with qtbot.waitSignal(p.duration_ms_changed, timeout=10000, check_params_cb=lambda d: d > 0):
        p.load(data_dir / "jfk.mp4")
    assert not p.unloaded()
    p.close()
    assert not p.unloaded()  # nothing reached the backend yet: the commands wait for the event loop
    qtbot.waitUntil(p.unloaded, timeout=5000)
    assert p.path is None and not p.is_playing
