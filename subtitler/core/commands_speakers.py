"""Speaker edits: give cues a speaker, rename (or merge) a speaker everywhere, recolour one.

A speaker is a name on cues and words. Renaming touches every cue and word of that name in one
undo step; renaming to a name already in use merges the two speakers. Colours are document
metadata (``SPEAKER_COLOURS``: name -> "#rrggbb"), saved in the project file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from subtitler.core.commands_base import Command, ReplaceRows, check_rows
from subtitler.core.cue import Cue
from subtitler.core.document import Document

SPEAKER_COLOURS = "speaker_colours"
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def speakers_of(document: Document) -> list[str]:
    """Every speaker named on a cue or word, in order of first appearance."""
    seen: dict[str, None] = {}
    for cue in document.cues_list:
        if cue.speaker is not None:
            seen.setdefault(cue.speaker)
        for word in cue.words:
            if word.speaker is not None:
                seen.setdefault(word.speaker)
    return list(seen)


def _check_name(name: str | None) -> str | None:
    if name is None:
        return None
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValueError("a speaker's name cannot be empty")
    return cleaned


def with_speaker(cue: Cue, speaker: str | None) -> Cue:
    """The cue and all its words spoken by ``speaker`` (None: speaker unknown)."""
    return replace(cue, speaker=speaker, words=tuple(replace(w, speaker=speaker) for w in cue.words))


class SetSpeaker(ReplaceRows):
    """Give the chosen cues (and their words) one speaker, or none."""

    def __init__(self, doc: Document, rows: Iterable[int], speaker: str | None) -> None:
        speaker = _check_name(speaker)
        rows = check_rows(doc, rows)
        super().__init__(doc, "Set speaker" if speaker else "Clear speaker", {r: with_speaker(doc[r], speaker) for r in rows})


def _renamed(cue: Cue, old: str, new: str) -> Cue:
    return replace(cue, speaker=new if cue.speaker == old else cue.speaker,
                   words=tuple(replace(w, speaker=new) if w.speaker == old else w for w in cue.words))


class RenameSpeaker(Command):
    """Rename ``old`` to ``new`` on every cue and word, its colour going along; an existing ``new`` merges the two."""

    def __init__(self, doc: Document, old: str, new: str) -> None:
        new = _check_name(new)
        if old not in speakers_of(doc):
            raise ValueError(f"no speaker named {old!r} in the document")
        self.doc, self.old_name, self.new_name = doc, old, new
        self.merges = new in speakers_of(doc)
        self.text = f"Merge speaker {old} into {new}" if self.merges else f"Rename speaker {old} to {new}"
        touched = {r: _renamed(c, old, new) for r, c in enumerate(doc.cues_list)
                   if c.speaker == old or any(w.speaker == old for w in c.words)}
        self.rows = ReplaceRows(doc, self.text, touched)
        self.old_colours = doc.metadata.get(SPEAKER_COLOURS)
        colours = dict(self.old_colours or {})
        if old in colours:
            colour = colours.pop(old)
            colours.setdefault(new, colour)  # a merge keeps the colour of the speaker merged into
        self.new_colours = colours or None

    def redo(self) -> None:
        self.rows.redo()
        self.doc.set_metadata(SPEAKER_COLOURS, self.new_colours)

    def undo(self) -> None:
        self.rows.undo()
        self.doc.set_metadata(SPEAKER_COLOURS, self.old_colours)


class SetSpeakerColour(Command):
    """A speaker's colour ("#rrggbb") in the list and on the timeline; None returns it to the automatic one."""

    def __init__(self, doc: Document, speaker: str, colour: str | None) -> None:
        if colour is not None and not _COLOUR.match(colour):
            raise ValueError(f"colour {colour!r} is not of the form #rrggbb")
        self.doc, self.text = doc, f"Colour of {speaker}"
        self.old = doc.metadata.get(SPEAKER_COLOURS)
        colours = dict(self.old or {})
        if colour is None:
            colours.pop(speaker, None)
        else:
            colours[speaker] = colour.lower()
        self.new = colours or None

    def redo(self) -> None:
        self.doc.set_metadata(SPEAKER_COLOURS, self.new)

    def undo(self) -> None:
        self.doc.set_metadata(SPEAKER_COLOURS, self.old)
