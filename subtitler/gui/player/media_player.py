"""MediaPlayer: QMediaPlayer + QAudioOutput behind a small API, and THE clock.

QMediaPlayer reports its position coarsely (about every 50 ms), which makes a
playhead stutter. While playing, this wrapper polls at ~60 Hz and extrapolates
from the last reported position with a monotonic clock, so every subscriber
(playhead, cue highlight, word highlight, overlay) sees one smooth position and
keeps no time of its own.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

from subtitler.gui.player import refcount_guard  # noqa: F401 - must run before signals are emitted

POLL_INTERVAL_MS = 16
MAX_EXTRAPOLATION_MS = 120  # never run further than this past the last reported position (stalls, buffering)
BACKSTEP_TOLERANCE_MS = 80  # a smaller step backwards is jitter between estimate and report: hold instead


class MediaPlayer(QObject):
    """Loads one media file and publishes its position in integer milliseconds."""

    position_ms_changed = Signal(int)
    duration_ms_changed = Signal(int)
    playing_changed = Signal(bool)
    media_failed = Signal(str)
    media_loaded = Signal(str)
    has_video_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._init_backend()
        self._init_clock()
        self._init_connections()

    # --- construction -----------------------------------------------------
    def _init_backend(self) -> None:
        self._player = QMediaPlayer(self)
        self._audio = QAudioOutput(self)
        self._player.setAudioOutput(self._audio)
        self._path: str | None = None
        self._failure_reported = False

    def _init_clock(self) -> None:
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(POLL_INTERVAL_MS)
        self._position_ms = 0
        self._anchor_raw_ms = 0
        self._anchor_time_s = time.monotonic()
        self._range_end_ms: int | None = None
        self._is_playing = False

    def _init_connections(self) -> None:
        self._timer.timeout.connect(self._on_timer_timeout)
        self._player.positionChanged.connect(self._on_player_position_changed)
        self._player.durationChanged.connect(self._on_player_duration_changed)
        self._player.playbackStateChanged.connect(self._on_player_playback_state_changed)
        self._player.errorOccurred.connect(self._on_player_error_occurred)
        self._player.mediaStatusChanged.connect(self._on_player_media_status_changed)
        self._player.hasVideoChanged.connect(self.has_video_changed)

    # --- public API -------------------------------------------------------
    @property
    def position_ms(self) -> int:
        return self._position_ms

    @property
    def duration_ms(self) -> int:
        return max(0, int(self._player.duration()))

    @property
    def is_playing(self) -> bool:
        return self._is_playing

    @property
    def has_video(self) -> bool:
        return bool(self._player.hasVideo())

    @property
    def path(self) -> str | None:
        return self._path

    @property
    def playback_rate(self) -> float:
        return float(self._player.playbackRate())

    def set_playback_rate(self, rate: float) -> None:
        self._reanchor(self._position_ms)
        self._player.setPlaybackRate(rate)

    @property
    def volume(self) -> float:
        return float(self._audio.volume())

    def set_volume(self, volume: float) -> None:
        self._audio.setVolume(max(0.0, min(1.0, volume)))

    def set_video_output(self, output: QObject | None) -> None:
        """Attach a QGraphicsVideoItem, QVideoWidget or QVideoSink (the video view does this)."""
        self._player.setVideoOutput(output)

    def load(self, path: str | Path) -> None:
        """Open `path`; failures arrive as media_failed(message) naming the file."""
        self.pause()
        self._path = str(path)
        self._range_end_ms = None
        self._failure_reported = False
        if not Path(path).is_file():
            self._player.setSource(QUrl())
            QTimer.singleShot(0, lambda: self._report_failure(f"{path}: file not found; choose another media file"))
            return
        self._player.setSource(QUrl.fromLocalFile(str(Path(path).resolve())))
        self._publish(0, force=True)

    def play(self) -> None:
        if self._path is None:
            return
        self._reanchor(self._position_ms)
        self._player.play()

    def pause(self) -> None:
        self._range_end_ms = None
        self._player.pause()

    def toggle_play(self) -> None:
        if self._is_playing:
            self.pause()
        else:
            self.play()

    def seek(self, ms: int) -> None:
        """Jump to `ms` (clamped to the media); subscribers hear it at once."""
        ms = max(0, int(ms))
        if self.duration_ms > 0:
            ms = min(ms, self.duration_ms)
        self._player.setPosition(ms)
        self._reanchor(ms)
        self._publish(ms, force=True)

    def play_range(self, start_ms: int, end_ms: int) -> None:
        """Play from start_ms and pause at end_ms (F5 'play current cue')."""
        self.seek(start_ms)
        self.play()
        self._range_end_ms = int(end_ms)

    # --- clock ------------------------------------------------------------
    def _reanchor(self, raw_ms: int) -> None:
        self._anchor_raw_ms = int(raw_ms)
        self._anchor_time_s = time.monotonic()

    def _estimate_ms(self) -> int:
        """Last reported position plus the time since it was reported, at the playback rate."""
        elapsed_ms = (time.monotonic() - self._anchor_time_s) * 1000.0 * self.playback_rate
        estimate = self._anchor_raw_ms + min(elapsed_ms, MAX_EXTRAPOLATION_MS)
        if self.duration_ms > 0:
            estimate = min(estimate, self.duration_ms)
        return int(estimate)

    def _publish(self, ms: int, force: bool = False) -> None:
        if not force and self._position_ms - BACKSTEP_TOLERANCE_MS < ms < self._position_ms:
            return
        if ms == self._position_ms and not force:
            return
        self._position_ms = ms
        self.position_ms_changed.emit(ms)

    def _on_timer_timeout(self) -> None:
        raw = int(self._player.position())
        if raw != self._anchor_raw_ms:
            self._reanchor(raw)
        estimate = self._estimate_ms()
        if self._range_end_ms is not None and estimate >= self._range_end_ms:
            end = self._range_end_ms
            self.pause()
            self._player.setPosition(end)
            self._reanchor(end)
            self._publish(end, force=True)
            return
        self._publish(estimate)

    def _on_player_position_changed(self, raw_ms: int) -> None:
        self._reanchor(raw_ms)
        if not self._is_playing:
            self._publish(int(raw_ms), force=True)

    def _on_player_duration_changed(self, duration_ms: int) -> None:
        self.duration_ms_changed.emit(int(duration_ms))

    def _on_player_playback_state_changed(self, state: QMediaPlayer.PlaybackState) -> None:
        playing = state == QMediaPlayer.PlaybackState.PlayingState
        if playing == self._is_playing:
            return
        self._is_playing = playing
        if playing:
            self._reanchor(int(self._player.position()))
            self._timer.start()
        else:
            self._timer.stop()
            self._reanchor(int(self._player.position()))
        self.playing_changed.emit(playing)

    def _on_player_error_occurred(self, error: QMediaPlayer.Error, message: str) -> None:
        if error == QMediaPlayer.Error.NoError:
            return
        self._report_failure(f"{self._path}: cannot play this file ({message or error.name}); check that it is a supported audio/video file")

    def _on_player_media_status_changed(self, status: QMediaPlayer.MediaStatus) -> None:
        if status == QMediaPlayer.MediaStatus.LoadedMedia and self._path:
            self.media_loaded.emit(self._path)
        elif status == QMediaPlayer.MediaStatus.InvalidMedia:
            self._report_failure(f"{self._path}: not a playable media file; check the file or convert it with ffmpeg")

    def _report_failure(self, message: str) -> None:
        """Qt may signal one failure twice (error and status): the user hears it once per load."""
        if self._failure_reported:
            return
        self._failure_reported = True
        self.media_failed.emit(message)
