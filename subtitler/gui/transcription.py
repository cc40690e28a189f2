"""Transcription inside the editor: the job description, the engine cache and the undo command.

These pieces hold no Qt, so they are tested on their own; the worker
(transcription_worker) runs a job on a QThread and the controller
(transcription_controller) feeds its cues into the document.

One undo step for a whole transcription: cues arrive in batches while the job
runs, each batch is pushed as an :class:`InsertTranscribedCues` command, and a
batch merges into the previous one when both belong to the same job (QUndoStack
and History only merge with the command on top). So the cues appear as they are
recognised and one Undo removes them all. If the user edits, undoes or saves
while the job runs, the top of the stack is no longer the job's command and the
remaining batches form a second step; nothing is ever lost or misplaced.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from subtitler.core.commands_base import Command, check_times
from subtitler.core.cue import Cue
from subtitler.core.document import Document

if TYPE_CHECKING:  # the ASR imports torch: the window must open without it
    from subtitler.asr.transcribe import TranscribeOptions

MERGE_TRANSCRIBE = 1010  # beside commands_base's MERGE_TEXT/TIMES/MOVE (1001-1003)

EngineFactory = Callable[[str, str], Any]  # (model name or path, device) -> Engine-like object
Run = tuple[int, tuple[Cue, ...]]  # (first row, cues inserted there)


@dataclass(frozen=True)
class TranscriptionJob:
    """Everything one transcription needs; `options` are the engine's own (None: its defaults)."""

    media_path: Path
    model_name: str
    options: TranscribeOptions | None = None
    device: str = "auto"
    audio_stream: int = 0


def plan_inserts(starts: Sequence[int], cues: Sequence[Cue]) -> list[Run]:
    """Final rows for `cues` among cues that start at `starts` (sorted), as runs of consecutive rows.

    Each new cue goes after every existing cue that starts at or before it, and
    new cues keep their order among themselves. Inserting the runs in order
    yields exactly these rows, and each run is one change signal.
    """
    out: list[list] = []
    for placed, cue in enumerate(sorted(cues, key=lambda c: c.start_ms)):
        row = bisect_right(starts, cue.start_ms) + placed
        if out and out[-1][0] + len(out[-1][1]) == row:
            out[-1][1].append(cue)
        else:
            out.append([row, [cue]])
    return [(row, tuple(run)) for row, run in out]


class InsertTranscribedCues(Command):
    """Insert one batch of recognised cues by time; batches of the same job merge into one step."""

    text = "Transcribe"
    merge_id = MERGE_TRANSCRIBE

    def __init__(self, doc: Document, cues: Sequence[Cue], job: object) -> None:
        if not cues:
            raise ValueError("no cues to insert")
        for cue in cues:
            check_times(cue.start_ms, cue.end_ms, "a transcribed cue")
        self.doc = doc
        self.job = job
        self.batches: list[list[Run]] = [plan_inserts([c.start_ms for c in doc], cues)]

    def redo(self) -> None:
        for batch in self.batches:
            for row, cues in batch:
                self.doc.insert_cues(row, cues)

    def undo(self) -> None:
        for batch in reversed(self.batches):
            for row, cues in reversed(batch):
                self.doc.remove_cues(row, len(cues))

    def merge_with(self, other: Command) -> bool:
        if not isinstance(other, InsertTranscribedCues) or other.job is not self.job or other.doc is not self.doc:
            return False
        self.batches.extend(other.batches)
        return True


def load_engine_by_name(model_name: str, device: str) -> Any:
    """The default factory: an installed model only (downloading is `subtitler models download NAME`)."""
    from subtitler.asr.engine import load_engine  # torch loads here, in the worker thread

    return load_engine(model_name, device=device)


class EngineCache:
    """Keeps the most recently loaded engines so the next job on the same model and device starts at once.

    One engine by default: a large model holds gigabytes, and switching models
    is rare next to re-running the same one. Called from worker threads, hence the lock
    (held while loading, so two jobs never load the same model twice).
    """

    def __init__(self, factory: EngineFactory = load_engine_by_name, capacity: int = 1) -> None:
        self.factory = factory
        self.capacity = max(1, capacity)
        self._engines: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, model_name: str, device: str) -> Any:
        key = (model_name, device)
        with self._lock:
            if key in self._engines:
                self._engines.move_to_end(key)
                return self._engines[key]
            engine = self.factory(model_name, device)
            self._engines[key] = engine
            while len(self._engines) > self.capacity:
                self._engines.popitem(last=False)
            return engine

    def recent(self) -> tuple[str, str] | None:
        """(model name, device) of the engine used last, if one is loaded: re-alignment reuses it."""
        with self._lock:
            return next(reversed(self._engines), None)

    def __contains__(self, key: tuple[str, str]) -> bool:
        with self._lock:
            return key in self._engines

    def clear(self) -> None:
        """Let the loaded models go (memory back when the user is done transcribing)."""
        with self._lock:
            self._engines.clear()
