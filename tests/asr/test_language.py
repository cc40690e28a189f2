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
