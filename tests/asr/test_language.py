"""Language identification with multilingual base on every single-language clip, and translation to English."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from subtitler.asr.audio import log_mel_spectrogram, pad_or_trim
from subtitler.asr.decoding import DecodingOptions, decode
from subtitler.asr.language import detect_language, language_probabilities
from subtitler.asr.tokenizer import Tokenizer
from tests.asr.clips import load_clip


@pytest.fixture(scope="module")
def base_tok(base_dir: Path, base) -> Tokenizer:
    return Tokenizer.from_file(base_dir / "tokenizer.json", multilingual=base.is_multilingual, num_languages=base.num_languages)


def first_window(path: Path, n_mels: int = 80) -> torch.Tensor:
    return pad_or_trim(log_mel_spectrogram(load_clip(path), n_mels), 3000)


@pytest.mark.slow
def test_detects_the_language_of_every_single_language_clip(base, base_tok: Tokenizer, data_dir: Path, manifest) -> None:
    clips = [c for c in manifest if "+" not in c["language"]]
    assert len(clips) >= 15
    windows = torch.stack([first_window(data_dir / c["audio"]) for c in clips])
    features = torch.cat([base.embed_audio(windows[i:i + 4]) for i in range(0, len(clips), 4)])
    _, per_clip = language_probabilities(base, base_tok, features)
    wrong = {c["audio"]: next(iter(p)) for c, p in zip(clips, per_clip) if next(iter(p)) != c["language"]}
    assert not wrong
    for probs in per_clip:
        assert len(probs) == 99 and sum(probs.values()) == pytest.approx(1.0, abs=1e-4)
        assert list(probs.values()) == sorted(probs.values(), reverse=True)


@pytest.mark.slow
def test_detect_language_on_one_window_matches_the_batch(base, base_tok: Tokenizer, data_dir: Path) -> None:
    probs = detect_language(base, base_tok, first_window(data_dir / "leopard_test_de.wav"))
    assert next(iter(probs)) == "de" and probs["de"] > 0.5


def test_english_only_model_cannot_detect_a_language(tiny_en, tiny_en_dir: Path) -> None:
    tok = Tokenizer.from_file(tiny_en_dir / "tokenizer.json", multilingual=False)
    with pytest.raises(ValueError, match="English-only"):
        detect_language(tiny_en, tok, torch.zeros(80, 3000))


@pytest.mark.slow
@pytest.mark.parametrize(("clip", "expected"), [("leopard_test_es.wav", "sand"), ("leopard_test_de.wav", "portal")])
def test_spanish_and_german_translate_to_english(base, base_tok: Tokenizer, data_dir: Path, clip: str, expected: str) -> None:
    result = decode(base, base_tok, first_window(data_dir / clip), DecodingOptions(task="translate"))[0]
    print(f"{clip} ({result.language}) -> {result.text}")
    assert result.language == clip[-6:-4]
    assert expected in result.text.lower()
    assert result.text.isascii()


@pytest.mark.slow
def test_detect_command_and_transcription_detect_on_the_same_features(base_dir: Path, data_dir: Path) -> None:
    """`subtitler detect` (Engine.detect_language) and in-transcription detection agree to the last digit.

    They computed features differently (issue 11): detect normalised the log-mel of the first
    30 s alone, transcription that of the whole recording, whose loudest part may come later.
    """
    from subtitler.asr.engine import load_engine
    from subtitler.asr.transcribe import TranscribeOptions
    from subtitler.errors import Cancelled
    from subtitler.media.decode import decode_audio

    engine = load_engine(str(base_dir), device="cpu")
    audio = decode_audio(data_dir / "multilingual.mp3")  # 60 s, louder later than in its first 30 s
    infos = []  # transcription reports its detection, then stops before decoding a window
    segments = engine.transcribe(audio, TranscribeOptions(), on_info=infos.append, should_stop=lambda: bool(infos))
    with pytest.raises(Cancelled):
        next(segments)
    detected = engine.detect_language(audio)
    assert list(detected) == list(infos[0].language_probs)
    assert detected == infos[0].language_probs
