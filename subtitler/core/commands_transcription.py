"""The edit one transcription job makes: remove the cues it replaces, insert its cues by time, set the language.

One undo step for a whole job: cues arrive in batches while the job runs, each batch
is pushed as an :class:`ApplyTranscription`, and a batch merges into the previous one
when both belong to the same job (QUndoStack and History only merge with the command
on top, and never into the saved state). So the cues appear as they are recognised
and one Undo removes them all, restoring the cues they replaced and the language. If
the user edits, undoes or saves while the job runs, the top of the stack is no longer
the job's command and the remaining batches form a further step; nothing is lost.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from subtitler.core.commands_base import Command, check_rows, check_times, runs
from subtitler.core.cue import Cue
from subtitler.core.document import Document

MERGE_TRANSCRIBE = 1010  # beside commands_base.MERGE_TEXT

Run = tuple[int, tuple[Cue, ...]]  # (first row, cues inserted there)


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


class ApplyTranscription(Command):
    """One batch of a job: rows to remove first (replace all, a selection), cues to insert, the language found."""

    merge_id = MERGE_TRANSCRIBE

    def __init__(self, doc: Document, cues: Sequence[Cue], job: object, remove_rows: Sequence[int] = (),
                 language: str | None = None, text: str = "Transcribe") -> None:
        for cue in cues:
            check_times(cue.start_ms, cue.end_ms, "a transcribed cue")
        if not cues and not remove_rows and (language is None or language == doc.language):
            raise ValueError("no cues to insert")
        self.doc = doc
        self.job = job
        self.text = text
        self.cues = tuple(cues)
        self.remove_runs = runs(check_rows(doc, remove_rows)) if remove_rows else []
        self.language = language if language != doc.language else None
        self.old_language = doc.language
        self._removed: list[list[Cue]] = []
        self._inserts: list[Run] | None = None  # planned on the first redo, among the cues the removal left
        self.parts: list[ApplyTranscription] = [self]  # later batches merged into this step

    def _redo_own(self) -> None:
        removed = [self.doc.remove_cues(first, count) for first, count in reversed(self.remove_runs)]
        self._removed = removed[::-1]
        if self._inserts is None:
            self._inserts = plan_inserts([c.start_ms for c in self.doc], self.cues)
        for row, cues in self._inserts:
            self.doc.insert_cues(row, cues)
        if self.language is not None:
            self.doc.set_properties(language=self.language)

    def _undo_own(self) -> None:
        if self.language is not None:
            self.doc.set_properties(language=self.old_language)
        for row, cues in reversed(self._inserts or []):
            self.doc.remove_cues(row, len(cues))
        for (first, _count), cues in zip(self.remove_runs, self._removed):
            self.doc.insert_cues(first, cues)

    def redo(self) -> None:
        for part in self.parts:
            part._redo_own()

    def undo(self) -> None:
        for part in reversed(self.parts):
            part._undo_own()

    @property
    def inserted(self) -> int:
        return sum(len(part.cues) for part in self.parts)

    def merge_with(self, other: Command) -> bool:
        if not isinstance(other, ApplyTranscription) or other.job is not self.job or other.doc is not self.doc:
            return False
        self.parts.extend(other.parts)
        return True
