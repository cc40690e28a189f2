"""Time lookups of cues: the bisect index against a linear scan, and the document's cached index after edits."""

from __future__ import annotations

import random

from subtitler.core.commands import InsertCue, SetTimes
from subtitler.core.cue import Cue
from subtitler.core.cue_index import CueIndex
from subtitler.core.document import Document


def linear_row_at(cues: list[Cue], ms: int) -> int | None:
    hits = [i for i, c in enumerate(cues) if c.start_ms <= ms < c.end_ms]
    return hits[-1] if hits else None


def test_cue_index_matches_a_linear_scan():
    rng = random.Random(3)
    for sort in (True, False):
        starts = [rng.randrange(0, 60_000) for _ in range(300)]
        if sort:
            starts.sort()
        cues = [Cue(s, s + rng.randrange(0, 8000), "x") for s in starts]
        index = CueIndex(cues)
        for _ in range(200):
            a = rng.uniform(-1000, 70_000)
            b = a + rng.uniform(0, 10_000)
            assert index.rows_in(a, b) == [i for i, c in enumerate(cues) if c.end_ms > a and c.start_ms < b]
            assert index.row_at(int(a)) == linear_row_at(cues, int(a))


def test_document_index_follows_every_edit():
    doc = Document([Cue(0, 1000, "a"), Cue(2000, 3000, "b")])
    assert doc.index_at(2500) == 1 and doc.index_at(1500) is None
    InsertCue(doc, 1, Cue(1200, 1800, "new")).redo()
    assert doc.index_at(1500) == 1 and doc.index_at(2500) == 2
    SetTimes(doc, 2, 2600, 3000).redo()
    assert doc.index_at(2500) is None
    doc.reset([])
    assert doc.index_at(500) is None
