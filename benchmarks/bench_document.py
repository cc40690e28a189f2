"""Time the document core on a 10,000-cue document: load, edit, undo, check, save (each should be under 1 s).

    .venv/bin/python benchmarks/bench_document.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from subtitler.core import commands as c  # noqa: E402
from subtitler.core.cue import Cue, Word  # noqa: E402
from subtitler.core.document import Document  # noqa: E402
from subtitler.core.history import History  # noqa: E402
from subtitler.core.qc import check  # noqa: E402
from subtitler.core.segmentation import segment  # noqa: E402

CUES = 10_000


def build(count: int) -> Document:
    cues = []
    for i in range(count):
        start = i * 3000
        text = f"Cue number {i}, with a few words\nand a second line."
        words = tuple(Word(" " + t, start + k * 250, start + k * 250 + 200, 0.9) for k, t in enumerate(text.split()))
        cues.append(Cue(start, start + 2500, text, words))
    return Document(cues)


def timed(label: str, action: Callable[[], object], results: list[tuple[str, float]]) -> object:
    t0 = time.perf_counter()
    value = action()
    results.append((label, time.perf_counter() - t0))
    return value


def main() -> int:
    results: list[tuple[str, float]] = []
    doc = timed("construct 10,000 cues", lambda: build(CUES), results)
    try:
        from subtitler.formats.registry import read_document, write_document
    except ImportError:
        read_document = write_document = None
    with tempfile.TemporaryDirectory() as tmp:
        srt = Path(tmp) / "big.srt"
        if write_document is not None:
            timed("save SRT (atomic)", lambda: write_document(doc, srt), results)
            timed("load SRT", lambda: read_document(srt), results)
            project = Path(tmp) / "big.subtitler.json"
            timed("save project (words)", lambda: write_document(doc, project), results)
            timed("load project", lambda: read_document(project), results)
    history = History()
    timed("edit text (1 cue)", lambda: history.push(c.SetText(doc, 5000, "Cue number 5000, edited\nand a new line.")), results)
    timed("split cue", lambda: history.push(c.SplitCue(doc, 6000, 10)), results)
    timed("merge 2 cues", lambda: history.push(c.MergeCues(doc, 7000, 7001)), results)
    timed("delete 1,000 scattered", lambda: history.push(c.DeleteCues(doc, range(0, 9000, 9))), results)
    timed("shift all", lambda: history.push(c.ShiftTimes(doc, 1234)), results)
    timed("change speed 25->23.976", lambda: history.push(c.ChangeSpeed.from_frame_rates(doc, 25, 23.976)), results)
    timed("snap all to words", lambda: history.push(c.SnapToWords(doc)), results)
    timed("undo all 7 steps", lambda: [history.undo() for _ in range(len(history))], results)
    timed("redo all 7 steps", lambda: [history.redo() for _ in range(len(history))], results)
    timed("quality check", lambda: check(doc), results)
    words = [w for cue in build(CUES // 10) for w in cue.words]
    timed(f"segment {len(words):,} words", lambda: segment(words), results)
    width = max(len(label) for label, _ in results)
    print(f"document core, {CUES:,} cues (python {sys.version.split()[0]})")
    for label, seconds in results:
        print(f"  {label:<{width}}  {seconds * 1000:8.1f} ms{'  OVER 1 s' if seconds > 1 else ''}")
    return 0 if all(s <= 1 for _, s in results) else 1


if __name__ == "__main__":
    sys.exit(main())
