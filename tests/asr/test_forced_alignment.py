"""Forced alignment on real speech with real weights: every word placed, in order; errors against truth; bad input refused.

Figures (2-core machine, shared): LDC93S1 mean start/end error against the TIMIT hand labels is printed by
benchmarks/bench_forced_alignment.py; the bounds here are loose enough to hold and tight enough to fail on a
misplaced word.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from subtitler.asr.alignment_plan import normalise
from subtitler.asr.forced_alignment import AlignmentError, ForcedAlignmentOptions, align_texts, force_align, split_words
from subtitler.asr.tokenizer import Tokenizer
from subtitler.asr.transcribe import TranscribeOptions, transcribe
from tests.asr.clips import load_clip

SR = 16_000


@pytest.fixture(scope="module")
def tiny(tiny_en, tiny_en_dir: Path):
    return tiny_en, Tokenizer.from_file(tiny_en_dir / "tokenizer.json", multilingual=False)


@pytest.fixture(scope="module")
def texts(data_dir: Path) -> dict[str, dict]:
    return {e["audio"]: e for e in json.loads((data_dir / "manifest.json").read_text())}


def assert_every_word_placed(words, expected: list[str], duration: float) -> None:
    assert [w.word.strip() for w in words] == expected
    starts = [w.start for w in words]
    assert starts == sorted(starts), "times go back"
    assert all(w.start <= w.end for w in words)
    assert all(b.start >= a.start and b.start >= a.end - 1e-9 for a, b in zip(words, words[1:]))
    assert 0.0 <= words[0].start and words[-1].end <= duration + 0.02


def test_jfk_known_text_every_word_placed_where_recognition_puts_it(tiny, data_dir, texts) -> None:
    """The same DTW as word timestamps: with the recogniser's own text, the forced words land on its words."""
    model, tok = tiny
    audio = load_clip(data_dir / "jfk.flac")
    text = texts["jfk.flac"]["text"]
    alignment, (words,) = align_texts(model, tok, audio, [text])
    assert_every_word_placed(words, text.split(), len(audio) / SR)
    assert alignment.language == "en" and alignment.warnings == ()
    # DTW times, unrefined; greedy, as the forced aligner's own recognition pass decodes
    segments = list(transcribe(model, tok, audio, TranscribeOptions(word_timing="reference", beam_size=None, best_of=None)))
    heard = [w for s in segments for w in s.words]
    assert [normalise(w.word) for w in heard] == [normalise(w) for w in text.split()]
    _, (forced,) = align_texts(model, tok, audio, ["".join(s.text for s in segments)])  # the recogniser's own tokens
    close = [abs(a.start - b.start) <= 0.02 and abs(a.end - b.end) <= 0.02 for a, b in zip(forced, heard)]
    assert sum(close) >= 0.95 * len(close)
    assert sum(abs(a.start - b.start) <= 0.3 for a, b in zip(words, heard)) >= 0.9 * len(words)  # punctuation moves little


def test_ldc93s1_against_hand_labelled_boundaries(tiny, data_dir, texts) -> None:
    model, tok = tiny
    entry = texts["LDC93S1.wav"]
    audio = load_clip(data_dir / "LDC93S1.wav")
    _, (words,) = align_texts(model, tok, audio, [entry["text"]])
    truth = entry["words"]
    assert [normalise(w.word) for w in words] == [normalise(t["word"]) for t in truth]
    start_error = np.mean([abs(w.start - t["start"]) for w, t in zip(words, truth)])
    end_error = np.mean([abs(w.end - t["end"]) for w, t in zip(words, truth)])
    assert start_error < 0.15 and end_error < 0.15, (start_error, end_error)
    assert sum(abs(w.start - t["start"]) <= 0.2 for w, t in zip(words, truth)) >= 10  # 11 words


@pytest.fixture(scope="module")
def jfk_twice(data_dir) -> tuple[np.ndarray, float]:
    """Two copies of jfk with 20 s of digital silence between: the second copy's words are known by construction."""
    jfk = load_clip(data_dir / "jfk.flac")
    gap = np.zeros(20 * SR, np.float32)
    return np.concatenate([jfk, gap, jfk]), (len(jfk) + len(gap)) / SR


@pytest.mark.slow
def test_long_audio_is_aligned_window_by_window(tiny, texts, jfk_twice) -> None:
    model, tok = tiny
    audio, offset = jfk_twice
    text = texts["jfk.flac"]["text"]
    alignment, (first, second) = align_texts(model, tok, audio, [text, text])
    assert alignment.match_ratio is not None and alignment.match_ratio > 0.9  # the recognition pass ran
    assert_every_word_placed(first + second, text.split() * 2, len(audio) / SR)
    assert first[-1].end < offset - 5 and second[0].start >= offset - 0.5  # nothing in the silence
    shifted = [abs((b.start - offset) - a.start) for a, b in zip(first, second)]
    assert np.median(shifted) <= 0.04 and max(shifted) < 0.5, shifted


@pytest.mark.slow
def test_spanish_book_reading_with_multilingual_base(base, base_dir, data_dir, texts) -> None:
    tok = Tokenizer.from_file(base_dir / "tokenizer.json", multilingual=True, num_languages=base.num_languages)
    entry = texts["aeneas_capitan_veneno_es.mp3"]
    audio = load_clip(data_dir / entry["audio"])
    alignment, (words,) = align_texts(base, tok, audio, [entry["text"]])
    assert alignment.language == "es" and alignment.match_ratio > 0.8
    assert_every_word_placed(words, entry["text"].split(), len(audio) / SR)
    assert words[-1].start > 60.0  # the last words ("20 de Septiembre de 1881.") end the 70-s reading


# --- bad input ------------------------------------------------------------------------------------------

def refused(model, tok, audio, text: str, **options) -> AlignmentError:
    with pytest.raises(AlignmentError) as caught:
        force_align(model, tok, audio, split_words(tok, text, "en"), ForcedAlignmentOptions(**options))
    return caught.value


def test_transcript_in_another_language_is_refused(tiny, data_dir, texts) -> None:
    model, tok = tiny
    error = refused(model, tok, load_clip(data_dir / "jfk.flac"), texts["leopard_test_es.wav"]["text"])
    assert error.about == "both" and "does not match the speech" in str(error) and "English" in str(error)


def test_transcript_of_another_recording_is_refused(tiny, data_dir, texts) -> None:
    model, tok = tiny
    error = refused(model, tok, load_clip(data_dir / "jfk.flac"), texts["LDC93S1.wav"]["text"])
    assert error.about == "both" and "does not match" in str(error)


def test_empty_text_is_refused(tiny, data_dir) -> None:
    model, tok = tiny
    for text in ("", "   \n  "):
        error = refused(model, tok, load_clip(data_dir / "jfk.flac"), text)
        assert error.about == "text" and "no words" in str(error)


def test_text_much_longer_than_the_audio_is_refused(tiny, data_dir, texts) -> None:
    model, tok = tiny
    audio = load_clip(data_dir / "jfk.flac")
    error = refused(model, tok, audio, texts["aeneas_capitan_veneno_es.mp3"]["text"])
    assert error.about == "both" and "far longer than the audio" in str(error)
    doubled = " ".join([texts["jfk.flac"]["text"]] * 2)  # plausible length, but half of it is not spoken
    error = refused(model, tok, audio, doubled)
    assert "longer than the speech" in str(error) and "found no time" in str(error)


def test_audio_without_speech_is_refused(tiny, texts) -> None:
    model, tok = tiny
    noise = np.random.default_rng(0).normal(0, 0.01, 6 * SR).astype(np.float32)
    for audio in (np.zeros(6 * SR, np.float32), noise):
        error = refused(model, tok, audio, texts["jfk.flac"]["text"])
        assert error.about == "audio" and "no speech" in str(error)
    error = refused(model, tok, np.zeros(0, np.float32), "hello")
    assert error.about == "audio"


@pytest.mark.slow
def test_long_audio_without_speech_or_with_the_wrong_text_is_refused(tiny, texts, jfk_twice) -> None:
    model, tok = tiny
    error = refused(model, tok, np.zeros(45 * SR, np.float32), texts["jfk.flac"]["text"])
    assert error.about == "audio"
    audio, _ = jfk_twice
    error = refused(model, tok, audio, " ".join([texts["LDC93S1.wav"]["text"], texts["leopard_test.wav"]["text"]] * 2))
    assert error.about == "both" and "heard only" in str(error)


def test_english_only_model_refuses_another_language(tiny, data_dir) -> None:
    model, tok = tiny
    error = refused(model, tok, load_clip(data_dir / "jfk.flac"), "hola", language="es")
    assert "English-only" in str(error)
