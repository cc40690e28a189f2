"""SubRip (.srt) through pysrt, read block by block so one broken cue costs only itself.

pysrt's own stream splits on blank lines only and reports errors to stderr, so
blocks are cut here (also where a blank line is missing before the next cue's
timecode) and each block is parsed with pysrt.SubRipItem; a block that fails
becomes a warning with its line number. Tags such as <i> stay in the text.
"""

from __future__ import annotations

import io
import re

import pysrt

from subtitler.core.cue import Cue
from subtitler.core.document import Document
from subtitler.errors import FormatError
from subtitler.formats.base import FormatWarning, ReadResult, WriteNotes, split_lines
from subtitler.formats.carry import cue_text, note_document, note_speaker

EXPECTED = "expected a timecode line like 00:00:01,000 --> 00:00:02,000"
POSITION_KEY = "srt.position"  # SRT's optional 'X1:… X2:… Y1:… Y2:…' after the end time
_INDEX = re.compile(r"^\s*\d+\s*$")
# A line that starts a cue: two timecodes around '-->' (pysrt's own tolerance: ',' or '.', short fields).
TIMING = re.compile(r"^\s*-?\d+\s*:\s*-?\d+\s*:\s*-?\d+(?:[,.]\d*)?\s*-->\s*-?\d+\s*:\s*-?\d+\s*:\s*-?\d+(?:[,.]\d*)?")
_POSITION = re.compile(r"^(?:[XY][12]:-?\d+\s*)+$", re.I)


def parse(text: str, source: str = "<text>") -> ReadResult:
    """Read every cue that parses; raise FormatError only when nothing does."""
    cues: list[Cue] = []
    warnings: list[FormatWarning] = []
    for first_line, block in _blocks(split_lines(text.removeprefix("\ufeff"))):
        try:
            cue, warning = _parse_block(block, first_line)
        except FormatError as exc:
            warnings.append(FormatWarning(exc.line, f"{exc}; cue skipped"))
            continue
        cues.append(cue)
        if warning:
            warnings.append(warning)
    if not cues and warnings:
        line = warnings[0].line
        raise FormatError(f"{source} line {line}: {EXPECTED}", line=line)
    return ReadResult(Document(cues_list=cues), tuple(warnings))


def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Blocks of non-blank lines with their 1-based first line, also cut before a timecode line that follows text."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            if current:
                blocks.append((start, current))
            current = []
            continue
        if current and TIMING.match(line) and _starts_new_cue(current):
            keep_index = len(current) > 1 and _INDEX.match(current[-1]) is not None
            head, current = (current[:-1], current[-1:]) if keep_index else (current, [])
            blocks.append((start, head))
            start = number - len(current)
        if not current:
            start = number
        current.append(line)
    if current:
        blocks.append((start, current))
    return blocks


def _starts_new_cue(current: list[str]) -> bool:
    """A timecode line starts a new cue unless it follows only the block's first line (its number, however wrong)."""
    return len(current) > 1


def _parse_block(block: list[str], first_line: int) -> tuple[Cue, FormatWarning | None]:
    lines = list(block)
    timing_at = 0 if "-->" in lines[0] else 1
    if len(lines) <= timing_at or "-->" not in lines[timing_at]:
        after_number = _INDEX.match(lines[0]) is not None and len(lines) > 1
        raise FormatError(EXPECTED, line=first_line + after_number)
    if timing_at == 0:
        lines.insert(0, "0")  # pysrt wants an index line; numbering is ignored and rewritten on save
    try:
        item = pysrt.SubRipItem.from_lines([line + "\n" for line in lines])
        start, end = item.start.ordinal, item.end.ordinal
    except (pysrt.Error, ValueError, TypeError, IndexError, OverflowError):
        raise FormatError(EXPECTED, line=first_line + timing_at) from None
    cue = Cue(start_ms=start, end_ms=end, text=item.text)
    if item.position.strip():
        cue = cue.with_extra(POSITION_KEY, item.position.strip())
    if start < 0 or end < start:
        return _fix_times(cue, first_line + timing_at)
    return cue, None


def _fix_times(cue: Cue, line: int) -> tuple[Cue, FormatWarning]:
    start = max(0, cue.start_ms)
    end = max(start, cue.end_ms)
    fixed = Cue(start, end, cue.text, extras=cue.extras)
    return fixed, FormatWarning(line, "end time before start time; the cue now ends where it starts")


def render(document: Document, notes: WriteNotes | None = None) -> str:
    """Number cues from 1; '\\n' line ends (the registry converts them to the file's own)."""
    notes = notes if notes is not None else WriteNotes()
    note_document(document, "srt", notes)
    subs = pysrt.SubRipFile(eol="\n")
    for number, cue in enumerate(document, start=1):
        note_speaker(cue, number - 1, "srt", notes)
        item = pysrt.SubRipItem(
            index=number,
            start=pysrt.SubRipTime.from_ordinal(max(0, cue.start_ms)),
            end=pysrt.SubRipTime.from_ordinal(max(0, cue.end_ms)),
            text=_safe_text(cue_text(cue, number - 1, "srt", notes).text, number - 1, notes),
            position=_position(cue, number - 1, notes),
        )
        subs.append(item)
    out = io.StringIO()
    subs.write_into(out, eol="\n")
    return out.getvalue()


def _safe_text(text: str, row: int, notes: WriteNotes) -> str:
    """A text line that is itself a timecode line would start a new cue on reading: break its arrow.

    Spaces at line ends are invisible and pysrt drops them on reading; they are not written.
    """
    lines = [line.rstrip() for line in text.split("\n")]
    for i, line in enumerate(lines):
        if TIMING.match(line):
            lines[i] = line.replace("-->", "->")
            notes.add("a text line that looked like a timecode had its '-->' written as '->'", row)
    return "\n".join(lines)


def _position(cue: Cue, row: int, notes: WriteNotes) -> str:
    position = cue.extra(POSITION_KEY) or ""
    if position and not _POSITION.match(position.strip()):
        notes.add("SubRip coordinates that are not X1:… X2:… Y1:… Y2:… dropped", row)
        return ""
    return position.strip()
