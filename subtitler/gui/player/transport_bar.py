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
# QSlider values are C ints: a header announcing more than ~596 h (damaged or crafted) would overflow,
# so the slider stops there while the labels still show the announced length.
SLIDER_MAX_MS = 2**31 - 1


def speed_label(rate: float) -> str:
    return f"{rate:g}×"


def _button(action: QAction, text: str) -> QToolButton:
    """A short-labelled button for a window action (setDefaultAction would show the action's long menu text)."""
    button = QToolButton()
    button.setText(text)
    tip = lambda: button.setToolTip(f"{action.text().replace('&', '')} ({action.shortcut().toString()})")  # noqa: E731
    tip()
    action.changed.connect(tip)  # the keys are applied (and rebound) after the bar is built
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys are the actions; focus stays on the list
    button.setAutoRaise(True)
    button.setCheckable(action.isCheckable())
    button.setChecked(action.isChecked())
    button.clicked.connect(lambda _checked=False: action.trigger())
    action.toggled.connect(button.setChecked)
    return button


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
            self.buttons[action_id] = _button(actions[action_id], text)
        self.position = QSlider(Qt.Orientation.Horizontal)
        self.position.setObjectName("transport_position")
        self.position.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.time_label = QLabel()
        self.time_label.setObjectName("transport_time")
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setRange(0, 100)
        self.volume.setValue(round(self._player.volume * 100))
        self.volume.setMaximumWidth(90)
        self.volume.setMinimumWidth(40)
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
        """Position on top, then two rows, so the bar (and the video column) can be narrow."""
        transport = QHBoxLayout()
        for action_id in ("frame_back", "play_pause", "frame_forward"):
            transport.addWidget(self.buttons[action_id])
        transport.addWidget(self.time_label)
        transport.addStretch(1)
        transport.addWidget(self.speed)
        modes = QHBoxLayout()
        modes.addWidget(self.buttons["loop"])
        modes.addWidget(self.buttons["follow_playback"])
        modes.addStretch(1)
        modes.addWidget(self.buttons["mute"])
        modes.addWidget(self.volume)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(0)
        layout.addWidget(self.position)
        layout.addLayout(transport)
        layout.addLayout(modes)

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
            self.position.setValue(min(ms, SLIDER_MAX_MS))
            self.position.blockSignals(False)
        self._show_time(ms)

    def _on_player_duration_ms_changed(self, duration_ms: int) -> None:
        self.position.setRange(0, min(max(0, duration_ms), SLIDER_MAX_MS))
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
        duration = self._player.duration_ms
        hours = duration >= 3_600_000  # hours only when the media has them: the bar stays narrow
        self.time_label.setText(f"{format_timecode(ms, hours_always=hours)} / {format_timecode(duration, hours_always=hours)}")

    # --- from the user ----------------------------------------------------------
    def _on_position_slider_released(self) -> None:
        self._dragging = False
        self._player.seek(self.position.value())

    def _on_position_value_changed(self, value: int) -> None:
        if not self._dragging:  # a click on the groove or a key: seek at once; a drag seeks on release
            self._player.seek(value)
        else:
            self._show_time(value)
