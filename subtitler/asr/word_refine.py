"""Word timings corrected by the audio itself: word edges that lie over silence move to where speech is.

Cross-attention DTW (subtitler.asr.alignment) gives every audio frame to some token, so its words
are gapless: a pause is folded into the word before or after it, a segment's first word starts
early over the silence before it, the last word of a sentence runs on over the silence after it,
and the last word of a window is pulled towards the window's end. None of that shows in the
attention, but all of it shows in the audio. This module finds where speech is — Silero VAD's
regions (the frame probabilities are computed once per transcription), each edge sharpened to
10 ms with short-time energy against the noise floor of the pause beside it — and moves word
edges out of the pauses. Inside continuous speech nothing is moved: there the audio tells no
word boundary that the attention does not.

Each correction is a switch in :class:`RefineOptions`, so its effect can be measured on its own
(``benchmarks/bench_words.py`` prints the figures with each one off).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from subtitler.asr.alignment import SegmentWords, WordTiming
from subtitler.asr.vad import SAMPLE_RATE, VadOptions, regions_from_probabilities

ENERGY_HOP = 160  # 10-ms frames: the resolution of the sharpened speech edges
FLOOR_RANGE_DB = 60.0  # a floor further below the speech than this is digital silence: counted as this far below


@dataclass(frozen=True)
class RefineOptions:
    """Which corrections run, and the few numbers the speech map needs.

    - ``snap_edges``: a word start lying in a pause moves to the pause's end (the next onset), a word
      end lying in a pause to its start (the last offset).
    - ``split_pauses``: a word that holds a whole pause of ``split_pause_s`` or more keeps the side of
      the pause with more of its duration; the neighbour glued to the other side takes the rest.
    - ``pull_to_edges``: a start up to ``edge_tolerance_s`` after an onset moves back to the onset, an
      end up to that much before an offset moves on to it, when no other word lies between.
    - ``follow_words``: segments start and end where their (refined) words do.
    - ``energy_edges``: the speech map's edges are sharpened by energy (else Silero's 32-ms frames as they are).
    """

    snap_edges: bool = True
    split_pauses: bool = True
    pull_to_edges: bool = True
    follow_words: bool = True
    energy_edges: bool = True
    edge_tolerance_s: float = 0.2
    split_pause_s: float = 0.2
    min_pause_s: float = 0.1  # Silero's own minimum silence
    min_speech_s: float = 0.03
    vad_threshold: float = 0.5
    energy_margin_db: float = 6.0  # speech is this far above the noise floor
    # How far before/after a VAD edge energy may place it. The first (last) sustained crossing wins,
    # so the far side of each window only counts when the near side has none; Silero's offsets lag.
    onset_search_s: tuple[float, float] = (0.1, 0.3)
    offset_search_s: tuple[float, float] = (0.5, 0.1)

    def __post_init__(self) -> None:
        if self.edge_tolerance_s < 0 or self.split_pause_s < 0 or self.min_pause_s < 0 or self.min_speech_s < 0:
            raise ValueError("RefineOptions durations must not be negative")
        if not 0.0 < self.vad_threshold < 1.0:
            raise ValueError("RefineOptions.vad_threshold must be between 0 and 1")


def frame_energy_db(audio: np.ndarray, hop: int = ENERGY_HOP) -> np.ndarray:
    """Mean power per ``hop``-sample frame in dB (silence at -120 dB)."""
    n = len(audio) // hop
    frames = np.asarray(audio[: n * hop], dtype=np.float32).reshape(n, hop)
    tail = audio[n * hop:]
    # Products summed in float64 without a float64 copy of the audio (10 minutes: 0.16 -> 0.01 s, the same dB to 1e-13).
    power = np.einsum("ij,ij->i", frames, frames, dtype=np.float64) / hop
    if len(tail):
        power = np.append(power, float(np.mean(np.asarray(tail, dtype=np.float64) ** 2)))
    return 10.0 * np.log10(power + 1e-12)


@dataclass(frozen=True)
class SpeechMap:
    """Where someone speaks: sorted, disjoint (start, end) regions in seconds, and the audio's length."""

    regions: tuple[tuple[float, float], ...]
    duration: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "_starts", [r[0] for r in self.regions])

    @classmethod
    def from_audio(cls, audio: np.ndarray, probabilities: np.ndarray, options: RefineOptions = RefineOptions()) -> "SpeechMap":
        """Silero's regions (no padding) with each edge moved to where the energy crosses the pause's noise floor."""
        vad = VadOptions(threshold=options.vad_threshold, min_speech_ms=round(options.min_speech_s * 1000),
                         min_silence_ms=round(options.min_pause_s * 1000), speech_pad_ms=0)
        coarse = [(r.start, r.end) for r in regions_from_probabilities(probabilities, len(audio), vad)]
        if options.energy_edges:
            coarse = _sharpen(coarse, frame_energy_db(audio), options)
        return cls(tuple(coarse), len(audio) / SAMPLE_RATE)

    def pause_at(self, t: float) -> tuple[float, float] | None:
        """The pause (start, end) that ``t`` lies in, or None when ``t`` is in speech.

        A time exactly at an onset is in speech, exactly at an offset in the pause after it.
        """
        i = bisect_right(self._starts, t) - 1  # the last region starting at or before t
        if i >= 0 and t < self.regions[i][1]:
            return None
        begin = self.regions[i][1] if i >= 0 else 0.0
        end = self.regions[i + 1][0] if i + 1 < len(self.regions) else max(self.duration, t)
        return begin, end

    def pauses_within(self, start: float, end: float) -> list[tuple[float, float]]:
        """Pauses that lie wholly inside (start, end)."""
        out = []
        for (_, a), (b, _) in zip(self.regions, self.regions[1:]):
            if start < a and b < end:
                out.append((a, b))
        return out

    def onset_before(self, t: float, within: float) -> float | None:
        """The latest onset in [t - within, t], if any (speech at the very start of the audio has no onset)."""
        i = bisect_right(self._starts, t) - 1
        if i >= 0 and self.regions[i][0] >= t - within and self.regions[i][0] > 0.0:
            return self.regions[i][0]
        return None

    def offset_after(self, t: float, within: float) -> float | None:
        """The earliest offset in [t, t + within], if any (speech running to the end of the audio has none)."""
        i = bisect_right(self._starts, t) - 1
        if i >= 0 and t <= self.regions[i][1] <= t + within and self.regions[i][1] < self.duration:
            return self.regions[i][1]
        return None


def _sharpen(coarse: list[tuple[float, float]], energy: np.ndarray, options: RefineOptions) -> list[tuple[float, float]]:
    """Each VAD edge moved to the 10-ms frame where the energy crosses the neighbouring pause's floor plus a margin."""
    step = ENERGY_HOP / SAMPLE_RATE
    quietest = float(np.percentile(energy, 5)) if len(energy) else -120.0  # the file's floor, for edges with no pause beside
    out: list[tuple[float, float]] = []
    for k, (start, end) in enumerate(coarse):
        before = coarse[k - 1][1] if k else 0.0
        after = coarse[k + 1][0] if k + 1 < len(coarse) else len(energy) * step
        peak = _percentile(energy, start, end, 90, step)
        if peak is None:
            out.append((start, end))
            continue
        onset_floor = _floor(energy, max(before, start - 1.0), start, peak, quietest, step)
        offset_floor = _floor(energy, end, min(after, end + 1.0), peak, quietest, step)
        lo = max(before, start - options.onset_search_s[0])
        new_start = _first_above(energy, lo, min(end, start + options.onset_search_s[1]),
                                 onset_floor + options.energy_margin_db, step)
        hi = min(after, end + options.offset_search_s[1])
        new_end = _last_above(energy, max(new_start if new_start is not None else start, end - options.offset_search_s[0]), hi,
                              offset_floor + options.energy_margin_db, step)
        start = start if new_start is None else new_start
        end = end if new_end is None else new_end
        if end - start >= options.min_speech_s:
            if out and start <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], end))
            else:
                out.append((start, end))
    return out


def _frames(a: float, b: float, step: float, n: int) -> tuple[int, int]:
    return max(0, int(round(a / step))), min(n, int(round(b / step)))


def _percentile(energy: np.ndarray, a: float, b: float, q: float, step: float) -> float | None:
    i, j = _frames(a, b, step, len(energy))
    return float(np.percentile(energy[i:j], q)) if j > i else None


MIN_FLOOR_FRAMES = 5  # a pause shorter than 50 ms beside an edge is too little to measure its noise


def _floor(energy: np.ndarray, a: float, b: float, peak: float, quietest: float, step: float) -> float:
    """The noise level beside an edge: the pause's median energy, or the file's quietest frames when the pause is
    too short to measure (or absent, at the start or end of the audio); digital silence counts as FLOOR_RANGE_DB
    below the speech."""
    i, j = _frames(a, b, step, len(energy))
    level = float(np.median(energy[i:j])) if j - i >= MIN_FLOOR_FRAMES else quietest
    return max(level, peak - FLOOR_RANGE_DB)


SUSTAIN_FRAMES = 3  # an energy crossing counts when it lasts 30 ms (a click does not start speech)


def _first_above(energy: np.ndarray, a: float, b: float, threshold: float, step: float) -> float | None:
    i, j = _frames(a, b, step, len(energy))
    above = energy[i: j + SUSTAIN_FRAMES - 1] >= threshold
    run = np.convolve(above, np.ones(SUSTAIN_FRAMES, dtype=int), mode="valid")[: j - i] if len(above) >= SUSTAIN_FRAMES else []
    hits = np.nonzero(np.asarray(run) == SUSTAIN_FRAMES)[0]
    return (i + int(hits[0])) * step if len(hits) else None


def _last_above(energy: np.ndarray, a: float, b: float, threshold: float, step: float) -> float | None:
    i, j = _frames(a, b, step, len(energy))
    lo = max(0, i - SUSTAIN_FRAMES + 1)
    above = energy[lo:j] >= threshold
    if len(above) < SUSTAIN_FRAMES:
        return None
    run = np.convolve(above, np.ones(SUSTAIN_FRAMES, dtype=int), mode="valid")  # run[m] covers frames lo+m .. lo+m+2
    hits = np.nonzero(run == SUSTAIN_FRAMES)[0]
    return (lo + int(hits[-1]) + SUSTAIN_FRAMES) * step if len(hits) else None


# --- the words ----------------------------------------------------------------------------------

class _Edges:
    """Mutable [start, end] per word while the corrections run."""

    def __init__(self, words: Sequence[WordTiming]) -> None:
        self.start = [w.start for w in words]
        self.end = [w.end for w in words]

    def __len__(self) -> int:
        return len(self.start)


def _snap_edges(e: _Edges, speech: SpeechMap) -> None:
    """Starts out of pauses forwards, ends out of pauses backwards, when the word keeps some speech."""
    for i in range(len(e)):
        pause = speech.pause_at(e.start[i])
        if pause is not None and pause[1] < e.end[i]:
            e.start[i] = pause[1]
        # an end exactly at an onset has no speech of its own there: it belongs to the pause before
        pause = speech.pause_at(e.end[i] - 1e-6)
        if pause is not None and pause[0] > e.start[i]:
            e.end[i] = pause[0]


def _split_pauses(e: _Edges, speech: SpeechMap, min_pause: float) -> None:
    """A word stretched over a whole pause keeps its longer side; a glued neighbour takes the other."""
    for i in range(len(e)):
        for a, b in speech.pauses_within(e.start[i], e.end[i]):
            if b - a < min_pause or not (e.start[i] < a and b < e.end[i]):
                continue
            if a - e.start[i] < e.end[i] - b:  # mostly after the pause: the speech before is the previous word's
                if i and e.end[i - 1] >= e.start[i] - 1e-6:
                    e.end[i - 1] = a
                e.start[i] = b
            else:
                if i + 1 < len(e) and e.start[i + 1] <= e.end[i] + 1e-6:
                    e.start[i + 1] = b
                e.end[i] = a


def _pull_to_edges(e: _Edges, speech: SpeechMap, tolerance: float) -> None:
    """A start just after an onset moves to it, an end just before an offset moves to it, past no other word."""
    for i in range(len(e)):
        onset = speech.onset_before(e.start[i], tolerance)
        if onset is not None and (i == 0 or e.end[i - 1] <= onset + 1e-6):
            e.start[i] = onset
        offset = speech.offset_after(e.end[i], tolerance)
        if offset is not None and (i + 1 == len(e) or e.start[i + 1] >= offset - 1e-6):
            e.end[i] = offset


def _ordered(e: _Edges) -> None:
    """No word ends before it starts or starts before the previous one ends."""
    for i in range(len(e)):
        if i:
            e.start[i] = max(e.start[i], e.end[i - 1])
        e.end[i] = max(e.end[i], e.start[i])


def refine_words(words: Sequence[WordTiming], speech: SpeechMap, options: RefineOptions = RefineOptions()) -> list[WordTiming]:
    """The same words with their edges moved out of pauses, by the corrections ``options`` switch on."""
    if not words:
        return []
    edges = _Edges(words)
    if options.split_pauses:
        _split_pauses(edges, speech, options.split_pause_s)
    if options.snap_edges:
        _snap_edges(edges, speech)
    if options.pull_to_edges:
        _pull_to_edges(edges, speech, options.edge_tolerance_s)
    _ordered(edges)
    return [replace(w, start=round(s, 3), end=round(t, 3)) for w, s, t in zip(words, edges.start, edges.end)]


def refine_window(segments: Sequence[SegmentWords], speech: SpeechMap, options: RefineOptions = RefineOptions()) -> list[SegmentWords]:
    """Refine the words of one window's segments together (a pause between segments is a boundary like any other).

    A segment the recipe left without duration is left as it is: the transcription drops it, and
    refinement must not bring it back (the text stays the reference's).
    """
    live = [s for s in segments if s.end > s.start]
    refined = iter(refine_words([w for s in live for w in s.words], speech, options))
    out = []
    for s in segments:
        if s.end <= s.start:
            out.append(s)
            continue
        words = tuple(next(refined) for _ in s.words)
        start, end = s.start, s.end
        if words and options.follow_words and words[-1].end > words[0].start:  # never an empty segment
            start, end = words[0].start, words[-1].end
        out.append(SegmentWords(words, start, end))
    return out
