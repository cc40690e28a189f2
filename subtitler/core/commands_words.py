"""Commands on the words of cues: a re-alignment sets new word times, one undo step for the whole selection."""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping, Sequence

from subtitler.core.commands_base import ReplaceRows, check_row, check_times
from subtitler.core.cue import Word
from subtitler.core.document import Document


class SetWords(ReplaceRows):
    """Replace the words of some cues (their text and times stay); what forced alignment pushes."""

    def __init__(self, doc: Document, words: Mapping[int, Sequence[Word]], text: str = "Align words") -> None:
        new = {}
        for row, row_words in words.items():
            check_row(doc, row)
            for word in row_words:
                check_times(word.start_ms, word.end_ms, f"word {word.text.strip()!r} of cue {row + 1}")
            new[row] = replace(doc[row], words=tuple(row_words))
        if not new:
            raise ValueError("no cue to set words on")
        super().__init__(doc, text, new)
