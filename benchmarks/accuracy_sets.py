"""The sets bench_accuracy measures: human-reference clips, a long-form programme (>= 10 min) and non-speech alone.

The long-form and non-speech audio is synthesised from ../shared/data with a fixed seed and cached under
``.cache/accuracy/`` (git-ignored), so it is built once and every engine reads the same samples.

Long-form programme (about 10.5 min): the seven English human-reference recordings three times over, each
time in another order and another setting —
  A. back to back with short pauses (a continuous talk: tests conditioning on previous text),
  B. each preceded by 10–25 s of non-speech (white, pink or brown noise, mains hum, digital silence,
     test tones or music-like tones),
  C. under a pink-noise bed 15 dB below the speech, 1 s of the bed between recordings,
with non-speech before, between and after the passes. The reference is the recordings' texts joined in order.
Two more programmes (``programmes()``) follow the same recipe with other seeds, and four more on request
(``more_programmes()``: the ``more-programmes`` set, for differences too small for three programmes to tell).
A recording heard again in a later pass is more than 100 s (dozens of segments) away from its last hearing.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from asr_clips import DATA, load_clip, manifest

SR = 16_000
CACHE = Path(__file__).resolve().parents[1] / ".cache" / "accuracy"
VERSION = 1  # bump when the recipe changes: the cache file names carry it

# Every recording whose reference is a human transcript (manifest "kind"); stereo_diarization's left channel is human.
HUMAN_CLIPS = (
    "jfk.flac", "LDC93S1.wav", "leopard_test.wav", "pyannote_sample.wav", "stereo_diarization.wav",
    "librispeech_61-70968-0000.flac", "mfa_acoustic_corpus.wav", "mfa_cold_corpus.wav", "jfk.mp4",
    "leopard_test_es.wav", "leopard_test_de.wav", "leopard_test_fr.wav", "leopard_test_it.wav",
    "leopard_test_ja.wav", "leopard_test_pt.wav", "mls_es_13697_11991_000000.flac", "aeneas_capitan_veneno_es.mp3",
)
# Distinct English speech for the long-form programme (jfk.mp4 and the stereo left channel repeat jfk and librispeech).
LONG_FORM_CLIPS = ("jfk.flac", "LDC93S1.wav", "leopard_test.wav", "pyannote_sample.wav",
                   "librispeech_61-70968-0000.flac", "mfa_acoustic_corpus.wav", "mfa_cold_corpus.wav")
NON_SPEECH_KINDS = ("silence", "hum", "white", "pink", "brown", "tones", "music")
NON_SPEECH_SECONDS = 60.0
NOISE_AFTER_CLIP_S = 20.0


@dataclass(frozen=True)
class Stretch:
    """A labelled part of a synthesised file: speech (one recording) or one kind of non-speech."""

    kind: str  # "speech" or a non-speech kind
    start: float
    end: float
    clip: str = ""


@dataclass(frozen=True)
class Item:
    """One file to transcribe and how it is scored."""

    set: str  # "clips", "long-form" or "non-speech"
    name: str
    language: str
    reference: str  # "" for non-speech
    audio: np.ndarray
    stretches: tuple[Stretch, ...] = ()

    @property
    def seconds(self) -> float:
        return len(self.audio) / SR


def human_clips(english_only: bool) -> list[Item]:
    """Every human-reference recording (English only for English-only models)."""
    entries = manifest()
    items = []
    for name in HUMAN_CLIPS:
        if english_only and entries[name]["language"] != "en":
            continue
        clip = load_clip(name)
        items.append(Item("clips", name, clip.language, clip.reference, clip.audio))
    return items


# --- non-speech synthesis ---------------------------------------------------------------------------

def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if len(x) else 0.0


def _scaled(x: np.ndarray, rms: float) -> np.ndarray:
    level = _rms(x)
    return (x * (rms / level) if level > 0 else x).astype(np.float32)


def coloured_noise(rng: np.random.Generator, n: int, exponent: float, rms: float) -> np.ndarray:
    """Noise with power falling as 1/f**exponent (0 white, 1 pink, 2 brown), shaped in the frequency domain."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / SR)
    f[0] = f[1]
    spectrum *= f ** (-exponent / 2)
    return _scaled(np.fft.irfft(spectrum, n), rms)


def hum(rng: np.random.Generator, n: int, rms: float) -> np.ndarray:
    """Mains hum: 50 Hz and its harmonics, slowly wavering, with a little hiss."""
    t = np.arange(n) / SR
    wobble = 1 + 0.1 * np.sin(2 * np.pi * 0.3 * t)
    x = sum(a * np.sin(2 * np.pi * 50 * k * t + rng.uniform(0, 2 * np.pi))
            for k, a in enumerate((1.0, 0.6, 0.4, 0.25, 0.15, 0.1), start=1)) * wobble
    return _scaled(x + 0.02 * rng.standard_normal(n), rms)


def tones(rng: np.random.Generator, n: int, rms: float) -> np.ndarray:
    """Test tones: beeps of 0.2–1 s at a few fixed frequencies with pauses, and steady stretches of 1 kHz."""
    x = np.zeros(n)
    i = 0
    while i < n:
        length = int(rng.uniform(0.2, 1.0) * SR) if rng.random() < 0.8 else int(rng.uniform(2, 5) * SR)
        freq = 1000.0 if length > 2 * SR else float(rng.choice([440.0, 880.0, 1000.0, 1500.0, 2000.0]))
        seg = np.arange(min(length, n - i)) / SR
        ramp = np.minimum(1, np.minimum(seg, seg[-1] - seg) / 0.005) if len(seg) > 1 else seg
        x[i: i + len(seg)] = np.sin(2 * np.pi * freq * seg) * ramp
        i += len(seg) + int(rng.uniform(0.1, 0.6) * SR)
    return _scaled(x, rms)


def music(rng: np.random.Generator, n: int, rms: float) -> np.ndarray:
    """Music-like tones: a melody over a bass line and a chord pad, plucked notes with harmonics, 100–130 bpm."""
    x = np.zeros(n)
    beat = 60 / rng.uniform(100, 130)
    scale = np.array([0, 2, 4, 5, 7, 9, 11, 12, 14, 16])
    root = 57 + int(rng.integers(0, 5))  # MIDI note of the key
    chords = [(0, 4, 7), (5, 9, 12), (7, 11, 14), (9, 12, 16)]

    def note(midi: float, seconds: float, amp: float, decay: float) -> np.ndarray:
        t = np.arange(int(seconds * SR)) / SR
        f = 440 * 2 ** ((midi - 69) / 12)
        wave = sum(a * np.sin(2 * np.pi * f * k * t) for k, a in enumerate((1, 0.5, 0.3, 0.15), start=1))
        return amp * wave * np.exp(-decay * t) * np.minimum(1, t / 0.01)

    def add(at: float, wave: np.ndarray) -> None:
        i = int(at * SR)
        if i < n:
            x[i: i + len(wave)] += wave[: n - i]

    time, bar = 0.0, 0
    while time < n / SR:
        chord = chords[bar % len(chords)] if rng.random() < 0.8 else chords[int(rng.integers(0, 4))]
        for interval in chord:  # pad, one bar long
            add(time, note(root + interval - 12, 4 * beat, 0.15, 0.6))
        add(time, note(root + chord[0] - 24, 2 * beat, 0.5, 1.5))  # bass, twice a bar
        add(time + 2 * beat, note(root + chord[0] - 24, 2 * beat, 0.5, 1.5))
        step = 0.0
        while step < 4 * beat - 1e-9:  # melody
            length = beat * float(rng.choice([0.5, 0.5, 1.0, 1.0, 1.5, 2.0]))
            if rng.random() < 0.85:
                add(time + step, note(root + int(rng.choice(scale)), length * 1.2, 0.6, 3.0))
            step += length
        time += 4 * beat
        bar += 1
    return _scaled(x, rms)


def non_speech(kind: str, seconds: float, rng: np.random.Generator) -> np.ndarray:
    """``seconds`` of one kind of non-speech at a level typical of a programme's background."""
    n = int(seconds * SR)
    if kind == "silence":
        return np.zeros(n, np.float32)
    if kind == "hum":
        return hum(rng, n, 0.03)
    if kind in ("white", "pink", "brown"):
        return coloured_noise(rng, n, {"white": 0.0, "pink": 1.0, "brown": 2.0}[kind], 0.03)
    if kind == "tones":
        return tones(rng, n, 0.1)
    if kind == "music":
        return music(rng, n, 0.1)
    raise ValueError(kind)


# --- assembling files ---------------------------------------------------------------------------------

class _Timeline:
    def __init__(self) -> None:
        self.parts: list[np.ndarray] = []
        self.stretches: list[Stretch] = []
        self.samples = 0

    def add(self, audio: np.ndarray, kind: str, clip: str = "") -> None:
        start = self.samples / SR
        self.parts.append(audio.astype(np.float32))
        self.samples += len(audio)
        self.stretches.append(Stretch(kind, start, self.samples / SR, clip))

    def audio(self) -> np.ndarray:
        return np.clip(np.concatenate(self.parts), -1, 1).astype(np.float32)


LONG_FORM_SEED = 20240909
PROGRAMME_SEEDS = (1, 2)  # more programmes of the same recipe: other orders, pauses and noise
MORE_PROGRAMME_SEEDS = (3, 4, 5, 6)  # the opt-in ``more-programmes`` set


def _build_long_form(seed: int = LONG_FORM_SEED) -> tuple[np.ndarray, list[Stretch], str]:
    rng = np.random.default_rng(seed)
    clips = {name: load_clip(name) for name in LONG_FORM_CLIPS}
    line = _Timeline()
    order: list[str] = []

    def speech(name: str, bed_snr_db: float | None = None) -> None:
        audio = clips[name].audio
        if bed_snr_db is not None:
            audio = audio + coloured_noise(rng, len(audio), 1.0, _rms(audio) / 10 ** (bed_snr_db / 20))
        line.add(audio, "speech", name)
        order.append(name)

    def orders() -> list[list[str]]:
        """Three orders in which no recording follows its own last hearing too soon."""
        names = list(LONG_FORM_CLIPS)
        while True:
            result = [list(rng.permutation(names)) for _ in range(3)]
            if all(result[i][-1] != result[i + 1][0] and result[i][-2:] != result[i + 1][:2] for i in range(2)):
                return result

    pass_a, pass_b, pass_c = orders()
    line.add(non_speech("hum", 8, rng), "hum")
    line.add(non_speech("silence", 4, rng), "silence")
    for i, name in enumerate(pass_a):  # A: a continuous talk
        if i:
            line.add(non_speech("silence", float(rng.uniform(0.4, 1.5)), rng), "silence")
        speech(name)
    for kind, seconds in (("music", 45), ("pink", 20), ("silence", 15)):
        line.add(non_speech(kind, seconds, rng), kind)
    kinds = ["white", "music", "brown", "hum", "silence", "tones", "pink"]
    for i, name in enumerate(pass_b):  # B: recordings between stretches of non-speech
        kind = kinds[i % len(kinds)]
        line.add(non_speech(kind, float(rng.uniform(10, 25)), rng), kind)
        line.add(non_speech("silence", 0.3, rng), "silence")
        speech(name)
    line.add(non_speech("silence", 3, rng), "silence")
    for i, name in enumerate(pass_c):  # C: under a noise bed
        line.add(coloured_noise(rng, SR, 1.0, 0.01), "pink")
        speech(name, bed_snr_db=15)
    line.add(non_speech("music", 40, rng), "music")
    line.add(non_speech("brown", 20, rng), "brown")
    reference = " ".join(clips[name].reference for name in order)
    return line.audio(), line.stretches, reference


def _cached(name: str, build) -> tuple[np.ndarray, list[Stretch], str]:
    CACHE.mkdir(parents=True, exist_ok=True)
    wav, meta = CACHE / f"{name}-v{VERSION}.npy", CACHE / f"{name}-v{VERSION}.json"
    if wav.is_file() and meta.is_file():
        info = json.loads(meta.read_text())
        return np.load(wav), [Stretch(**s) for s in info["stretches"]], info["reference"]
    audio, stretches, reference = build()
    np.save(wav, audio)
    meta.write_text(json.dumps({"reference": reference, "stretches": [asdict(s) for s in stretches]}, indent=1))
    return audio, stretches, reference


def long_form() -> Item:
    audio, stretches, reference = _cached("long-form", _build_long_form)
    return Item("long-form", "long-form", "en", reference, audio, tuple(stretches))


def programmes(seeds: tuple[int, ...] = PROGRAMME_SEEDS, set_name: str = "programmes") -> list[Item]:
    """The same recipe shuffled with other seeds: a guard tuned on one programme's accidents must hold on these.
    (Seed 2 found Silero's blind spot after test tones and under the noise bed, and a replayed line.)"""
    items = []
    for seed in seeds:
        audio, stretches, reference = _cached(f"programme-{seed}", lambda seed=seed: _build_long_form(seed))
        items.append(Item(set_name, f"programme {seed}", "en", reference, audio, tuple(stretches)))
    return items


def more_programmes() -> list[Item]:
    """Four more programmes: a single programme's WER moves by several points with any change of arithmetic
    (one window decoded differently changes the next window's prompt), so small differences need more of them."""
    return programmes(MORE_PROGRAMME_SEEDS, "more-programmes")


def _build_non_speech(kind: str):
    def build():
        rng = np.random.default_rng(NON_SPEECH_KINDS.index(kind) + 7)
        audio = non_speech(kind, NON_SPEECH_SECONDS, rng)
        return audio, [Stretch(kind, 0.0, len(audio) / SR)], ""
    return build


def _build_clip_then_noise():
    rng = np.random.default_rng(99)
    clip = load_clip("jfk.flac")
    line = _Timeline()
    line.add(clip.audio, "speech", clip.name)
    line.add(non_speech("pink", NOISE_AFTER_CLIP_S, rng), "pink")
    return line.audio(), line.stretches, clip.reference


def non_speech_items() -> list[Item]:
    """Each kind of non-speech alone (60 s), and a recording followed by 20 s of noise."""
    items = []
    for kind in NON_SPEECH_KINDS:
        audio, stretches, _ = _cached(f"non-speech-{kind}", _build_non_speech(kind))
        items.append(Item("non-speech", kind, "en", "", audio, tuple(stretches)))
    audio, stretches, reference = _cached("jfk-then-noise", _build_clip_then_noise)
    items.append(Item("non-speech", "jfk then 20 s noise", "en", reference, audio, tuple(stretches)))
    return items


def all_items(english_only: bool) -> list[Item]:
    return human_clips(english_only) + [long_form()] + programmes() + non_speech_items()


if __name__ == "__main__":  # build the cache and describe it
    item = long_form()
    speech = sum(s.end - s.start for s in item.stretches if s.kind == "speech")
    print(f"long-form: {item.seconds / 60:.1f} min, speech {speech / 60:.1f} min, {len(item.reference.split())} reference words, "
          f"{sum(1 for s in item.stretches if s.kind != 'speech')} non-speech stretches")
    for s in item.stretches:
        print(f"  {s.start:7.2f} {s.end:7.2f} {s.kind:8} {s.clip}")
    for item in non_speech_items():
        print(f"{item.name}: {item.seconds:.1f} s")
    print(f"cache: {CACHE} ({DATA})")
