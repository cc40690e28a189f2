"""Closing a test's MediaPlayer the way the window does, and waiting until it may be freed."""

from __future__ import annotations


def close_player(qtbot, player) -> None:
    """Unload, then let the event loop run until the backend has let go of the media: a player freed while the
    FFmpeg backend still works on it can crash in the backend's thread, and a fixed 20-ms wait does not ensure it."""
    player.close()
    qtbot.waitUntil(player.unloaded, timeout=5000)
    qtbot.wait(20)
