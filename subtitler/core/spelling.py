"""Spell checking of cue text: pyspellchecker's word-frequency dictionaries plus a user dictionary per language.

pyspellchecker ships real dictionaries (en, de, es, fr, it, pt, nl, ru, ar, fa, lv, eu)
built from word-frequency lists, and suggests by edit distance ranked by frequency;
we add only what it lacks: finding words in subtitle text (markup skipped, positions
kept), a user dictionary file per language, and words to ignore for a session.
Words written in capitals (acronyms, shouting) are not checked, as in word processors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import platformdirs

from subtitler.core.atomic import atomic_write_text
from subtitler.core.markup import masked
from subtitler.errors import UserError

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
DEFAULT_LANGUAGE = "en"
MAX_SUGGESTIONS = 8


class NoDictionary(UserError):
    """No spelling dictionary exists for the document's language."""


@dataclass(frozen=True)
class Misspelling:
    """A word not in the dictionary: characters start..end of the text it was found in."""

    start: int
    end: int
    word: str


@lru_cache(maxsize=1)
def available_languages() -> tuple[str, ...]:
    """Language codes pyspellchecker has a dictionary for."""
    from importlib import resources

    folder = resources.files("spellchecker") / "resources"
    return tuple(sorted(p.name.split(".")[0] for p in folder.iterdir() if p.name.endswith(".json.gz")))


def dictionary_language(language: str | None) -> str:
    """The dictionary code for a document language ('en-GB' -> 'en'); English when the language is unknown."""
    return (language or DEFAULT_LANGUAGE).replace("_", "-").split("-")[0].lower()


def user_dictionary_dir() -> Path:
    """Where user dictionaries live: one `<language>.txt` (a word a line) in the app-data folder."""
    return Path(platformdirs.user_data_dir("subtitler", appauthor=False)) / "dictionaries"


def words_in(text: str) -> list[Misspelling]:
    """Every word of `text` with its position, formatting tags skipped."""
    return [Misspelling(m.start(), m.end(), m.group()) for m in WORD.finditer(masked(text))]


class Speller:
    """One language's dictionary, the user's words for it, and the words ignored this session."""

    def __init__(self, language: str, user_dir: Path | None = None) -> None:
        from spellchecker import SpellChecker

        self.language = dictionary_language(language)
        if self.language not in available_languages():
            raise NoDictionary(f"no spelling dictionary for the language '{self.language}'; "
                               f"dictionaries exist for {', '.join(available_languages())}")
        self._checker = SpellChecker(language=self.language)
        self.user_path = (user_dir or user_dictionary_dir()) / f"{self.language}.txt"
        self.user_words = self._read_user_words()
        self._checker.word_frequency.load_words(self.user_words)
        self._ignored: set[str] = set()

    def _read_user_words(self) -> set[str]:
        try:
            text = self.user_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return set()
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"{self.user_path}: cannot read the user dictionary ({exc}); fix or delete the file") from exc
        return {line.strip() for line in text.splitlines() if line.strip()}

    @staticmethod
    def _key(word: str) -> str:
        return word.replace("’", "'").lower()

    def is_correct(self, word: str) -> bool:
        if len(word) > 1 and word.isupper():
            return True
        key = self._key(word)
        return key in self._ignored or key in self._checker

    def misspellings(self, text: str) -> list[Misspelling]:
        return [w for w in words_in(text) if not self.is_correct(w.word)]

    def suggestions(self, word: str, limit: int = MAX_SUGGESTIONS) -> list[str]:
        """Likely corrections, most frequent first, in the word's own capitalisation."""
        key = self._key(word)
        found = self._checker.candidates(key) or set()
        ranked = sorted((c for c in found if c != key), key=lambda c: (-self._checker[c], c))[:limit]
        return [_cased_like(word, c) for c in ranked]

    def add_word(self, word: str) -> None:
        """Accept `word` from now on, in this and every later session (written to the user dictionary)."""
        key = self._key(word)
        self.user_words.add(key)
        self._checker.word_frequency.load_words([key])
        self.user_path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.user_path, "".join(w + "\n" for w in sorted(self.user_words)))

    def ignore(self, word: str) -> None:
        """Accept `word` until the app closes."""
        self._ignored.add(self._key(word))


def _cased_like(original: str, suggestion: str) -> str:
    if original[:1].isupper() and original[1:].islower():
        return suggestion[:1].upper() + suggestion[1:]
    if len(original) > 1 and original.isupper():
        return suggestion.upper()
    return suggestion
