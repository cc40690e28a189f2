"""Plain text: a transcript to read, or a script to import before timing it.

Writing puts one cue per paragraph (blank line between, line breaks kept).
Reading imports each paragraph as a cue rather than refusing the file: plain
text has no timing, so cues are laid end to end from 0 at a reading speed of
17 characters a second (at least 833 ms, at most 7 s, 83 ms apart, the house
reading rules) and a warning says to retime them against the audio.
"""

from __future__ import annotations

from subtitler.core.cue import Cue
from subtitler.core.document import Document
from subtitler.formats.base import FormatWarning, ReadResult, WriteNotes, split_lines
from subtitler.formats.carry import cue_text, note_speaker

CHARS_PER_SECOND = 17
MIN_MS, MAX_MS, GAP_MS = 833, 7000, 83


def parse(text: str, source: str = "<text>") -> ReadResult:
    paragraphs = _paragraphs(split_lines(text.removeprefix("\ufeff")))
    cues: list[Cue] = []
    start = 0
    for paragraph in paragraphs:
        duration = reading_duration_ms(paragraph)
        cues.append(Cue(start, start + duration, paragraph))
        start += duration + GAP_MS
    warnings = ()
    if cues:
        message = (f"plain text has no timing: {len(cues)} cues were spaced at {CHARS_PER_SECOND} characters a second; "
                   "retime them against the audio (align)")
        warnings = (FormatWarning(None, message),)
    return ReadResult(Document(cues_list=cues), warnings)


def _paragraphs(lines: list[str]) -> list[str]:
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines + [""]:
        if line.strip():
            current.append(line.rstrip())
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    return paragraphs


def reading_duration_ms(text: str) -> int:
    """How long a viewer needs to read `text`, within the house minimum and maximum."""
    characters = len(" ".join(text.split()))
    return max(MIN_MS, min(MAX_MS, round(characters * 1000 / CHARS_PER_SECOND)))


def render(document: Document, notes: WriteNotes | None = None) -> str:
    """One paragraph per cue, formatting removed (plain text has none)."""
    notes = notes if notes is not None else WriteNotes()
    paragraphs = []
    for row, cue in enumerate(document):
        note_speaker(cue, row, "txt", notes)
        text = cue_text(cue, row, "txt", notes).text
        paragraphs.append("\n".join(line.rstrip() for line in text.split("\n")))
    return "\n\n".join(p for p in paragraphs if p) + ("\n" if len(document) else "")
