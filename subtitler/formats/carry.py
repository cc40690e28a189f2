"""What a text subtitle format can carry, shared by the SRT, WebVTT, ASS and plain-text writers.

Each writer asks here for a cue's text in its own markup and for the notes on what it
had to leave out: markup the format has no way to show, blank lines inside a cue (they end
a cue in SRT and WebVTT), other formats' positions and styles. Nothing here drops words.
"""

from __future__ import annotations

import re

import pysubs2

from subtitler.core.cue import Cue
from subtitler.core.document import Document
from subtitler.formats.base import WriteNotes
from subtitler.formats.markup import Translated, alignment_for_vtt, translate

LABELS = {"srt": "SubRip", "vtt": "WebVTT", "ass": "ASS", "ssa": "SSA", "txt": "plain text"}
VTT_SETTINGS = ("vtt.region", "vtt.vertical", "vtt.line", "vtt.position", "vtt.size", "vtt.align")
_VTT_INTERNAL = ("vtt.id", "vtt.karaoke", "vtt.voice_class")


def without_blank_lines(text: str) -> str:
    """Cue text with no empty or whitespace-only line (a blank line ends a cue in SRT and WebVTT)."""
    return "\n".join(line for line in text.split("\n") if line.strip())


def cue_text(cue: Cue, row: int, target: str, notes: WriteNotes) -> Translated:
    """The cue's text in `target`'s markup with line ends normalised, noting what could not be carried."""
    label = LABELS[target]
    text = cue.text.replace("\r\n", "\n").replace("\r", "\n")
    extras = dict(cue.extras)
    alignment = None
    if target != "vtt" and "\\an" not in text:
        alignment = alignment_for_vtt(extras)
    markup = "ass" if target == "ssa" else target
    result = translate(text, markup, alignment)
    for what in result.dropped:
        notes.add(f"{what} dropped: {label} cannot show them", row)
    if target in ("srt", "vtt", "txt"):
        single = without_blank_lines(result.text)
        if single != result.text and result.text.strip():
            notes.add(f"blank lines inside a cue removed: in {label} a blank line ends the cue", row)
        result = Translated(single, result.settings, result.dropped)
    if target != "txt":  # plain text carries no formatting at all, which is what its user asked for
        _note_foreign_extras(extras, row, target, notes)
    return result


def _note_foreign_extras(extras: dict[str, str], row: int, target: str, notes: WriteNotes) -> None:
    label = LABELS[target]
    if target != "vtt":
        kept = {"vtt.line", "vtt.align"} if target != "txt" else set()
        lost = sorted(k[4:] for k in extras if k.startswith("vtt.") and k not in _VTT_INTERNAL and k not in kept)
        if lost:
            notes.add(f"WebVTT cue settings ({', '.join(lost)}) dropped: {label} cannot carry them", row)
    if target != "srt" and extras.get("srt.position"):
        notes.add(f"SubRip coordinates (X1/X2/Y1/Y2) dropped: {label} cannot carry them", row)
    if target not in ("ass", "ssa") and any(k.startswith("ass.") for k in extras):
        notes.add(f"ASS layer, margins and effect dropped: {label} cannot carry them", row)


def note_speaker(cue: Cue, row: int, target: str, notes: WriteNotes) -> None:
    if cue.speaker:
        notes.add(f"speaker names dropped: {LABELS[target]} has no place for them", row)


def note_document(document: Document, target: str, notes: WriteNotes) -> None:
    """Blocks, styles and comments of another format that `target` cannot keep."""
    label = LABELS[target]
    if target != "vtt":
        kinds = sorted({str(item[1]).split(None, 1)[0] for item in _list(document.metadata.get("vtt.blocks"))
                        if isinstance(item, (list, tuple)) and len(item) == 2 and str(item[1]).strip()})
        if kinds:
            notes.add(f"WebVTT {'/'.join(kinds)} blocks dropped: {label} cannot carry them")
    if target not in ("ass", "ssa"):
        if _custom_ass_styles(document):
            notes.add(f"ASS styles (fonts, sizes, colours, positions) dropped: {label} cannot carry them")
        if _list(document.metadata.get("ass.comments")):
            notes.add(f"ASS comment lines dropped: {label} cannot carry them")


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _custom_ass_styles(document: Document) -> bool:
    """True when the document uses a style other than an unchanged Default."""
    if any(cue.style not in (None, "Default") for cue in document):
        return True
    styles = document.metadata.get("ass.styles")
    if not isinstance(styles, dict):
        return False
    from subtitler.formats.ass import _style_to_json

    default = _style_to_json(pysubs2.SSAStyle())
    return any(name != "Default" or data != default for name, data in styles.items())


def one_line(value: str) -> str:
    """A name or field value on one line (a line break inside it would start a new line of the file)."""
    return " ".join(re.split(r"[\r\n]+", value)).strip()
