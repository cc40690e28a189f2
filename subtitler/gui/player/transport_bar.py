"""The transport bar under the video: play/pause, position, frame steps, volume, speed, loop and follow.

Its buttons are the window's actions (so every control has a menu entry and a
rebindable key); the slider and the labels only mirror the one clock.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSlider, QToolButton, QVBoxLayout, QWidget

from subtitler.core.timecode import format_timecode
from subtitler.gui.player.media_player import MediaPlayer

SPEEDS = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)


def speed_label(rate: float) -> str:
    return f"{rate:g}×"


class TransportBar(QWidget):
    """Controls for one MediaPlayer; `actions` maps action ids to the window's QActions."""

    speed_chosen = Signal(float)
    volume_chosen = Signal(float)

    def __init__(self, player: MediaPlayer, actions: dict[str, QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transport_bar")
        self._player = player
        self._dragging = False
        self._init_widgets(actions)
        self._init_layout()
        self._init_connections()
        self._on_player_duration_ms_changed(player.duration_ms)
        self._on_player_position_ms_changed(player.position_ms)

    def _init_widgets(self, actions: dict[str, QAction]) -> None:
        self.buttons: dict[str, QToolButton] = {}
        for action_id, text in (("play_pause", "▶"), ("frame_back", "◀|"), ("frame_forward", "|▶"),
                                ("mute", "Mute"), ("loop", "Loop"), ("follow_playback", "Follow")):
            button = QToolButton()
            button.setDefaultAction(actions[action_id])
            button.setText(text)
            button.setToolTip(f"{actions[action_id].text().replace('&', '')} ({actions[action_id].shortcut().toString()})")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys are the actions; focus stays on the list
            button.setAutoRaise(True)
            self.buttons[action_id] = button
        self.position = QSlider(Qt.Orientation.Horizontal)
        self.position.setObjectName("transport_position")
        self.position.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.time_label = QLabel()
        self.time_label.setObjectName("transport_time")
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setRange(0, 100)
        self.volume.setValue(round(self._player.volume * 100))
        self.volume.setMaximumWidth(90)
        self.volume.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.volume.setToolTip("Volume")
        self.speed = QComboBox()
        self.speed.setObjectName("transport_speed")
        self.speed.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.speed.setToolTip("Playback speed ([ slower, ] faster, = normal)")
        for rate in SPEEDS:
            self.speed.addItem(speed_label(rate), rate)
        self.speed.setCurrentIndex(SPEEDS.index(1.0))

    def _init_layout(self) -> None:
        row = QHBoxLayout()
        row.setContentsMargins(4, 0, 4, 2)
        for action_id in ("frame_back", "play_pause", "frame_forward"):
            row.addWidget(self.buttons[action_id])
        row.addWidget(self.time_label)
        row.addStretch(1)
        row.addWidget(self.buttons["loop"])
        row.addWidget(self.buttons["follow_playback"])
        row.addWidget(self.speed)
        row.addWidget(self.buttons["mute"])
        row.addWidget(self.volume)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.position)
        layout.addLayout(row)

    def _init_connections(self) -> None:
        p = self._player
        p.position_ms_changed.connect(self._on_player_position_ms_changed)
        p.duration_ms_changed.connect(self._on_player_duration_ms_changed)
        p.playing_changed.connect(self._on_player_playing_changed)
        p.playback_rate_changed.connect(self._on_player_playback_rate_changed)
        p.volume_changed.connect(self._on_player_volume_changed)
        self.position.sliderPressed.connect(lambda: setattr(self, "_dragging", True))
        self.position.sliderReleased.connect(self._on_position_slider_released)
        self.position.valueChanged.connect(self._on_position_value_changed)
        self.volume.valueChanged.connect(lambda value: self.volume_chosen.emit(value / 100.0))
        self.speed.activated.connect(lambda index: self.speed_chosen.emit(float(self.speed.itemData(index))))

    # --- from the player ------------------------------------------------------
    def _on_player_position_ms_changed(self, ms: int) -> None:
        if not self._dragging:
            self.position.blockSignals(True)
            self.position.setValue(ms)
            self.position.blockSignals(False)
        self._show_time(ms)

    def _on_player_duration_ms_changed(self, duration_ms: int) -> None:
        self.position.setRange(0, max(0, duration_ms))
        self._show_time(self._player.position_ms)

    def _on_player_playing_changed(self, playing: bool) -> None:
        self.buttons["play_pause"].setText("❚❚" if playing else "▶")

    def _on_player_playback_rate_changed(self, rate: float) -> None:
        index = self.speed.findData(rate)
        if index < 0:
            self.speed.addItem(speed_label(rate), rate)
            index = self.speed.count() - 1
        self.speed.setCurrentIndex(index)

    def _on_player_volume_changed(self, volume: float) -> None:
        self.volume.blockSignals(True)
        self.volume.setValue(round(volume * 100))
        self.volume.blockSignals(False)

    def _show_time(self, ms: int) -> None:
        self.time_label.setText(f"{format_timecode(ms)} / {format_timecode(self._player.duration_ms)}")

    # --- from the user ----------------------------------------------------------
    def _on_position_slider_released(self) -> None:
        self._dragging = False
        self._player.seek(self.position.value())

    def _on_position_value_changed(self, value: int) -> None:
        if not self._dragging:  # a click on the groove or a key: seek at once; a drag seeks on release
            self._player.seek(value)
        else:
            self._show_time(value)
