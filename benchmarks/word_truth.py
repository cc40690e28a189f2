"""Clips where the word timings are known: the hand-labelled LDC93S1 and clips built from real speech.

Ground truth of three kinds, all in seconds:

- ``LDC93S1.wav`` as it is, with TIMIT's hand-labelled word boundaries (``LDC93S1.wrd``).
- Real utterances cut at their speech edges and padded or joined with silence of measured length.
  After the cut, the audio before and after an utterance is digital silence (or generated noise at
  the level measured in the clip's own pauses), so where its speech starts and ends is known by
  construction. The cut points were read from spectrograms (LDC93S1's from its TIMIT labels) and
  placed at or just inside the first and last speech sound, so no noise-only audio is kept at an edge.
- LDC93S1's eleven words cut at their labelled boundaries and joined with known pauses, so every
  word's start and end is known.

Noise variants matter: against digital silence any energy detector finds the edges trivially; the
noise is white, at the RMS measured in the clip's own leading pause.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SR = 16000
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@dataclass(frozen=True)
class Utterance:
    """A shared clip cut to its speech: [start, end] seconds, and a noise-only stretch to measure its background."""

    clip: str
    start: float
    end: float
    noise: tuple[float, float]


UTTERANCES = (  # cut points read from spectrograms (LDC93S1: its TIMIT h# labels, samples 3050 and 44586)
    Utterance("LDC93S1.wav", 3050 / SR, 44586 / SR, (0.0, 0.18)),
    Utterance("leopard_test.wav", 0.54, 5.40, (0.10, 0.50)),
    Utterance("librispeech_61-70968-0000.flac", 0.31, 4.50, (0.02, 0.28)),
    Utterance("jfk.flac", 0.33, 10.25, (0.06, 0.30)),
)


@dataclass(frozen=True)
class TrueWord:
    text: str
    start: float | None  # None: not known (an inner word of an utterance)
    end: float | None


@dataclass(frozen=True)
class TruthClip:
    """Audio with its reference words in order; ``edges`` are (start, end) of each stretch of continuous speech."""

    name: str
    audio: np.ndarray
    words: tuple[TrueWord, ...]
    edges: tuple[tuple[float, float], ...]
    all_words_timed: bool  # every word has a start and an end (LDC93S1 family)

    @property
    def seconds(self) -> float:
        return len(self.audio) / SR


def _load(name: str) -> np.ndarray:
    from subtitler.media.decode import decode_audio

    return decode_audio(DATA / name)


def _manifest() -> dict[str, dict]:
    return {e["audio"]: e for e in json.loads((DATA / "manifest.json").read_text())}


def _words_of(text: str) -> list[str]:
    return [w for w in re.split(r"\s+", text.strip()) if w]


def ldc_labels() -> list[tuple[str, int, int]]:
    """(word, first sample, end sample) from LDC93S1.wrd, with the TIMIT spelling."""
    rows = []
    for line in (DATA / "LDC93S1.wrd").read_text().split("\n"):
        if line.strip():
            a, b, word = line.split()
            rows.append((word, int(a), int(b)))
    return rows


def _silence(seconds: float, noise_rms: float, rng: np.random.Generator) -> np.ndarray:
    n = int(round(seconds * SR))
    if noise_rms <= 0:
        return np.zeros(n, np.float32)
    return (rng.standard_normal(n) * noise_rms).astype(np.float32)


def _rms(audio: np.ndarray, span: tuple[float, float]) -> float:
    part = audio[int(span[0] * SR): int(span[1] * SR)]
    return float(np.sqrt(np.mean(part.astype(np.float64) ** 2)))


class _Builder:
    """Appends pieces and pauses, keeping the truth in step (times from the sample counts, exact)."""

    def __init__(self, noise_rms: float, seed: int) -> None:
        self.parts: list[np.ndarray] = []
        self.samples = 0
        self.words: list[TrueWord] = []
        self.edges: list[tuple[float, float]] = []
        self.noise_rms = noise_rms
        self.rng = np.random.default_rng(seed)

    def pause(self, seconds: float) -> None:
        self._add(_silence(seconds, self.noise_rms, self.rng))

    def speech(self, audio: np.ndarray, words: list[TrueWord]) -> None:
        """Append speech; word times are relative to its first sample (None where unknown)."""
        t0 = self.samples / SR
        self.words += [TrueWord(w.text, None if w.start is None else t0 + w.start, None if w.end is None else t0 + w.end)
                       for w in words]
        self._add(audio)
        self.edges.append((t0, self.samples / SR))

    def _add(self, piece: np.ndarray) -> None:
        self.parts.append(piece.astype(np.float32))
        self.samples += len(piece)

    def clip(self, name: str, all_words_timed: bool) -> TruthClip:
        return TruthClip(name, np.concatenate(self.parts), tuple(self.words), tuple(self.edges), all_words_timed)


def _utterance_piece(u: Utterance, audio: np.ndarray, text: str) -> tuple[np.ndarray, list[TrueWord]]:
    piece = audio[int(round(u.start * SR)): int(round(u.end * SR))]
    words = _words_of(text)
    duration = len(piece) / SR
    timed = [TrueWord(w, 0.0 if i == 0 else None, duration if i == len(words) - 1 else None) for i, w in enumerate(words)]
    if u.clip == "LDC93S1.wav":  # every word is labelled
        first = int(round(u.start * SR))
        timed = [TrueWord(w, (a - first) / SR, (b - first) / SR) for w, a, b in ldc_labels()]
    return piece, timed


def ldc93s1_original() -> TruthClip:
    audio = _load("LDC93S1.wav")
    words = tuple(TrueWord(w, a / SR, b / SR) for w, a, b in ldc_labels())
    return TruthClip("LDC93S1", audio, words, ((3050 / SR, 44586 / SR),), True)


def padded(u: Utterance, lead: float, tail: float, noisy: bool) -> TruthClip:
    audio = _load(u.clip)
    piece, words = _utterance_piece(u, audio, _manifest()[u.clip]["text"])
    b = _Builder(_rms(audio, u.noise) if noisy else 0.0, seed=len(piece))
    b.pause(lead)
    b.speech(piece, words)
    b.pause(tail)
    return b.clip(f"{Path(u.clip).stem}+pad{'+noise' if noisy else ''}", u.clip == "LDC93S1.wav")


def joined(order: tuple[int, ...], pauses: tuple[float, ...], noisy: bool, lead: float = 1.3) -> TruthClip:
    """Utterances (indices into UTTERANCES, each at most once: a replayed sentence is what the repetition
    guard drops) with pauses after each; long enough that a 30-s window ends inside speech."""
    manifest = _manifest()
    chosen = [UTTERANCES[i] for i in order]
    loaded = {u.clip: _load(u.clip) for u in chosen}
    rms = min(_rms(loaded[u.clip], u.noise) for u in chosen) if noisy else 0.0
    b = _Builder(rms, seed=7 + sum(order))
    b.pause(lead)
    for u, pause in zip(chosen, pauses):
        piece, words = _utterance_piece(u, loaded[u.clip], manifest[u.clip]["text"])
        b.speech(piece, words)
        b.pause(pause)
    return b.clip(f"joined-{''.join(map(str, order))}{'+noise' if noisy else ''}", False)


def ldc_words_joined(pauses: tuple[float, ...], noisy: bool) -> TruthClip:
    """LDC93S1's words cut at their labels (had ends where 'your' starts: the labels overlap) with known pauses."""
    audio = _load("LDC93S1.wav")
    labels = ldc_labels()
    b = _Builder(_rms(audio, UTTERANCES[0].noise) if noisy else 0.0, seed=11)
    b.pause(0.8)
    for k, (word, a, end) in enumerate(labels):
        if k + 1 < len(labels):
            end = min(end, labels[k + 1][1])
        b.speech(audio[a:end], [TrueWord(word, 0.0, (end - a) / SR)])
        b.pause(pauses[k % len(pauses)])
    return b.clip(f"LDC93S1-words{'+noise' if noisy else ''}", True)


WORD_PAUSES = (0.25, 0.6, 0.15, 1.1, 0.4, 0.8, 0.3, 1.5, 0.2, 0.7, 1.0)
JOINS = (((1, 0, 2, 3), (2.2, 3.0, 1.8, 2.0)), ((3, 2, 0, 1), (0.6, 1.2, 0.9, 2.5)))


def truth_clips() -> list[TruthClip]:
    """The whole ground-truth set, in a fixed order."""
    clips = [ldc93s1_original()]
    for noisy in (False, True):
        clips += [padded(u, lead, 2.0, noisy) for u, lead in zip(UTTERANCES, (1.5, 2.2, 0.9, 1.7))]
        clips.append(ldc_words_joined(WORD_PAUSES, noisy))
        clips += [joined(order, pauses, noisy) for order, pauses in JOINS]
    return clips
