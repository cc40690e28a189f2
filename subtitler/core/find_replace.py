"""Find and replace in cue texts: plain or regular expression, case, whole word, all rows or some.

Python's `re` does the matching (plain text is escaped into a pattern, so both
modes share one path). A regular-expression replacement may use groups as
`\\1` or `\\g<name>`; a plain replacement is inserted literally.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from subtitler.core.commands_text import ReplaceTexts
from subtitler.core.cue import Cue
from subtitler.core.document import Document


@dataclass(frozen=True)
class FindOptions:
    """What to look for and how."""

    pattern: str
    regex: bool = False
    match_case: bool = False
    whole_word: bool = False

    def compiled(self) -> re.Pattern[str]:
        """The pattern as a compiled expression; ValueError naming the problem for an empty or broken one."""
        if not self.pattern:
            raise ValueError("type something to find")
        body = self.pattern if self.regex else re.escape(self.pattern)
        if self.whole_word:
            body = rf"(?<!\w)(?:{body})(?!\w)"
        try:
            return re.compile(body, 0 if self.match_case else re.IGNORECASE)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None


@dataclass(frozen=True)
class Match:
    """One hit: characters start..end of row's text."""

    row: int
    start: int
    end: int


def _rows(cues: Sequence[Cue], rows: Iterable[int] | None) -> list[int]:
    return sorted({r for r in rows if 0 <= r < len(cues)}) if rows is not None else list(range(len(cues)))


def _hits(pattern: re.Pattern[str], text: str) -> Iterable[re.Match[str]]:
    """Non-empty matches only: an expression like `a*` must not find something between every two letters."""
    return (m for m in pattern.finditer(text) if m.end() > m.start())


def find_all(cues: Sequence[Cue], options: FindOptions, rows: Iterable[int] | None = None) -> list[Match]:
    """Every match in the given rows (all when None), in document order."""
    pattern = options.compiled()
    return [Match(row, m.start(), m.end()) for row in _rows(cues, rows) for m in _hits(pattern, cues[row].text)]


def find_next(cues: Sequence[Cue], options: FindOptions, row: int, position: int, forward: bool = True,
              rows: Iterable[int] | None = None) -> Match | None:
    """The first match starting at or after (row, position), or the last starting before it going back; wraps round."""
    matches = find_all(cues, options, rows)
    if not matches:
        return None
    if forward:
        return next((m for m in matches if (m.row, m.start) >= (row, position)), matches[0])
    return next((m for m in reversed(matches) if (m.row, m.start) < (row, position)), matches[-1])


def replaced_text(text: str, options: FindOptions, replacement: str, only: Match | None = None) -> tuple[str, int]:
    """`text` with every match (or just `only`) replaced, and how many were."""
    pattern = options.compiled()
    count = 0

    def substitute(match: re.Match[str]) -> str:
        nonlocal count
        if match.end() == match.start() or (only is not None and (match.start(), match.end()) != (only.start, only.end)):
            return match.group(0)
        count += 1
        return match.expand(replacement) if options.regex else replacement

    try:
        return pattern.sub(substitute, text), count
    except (re.error, IndexError) as exc:
        raise ValueError(f"the replacement does not fit the expression: {exc}") from None


class ReplaceAll(ReplaceTexts):
    """Every match in the rows (all when None) replaced as one undo step; `count` says how many."""

    def __init__(self, doc: Document, options: FindOptions, replacement: str, rows: Iterable[int] | None = None) -> None:
        texts: dict[int, str] = {}
        self.count = 0
        for row in _rows(doc.cues_list, rows):
            new, count = replaced_text(doc[row].text, options, replacement)
            if count:
                texts[row] = new
                self.count += count
        super().__init__(doc, texts, f"Replace all “{options.pattern}”")


class ReplaceMatch(ReplaceTexts):
    """One match replaced (the Replace button)."""

    def __init__(self, doc: Document, options: FindOptions, replacement: str, match: Match) -> None:
        new, count = replaced_text(doc[match.row].text, options, replacement, only=match)
        if not count:
            raise ValueError("the text changed since it was found; find it again")
        super().__init__(doc, {match.row: new}, f"Replace “{options.pattern}”")
