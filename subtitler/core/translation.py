"""Pairing a translation with its original: which original cue each translated cue renders.

Cues are paired by time (the original cue that overlaps the translated one most),
not by row number, so a split or merge on either side does not shift every later
pair, and a translation made from a copy of the original pairs row for row.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from subtitler.core.cue import Cue
from subtitler.core.cue_index import CueIndex
from subtitler.core.document import Document


def paired_rows(translation: Sequence[Cue], original: CueIndex) -> list[int | None]:
    """For each translated cue, the row of the original cue overlapping it most (None when none overlaps)."""
    pairs: list[int | None] = []
    for cue in translation:
        best, best_overlap = None, 0
        for row in original.rows_in(cue.start_ms, max(cue.end_ms, cue.start_ms + 1)):
            other = original.cues[row]
            overlap = min(cue.end_ms, other.end_ms) - max(cue.start_ms, other.start_ms)
            if best is None or overlap > best_overlap:
                best, best_overlap = row, overlap
        pairs.append(best)
    return pairs


def translation_copy(original: Document) -> Document:
    """A new translation document: the original's cues, timing and media, ready to be typed over.

    Word timings are dropped (they belong to the original language's speech); the language is unknown until set.
    """
    cues = [replace(c, words=()) for c in original]
    return Document(cues, media_path=original.media_path, frame_rate=original.frame_rate, language=None,
                    metadata=dict(original.metadata))
