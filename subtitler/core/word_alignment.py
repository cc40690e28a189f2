"""What a re-alignment of a cue must place, and how its result joins the words the user kept.

A cue's words cover its text: the recogniser's words, with the ones the user retyped replaced
by placeholders flagged ``needs_alignment`` (see :mod:`subtitler.core.word_diff`). A forced
alignment times all of them (the untouched words give it context), but only the flagged ones
take the new times; the others keep theirs, and each new word stays between its kept
neighbours. Qt-free and model-free: the ASR side (``subtitler.asr.span_alignment``) runs the
model, these functions decide.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from subtitler.core.cue import Cue, Word
from subtitler.core.markup import strip_tags
from subtitler.core.segmentation import pseudo_words
from subtitler.core.word_diff import retime_words

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    """Text as alignment compares it: case-folded letters and digits only ('' for pure punctuation)."""
    return _NON_WORD.sub("", text.casefold())


def spoken_text(cue: Cue) -> str:
    """The cue's words as spoken: tags dropped, lines joined."""
    return " ".join(strip_tags(cue.text).split())


def covers(words: Sequence[Word], text: str) -> bool:
    """Whether the words spell exactly the text (ignoring case, spaces and punctuation)."""
    return "".join(normalise(w.text) for w in words) == normalise(text)


def alignable_words(cue: Cue) -> tuple[Word, ...]:
    """The cue's words covering its text, unaligned ones flagged: what a re-alignment times.

    Words that no longer spell the text (edited by some other path) are diffed against it as typing
    does; a cue typed by hand (no words) gets one flagged placeholder per word, timed by characters.
    """
    text = spoken_text(cue)
    if not text:
        return ()
    if cue.words and covers(cue.words, text):
        return cue.words
    if cue.words:
        return retime_words(cue.words, text, cue.start_ms, cue.end_ms)
    end = max(cue.end_ms, cue.start_ms + 1)
    return tuple(replace(w, needs_alignment=True) for w in pseudo_words(text, cue.start_ms, end))


def needs_alignment(cue: Cue) -> bool:
    """A cue with text whose words are missing, out of step, or retyped."""
    return any(w.needs_alignment for w in alignable_words(cue))


def merge_realigned(words: Sequence[Word], aligned: Sequence[Word]) -> tuple[Word, ...]:
    """``words`` with the flagged ones timed from ``aligned`` (same length, same order); the others unchanged.

    A new word never reaches past the kept words around it, so the order of times holds.
    """
    if len(words) != len(aligned):
        raise ValueError(f"{len(aligned)} aligned words for {len(words)} words")
    next_kept = [0] * len(words)
    limit = None
    for i in range(len(words) - 1, -1, -1):
        next_kept[i] = limit if limit is not None else -1
        if not words[i].needs_alignment:
            limit = words[i].start_ms
    out: list[Word] = []
    for i, (word, new) in enumerate(zip(words, aligned)):
        if not word.needs_alignment:
            out.append(word)
            continue
        low = out[-1].end_ms if out else new.start_ms
        high = next_kept[i] if next_kept[i] >= 0 else max(new.end_ms, low)
        start = min(max(new.start_ms, low), max(high, low))
        end = min(max(new.end_ms, start), max(high, start))
        out.append(Word(word.text, start, end, new.probability, needs_alignment=False, speaker=word.speaker))
    return tuple(out)
