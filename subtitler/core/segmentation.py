"""Turn word-timed transcription into readable cues.

Whisper's segments are sized for decoding, not for reading. We choose cue
breaks by dynamic programming over word boundaries: each candidate cue must fit
the profile's lines (hard), should fit duration and reading speed (soft, as far
as the speech allows), and each break is scored by what it falls on (sentence
end, ASR segment end, clause punctuation or word, pause length). Cues start at
their first word (speech onset) and end a short tail after the last word,
lengthened for reading speed and minimum duration where the next cue leaves room.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Sequence

from subtitler.core.cue import Cue, Word
from subtitler.core.reading_rules import DEFAULT_PROFILE, ReadingProfile, break_lines, reading_length, text_length, units
from subtitler.core.word_diff import join_words

SENTENCE_END = tuple(".?!…。？！")
CLAUSE_END = tuple(",;:—–、，；：")
CLAUSE_WORDS = frozenset(
    "and but or so because which who that when while if although though then "
    "y pero o porque que cuando donde und aber oder weil dass wenn et mais ou parce quand "
    "e ma perché quando che mas porque quando".split()
)
CUE_COST = 12.0  # fewer, fuller cues unless a break is clearly better


@dataclass(frozen=True)
class SegmentOptions:
    """Timing choices: `tail_ms` after the last word; a pause of `pause_break_ms` is a good place to break."""

    tail_ms: int = 400
    pause_break_ms: int = 700
    long_pause_ms: int = 1500


def segment(words: Sequence[Word], profile: ReadingProfile = DEFAULT_PROFILE, segment_ends: Sequence[int] = (),
            options: SegmentOptions = SegmentOptions()) -> list[Cue]:
    """Cues from words; `segment_ends` are indices of words that end an ASR segment (preferred breaks)."""
    words = _clean(words)
    if not words:
        return []
    breaks = _choose_breaks(words, profile, frozenset(segment_ends), options)
    spans = list(zip([0] + breaks[:-1], breaks))
    return [_make_cue(words, i, j, profile, options) for i, j in spans]


def _clean(words: Sequence[Word]) -> list[Word]:
    """Drop empty words and make times monotonic (ASR timings can overlap by a few ms)."""
    out: list[Word] = []
    for word in words:
        if not word.text.strip():
            continue
        start = max(word.start_ms, out[-1].start_ms if out else 0)
        out.append(word if start == word.start_ms and word.end_ms >= start else
                   Word(word.text, start, max(start, word.end_ms), word.probability, word.needs_alignment))
    return out


def _choose_breaks(words: list[Word], profile: ReadingProfile, ends: frozenset[int], options: SegmentOptions) -> list[int]:
    """Best cue ends (exclusive word indices) by dynamic programming; cost[j] = cheapest split of words[:j]."""
    n = len(words)
    cost = [0.0] + [math.inf] * n
    back = [0] * (n + 1)
    for j in range(1, n + 1):
        for i in range(j - 1, -1, -1):
            if cost[i] == math.inf:
                continue
            c = _cue_cost(words, i, j, profile, options)
            if c is None:
                break  # longer cues (smaller i) only get longer
            total = cost[i] + c + _break_cost(words, j, ends, options)
            if total < cost[j]:
                cost[j], back[j] = total, i
    breaks, j = [], n
    while j > 0:
        breaks.append(j)
        j = back[j]
    return breaks[::-1]


def _fits_lines(text: str, profile: ReadingProfile) -> bool:
    """Greedy filling gives the fewest lines, so it decides whether the text can fit at all."""
    lines, current = 1, 0.0
    for piece, space in units(text):
        size = text_length(piece, profile)
        extra = size + (text_length(" ", profile) if space and current else 0.0)
        if current and current + extra > profile.max_chars_per_line:
            lines, current = lines + 1, size
        else:
            current += extra
    return lines <= profile.max_lines


def _cue_cost(words: list[Word], i: int, j: int, profile: ReadingProfile, options: SegmentOptions) -> float | None:
    """Cost of one cue of words[i:j]; None when it cannot fit (and no longer cue could either)."""
    text = join_words(words[i:j])
    single = j - i == 1
    if not single and not _fits_lines(text, profile):
        return None
    start, end = _cue_times(words, i, j, profile, options)
    speech = words[j - 1].end_ms - words[i].start_ms
    if not single and speech > profile.max_duration_ms:
        return None
    cost = CUE_COST + _pause_cost(words, i, j, options) + _inner_sentence_cost(words, i, j)
    rate = reading_length(text, profile) * 1000.0 / max(1, end - start)
    if rate > profile.max_cps:
        cost += 100.0 + 500.0 * (rate / profile.max_cps - 1.0)
    if end - start < profile.min_duration_ms:
        cost += 20.0
    return cost


def _pause_cost(words: list[Word], i: int, j: int, options: SegmentOptions) -> float:
    """A cue should not hold the screen across a long silence inside it."""
    cost = 0.0
    for k in range(i + 1, j):
        gap = words[k].start_ms - words[k - 1].end_ms
        if gap > options.long_pause_ms:
            cost += 80.0 + (gap - options.long_pause_ms) / 50.0
    return cost


def _inner_sentence_cost(words: list[Word], i: int, j: int) -> float:
    """A sentence ending inside a cue is fine; one starting there and running into the next cue is not (scored at the break)."""
    return sum(2.0 for k in range(i, j - 1) if _ends_sentence(words[k]))


def _ends_sentence(word: Word) -> bool:
    return word.text.strip().rstrip("\"'»”’)").endswith(SENTENCE_END)


def _ends_clause(word: Word) -> bool:
    return word.text.strip().rstrip("\"'»”’)").endswith(CLAUSE_END)


def _break_cost(words: list[Word], j: int, ends: frozenset[int], options: SegmentOptions) -> float:
    """How bad a break after words[j-1] is: 0 at a sentence end, more mid-phrase, less after a pause."""
    if j >= len(words):
        return 0.0
    word, nxt = words[j - 1], words[j]
    if _ends_sentence(word):
        cost = 0.0
    elif j - 1 in ends:
        cost = 6.0
    elif _ends_clause(word):
        cost = 8.0
    elif nxt.text.strip().lower() in CLAUSE_WORDS:
        cost = 14.0
    else:
        cost = 30.0
    pause = nxt.start_ms - word.end_ms
    return max(0.0, cost - 12.0 * min(1.0, pause / options.pause_break_ms))


def _cue_times(words: list[Word], i: int, j: int, profile: ReadingProfile, options: SegmentOptions) -> tuple[int, int]:
    """Start at the first word; end after a tail, longer if reading speed or minimum duration need it and room allows."""
    start, last_end = words[i].start_ms, words[j - 1].end_ms
    text = join_words(words[i:j])
    needed = max(profile.min_duration_ms, math.ceil(reading_length(text, profile) * 1000.0 / profile.max_cps))
    end = max(last_end + options.tail_ms, start + needed)
    end = min(end, start + max(profile.max_duration_ms, last_end - start))
    if j < len(words):
        end = min(end, words[j].start_ms - profile.min_gap_ms)
    return start, max(end, start + 1)


def _make_cue(words: list[Word], i: int, j: int, profile: ReadingProfile, options: SegmentOptions) -> Cue:
    start, end = _cue_times(words, i, j, profile, options)
    return Cue(start_ms=start, end_ms=end, text=break_lines(join_words(words[i:j]), profile), words=tuple(words[i:j]))


def cues_from_segments(segments: Iterable[object], profile: ReadingProfile = DEFAULT_PROFILE,
                       options: SegmentOptions = SegmentOptions()) -> list[Cue]:
    """Cues from text-only segments (start_ms, end_ms, text): long segments are split by characters, never inside a word."""
    words: list[Word] = []
    ends: list[int] = []
    for seg in segments:
        start, end, text = _segment_fields(seg)
        words.extend(_pseudo_words(text, start, end))
        if words:
            ends.append(len(words) - 1)
    plain = SegmentOptions(tail_ms=0, pause_break_ms=options.pause_break_ms, long_pause_ms=options.long_pause_ms)
    return [Cue(c.start_ms, c.end_ms, c.text) for c in segment(words, profile, ends, plain)]


def _segment_fields(seg: object) -> tuple[int, int, str]:
    if isinstance(seg, (tuple, list)):
        return int(seg[0]), int(seg[1]), str(seg[2])
    if isinstance(seg, dict):
        return int(seg["start_ms"]), int(seg["end_ms"]), str(seg["text"])
    return int(getattr(seg, "start_ms")), int(getattr(seg, "end_ms")), str(getattr(seg, "text"))


def _pseudo_words(text: str, start_ms: int, end_ms: int) -> list[Word]:
    """Words with times spread by characters: the only timing a text-only segment offers."""
    pieces = units(text)
    total = sum(len(p) for p, _ in pieces) or 1
    out, acc = [], 0
    for piece, space in pieces:
        begin = start_ms + round((end_ms - start_ms) * acc / total)
        acc += len(piece)
        out.append(Word((" " if space else "") + piece, begin, start_ms + round((end_ms - start_ms) * acc / total)))
    return out
