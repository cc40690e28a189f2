"""Transport handlers: frame steps, speed, volume, mute, loop and follow-playback, all through the one player.

The window's actions call these; the transport bar shows the same actions as
buttons. Loop plays the selected cues' span (or the current cue) over and over;
follow-playback makes the cue list select the cue being played.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QObject

from subtitler.gui.player.transport_bar import SPEEDS, TransportBar

if TYPE_CHECKING:
    from subtitler.gui.main_window import MainWindow

VOLUME_STEP = 0.1


def frame_index(ms: int, frame_rate: float) -> int:
    """The frame shown at `ms`: times are whole ms, so a time within 1 ms of a frame's start counts as that frame."""
    frame = 1000.0 / frame_rate
    nearest = round(ms / frame)
    return nearest if abs(ms - nearest * frame) < 1.0 else math.floor(ms / frame)


def frame_start_ms(index: int, frame_rate: float) -> int:
    return round(index * 1000.0 / frame_rate)


def next_speed(rate: float, step: int) -> float:
    """The next speed up (step 1) or down (-1) among SPEEDS."""
    if step > 0:
        return next((s for s in SPEEDS if s > rate + 1e-9), SPEEDS[-1])
    return next((s for s in reversed(SPEEDS) if s < rate - 1e-9), SPEEDS[0])


class TransportController(QObject):
    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.w = window
        self.follow = False
        actions = {k: window.actions[k] for k in ("play_pause", "frame_back", "frame_forward", "mute", "loop", "follow_playback")}
        self.bar = TransportBar(window.player, actions)
        self.bar.speed_chosen.connect(window.player.set_playback_rate)
        self.bar.volume_chosen.connect(window.player.set_volume)
        window.actions["mute"].toggled.connect(window.player.set_muted)
        window.actions["loop"].toggled.connect(self._on_loop_toggled)
        window.actions["follow_playback"].toggled.connect(self._on_follow_toggled)
        window.player.position_ms_changed.connect(self._on_player_position_ms_changed)
        window.table.selectionModel().selectionChanged.connect(lambda *_: self._update_loop())
        window.document_replaced.connect(lambda _doc: self._update_loop())

    def handlers(self) -> dict[str, Callable[[], Any]]:
        return {
            "frame_back": lambda: self.step_frames(-1), "frame_forward": lambda: self.step_frames(1),
            "speed_down": lambda: self.step_speed(-1), "speed_up": lambda: self.step_speed(1),
            "speed_reset": lambda: self.w.player.set_playback_rate(1.0),
            "volume_down": lambda: self.w.player.set_volume(self.w.player.volume - VOLUME_STEP),
            "volume_up": lambda: self.w.player.set_volume(self.w.player.volume + VOLUME_STEP),
        }

    def frame_rate(self) -> float:
        return self.w.player.frame_rate or self.w.document.frame_rate or 25.0

    def step_frames(self, frames: int) -> None:
        """Pause and move the playhead (not the cue) by whole frames of the video."""
        player = self.w.player
        rate = self.frame_rate()
        player.pause()
        player.seek(max(0, frame_start_ms(frame_index(player.position_ms, rate) + frames, rate)))

    def step_speed(self, step: int) -> None:
        rate = next_speed(self.w.player.playback_rate, step)
        self.w.player.set_playback_rate(rate)
        self.w.status.show_hint(f"Playback speed {rate:g}×")

    # --- loop -------------------------------------------------------------------
    def loop_span(self) -> tuple[int, int] | None:
        rows = [r for r in self.w.table.selected_rows() if 0 <= r < len(self.w.document)]
        if not rows:
            return None
        cues = [self.w.document[r] for r in rows]
        return min(c.start_ms for c in cues), max(c.end_ms for c in cues)

    def _on_loop_toggled(self, on: bool) -> None:
        self._update_loop()
        span = self.w.player.loop_range
        if on and span is not None:
            self.w.status.show_hint("Looping the selected cues" if len(self.w.table.selected_rows()) > 1 else "Looping the current cue")

    def _update_loop(self) -> None:
        self.w.player.set_loop_range(self.loop_span() if self.w.actions["loop"].isChecked() else None)

    # --- follow playback -----------------------------------------------------------
    def _on_follow_toggled(self, on: bool) -> None:
        self.follow = on

    def _on_player_position_ms_changed(self, ms: int) -> None:
        if not self.follow or not self.w.player.is_playing:
            return
        row = self.w.document.index_at(ms)
        if row is not None and row != self.w.table.current_row():
            self.w.table.select_row(row)
