"""Keep word timings across text edits.

When the user retypes a cue, the words they did not touch keep their recognised
timings; new or changed words get times interpolated in their neighbours' gap
and are flagged `needs_alignment` so a later forced alignment can fix them.
difflib's SequenceMatcher does the diff (a well-kept stdlib tool, no need for our own).
"""

from __future__ import annotations

import difflib
import unicodedata
from typing import Sequence

from subtitler.core.cue import Word


def is_cjk(char: str) -> bool:
    """True for scripts written without spaces between words (Han, kana, Hangul, Thai)."""
    if not char:
        return False
    code = ord(char)
    return (
        0x3040 <= code <= 0x30FF  # hiragana, katakana
        or 0x3400 <= code <= 0x4DBF
        or 0x4E00 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0xAC00 <= code <= 0xD7AF  # hangul syllables
        or 0x0E00 <= code <= 0x0E7F  # thai
        or 0x3000 <= code <= 0x303F  # CJK punctuation
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
    )


def join_words(words: Sequence[Word]) -> str:
    """Text of a word run (see join_with_spans)."""
    return join_with_spans(words)[0]


def join_with_spans(words: Sequence[Word]) -> tuple[str, list[tuple[int, int]]]:
    """Text of a word run and each word's (start, end) in it.

    Whisper-style words carry their leading space (no space means 'attached'); otherwise words are
    joined with spaces, except inside CJK runs and before closing punctuation.
    """
    whisper = any(w.text[:1].isspace() for w in words[1:])
    out, spans = "", []
    for word in words:
        core = word.text.strip()
        if out and core:
            if whisper:
                out += " " if word.text[:1].isspace() else ""
            elif not (is_cjk(out[-1]) and is_cjk(core[0])) and not _is_closing(core[0]):
                out += " "
        spans.append((len(out), len(out) + len(core)))
        out += core
    return out, spans


def _is_closing(char: str) -> bool:
    return unicodedata.category(char) in ("Pe", "Pf") or char in ",.;:!?%、。，！？"


def tokens(text: str) -> list[str]:
    """Words of a cue's text as the user typed them (whitespace separated, line breaks included)."""
    return text.split()


def _norm(text: str) -> str:
    """Comparison key of a word; a dialogue dash before it ("-Hi" in a two-speaker cue) is not part of the word."""
    return text.strip().lstrip("-–—").casefold() or text.strip()


def retime_words(old_words: Sequence[Word], new_text: str, start_ms: int, end_ms: int) -> tuple[Word, ...]:
    """New word list for `new_text`: unchanged words keep timings, others are interpolated and flagged."""
    if not old_words:
        return ()
    new_tokens = tokens(new_text)
    matcher = difflib.SequenceMatcher(a=[_norm(w.text) for w in old_words], b=[_norm(t) for t in new_tokens], autojunk=False)
    lead = " " if any(w.text[:1].isspace() for w in old_words) else ""  # keep Whisper's leading-space style
    result: list[Word | str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            result.extend(old_words[i1:i2])
        else:
            result.extend(lead + t for t in new_tokens[j1:j2])  # placeholders, timed below
    return tuple(_fill_gaps(result, start_ms, end_ms))


def _fill_gaps(items: list[Word | str], start_ms: int, end_ms: int) -> list[Word]:
    """Give each placeholder string a time slice of the gap between its timed neighbours, by character length."""
    out: list[Word] = []
    i = 0
    while i < len(items):
        item = items[i]
        if isinstance(item, Word):
            out.append(item)
            i += 1
            continue
        j = i
        while j < len(items) and isinstance(items[j], str):
            j += 1
        left = out[-1].end_ms if out else start_ms
        nxt = items[j] if j < len(items) else None
        right = nxt.start_ms if isinstance(nxt, Word) else end_ms
        speaker = out[-1].speaker if out else nxt.speaker if isinstance(nxt, Word) else None  # typed words: their neighbour's voice
        out.extend(_spread([str(t) for t in items[i:j]], left, max(left, right), speaker))
        i = j
    return out


def _spread(texts: list[str], left_ms: int, right_ms: int, speaker: str | None = None) -> list[Word]:
    total = sum(len(t.strip()) for t in texts) or 1
    words, pos, acc = [], left_ms, 0
    for text in texts:
        acc += len(text.strip())
        end = left_ms + round((right_ms - left_ms) * acc / total)
        words.append(Word(text=text, start_ms=pos, end_ms=end, probability=None, needs_alignment=True, speaker=speaker))
        pos = end
    return words


def split_words_at_chars(words: Sequence[Word], chars_before: int) -> int:
    """How many words lie before a text position that has `chars_before` non-space characters before it."""
    count = 0
    for k, word in enumerate(words):
        size = sum(1 for c in word.text if not c.isspace())
        if count + size / 2 >= chars_before:
            return k
        count += size
    return len(words)


def shift_words(words: Sequence[Word], mapping) -> tuple[Word, ...]:
    """Apply a time mapping (ms -> ms) to every word."""
    # Word(...) directly: dataclasses.replace costs several times more, and a whole-file retime maps ~100k words.
    return tuple(Word(w.text, mapping(w.start_ms), mapping(w.end_ms), w.probability, w.needs_alignment, w.speaker) for w in words)
