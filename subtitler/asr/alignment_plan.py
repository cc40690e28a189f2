"""Where in long audio each part of a known text is spoken: anchors from a recognition pass, then windows.

Forced alignment decodes the user's text against one 30-s window at a time (the encoder sees
no more, and the DTW matrix of a whole hour would not fit in memory). To know which words
belong to which window, a fast recognition pass transcribes the audio with word times; its
words are matched to the user's words in order (difflib's SequenceMatcher, the standard
library's longest-matching-block diff), and words inside runs of at least two matches become
*anchors* with a rough time. Words between anchors get times spread by their length; then the
text is cut into chunks at anchored word boundaries, preferring long pauses, so that each
chunk's audio (its words plus a margin) fits one window and its tokens fit the decoder.

Pure Python and NumPy: no model here, so the planning is tested on its own.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from subtitler.core.word_alignment import normalise

WINDOW_S = 30.0  # the encoder's window
MAX_TEXT_TOKENS = 440  # the decoder's 448 positions less the start sequence and end-of-text
SPEAKING_S_PER_CHAR = 1 / 15  # a rough speaking rate, for words no anchor times


@dataclass(frozen=True)
class HeardWord:
    """A word of the recognition pass, times in seconds."""

    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Anchoring:
    """The user's words matched to heard words: a rough time for each, and which are anchored."""

    starts: tuple[float, ...]
    ends: tuple[float, ...]
    anchored: tuple[bool, ...]
    matched: int  # user words equal to a heard word (in any run)
    comparable: int  # user words with letters or digits (the ones that can match)

    @property
    def match_ratio(self) -> float:
        return self.matched / self.comparable if self.comparable else 0.0


@dataclass(frozen=True)
class Chunk:
    """Words ``first``..``last - 1`` of the text, aligned against audio ``start``..``end`` (seconds)."""

    first: int
    last: int
    start: float
    end: float


def anchor_words(words: Sequence[str], heard: Sequence[HeardWord], duration: float, min_run: int = 2) -> Anchoring:
    """Match ``words`` to ``heard`` in order and give every word a rough (start, end).

    A word is anchored when it lies in a run of at least ``min_run`` consecutive matches (a lone
    "the" matched far away is not evidence); texts of fewer than ``min_run`` words accept single matches.
    """
    mine = [normalise(w) for w in words]
    theirs = [normalise(h.text) for h in heard]
    # Pure punctuation never matches: a unique marker per position keeps it out of the blocks.
    a = [w or f"\0{i}" for i, w in enumerate(mine)]
    b = [w or f"\1{j}" for j, w in enumerate(theirs)]
    blocks = difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
    run = min(min_run, max(1, sum(1 for w in mine if w)))
    n = len(words)
    starts, ends = [0.0] * n, [0.0] * n
    anchored = [False] * n
    matched = 0
    for i, j, size in blocks:
        matched += size
        if size < run:
            continue
        for k in range(size):
            h = heard[j + k]
            starts[i + k], ends[i + k], anchored[i + k] = h.start, max(h.end, h.start), True
    _fill_unanchored(words, starts, ends, anchored, duration)
    return Anchoring(tuple(starts), tuple(ends), tuple(anchored), matched, sum(1 for w in mine if w))


def _weight(word: str) -> float:
    return len(word.strip()) + 1.0


def _fill_unanchored(words: Sequence[str], starts: list[float], ends: list[float], anchored: list[bool],
                     duration: float) -> None:
    """Rough times for runs of unanchored words (in place): spread between their anchors by length."""
    n = len(words)
    i = 0
    while i < n:
        if anchored[i]:
            i += 1
            continue
        j = i
        while j < n and not anchored[j]:
            j += 1
        weights = [_weight(words[k]) for k in range(i, j)]
        spoken = sum(weights) * SPEAKING_S_PER_CHAR
        if i > 0 and j < n:  # between two anchors: share their gap
            left, right = ends[i - 1], max(ends[i - 1], starts[j])
        elif i == 0 and j < n:  # before the first anchor: just before it
            right = starts[j]
            left = max(0.0, right - spoken)
        elif i > 0:  # after the last anchor: just after it
            left = ends[i - 1]
            right = min(duration, left + spoken) if duration > left else left
        else:  # nothing anchored: the whole audio
            left, right = 0.0, duration
        _spread(weights, left, right, i, starts, ends)
        i = j


def _spread(weights: list[float], left: float, right: float, first: int, starts: list[float], ends: list[float]) -> None:
    total = sum(weights) or 1.0
    position = left
    for k, weight in enumerate(weights):
        end = position + (right - left) * weight / total
        starts[first + k], ends[first + k] = position, end
        position = end


def plan_chunks(anchoring: Anchoring, token_counts: Sequence[int], duration: float, window_s: float = WINDOW_S,
                max_tokens: int = MAX_TEXT_TOKENS, margin_s: float = 1.0, loose_margin_s: float = 3.0) -> list[Chunk]:
    """Cut the text into chunks whose audio fits one window and whose tokens fit the decoder.

    A chunk's audio runs from a margin before its first word to a margin after its last, never
    past the middle of the pause to a neighbouring chunk's word. The margin is ``margin_s`` at an
    anchored word and ``loose_margin_s`` at an unanchored one (its time is only a guess). Cuts fall
    between two anchored words where possible, at the longest pause in the last third of the window.
    """
    n = len(token_counts)
    starts, ends, anchored = anchoring.starts, anchoring.ends, anchoring.anchored
    margin = [margin_s if a else loose_margin_s for a in anchored]
    chunks: list[Chunk] = []
    first = 0
    t0 = max(0.0, starts[0] - margin[0]) if n else 0.0
    while first < n:
        limit = t0 + window_s
        last = _last_fitting(first, ends, margin, token_counts, limit, max_tokens)
        if last == n - 1:
            chunks.append(Chunk(first, n, t0, min(duration, max(ends[last] + margin[last], t0), limit)))
            break
        cut = _choose_cut(first, last, starts, ends, anchored, t0 + window_s * 2 / 3)
        middle = (ends[cut] + starts[cut + 1]) / 2
        t1 = min(middle, ends[cut] + margin[cut], limit)
        chunks.append(Chunk(first, cut + 1, t0, max(t1, t0)))
        first = cut + 1
        t0 = max(middle, starts[first] - margin[first], 0.0)
    return chunks


def _last_fitting(first: int, ends: Sequence[float], margin: Sequence[float], token_counts: Sequence[int],
                  limit: float, max_tokens: int) -> int:
    """The last word from ``first`` on whose end (plus margin) is inside the window and whose tokens fit (at least ``first``)."""
    tokens = 0
    last = first
    for k in range(first, len(token_counts)):
        tokens += token_counts[k]
        if tokens > max_tokens or (k > first and ends[k] + margin[k] > limit):
            break
        last = k
    return last


def _choose_cut(first: int, last: int, starts: Sequence[float], ends: Sequence[float], anchored: Sequence[bool],
                late: float) -> int:
    """The word after which to cut, among ``first``..``last - 1``... or ``last`` when nothing safer exists."""
    safe = [k for k in range(first, last + 1) if k + 1 < len(starts) and anchored[k] and anchored[k + 1]]
    if not safe:
        return last
    preferred = [k for k in safe if ends[k] >= late] or safe[-1:]
    return max(preferred, key=lambda k: (starts[k + 1] - ends[k], k))
