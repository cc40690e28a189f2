"""Small builders shared by the core tests."""

from __future__ import annotations

import json
from pathlib import Path

from subtitler.core.cue import Cue, Word
from subtitler.core.document import Document

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def words_of(text: str, start_ms: int, step_ms: int = 400, length_ms: int = 300) -> tuple[Word, ...]:
    return tuple(Word(t, start_ms + i * step_ms, start_ms + i * step_ms + length_ms, 0.9)
                 for i, t in enumerate(text.split()))


def cue(start_ms: int, end_ms: int, text: str, with_words: bool = False) -> Cue:
    words = words_of(text, start_ms, step_ms=max(1, (end_ms - start_ms) // max(1, len(text.split())))) if with_words else ()
    return Cue(start_ms, end_ms, text, words)


def sample_document() -> Document:
    return Document([
        Cue(1000, 2500, "Hello there, my friend.", words_of("Hello there, my friend.", 1000, 350, 300)),
        Cue(3000, 4500, "How are you\ntoday?", words_of("How are you today?", 3000, 350, 300)),
        Cue(5000, 6000, "Plain text cue"),
        Cue(7000, 9000, "Fine, thanks.", words_of("Fine, thanks.", 7100, 800, 600)),
    ])


def load_fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def fixture_words(data: dict) -> tuple[list[Word], list[int]]:
    """All words of a fixture and the indices of the words that end each ASR segment."""
    words: list[Word] = []
    ends: list[int] = []
    for seg in data["segments"]:
        words += [Word(w["text"], w["start_ms"], w["end_ms"], w["probability"]) for w in seg["words"]]
        if words:
            ends.append(len(words) - 1)
    return words, ends


def fixture_names() -> list[str]:
    return sorted(p.name for p in FIXTURES.glob("*.words.json"))
