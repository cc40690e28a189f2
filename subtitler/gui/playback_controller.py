"""The Playback menu handlers: ranges around the current cue or the text cursor, all through the one player."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from subtitler.gui.word_spans import span_at_char, time_at_char, word_spans

if TYPE_CHECKING:
    from subtitler.gui.main_window import MainWindow

EDGE_MS = 500
AROUND_MS = 1000
AROUND_WORD_MS = 500  # F6 plays the word under the cursor with this much before and after
SEEK_STEP_MS = 1000


class PlaybackController:
    def __init__(self, window: "MainWindow") -> None:
        self.w = window

    def handlers(self) -> dict[str, Callable[[], Any]]:
        return {
            "play_pause": self.w.player.toggle_play, "play_cue": self.play_cue, "play_around_cursor": self.play_around_cursor,
            "play_before": lambda: self._play_edge("before"), "play_after": lambda: self._play_edge("after"),
            "play_first": lambda: self._play_edge("first"), "play_last": lambda: self._play_edge("last"),
            "seek_back": lambda: self.seek_by(-SEEK_STEP_MS), "seek_forward": lambda: self.seek_by(SEEK_STEP_MS),
        }

    def _cue(self):
        row = self.w.table.current_row()
        return self.w.document[row] if 0 <= row < len(self.w.document) else None

    def play_cue(self) -> None:
        cue = self._cue()
        if cue is not None:
            self.w.player.play_range(cue.start_ms, cue.end_ms)

    def _play_edge(self, which: str) -> None:
        cue = self._cue()
        if cue is None:
            return
        start, end = {
            "before": (cue.start_ms - EDGE_MS, cue.start_ms),
            "after": (cue.end_ms, cue.end_ms + EDGE_MS),
            "first": (cue.start_ms, min(cue.end_ms, cue.start_ms + EDGE_MS)),
            "last": (max(cue.start_ms, cue.end_ms - EDGE_MS), cue.end_ms),
        }[which]
        self.w.player.play_range(max(0, start), end)

    def play_around_cursor(self) -> None:
        """The word under the text cursor with a little before and after; without timed words, a second either side."""
        cue = self._cue()
        if cue is None:
            return
        position = self.w.editor.text_position()
        span = span_at_char(word_spans(cue.text, cue.words), position)
        if span is not None:
            self.w.player.play_range(max(0, span.word.start_ms - AROUND_WORD_MS), span.word.end_ms + AROUND_WORD_MS)
            return
        at = time_at_char(cue, position)
        self.w.player.play_range(max(0, at - AROUND_MS), at + AROUND_MS)

    def seek_by(self, offset_ms: int) -> None:
        self.w.player.seek(self.w.player.position_ms + offset_ms)
