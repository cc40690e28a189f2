"""Word timings from cross-attention: which 20-ms audio frames each text token attends to.

The recipe is the published one (openai-whisper's ``timing.py``, the Whisper paper's
appendix): run the decoder once more over a window's text tokens, take the cross-attention
probabilities of the checkpoint's alignment heads, normalise each head over the tokens,
median-filter along time, average the heads, and find the monotonic token-to-frame path by
dynamic time warping. The frame where the path first reaches a token is that token's start;
tokens are grouped into words per language, punctuation joins its neighbour, and each word
gets the mean probability of its tokens.

:func:`align_window` does this for all segments of one window in a single decoder pass (the
"batch": every segment of a window shares its audio features). :func:`reference_word_timings`
then applies openai-whisper's own corrections (long words at sentence and pause boundaries,
segment edges against word edges) so the result can be checked against it word for word.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from subtitler.asr.tokenizer import Tokenizer

FRAMES_PER_SECOND_OUT = 50  # audio-encoder positions per second (20 ms each): the resolution of word times
PREPEND_PUNCTUATIONS = "\"'“¿([{-"
APPEND_PUNCTUATIONS = "\"'.。,，!！?？:：”)]}、"
SENTENCE_END_MARKS = ".。!！?？"


@dataclass(frozen=True)
class WordTiming:
    """One word (with Whisper's leading space and any attached punctuation), times in float seconds."""

    word: str
    start: float
    end: float
    probability: float
    tokens: tuple[int, ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class AlignmentOptions:
    """The recipe's parameters (openai-whisper's defaults)."""

    medfilt_width: int = 7
    qk_scale: float = 1.0
    prepend_punctuations: str = PREPEND_PUNCTUATIONS
    append_punctuations: str = APPEND_PUNCTUATIONS


# --- the signal processing --------------------------------------------------------------------

def median_filter(x: Tensor, width: int) -> Tensor:
    """Median of ``width`` (odd) neighbours along the last axis, reflecting at the edges."""
    if width % 2 != 1 or width < 1:
        raise ValueError("median filter width must be odd")
    pad = width // 2
    if x.shape[-1] <= pad:
        return x
    shape, length = x.shape, x.shape[-1]
    flat = x.reshape(-1, 1, length)  # reflect padding wants [batch, channel, time]
    padded = F.pad(flat, (pad, pad), mode="reflect")[:, 0]
    # A selection network over the `width` shifted copies, elementwise minimum/maximum only: the same element as
    # sorting every window, in 18 ms where torch's sort (or median) took 52-55 ms for a tiny.en window's weights
    # (a whole sorting network: 32 ms).
    lanes = [padded[:, i: i + length] for i in range(width)]
    for a, b, low, high in _median_network(width):
        smaller = torch.minimum(lanes[a], lanes[b]) if low else None
        if high:
            lanes[b] = torch.maximum(lanes[a], lanes[b])
        if low:
            lanes[a] = smaller
    return lanes[pad].reshape(shape)


@functools.lru_cache(maxsize=8)
def _median_network(width: int) -> tuple[tuple[int, int, bool, bool], ...]:
    """The compare-exchanges of a sorting network for ``width`` inputs that the middle output depends on:
    (a, b, whether lane a's minimum is needed, whether lane b's maximum is). Width 7: 22 products, not 38.

    Batcher's network for the next power of two, with the lanes past ``width`` read as +infinity: a pair that
    touches one of them changes nothing (the larger lane keeps the infinity), so it is left out; then, walking
    back from the middle lane, only the outputs something later reads are kept.
    """
    pairs = [(a, b) for a, b in _sorting_network(1 << (width - 1).bit_length()) if b < width]
    needed, steps = {width // 2}, []
    for a, b in reversed(pairs):
        low, high = a in needed, b in needed
        if low or high:
            steps.append((a, b, low, high))
            needed |= {a, b}
    return tuple(reversed(steps))


@functools.lru_cache(maxsize=8)
def _sorting_network(n: int) -> tuple[tuple[int, int], ...]:
    """Batcher's odd-even merge sort for ``n`` (a power of two) inputs: the compare-exchange pairs, in order."""
    pairs = []
    p = 1
    while p < n:
        k = p
        while k >= 1:
            for j in range(k % p, n - k, 2 * k):
                for i in range(min(k, n - j - k)):
                    if (i + j) // (2 * p) == (i + j + k) // (2 * p):
                        pairs.append((i + j, i + j + k))
            k //= 2
        p *= 2
    return tuple(pairs)


def dtw_path(cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The cheapest monotonic path through ``cost`` [N, M] from (0, 0) to (N-1, M-1): (rows, columns).

    Cells are filled one anti-diagonal at a time (every cell of a diagonal depends only on the two
    diagonals before it), so NumPy does each diagonal in one vector step instead of N*M Python steps;
    the costs are laid out by diagonal first, so each step reads one contiguous slice. Ties break as in
    openai-whisper's DTW (diagonal, then down, then right), and sums are kept in float32 as there, so the
    path is the same. The way back repeats each cell's choice from the sums (no trace is stored).
    """
    n, m = cost.shape
    x = np.asarray(cost, dtype=np.float64)
    diagonals = n + m + 1
    d_index, i_index = np.arange(diagonals)[:, None], np.arange(n + 1)[None, :]
    d_cells, i_cells = np.nonzero((i_index >= 1) & (d_index - i_index >= 1) & (d_index - i_index <= m))
    by_diagonal = np.zeros((diagonals, n + 1))  # by_diagonal[d, i] = x[i - 1, d - i - 1]
    by_diagonal[d_cells, i_cells] = x[i_cells - 1, d_cells - i_cells - 1]
    acc = np.full((diagonals, n + 1), np.inf, dtype=np.float32)  # acc[d, i] = cumulative cost of cell (i, d - i)
    acc[0, 0] = 0.0
    for d in range(2, n + m + 1):
        lo, hi = max(1, d - m), min(n, d - 1)
        c0 = acc[d - 2, lo - 1: hi]  # (i-1, j-1)
        c1 = acc[d - 1, lo - 1: hi]  # (i-1, j)
        c2 = acc[d - 1, lo: hi + 1]  # (i, j-1)
        best = np.where(c0 < np.minimum(c1, c2), c0, np.where(c1 < np.minimum(c0, c2), c1, c2))
        acc[d, lo: hi + 1] = by_diagonal[d, lo: hi + 1] + best  # summed in float64, stored in float32
    return _backtrace(acc, n, m)


def _backtrace(acc: np.ndarray, n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    i, j = n, m
    path: list[tuple[int, int]] = []
    while i > 0 or j > 0:
        path.append((i - 1, j - 1))
        if i == 0:
            step = 2
        elif j == 0:
            step = 1
        else:
            c0, c1, c2 = acc[i + j - 2, i - 1], acc[i + j - 1, i - 1], acc[i + j - 1, i]
            step = 0 if c0 < c1 and c0 < c2 else 1 if c1 < c0 and c1 < c2 else 2
        if step == 0:
            i, j = i - 1, j - 1
        elif step == 1:
            i -= 1
        else:
            j -= 1
    rows, cols = np.array(path[::-1], dtype=np.int64).reshape(-1, 2).T
    return rows, cols


# --- one window ----------------------------------------------------------------------------------

@dataclass
class _RawWord:
    """A word while the recipe's corrections still move its edges (mutable on purpose)."""

    word: str
    tokens: list[int]
    start: float
    end: float
    probability: float


def attention_path(model, tokenizer: Tokenizer, text_tokens: Sequence[int], features: Tensor, num_frames: int,
                   options: AlignmentOptions = AlignmentOptions()) -> tuple[np.ndarray, np.ndarray, list[float]]:
    """The DTW path of ``text_tokens`` (plus end-of-text) over the window and each text token's probability.

    ``features`` are the window's encoded audio [n_audio_ctx, state] (or [1, ...]); ``num_frames`` the mel
    frames of real audio in the window (the rest is padding, which no word may land on).
    """
    sot = list(tokenizer.sot_sequence)
    tokens = torch.tensor([sot + [tokenizer.no_timestamps] + list(text_tokens) + [tokenizer.eot]], device=model.device)
    if features.ndim == 2:
        features = features.unsqueeze(0)
    with torch.no_grad():
        logits, scores = model.logits_and_alignment_scores(tokens, features)
    n = len(text_tokens)
    # Each text token's probability among the text tokens: its logit against their log-sum-exp (a reduction,
    # where a softmax wrote a probability for every one of ~50k tokens and row only to read one of each).
    sampled = logits[0, len(sot): len(sot) + n, : tokenizer.eot].float()
    chosen = sampled[torch.arange(n), torch.tensor(list(text_tokens), device=sampled.device)]
    token_probs = (chosen - sampled.logsumexp(dim=-1)).exp().tolist()
    scores = scores[:, :, : num_frames // 2]  # heads x tokens x audio positions of real audio
    weights = (scores * options.qk_scale).softmax(dim=-1)
    std, mean = torch.std_mean(weights, dim=-2, keepdim=True, unbiased=False)
    weights = median_filter((weights - mean) / std, options.medfilt_width)
    matrix = weights.mean(dim=0)[len(sot): -1]  # rows: the position before each text token, and before eot
    rows, cols = dtw_path((-matrix).double().cpu().numpy())
    return rows, cols, token_probs


def token_start_times(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Seconds (window-relative) at which the DTW path first reaches each row: one time per token, then end-of-text."""
    jumps = np.pad(np.diff(rows), (1, 0), constant_values=1).astype(bool)
    return cols[jumps] / FRAMES_PER_SECOND_OUT


def find_alignment(model, tokenizer: Tokenizer, text_tokens: Sequence[int], features: Tensor, num_frames: int,
                   options: AlignmentOptions = AlignmentOptions()) -> list[_RawWord]:
    """Words of ``text_tokens`` with window-relative times (seconds) and probabilities."""
    if not text_tokens:
        return []
    rows, cols, token_probs = attention_path(model, tokenizer, text_tokens, features, num_frames, options)
    words, word_tokens = tokenizer.split_to_word_tokens(list(text_tokens) + [tokenizer.eot])
    if len(word_tokens) <= 1:
        return []
    boundaries = np.pad(np.cumsum([len(t) for t in word_tokens[:-1]]), (1, 0))
    jump_times = token_start_times(rows, cols)
    starts, ends = jump_times[boundaries[:-1]], jump_times[boundaries[1:]]
    return [
        _RawWord(word, list(tokens), float(start), float(end), float(np.mean(token_probs[i:j])))
        for word, tokens, start, end, i, j in zip(words, word_tokens, starts, ends, boundaries[:-1], boundaries[1:])
    ]


def merge_punctuations(words: list[_RawWord], prepended: str, appended: str) -> None:
    """Attach opening punctuation to the next word and closing punctuation to the previous one (in place)."""
    i, j = len(words) - 2, len(words) - 1
    while i >= 0:
        previous, following = words[i], words[j]
        if previous.word.startswith(" ") and previous.word.strip() in prepended:
            following.word = previous.word + following.word
            following.tokens = previous.tokens + following.tokens
            previous.word, previous.tokens = "", []
        else:
            j = i
        i -= 1
    i, j = 0, 1
    while j < len(words):
        previous, following = words[i], words[j]
        if not previous.word.endswith(" ") and following.word in appended:
            previous.word = previous.word + following.word
            previous.tokens = previous.tokens + following.tokens
            following.word, following.tokens = "", []
        else:
            i = j
        j += 1


def _median_word_duration(words: list[_RawWord]) -> float:
    durations = np.array([w.end - w.start for w in words])
    durations = durations[durations.nonzero()]
    return min(0.7, float(np.median(durations))) if len(durations) else 0.0


def _clip_sentence_edges(words: list[_RawWord], max_duration: float) -> None:
    """A word at a sentence boundary is at most ``max_duration`` long (the recipe's guard against stretched marks)."""
    for i in range(1, len(words)):
        if words[i].end - words[i].start > max_duration:
            if words[i].word in SENTENCE_END_MARKS:
                words[i].end = words[i].start + max_duration
            elif words[i - 1].word in SENTENCE_END_MARKS:
                words[i].start = words[i].end - max_duration


@dataclass(frozen=True)
class SegmentWords:
    """Word timings of one segment, and the segment's edges after the recipe reconciled them with its words."""

    words: tuple[WordTiming, ...]
    start: float
    end: float


def align_window(model, tokenizer: Tokenizer, segment_tokens: Sequence[Sequence[int]], segment_times: Sequence[tuple[float, float]],
                 features: Tensor, num_frames: int, time_offset: float, last_speech_timestamp: float,
                 options: AlignmentOptions = AlignmentOptions()) -> list[SegmentWords]:
    """Words for every segment of one window, with the published recipe's corrections, in one decoder pass.

    ``segment_tokens`` are each segment's tokens (timestamps included; they are dropped here),
    ``segment_times`` each segment's (start, end) in seconds from the start of the audio,
    ``time_offset`` the window's start in seconds and ``last_speech_timestamp`` the end of the
    last word before this window.
    """
    if not segment_tokens:
        return []
    text_per_segment = [[t for t in tokens if t < tokenizer.eot] for tokens in segment_tokens]
    text_tokens = [t for tokens in text_per_segment for t in tokens]
    words = find_alignment(model, tokenizer, text_tokens, features, num_frames, options)
    median = _median_word_duration(words)
    if any(w.end - w.start for w in words):
        _clip_sentence_edges(words, median * 2)
    merge_punctuations(words, options.prepend_punctuations, options.append_punctuations)
    out: list[SegmentWords] = []
    index = 0
    for tokens, (seg_start, seg_end) in zip(text_per_segment, segment_times):
        saved, mine = 0, []
        while index < len(words) and saved < len(tokens):
            timing = words[index]
            if timing.word:
                mine.append(_RawWord(timing.word, timing.tokens, round(time_offset + timing.start, 2),
                                     round(time_offset + timing.end, 2), timing.probability))
            saved += len(timing.tokens)
            index += 1
        seg_start, seg_end = _reconcile_segment(mine, seg_start, seg_end, median, last_speech_timestamp)
        if mine:
            last_speech_timestamp = seg_end
        out.append(SegmentWords(tuple(WordTiming(w.word, w.start, w.end, w.probability, tuple(w.tokens)) for w in mine),
                                seg_start, seg_end))
    return out


def _reconcile_segment(words: list[_RawWord], start: float, end: float, median: float,
                       last_speech_timestamp: float) -> tuple[float, float]:
    """The recipe's segment-edge rules (in place on ``words``); returns the segment's new (start, end)."""
    if not words:
        return start, end
    max_duration = median * 2
    first = words[0]
    # After a pause, the first (and second) word must not be stretched over it.
    if first.end - last_speech_timestamp > median * 4 and (
        first.end - first.start > max_duration
        or (len(words) > 1 and words[1].end - first.start > max_duration * 2)
    ):
        if len(words) > 1 and words[1].end - words[1].start > max_duration:
            boundary = max(words[1].end / 2, words[1].end - max_duration)
            first.end = words[1].start = boundary
        first.start = max(0, first.end - max_duration)
    # Prefer the segment's own start when the first word is too long, else the word's.
    if start < first.end and start - 0.5 > first.start:
        first.start = max(0, min(first.end - median, start))
    else:
        start = first.start
    last = words[-1]
    if end > last.start and end + 0.5 < last.end:
        last.end = max(last.start + median, end)
    else:
        end = last.end
    return start, end


def words_end(segment_words: Sequence[SegmentWords], fallback: float | None) -> float | None:
    """End of the last word of the window (or ``fallback`` when no segment has words): openai's ``get_end``."""
    for seg in reversed(segment_words):
        if seg.words:
            return seg.words[-1].end
    return fallback


def shifted(words: Sequence[WordTiming], offset: float) -> tuple[WordTiming, ...]:
    """The same words ``offset`` seconds later."""
    return tuple(dataclasses.replace(w, start=w.start + offset, end=w.end + offset) for w in words)
