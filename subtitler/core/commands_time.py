"""Commands that change timings: set times, move, shift, change speed, two-point sync, snap to words, apply fixes."""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Iterable, Mapping, Sequence

from subtitler.core.commands_base import ReplaceRows, check_row, check_rows, check_times
from subtitler.core.cue import Cue
from subtitler.core.document import Document
from subtitler.core.word_diff import shift_words


class SetTimes(ReplaceRows):
    """Set one cue's start and end (words stay on the audio).

    Never merges: each key press (F11, F12, a frame nudge) is its own undo step, however
    close in time, as in every editor; a drag pushes one command on release.
    """

    def __init__(self, doc: Document, row: int, start_ms: int, end_ms: int) -> None:
        check_row(doc, row)
        check_times(start_ms, end_ms, f"cue {row + 1}")
        super().__init__(doc, "Change times", {row: replace(doc[row], start_ms=start_ms, end_ms=end_ms)})
        self.row = row


def _mapped(cue: Cue, mapping: Callable[[int], int]) -> Cue:
    return replace(cue, start_ms=mapping(cue.start_ms), end_ms=mapping(cue.end_ms), words=shift_words(cue.words, mapping))


def _map_rows(doc: Document, rows: Sequence[int], mapping: Callable[[int], int]) -> dict[int, Cue]:
    new = {r: _mapped(doc[r], mapping) for r in rows}
    for row, cue in new.items():
        check_times(cue.start_ms, cue.end_ms, f"cue {row + 1}")
    return new


class MoveCues(ReplaceRows):
    """Move some cues (and their words) by an offset; one step per move (a drag pushes once, on release)."""

    def __init__(self, doc: Document, rows: Iterable[int], offset_ms: int) -> None:
        rows = check_rows(doc, rows)
        super().__init__(doc, "Move cues", _map_rows(doc, rows, lambda t: t + offset_ms))
        self.offset_ms = offset_ms


class ShiftTimes(ReplaceRows):
    """Shift all cues, or the given rows, by an offset (sync a whole file or a range)."""

    def __init__(self, doc: Document, offset_ms: int, rows: Iterable[int] | None = None) -> None:
        rows = check_rows(doc, rows) if rows is not None else tuple(range(len(doc)))
        super().__init__(doc, "Shift times", _map_rows(doc, rows, lambda t: t + offset_ms))


class ChangeSpeed(ReplaceRows):
    """Scale every time by `factor` (e.g. 25/23.976 to fix a frame-rate drift)."""

    def __init__(self, doc: Document, factor: float) -> None:
        if not factor > 0:
            raise ValueError(f"speed factor must be positive, not {factor}")
        super().__init__(doc, "Change speed", _map_rows(doc, range(len(doc)), lambda t: round(t * factor)))
        self.factor = factor

    @classmethod
    def from_frame_rates(cls, doc: Document, from_fps: float, to_fps: float) -> "ChangeSpeed":
        """Times were made for `from_fps` video; the video plays at `to_fps` (25 -> 23.976 stretches by 25/23.976)."""
        if from_fps <= 0 or to_fps <= 0:
            raise ValueError("frame rates must be positive")
        return cls(doc, from_fps / to_fps)


class TwoPointSync(ReplaceRows):
    """Linear resync from two known points: old_a -> new_a and old_b -> new_b (fixes offset and drift at once)."""

    def __init__(self, doc: Document, point_a: tuple[int, int], point_b: tuple[int, int]) -> None:
        (old_a, new_a), (old_b, new_b) = point_a, point_b
        if old_a == old_b:
            raise ValueError("the two sync points must be at different times")
        scale = (new_b - new_a) / (old_b - old_a)
        if scale <= 0:
            raise ValueError("the sync points would reverse the order of cues")
        super().__init__(doc, "Synchronise", _map_rows(doc, range(len(doc)), lambda t: round(new_a + (t - old_a) * scale)))


class SnapToWords(ReplaceRows):
    """Start each cue at its first word, end it a short tail after its last word, keeping `min_gap_ms` to the next cue."""

    def __init__(self, doc: Document, rows: Iterable[int] | None = None, tail_ms: int = 200, min_gap_ms: int = 83) -> None:
        rows = check_rows(doc, rows) if rows is not None else tuple(range(len(doc)))
        super().__init__(doc, "Snap to words", _snapped(doc, rows, tail_ms, min_gap_ms))


def _snapped(doc: Document, rows: Sequence[int], tail_ms: int, min_gap_ms: int) -> dict[int, Cue]:
    """Start at speech onset; the end stops `min_gap_ms` before where the next cue will start (never cutting speech)."""
    chosen = set(rows)
    new: dict[int, Cue] = {}
    for row in rows:
        cue = doc[row]
        if not cue.words:
            continue
        start, speech_end = min(w.start_ms for w in cue.words), max(w.end_ms for w in cue.words)
        end = speech_end + tail_ms
        if row + 1 < len(doc):
            end = min(end, _coming_start(doc, row + 1, chosen) - min_gap_ms)
        end = max(end, speech_end, start + 1)
        if (start, end) != (cue.start_ms, cue.end_ms):
            new[row] = replace(cue, start_ms=max(0, start), end_ms=end)
    return new


def _coming_start(doc: Document, row: int, chosen: set[int]) -> int:
    """Where cue `row` will start: at its first word if it is being snapped too."""
    cue = doc[row]
    return min(w.start_ms for w in cue.words) if row in chosen and cue.words else cue.start_ms


class ApplyFixes(ReplaceRows):
    """Apply proposed replacement cues (from quality checks) as one undo step.

    `fixes` holds (row, cue) pairs or objects with `.row` and `.fix` (a Cue); later fixes of a row win.
    """

    def __init__(self, doc: Document, fixes: Iterable[object] | Mapping[int, Cue], text: str = "Apply fixes") -> None:
        items = fixes.items() if isinstance(fixes, Mapping) else (_as_pair(f) for f in fixes)
        new = {row: cue for row, cue in items if cue is not None}
        for row, cue in new.items():
            check_row(doc, row)
            check_times(cue.start_ms, cue.end_ms, f"cue {row + 1}")
        super().__init__(doc, text, new)


def _as_pair(fix: object) -> tuple[int, Cue | None]:
    if isinstance(fix, tuple):
        return fix[0], fix[1]
    cue = getattr(fix, "fix", None)
    return getattr(fix, "row"), cue if isinstance(cue, Cue) else None
