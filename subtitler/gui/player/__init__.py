"""The media player: the application's one clock."""

from subtitler.gui.player.media_player import MediaPlayer

__all__ = ["MediaPlayer"]
