"""How a cue's text reads in the cue list: formatting shown as formatting, voices named, no raw tags.

The list showed `<i>` and VTT's `<v Anna>` as typed; editing still shows the
source (the cell editor gets the raw text), only the display is rendered.
"""

from __future__ import annotations

import html
import re

from subtitler.core.cue import Cue

LINE_BREAK = " | "  # how a line break reads (and is typed) inside a single-line cell
_STYLE = re.compile(r"<(/?)([ibu])>", re.IGNORECASE)
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+([^>]*)>", re.IGNORECASE)
_OTHER = re.compile(r"</v>|</?(?:c|lang|ruby|rt)(?:[.\s][^>]*)?>|<\d{1,2}:[\d:.]+>|\{\\[^}]*\}", re.IGNORECASE)
_ANY = re.compile(f"{_STYLE.pattern}|{_VOICE.pattern}|{_OTHER.pattern}", re.IGNORECASE)


def _lines(cue: Cue) -> list[str]:
    """The cue's lines; the speaker (a VTT voice over the whole cue) leads the first."""
    lines = cue.text.split("\n")
    if cue.speaker:
        lines[0] = f"<v {cue.speaker}>{lines[0]}"
    return lines


def has_markup(cue: Cue) -> bool:
    """Whether the list must render anything (a speaker, or a tag); plain cues are drawn as plain text."""
    return bool(cue.speaker) or _ANY.search(cue.text) is not None


def display_text(cue: Cue) -> str:
    """Plain text for the list (and for accessibility): tags gone, voices as "Name: "."""
    return LINE_BREAK.join(_OTHER.sub("", _STYLE.sub("", _VOICE.sub(r"\1: ", line))) for line in _lines(cue))


def display_html(cue: Cue) -> str:
    """The same as rich text: italic, bold and underline rendered, voice names in bold grey."""
    parts: list[str] = []
    for line in _lines(cue):
        out, at = [], 0
        for match in _ANY.finditer(line):
            out.append(html.escape(line[at:match.start()]))
            at = match.end()
            tag = match.group(0)
            style = _STYLE.fullmatch(tag)
            voice = _VOICE.fullmatch(tag)
            if style:
                out.append(f"<{style.group(1)}{style.group(2).lower()}>")
            elif voice:
                out.append(f'<b style="color:#707070">{html.escape(voice.group(1).strip())}:</b> ')
        out.append(html.escape(line[at:]))
        parts.append("".join(out))
    return html.escape(LINE_BREAK).join(parts)


def display_positions(cue: Cue) -> list[int]:
    """For each character index of the cue's text (and its end), where it sits in display_text(cue).

    Find results are ranges of the source text; the list shows the display text, so the
    shading of a match needs this map (a tag's characters map to where the tag was).
    """
    positions: list[int] = []
    at_display = len(f"{cue.speaker}: ") if cue.speaker else 0
    for number, line in enumerate(cue.text.split("\n")):
        if number:
            positions.append(at_display)  # the line break
            at_display += len(LINE_BREAK)
        at = 0
        for match in _ANY.finditer(line):
            for _ in range(at, match.start()):
                positions.append(at_display)
                at_display += 1
            positions.extend([at_display] * (match.end() - match.start()))
            voice = _VOICE.fullmatch(match.group(0))
            at_display += len(voice.group(1)) + 2 if voice else 0  # "Name: "
            at = match.end()
        for _ in range(at, len(line)):
            positions.append(at_display)
            at_display += 1
    positions.append(at_display)
    return positions

