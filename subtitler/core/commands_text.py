"""Commands that change text or the number of cues: set text, insert, delete, split, merge."""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Mapping

from subtitler.core.commands_base import MERGE_TEXT, Command, ReplaceRows, check_row, check_rows, check_times, runs
from subtitler.core.cue import Cue
from subtitler.core.document import Document
from subtitler.core.reading_rules import DEFAULT_PROFILE, ReadingProfile, break_lines
from subtitler.core.word_diff import retime_words, split_words_at_chars


class SetText(Command):
    """Replace one cue's text; unchanged words keep their timings. Typing in one cue merges into one step."""

    text = "Edit text"
    merge_id = MERGE_TEXT

    def __init__(self, doc: Document, row: int, text: str) -> None:
        self.doc = doc
        self.row = check_row(doc, row)
        self.old = doc[row]
        self.new = with_text(self.old, text)

    def redo(self) -> None:
        self.doc.replace_cues(self.row, [self.new])

    def undo(self) -> None:
        self.doc.replace_cues(self.row, [self.old])

    def merge_with(self, other: Command) -> bool:
        if not isinstance(other, SetText) or other.doc is not self.doc or other.row != self.row:
            return False
        self.new = other.new
        return True


def with_text(cue: Cue, text: str) -> Cue:
    """The cue with new text; words the edit left alone keep their timings."""
    return replace(cue, text=text, words=retime_words(cue.words, text, cue.start_ms, cue.end_ms))


class ReplaceTexts(ReplaceRows):
    """New text for several rows as one step that never merges (replace all, a spelling correction)."""

    def __init__(self, doc: Document, texts: Mapping[int, str], text: str = "Replace text") -> None:
        for row in texts:
            check_row(doc, row)
        super().__init__(doc, text, {row: with_text(doc[row], new) for row, new in texts.items() if new != doc[row].text})


class SetStyle(ReplaceRows):
    """Give the rows an ASS/SSA style by name (None: the format's default)."""

    def __init__(self, doc: Document, rows: Iterable[int], style: str | None) -> None:
        rows = check_rows(doc, rows)
        super().__init__(doc, "Set style", {r: replace(doc[r], style=style) for r in rows if doc[r].style != style})


class InsertCue(Command):
    """Insert a cue before `row` (row == len(doc) appends)."""

    text = "Insert cue"

    def __init__(self, doc: Document, row: int, cue: Cue) -> None:
        self.doc = doc
        self.row = check_row(doc, row, allow_end=True)
        check_times(cue.start_ms, cue.end_ms)
        self.cue = cue

    def redo(self) -> None:
        self.doc.insert_cues(self.row, [self.cue])

    def undo(self) -> None:
        self.doc.remove_cues(self.row, 1)


class DeleteCues(Command):
    """Delete any set of rows; undo puts each back at its place."""

    text = "Delete cues"

    def __init__(self, doc: Document, rows: Iterable[int]) -> None:
        self.doc = doc
        self.runs = runs(check_rows(doc, rows))
        self.removed: list[list[Cue]] = []

    def redo(self) -> None:
        removed = [self.doc.remove_cues(first, count) for first, count in reversed(self.runs)]
        self.removed = removed[::-1]

    def undo(self) -> None:
        for (first, _count), cues in zip(self.runs, self.removed):
            self.doc.insert_cues(first, cues)


class SplitCue(Command):
    """Split a cue at a text position (snapped to a word boundary); time splits at the word boundary when words exist."""

    text = "Split cue"

    def __init__(self, doc: Document, row: int, text_position: int, at_ms: int | None = None,
                 profile: ReadingProfile = DEFAULT_PROFILE) -> None:
        self.doc = doc
        self.row = check_row(doc, row)
        self.old = doc[row]
        left_text, right_text = _split_text(self.old.text, text_position)
        self.first, self.second = _split_cue(self.old, left_text, right_text, at_ms, profile)

    def redo(self) -> None:
        self.doc.replace_cues(self.row, [self.first])
        self.doc.insert_cues(self.row + 1, [self.second])

    def undo(self) -> None:
        self.doc.remove_cues(self.row + 1, 1)
        self.doc.replace_cues(self.row, [self.old])


def _split_text(text: str, position: int) -> tuple[str, str]:
    """Cut at `position`, moved to the nearer word boundary if it falls inside a word."""
    if not 0 <= position <= len(text):
        raise ValueError(f"text position {position} outside the cue text (0..{len(text)})")
    left_gap = position
    while 0 < left_gap < len(text) and not text[left_gap - 1].isspace() and not text[left_gap].isspace():
        left_gap -= 1
    right_gap = position
    while 0 < right_gap < len(text) and not text[right_gap - 1].isspace() and not text[right_gap].isspace():
        right_gap += 1
    cut = left_gap if position - left_gap <= right_gap - position and left_gap > 0 else right_gap
    left, right = text[:cut].strip(), text[cut:].strip()
    if not left or not right:
        raise ValueError("split position leaves one part without text")
    return left, right


def _split_cue(cue: Cue, left: str, right: str, at_ms: int | None, profile: ReadingProfile) -> tuple[Cue, Cue]:
    if at_ms is not None and not cue.start_ms <= at_ms <= cue.end_ms:
        raise ValueError(f"split time {at_ms} ms outside the cue ({cue.start_ms}..{cue.end_ms} ms)")
    words_left, words_right = (), ()
    if cue.words:
        k = split_words_at_chars(cue.words, sum(1 for c in left if not c.isspace()))
        words_left, words_right = cue.words[:k], cue.words[k:]
    if at_ms is not None:
        end_first = start_second = at_ms
    elif words_left and words_right:
        end_first = min(cue.end_ms, max(cue.start_ms, words_left[-1].end_ms))
        start_second = max(end_first, min(cue.end_ms, words_right[0].start_ms))
    else:  # no words: divide the time by characters
        share = len(left) / (len(left) + len(right))
        end_first = start_second = cue.start_ms + round(cue.duration_ms * share)
    first = replace(cue, end_ms=end_first, text=break_lines(left, profile), words=tuple(words_left))
    second = replace(cue, start_ms=start_second, text=break_lines(right, profile), words=tuple(words_right))
    return first, second


class MergeCues(Command):
    """Merge rows first..last into one cue: texts joined and rewrapped, words kept."""

    text = "Merge cues"

    def __init__(self, doc: Document, first_row: int, last_row: int, profile: ReadingProfile = DEFAULT_PROFILE) -> None:
        self.doc = doc
        self.first_row = check_row(doc, first_row)
        self.last_row = check_row(doc, last_row)
        if last_row <= first_row:
            raise ValueError(f"merge needs at least two rows ({first_row}..{last_row})")
        self.old = list(doc.cues_list[first_row : last_row + 1])
        self.merged = _merge(self.old, profile)

    def redo(self) -> None:
        self.doc.remove_cues(self.first_row + 1, self.last_row - self.first_row)
        self.doc.replace_cues(self.first_row, [self.merged])

    def undo(self) -> None:
        self.doc.replace_cues(self.first_row, [self.old[0]])
        self.doc.insert_cues(self.first_row + 1, self.old[1:])


def _merge(cues: list[Cue], profile: ReadingProfile) -> Cue:
    text = " ".join(c.plain_text for c in cues if c.plain_text)
    words = tuple(w for c in cues for w in c.words)
    return replace(cues[0], end_ms=max(c.end_ms for c in cues), text=break_lines(text, profile), words=words)
