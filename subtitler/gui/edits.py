"""Turn a user's intent (row, selection, playhead, text cursor) into one core edit command.

Qt-free on purpose: the window and the table call these, push the result on the
QUndoStack, and the tests can check the choices (e.g. where an inserted cue goes)
without a window. None means "nothing to do here" and the caller says so.
"""

from __future__ import annotations

from typing import Any, Sequence

from subtitler.core import commands
from subtitler.core.cue import Cue
from subtitler.core.document import Document
from subtitler.core.timecode import frame_ms

NEW_CUE_MS = 2000
MIN_GAP_MS = 83  # two frames at 24 fps, the reading-rules default gap


def _valid(document: Document, row: int) -> bool:
    return 0 <= row < len(document)


def set_text_command(document: Document, row: int, text: str) -> Any:
    return commands.SetText(document, row, text)


def set_times_command(document: Document, row: int, start_ms: int, end_ms: int) -> Any:
    return commands.SetTimes(document, row, start_ms, end_ms)


def insert_after(document: Document, row: int, playhead_ms: int) -> tuple[Any, int] | None:
    """A new empty cue after `row` (or at the playhead when there is no row), within the gap before the next cue."""
    position = row + 1 if _valid(document, row) else _row_for_time(document, playhead_ms)
    start = document[row].end_ms + MIN_GAP_MS if _valid(document, row) else max(0, playhead_ms)
    limit = document[position].start_ms - MIN_GAP_MS if position < len(document) else start + NEW_CUE_MS
    end = min(start + NEW_CUE_MS, limit)
    if end - start < 100:
        return None
    return commands.InsertCue(document, position, Cue(start, end, "")), position


def insert_before(document: Document, row: int, playhead_ms: int) -> tuple[Any, int] | None:
    """A new empty cue before `row`, within the gap after the previous cue (at the playhead when there is no row)."""
    if not _valid(document, row):
        return insert_after(document, -1, playhead_ms)
    end = document[row].start_ms - MIN_GAP_MS
    earliest = document[row - 1].end_ms + MIN_GAP_MS if row > 0 else 0
    start = max(end - NEW_CUE_MS, earliest)
    if end - start < 100:
        return None
    return commands.InsertCue(document, row, Cue(start, end, "")), row


def _row_for_time(document: Document, ms: int) -> int:
    for i, cue in enumerate(document):
        if cue.start_ms > ms:
            return i
    return len(document)


def delete(document: Document, rows: Sequence[int]) -> Any:
    rows = sorted({r for r in rows if _valid(document, r)})
    return commands.DeleteCues(document, rows) if rows else None


def split(document: Document, row: int, text_position: int) -> Any:
    if not _valid(document, row):
        return None
    return commands.SplitCue(document, row, text_position)


def merge(document: Document, rows: Sequence[int]) -> Any:
    """Merge the selected run of rows; one selected row merges with the next."""
    rows = sorted({r for r in rows if _valid(document, r)})
    if not rows:
        return None
    first, last = rows[0], rows[-1]
    if first == last:
        last = first + 1
    if not _valid(document, last):
        return None
    return commands.MergeCues(document, first, last)


def set_start_at(document: Document, row: int, ms: int) -> Any:
    """Start at the playhead; when that passes the end, the cue keeps its duration."""
    if not _valid(document, row):
        return None
    cue = document[row]
    end = cue.end_ms if ms < cue.end_ms else ms + cue.duration_ms
    return commands.SetTimes(document, row, max(0, ms), end) if (ms, end) != (cue.start_ms, cue.end_ms) else None


def set_end_at(document: Document, row: int, ms: int) -> Any:
    if not _valid(document, row) or ms <= document[row].start_ms or ms == document[row].end_ms:
        return None
    return commands.SetTimes(document, row, document[row].start_ms, ms)


def nudge(document: Document, row: int, edge: str, frames: int) -> Any:
    """Move the start or end edge by whole frames of the document's frame rate."""
    if not _valid(document, row):
        return None
    cue = document[row]
    step = frames * frame_ms(document.frame_rate)
    start = cue.start_ms + step if edge == "start" else cue.start_ms
    end = cue.end_ms + step if edge == "end" else cue.end_ms
    if start < 0 or end - start < 1:
        return None
    return commands.SetTimes(document, row, start, end)


def shift(document: Document, offset_ms: int, rows: Sequence[int] | None) -> Any:
    if offset_ms == 0 or len(document) == 0:
        return None
    return commands.ShiftTimes(document, offset_ms, list(rows) if rows else None)
