"""Re-align a span of a document (one cue or a selection) by forced alignment, keeping the words the user did not touch.

Only the audio around the span is decoded and aligned: from a little before its first cue to a
little after its last, never into the neighbouring cues' speech (their kept words bound the
window). Every word of a cue is forced through the model, the untouched ones giving context;
the retyped ones (``needs_alignment``) and the words of a cue typed by hand take the new times
(:func:`subtitler.core.word_alignment.merge_realigned`). The result is the mapping an undoable
:class:`~subtitler.core.commands_words.SetWords` command applies as one step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from subtitler.asr.aligned_document import to_words
from subtitler.asr.forced_alignment import AlignmentError, ForcedAlignmentOptions, align_groups
from subtitler.core.cue import Cue, Word
from subtitler.core.word_alignment import alignable_words, merge_realigned, needs_alignment
from subtitler.errors import Cancelled, UserError

PAD_MS = 500  # audio kept before the first and after the last cue of a run
MAX_RUN_MS = 28_000  # cues are aligned together while their audio fits one window

AudioLoader = Callable[[int, int], np.ndarray]  # (start_ms, end_ms) -> 16-kHz mono float32


@dataclass(frozen=True)
class SpanRun:
    """Consecutive rows aligned together against audio ``start_ms``..``end_ms``."""

    rows: tuple[int, ...]
    start_ms: int
    end_ms: int


def rows_needing_alignment(cues: Sequence[Cue], rows: Sequence[int]) -> list[int]:
    """The given rows whose cue has text with words missing, retyped or out of step."""
    return sorted(r for r in set(rows) if 0 <= r < len(cues) and needs_alignment(cues[r]))


def _kept(cue: Cue) -> list[Word]:
    return [w for w in cue.words if not w.needs_alignment]


def _window(cues: Sequence[Cue], first: int, last: int) -> tuple[int, int]:
    """Audio for rows first..last: a pad around them, bounded by the neighbours' kept words (or their edges)."""
    own_start = min([cues[first].start_ms] + [w.start_ms for w in _kept(cues[first])])
    own_end = max([cues[last].end_ms] + [w.end_ms for w in _kept(cues[last])])
    start, end = own_start - PAD_MS, own_end + PAD_MS
    if first > 0:
        previous = cues[first - 1]
        start = max(start, max((w.end_ms for w in _kept(previous)), default=previous.end_ms))
    if last + 1 < len(cues):
        following = cues[last + 1]
        end = min(end, min((w.start_ms for w in _kept(following)), default=following.start_ms))
    return max(0, min(start, own_start)), max(end, own_end)


def plan_runs(cues: Sequence[Cue], rows: Sequence[int]) -> list[SpanRun]:
    """Rows that need alignment, grouped into consecutive runs whose audio fits one window."""
    runs: list[SpanRun] = []
    for row in rows_needing_alignment(cues, rows):
        if runs and runs[-1].rows[-1] == row - 1:
            start, end = _window(cues, runs[-1].rows[0], row)
            if end - start <= MAX_RUN_MS:
                runs[-1] = SpanRun(runs[-1].rows + (row,), start, end)
                continue
        runs.append(SpanRun((row,), *_window(cues, row, row)))
    return runs


def realign_rows(model, tokenizer, load_audio: AudioLoader, cues: Sequence[Cue], rows: Sequence[int],
                 language: str | None = None, should_stop: Callable[[], bool] | None = None) -> dict[int, tuple[Word, ...]]:
    """New words for each given row that needs alignment; rows with nothing to align are left out.

    Raises :class:`UserError` naming the cue when its text cannot be aligned to the audio there.
    """
    out: dict[int, tuple[Word, ...]] = {}
    options = ForcedAlignmentOptions(language=language)
    for run in plan_runs(cues, rows):
        if should_stop is not None and should_stop():
            raise Cancelled("alignment stopped")
        words = {row: alignable_words(cues[row]) for row in run.rows}
        audio = load_audio(run.start_ms, run.end_ms)
        groups = [[w.text for w in words[row]] for row in run.rows]
        try:
            _, timed = align_groups(model, tokenizer, audio, groups, options, should_stop)
        except AlignmentError as exc:
            named = f"cue {run.rows[0] + 1}" if len(run.rows) == 1 else f"cues {run.rows[0] + 1}–{run.rows[-1] + 1}"
            raise UserError(f"{named}: {exc}") from None
        for row, row_timed in zip(run.rows, timed):
            aligned = [_shifted(w, run.start_ms) for w in to_words(row_timed)]
            out[row] = merge_realigned(words[row], aligned)
    return out


def _shifted(word: Word, offset_ms: int) -> Word:
    return Word(word.text, word.start_ms + offset_ms, word.end_ms + offset_ms, word.probability, speaker=word.speaker)


def media_loader(path: str | Path, audio_stream: int = 0,
                 should_stop: Callable[[], bool] | None = None) -> AudioLoader:
    """Decodes just the asked stretch of a media file (ffmpeg seeks; the rest of a long film is never read)."""
    from subtitler.media.decode import iter_audio

    def load(start_ms: int, end_ms: int) -> np.ndarray:
        seconds = max(0.001, (end_ms - start_ms) / 1000)
        chunks = iter_audio(path, audio_stream, chunk_seconds=seconds, should_stop=should_stop, start_s=start_ms / 1000)
        try:
            return next(chunks, np.zeros(0, np.float32))
        finally:
            chunks.close()  # stops ffmpeg: only the first chunk is wanted

    return load
