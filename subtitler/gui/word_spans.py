"""Where each timed word sits in a cue's text, and the search for low-confidence words.

Plain functions (no Qt) so the editor, the F3 search and the tests share one mapping.
Words are matched in order, case-insensitively; a word the user has since deleted
or rewritten finds no span and is skipped rather than misplaced.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from subtitler.core.cue import Cue, Word

DEFAULT_LOW_CONFIDENCE = 0.5


@dataclass(frozen=True)
class WordSpan:
    """Characters [start, end) of `word` in the cue text; `index` is its position in cue.words."""

    index: int
    start: int
    end: int
    word: Word


@dataclass(frozen=True)
class WordHit:
    row: int
    span: WordSpan


def word_spans(text: str, words: Sequence[Word]) -> list[WordSpan]:
    spans = []
    lowered = text.lower()
    cursor = 0
    for index, word in enumerate(words):
        needle = word.text.strip().lower()
        if not needle:
            continue
        at = lowered.find(needle, cursor)
        if at < 0:
            continue
        spans.append(WordSpan(index, at, at + len(needle), word))
        cursor = at + len(needle)
    return spans


def is_low_confidence(word: Word, threshold: float) -> bool:
    return word.probability is not None and word.probability < threshold


def span_at_time(spans: Sequence[WordSpan], ms: int) -> WordSpan | None:
    for span in spans:
        if span.word.start_ms <= ms < span.word.end_ms:
            return span
    return None


def span_at_char(spans: Sequence[WordSpan], position: int) -> WordSpan | None:
    for span in spans:
        if span.start <= position <= span.end:
            return span
    return None


def time_at_char(cue: Cue, position: int) -> int:
    """Best estimate of when the character at `position` is spoken: its word, else proportional."""
    span = span_at_char(word_spans(cue.text, cue.words), position)
    if span is not None:
        return span.word.start_ms
    fraction = position / max(1, len(cue.text))
    return cue.start_ms + int(round(fraction * cue.duration_ms))


def next_low_confidence(cues: Sequence[Cue], row: int, position: int, threshold: float, forward: bool = True) -> WordHit | None:
    """The first low-confidence word after (or before) character `position` of `row`, wrapping around."""
    count = len(cues)
    if count == 0:
        return None
    row = min(max(row, 0), count - 1)
    for step in range(count + 1):
        r = (row + step) % count if forward else (row - step) % count
        spans = [s for s in word_spans(cues[r].text, cues[r].words) if is_low_confidence(s.word, threshold)]
        if step == 0:
            spans = [s for s in spans if (s.start > position if forward else s.end < position)]
        elif step == count:
            spans = [s for s in spans if (s.start <= position if forward else s.end >= position)]
        if spans:
            return WordHit(r, spans[0] if forward else spans[-1])
    return None
