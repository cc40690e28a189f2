"""Turn word-timed transcription into readable cues.

Whisper's segments are sized for decoding, not for reading. We choose cue
breaks by dynamic programming over word boundaries: each candidate cue must fit
the profile's lines (hard), should fit duration and reading speed (soft, as far
as the speech allows), and each break is scored by what it falls on (speaker
change, sentence end, ASR segment end, clause punctuation or word, pause length).
Words labelled with speakers never share a line with another speaker: a cue holds
one speaker, or two with one line each and the profile's dialogue dashes. Cues start at
their first word (speech onset) and end a short tail after the last word,
lengthened for reading speed and minimum duration where the next cue leaves room.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Iterable, Sequence

from subtitler.core.cue import Cue, Word
from subtitler.core.reading_rules import DEFAULT_PROFILE, WEAK_LINE_ENDS, ReadingProfile, break_lines, text_length, units
from subtitler.core.timecode import seconds_to_ms
from subtitler.core.word_diff import join_with_spans

SENTENCE_END = tuple(".?!…。？！")
CLAUSE_END = tuple(",;:—–、，；：")
CLAUSE_WORDS = frozenset(
    "and but or so because which who that when while if although though then "
    "y pero o porque que cuando donde und aber oder weil dass wenn et mais ou parce quand "
    "e ma perché quando che mas porque quando".split()
)
CUE_COST = 12.0  # fewer, fuller cues unless a break is clearly better
DIALOGUE_COST = 10.0  # two speakers in one cue only when the exchange is too quick for a cue each


@dataclass(frozen=True)
class SegmentOptions:
    """Timing choices: `tail_ms` after the last word; a pause of `pause_break_ms` is a good place to break.

    `max_words` caps the words of one cue (openai-whisper's --max_words_per_line, for short, punchy captions).
    """

    tail_ms: int = 400
    pause_break_ms: int = 700
    long_pause_ms: int = 1500
    max_words: int | None = None

    def __post_init__(self) -> None:
        if self.max_words is not None and self.max_words < 1:
            raise ValueError("SegmentOptions.max_words must be at least 1")


def segment(words: Sequence[Word], profile: ReadingProfile = DEFAULT_PROFILE, segment_ends: Sequence[int] = (),
            options: SegmentOptions = SegmentOptions()) -> list[Cue]:
    """Cues from words; `segment_ends` are indices of words that end an ASR segment (preferred breaks)."""
    words = _clean(words)
    if not words:
        return []
    breaks = _choose_breaks(words, profile, frozenset(segment_ends), options)
    return _make_cues(words, breaks, profile, options)


def _clean(words: Sequence[Word]) -> list[Word]:
    """Drop empty words and make times monotonic (ASR timings can overlap by a few ms)."""
    out: list[Word] = []
    for word in words:
        if not word.text.strip():
            continue
        start = max(word.start_ms, out[-1].start_ms if out else 0)
        out.append(word if start == word.start_ms and word.end_ms >= start else
                   Word(word.text, start, max(start, word.end_ms), word.probability, word.needs_alignment, word.speaker))
    return out


class _Prepared:
    """The words joined once: any cue's text is a slice, its length a difference of prefix sums."""

    def __init__(self, words: list[Word], profile: ReadingProfile) -> None:
        self.words = words
        self.text, self.spans = join_with_spans(words)
        self.prefix = [0.0]
        for char in self.text:
            self.prefix.append(self.prefix[-1] + text_length(char, profile))
        self.pieces = [self._pieces(k, profile) for k in range(len(words))]
        self.sentence_end = [_ends_sentence(w) for w in words]

    def _pieces(self, k: int, profile: ReadingProfile) -> list[tuple[float, bool]]:
        """Breakable pieces of word k as (width, space before); the first one's space comes from the joined text."""
        start, end = self.spans[k]
        pieces = [(text_length(p, profile), space) for p, space in units(self.text[start:end])]
        if pieces:
            pieces[0] = (pieces[0][0], k > 0 and start > self.spans[k - 1][1])
        return pieces

    def text_of(self, i: int, j: int) -> str:
        return self.text[self.spans[i][0] : self.spans[j - 1][1]]

    def length(self, i: int, j: int) -> float:
        return self.prefix[self.spans[j - 1][1]] - self.prefix[self.spans[i][0]]


class _Growth:
    """A candidate cue growing leftwards word by word, with the quantities its cost needs kept up to date.

    Lines are filled greedily from the right: greedy filling needs the fewest lines from either end, and
    filling from the right lets a prepended word continue the fill instead of restarting it.
    """

    def __init__(self, prep: _Prepared, j: int, profile: ReadingProfile, options: SegmentOptions) -> None:
        self.prep, self.j, self.profile, self.options = prep, j, profile, options
        self.space = text_length(" ", profile)
        self.lines, self.line_len, self.left_space = 1, 0.0, False
        self.overflow = False  # a piece wider than a line: only a cue of that word alone may hold it
        self.inner_cost = 0.0
        self.turns = 1  # speaker runs in the cue (at most two fit)
        self.change = j  # first word of the second speaker's run, when there are two
        self.dash = text_length(profile.dialogue_dash, profile)

    def prepend(self, i: int) -> None:
        for width, space_before in reversed(self.prep.pieces[i]):
            self.overflow = self.overflow or width > self.profile.max_chars_per_line
            extra = width + (self.space if self.left_space else 0.0)
            if self.line_len and self.line_len + extra > self.profile.max_chars_per_line:
                self.lines, self.line_len = self.lines + 1, width
            else:
                self.line_len = self.line_len + extra if self.line_len else width
            self.left_space = space_before
        if i < self.j - 1 and speaker_changes(self.prep.words[i], self.prep.words[i + 1]):
            self.turns += 1
            self.change = i + 1
            self.inner_cost += DIALOGUE_COST
        if i < self.j - 1:
            self.inner_cost += _pause_cost(self.prep.words[i], self.prep.words[i + 1], self.options)
            self.inner_cost += 2.0 if self.prep.sentence_end[i] else 0.0  # a sentence may end inside a cue, at a small cost

    def too_big(self, i: int) -> bool:
        words = self.prep.words
        if self.options.max_words is not None and self.j - i > self.options.max_words:
            return True
        if words[self.j - 1].end_ms - words[i].start_ms > self.profile.max_duration_ms or self.overflow:
            return True
        if self.turns == 1:
            return self.lines > self.profile.max_lines
        limit = self.profile.max_chars_per_line
        return (self.turns > 2 or self.profile.max_lines < 2 or self.prep.length(i, self.change) + self.dash > limit
                or self.prep.length(self.change, self.j) + self.dash > limit)


def _choose_breaks(words: list[Word], profile: ReadingProfile, ends: frozenset[int], options: SegmentOptions) -> list[int]:
    """Best cue ends (exclusive word indices) by dynamic programming; cost[j] = cheapest split of words[:j]."""
    prep = _Prepared(words, profile)
    n = len(words)
    cost = [0.0] + [math.inf] * n
    back = [0] * (n + 1)
    for j in range(1, n + 1):
        growth = _Growth(prep, j, profile, options)
        at_break = _break_cost(words, j, ends, options)
        for i in range(j - 1, -1, -1):
            growth.prepend(i)
            if i < j - 1 and growth.too_big(i):
                break  # longer cues (smaller i) only get bigger; a single word is always allowed
            total = cost[i] + _cue_cost(prep, i, j, growth, profile, options) + at_break
            if total < cost[j]:
                cost[j], back[j] = total, i
    breaks, j = [], n
    while j > 0:
        breaks.append(j)
        j = back[j]
    return breaks[::-1]


def _cue_cost(prep: _Prepared, i: int, j: int, growth: _Growth, profile: ReadingProfile, options: SegmentOptions) -> float:
    """Cost of one cue of words[i:j]: a fixed price, silences and sentence ends inside, reading speed, duration."""
    start, end = _cue_times(prep, i, j, profile, options)
    cost = CUE_COST + growth.inner_cost
    rate = prep.length(i, j) * 1000.0 / max(1, end - start)
    if rate > profile.max_cps:
        cost += 100.0 + 500.0 * (rate / profile.max_cps - 1.0)
    if end - start < profile.min_duration_ms:
        cost += 20.0
    return cost


def _pause_cost(word: Word, nxt: Word, options: SegmentOptions) -> float:
    """A cue should not hold the screen across a long silence inside it."""
    gap = nxt.start_ms - word.end_ms
    return 80.0 + (gap - options.long_pause_ms) / 50.0 if gap > options.long_pause_ms else 0.0


def _ends_sentence(word: Word) -> bool:
    return word.text.strip().rstrip("\"'»”’)").endswith(SENTENCE_END)


def _ends_clause(word: Word) -> bool:
    return word.text.strip().rstrip("\"'»”’)").endswith(CLAUSE_END)


def speaker_changes(word: Word, nxt: Word) -> bool:
    """Two known, different speakers (a word without a speaker belongs with its neighbours)."""
    return word.speaker is not None and nxt.speaker is not None and word.speaker != nxt.speaker


def _break_cost(words: list[Word], j: int, ends: frozenset[int], options: SegmentOptions) -> float:
    """How bad a break after words[j-1] is: 0 at a speaker change or sentence end, more mid-phrase, less after a pause."""
    if j >= len(words):
        return 0.0
    word, nxt = words[j - 1], words[j]
    if speaker_changes(word, nxt):
        return 0.0
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
    if word.text.strip().lower() in WEAK_LINE_ENDS:
        cost += 15.0  # "your country can | do for you": a cue should not end on a word that leans on the next
    return max(0.0, cost - 12.0 * min(1.0, _pause_before(nxt, word) / options.pause_break_ms))


def _pause_before(word: Word, previous: Word) -> int:
    """Silence before `word`: the gap, or what its duration has beyond a generous spoken length.

    Whisper's cross-attention timings are gapless and fold a silence into the next word's
    start, so an implausibly long word ("ask" lasting 1.6 s) is a pause the gap does not show.
    """
    spoken_ms = 250 + 90 * len(word.text.strip())
    return max(word.start_ms - previous.end_ms, word.end_ms - word.start_ms - spoken_ms)


def _cue_times(prep: _Prepared, i: int, j: int, profile: ReadingProfile, options: SegmentOptions) -> tuple[int, int]:
    """Start at the first word; end after a tail, longer if reading speed or minimum duration need it and room allows."""
    words = prep.words
    start, last_end = words[i].start_ms, words[j - 1].end_ms
    needed = max(profile.min_duration_ms, math.ceil(prep.length(i, j) * 1000.0 / profile.max_cps))
    end = max(last_end + options.tail_ms, start + needed)
    end = min(end, start + max(profile.max_duration_ms, last_end - start))
    if j < len(words):
        end = min(end, words[j].start_ms - profile.min_gap_ms)
    return start, max(end, start + 1)


def cue_times(words: Sequence[Word], breaks: Sequence[int], profile: ReadingProfile = DEFAULT_PROFILE,
              options: SegmentOptions = SegmentOptions()) -> list[tuple[int, int]]:
    """(start, end) of cues made of words[i:j] between consecutive ``breaks`` (exclusive word indices, the last
    one ``len(words)``), by the same rules as :func:`segment`: for cues whose text is given, such as subtitles being retimed."""
    prep = _Prepared(list(words), profile)
    return [_cue_times(prep, i, j, profile, options) for i, j in zip([0, *breaks[:-1]], breaks)]


def _make_cues(words: list[Word], breaks: list[int], profile: ReadingProfile, options: SegmentOptions) -> list[Cue]:
    prep = _Prepared(words, profile)
    cues = []
    for i, j in zip([0] + breaks[:-1], breaks):
        start, end = _cue_times(prep, i, j, profile, options)
        change = next((k for k in range(i + 1, j) if speaker_changes(words[k - 1], words[k])), None)
        if change is None:
            text = break_lines(prep.text_of(i, j), profile)
            speaker = next((w.speaker for w in words[i:j] if w.speaker is not None), None)
        else:
            text, speaker = profile.dialogue(prep.text_of(i, change).strip(), prep.text_of(change, j).strip()), None
        cues.append(Cue(start_ms=start, end_ms=end, text=text, words=tuple(words[i:j]), speaker=speaker))
    return cues


def cues_from_segments(segments: Iterable[object], profile: ReadingProfile = DEFAULT_PROFILE,
                       options: SegmentOptions = SegmentOptions()) -> list[Cue]:
    """Cues from text-only segments: long ones are split by reading rules, times divided by characters, never inside a word.

    A segment is (start_ms, end_ms, text), a mapping or an object with start_ms/end_ms/text, or an ASR
    segment with float-second start/end.
    """
    plain = replace(options, tail_ms=0)
    spans = [_segment_fields(seg) for seg in segments]
    cues: list[Cue] = []
    for k, (start, end, text) in enumerate(spans):
        next_start = spans[k + 1][0] if k + 1 < len(spans) else None
        # Split each segment on its own: without word timings, a segment's edges are the only real times.
        for cue in segment(pseudo_words(text, start, end), profile, (), plain):
            cues.append(Cue(cue.start_ms, cue.end_ms, cue.text))
        if cues and next_start is not None and cues[-1].end_ms > next_start - profile.min_gap_ms:
            last = cues[-1]
            cues[-1] = Cue(last.start_ms, max(last.start_ms + 1, next_start - profile.min_gap_ms), last.text)
    return cues


def _segment_fields(seg: object) -> tuple[int, int, str]:
    """(start_ms, end_ms, text) from a tuple, a mapping or an object; `start`/`end` without `_ms` are ASR float seconds."""
    if isinstance(seg, (tuple, list)):
        return int(seg[0]), int(seg[1]), str(seg[2])
    get = seg.get if isinstance(seg, dict) else lambda key, default=None: getattr(seg, key, default)
    if get("start_ms") is not None:
        return int(get("start_ms")), int(get("end_ms")), str(get("text"))
    return seconds_to_ms(float(get("start"))), seconds_to_ms(float(get("end"))), str(get("text"))


def pseudo_words(text: str, start_ms: int, end_ms: int) -> list[Word]:
    """Words with times spread by characters: the only timing a text-only segment offers."""
    pieces = units(text)
    total = sum(len(p) for p, _ in pieces) or 1
    out, acc = [], 0
    for piece, space in pieces:
        begin = start_ms + round((end_ms - start_ms) * acc / total)
        acc += len(piece)
        out.append(Word((" " if space else "") + piece, begin, start_ms + round((end_ms - start_ms) * acc / total)))
    return out
