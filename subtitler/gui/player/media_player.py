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

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtMultimedia import QAudioOutput, QMediaMetaData, QMediaPlayer

from subtitler.gui.player.backend_commands import BackendCommands
from subtitler.gui.player.clock import PositionEstimate, frame_centre_ms

POLL_INTERVAL_MS = 16
BACKSTEP_TOLERANCE_MS = 80  # a smaller step backwards is jitter between estimate and report: hold instead


class MediaPlayer(QObject):
    """Loads one media file and publishes its position in integer milliseconds."""

    position_ms_changed = Signal("qint64")  # 64-bit: int would overflow past 596 hours (a damaged header)
    duration_ms_changed = Signal("qint64")
    playing_changed = Signal(bool)
    media_failed = Signal(str)
    media_loaded = Signal(str)
    has_video_changed = Signal(bool)
    playback_rate_changed = Signal(float)
    volume_changed = Signal(float)

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
        self._commands = BackendCommands(self._player)
        self._path: str | None = None
        self._failure_reported = False

    def _init_clock(self) -> None:
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(POLL_INTERVAL_MS)
        self._position_ms = 0
        self._estimate = PositionEstimate(anchor_time_s=time.monotonic())
        self._range_end_ms: int | None = None
        self._seek_sent: tuple[int, int] | None = None  # (asked ms, position sent to the backend): see seek()
        self._loop: tuple[int, int] | None = None  # play this range over and over
        self._is_playing = False  # as the backend reports it
        self._want_playing = False  # as last asked: commands reach the backend a moment later

    def _init_connections(self) -> None:
        self._timer.timeout.connect(self._on_timer_timeout)
        self._player.positionChanged.connect(self._on_player_position_changed)
        self._player.durationChanged.connect(self._on_player_duration_changed)
        self._player.playbackStateChanged.connect(self._on_player_playback_state_changed)
        self._player.errorOccurred.connect(self._on_player_error_occurred)
        self._player.mediaStatusChanged.connect(self._on_player_media_status_changed)
        self._player.hasVideoChanged.connect(self._on_player_has_video_changed)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self._player.stop)  # C++ to C++: no Python, no GIL (see backend_commands)

    # --- public API -------------------------------------------------------
    @property
    def position_ms(self) -> int:
        return self._position_ms

    @property
    def duration_ms(self) -> int:
        return max(0, int(self._player.duration()))

    @property
    def is_playing(self) -> bool:
        """What the backend reports (play()/pause() take effect when the event loop next runs)."""
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
        """Play faster or slower; the pitch is kept where the backend can (Qt 6.10+ with pitch compensation)."""
        self._estimate.reanchor(self._position_ms, time.monotonic())
        if hasattr(self._player, "setPitchCompensation"):
            self._player.setPitchCompensation(True)
        self._player.setPlaybackRate(rate)
        self.playback_rate_changed.emit(float(rate))

    @property
    def frame_rate(self) -> float | None:
        """The video's frame rate from its metadata, when the backend reports one."""
        from PySide6.QtMultimedia import QMediaMetaData

        value = self._player.metaData().value(QMediaMetaData.Key.VideoFrameRate)
        try:
            rate = float(value)
        except (TypeError, ValueError):
            return None
        return rate if rate > 0 else None

    @property
    def loop_range(self) -> tuple[int, int] | None:
        return self._loop

    def set_loop_range(self, loop: tuple[int, int] | None) -> None:
        """While set, playing past the end jumps back to the start (loop a cue or a selection)."""
        self._loop = (int(loop[0]), int(loop[1])) if loop is not None and loop[1] > loop[0] else None

    @property
    def volume(self) -> float:
        return float(self._audio.volume())

    def set_volume(self, volume: float) -> None:
        self._audio.setVolume(max(0.0, min(1.0, volume)))
        self.volume_changed.emit(self.volume)

    @property
    def muted(self) -> bool:
        return bool(self._audio.isMuted())

    def set_muted(self, muted: bool) -> None:
        self._audio.setMuted(muted)
        self.volume_changed.emit(self.volume)

    def set_video_output(self, output: QObject | None) -> None:
        """Attach a QGraphicsVideoItem, QVideoWidget or QVideoSink (the video view does this)."""
        self._player.setVideoOutput(output)

    def load(self, path: str | Path) -> None:
        """Open `path`; failures arrive as media_failed(message) naming the file."""
        self.pause()
        self._path = str(path)
        self._range_end_ms = None
        self._seek_sent = None
        self._failure_reported = False
        if not Path(path).is_file():
            self._commands.set_source.emit(QUrl())
            QTimer.singleShot(0, lambda: self._report_failure(f"{path}: file not found; choose another media file"))
            return
        self._commands.set_source.emit(QUrl.fromLocalFile(str(Path(path).resolve())))
        self._estimate.seek(0, time.monotonic())
        self._publish(0, force=True)

    def close(self) -> None:
        """Stop and unload (before the player is deleted); takes effect when the event loop next runs.

        Qt's FFmpeg backend still has events queued for a loaded player: deleting it
        loaded lets those reach freed objects (a crash); unload it and let the event
        loop run first.
        """
        self._timer.stop()
        self._range_end_ms = None
        self._path = None
        self._want_playing = False
        self._commands.stop.emit()
        self._commands.set_source.emit(QUrl())

    def unloaded(self) -> bool:
        """Whether the backend has let go of the media (after :meth:`close`, once the event loop ran): only then may
        the player be deleted without the FFmpeg backend's threads touching freed objects (the GUI tests wait for it
        instead of a fixed 20 ms)."""
        return self._player.source().isEmpty() and self._player.mediaStatus() == QMediaPlayer.MediaStatus.NoMedia

    def play(self) -> None:
        if self._path is None:
            return
        if self._loop is not None and self._range_end_ms is None and not self._loop[0] <= self._position_ms < self._loop[1]:
            self.seek(self._loop[0])
        self._estimate.reanchor(self._position_ms, time.monotonic())
        self._want_playing = True
        self._commands.play.emit()

    def pause(self) -> None:
        self._range_end_ms = None
        self._want_playing = False
        self._commands.pause.emit()

    def toggle_play(self) -> None:
        if self._want_playing:
            self.pause()
        else:
            self.play()

    def seek(self, ms: int) -> None:
        """Jump to `ms` (clamped to the media); subscribers hear it at once.

        The picture shown is the frame whose presentation interval contains `ms`: the
        backend is sent the middle of that frame (see clock.frame_centre_ms), and its
        report of that position reads as `ms` again.
        """
        ms = max(0, int(ms))
        if self.duration_ms > 0:
            ms = min(ms, self.duration_ms)
        backend_ms = frame_centre_ms(ms, self.video_frame_rate) if self.has_video else ms
        if self.duration_ms > 0:
            backend_ms = min(backend_ms, self.duration_ms)
        self._seek_sent = (ms, backend_ms)
        self._commands.set_position.emit(backend_ms)
        self._estimate.seek(ms, time.monotonic())
        self._publish(ms, force=True)

    @property
    def video_frame_rate(self) -> float:
        """Frames per second of the loaded video (0.0 when unknown or audio only)."""
        value = self._player.metaData().value(QMediaMetaData.Key.VideoFrameRate)
        try:
            return float(value) if value else 0.0
        except (TypeError, ValueError):
            return 0.0

    def _reported(self, raw_ms: int) -> int:
        """A backend position; the frame centre a seek sent reads as the position that was asked for."""
        if self._seek_sent is not None and raw_ms == self._seek_sent[1]:
            return self._seek_sent[0]
        return raw_ms

    def play_range(self, start_ms: int, end_ms: int) -> None:
        """Play from start_ms and pause at end_ms (F5 'play current cue')."""
        self.seek(start_ms)
        self._range_end_ms = int(end_ms)
        self.play()

    # --- clock ------------------------------------------------------------
    def _publish(self, ms: int, force: bool = False) -> None:
        if not force and self._position_ms - BACKSTEP_TOLERANCE_MS < ms <= self._position_ms:
            return
        self._position_ms = ms
        self.position_ms_changed.emit(ms)

    def _on_timer_timeout(self) -> None:
        now = time.monotonic()
        self._estimate.report(self._reported(int(self._player.position())), now)
        estimate = self._estimate.estimate(now, self.playback_rate, True, self.duration_ms)
        if self._loop is not None and self._range_end_ms is None and estimate >= self._loop[1]:
            self.seek(self._loop[0])
            return
        if self._range_end_ms is not None and estimate >= self._range_end_ms:
            end = self._range_end_ms
            self.pause()
            self.seek(end)
            return
        self._publish(estimate)

    def _on_player_position_changed(self, raw_ms: int) -> None:
        now = time.monotonic()
        self._estimate.report(self._reported(int(raw_ms)), now)
        if not self._is_playing:
            self._publish(self._estimate.estimate(now, 1.0, False), force=True)

    def _on_player_has_video_changed(self, has_video: bool) -> None:
        """Video that appears after a seek (audio-only media was loaded before) starts its renderer at frame 0:
        show the frame at the playhead instead."""
        if has_video and not self._want_playing:
            self.seek(self._position_ms)
        self.has_video_changed.emit(has_video)

    def _on_player_duration_changed(self, duration_ms: int) -> None:
        self.duration_ms_changed.emit(int(duration_ms))

    def _on_player_playback_state_changed(self, state: QMediaPlayer.PlaybackState) -> None:
        playing = state == QMediaPlayer.PlaybackState.PlayingState
        if playing == self._is_playing:
            return
        self._is_playing = playing
        if not playing and state == QMediaPlayer.PlaybackState.StoppedState:
            self._want_playing = False  # the end of the media
        self._estimate.report(self._reported(int(self._player.position())), time.monotonic())
        if playing:
            self._timer.start()
        else:
            self._timer.stop()
        self.playing_changed.emit(playing)

    def _on_player_error_occurred(self, error: QMediaPlayer.Error, message: str) -> None:
        if error == QMediaPlayer.Error.NoError:
            return
        self._report_failure(f"{self._path}: cannot play this file ({message or error.name}); check that it is a supported audio/video file")

    def _on_player_media_status_changed(self, status: QMediaPlayer.MediaStatus) -> None:
        if status == QMediaPlayer.MediaStatus.LoadedMedia and self._path:
            if not self._want_playing:
                self._commands.pause.emit()  # stopped shows no picture; paused shows the frame at the position
            self.media_loaded.emit(self._path)
        elif status == QMediaPlayer.MediaStatus.InvalidMedia:
            self._report_failure(f"{self._path}: not a playable media file; check the file or convert it with ffmpeg")

    def _report_failure(self, message: str) -> None:
        """Qt may signal one failure twice (error and status): the user hears it once per load."""
        if self._failure_reported:
            return
        self._failure_reported = True
        self.media_failed.emit(message)
