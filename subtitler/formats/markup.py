"""Formatting inside cue text, translated between SubRip, WebVTT, ASS and plain text on save.

A cue keeps its markup in the syntax of the file it came from (SRT's <i>/<font>, WebVTT's
<c.yellow>/<v Name>, ASS override blocks like {\\i1} or {\\an8\\pos(…)}); nothing is rewritten
on read, so a file saved in its own format comes back as it was. Writing another format
goes through `translate`: what both formats can carry is translated (italic, bold,
underline, colour, the nine ASS positions), what the target cannot carry is dropped
from the markup only (never the text) and reported, so the writer can warn.

Written here because no maintained library converts markup between these three formats
(pysubs2 converts SRT <i>/<b>/<u> only, and drops everything else silently).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

TARGETS = ("srt", "vtt", "ass", "txt")

# WebVTT's default colour classes (WebVTT §7.2.5) and the HTML names SRT writers use.
VTT_COLOURS = {"white": "ffffff", "lime": "00ff00", "cyan": "00ffff", "red": "ff0000", "yellow": "ffff00",
               "magenta": "ff00ff", "blue": "0000ff", "black": "000000"}
_HTML_COLOURS = {**VTT_COLOURS, "green": "008000", "aqua": "00ffff", "fuchsia": "ff00ff", "silver": "c0c0c0",
                 "gray": "808080", "grey": "808080", "maroon": "800000", "navy": "000080", "olive": "808000",
                 "purple": "800080", "teal": "008080", "orange": "ffa500"}
_CLASS_FOR_HEX = {hexa: name for name, hexa in VTT_COLOURS.items()}

_TIME = r"(?:\d+:)?\d{1,2}:\d{1,2}[.,]\d{1,3}"
_HTML_TAG = re.compile(r"<(/?)([a-zA-Z]+)((?:\.[^\s<>.]+)*)(?:[ \t]+([^<>\n]*))?>|<" + _TIME + ">")
_ASS_BLOCK = re.compile(r"\{([^{}]*\\[^{}]*)\}")
_SIMPLE = {"i": "i", "b": "b", "u": "u", "s": "s"}
_KNOWN_HTML = {"i", "b", "u", "s", "font", "c", "v", "lang", "ruby", "rt"}
# ASS override tag names, longest first so that "fscx" is not read as "fs" + "cx".
_ASS_NAMES = sorted(
    ["alpha", "an", "a", "bord", "blur", "be", "b", "clip", "c", "fade", "fad", "fax", "fay", "fe", "fn", "frx",
     "fry", "frz", "fr", "fscx", "fscy", "fsp", "fs", "iclip", "i", "kf", "ko", "k", "K", "move", "org", "pbo", "pos",
     "p", "q", "r", "shad", "s", "t", "u", "xbord", "ybord", "xshad", "yshad", "1c", "2c", "3c", "4c", "1a", "2a", "3a",
     "4a"], key=len, reverse=True)


@dataclass(frozen=True)
class Translated:
    """A cue's text for one target format, cue settings it implies (WebVTT), and what had to be dropped."""

    text: str
    settings: tuple[tuple[str, str], ...] = ()
    dropped: tuple[str, ...] = ()


@dataclass
class _Out:
    """Output being built, with the tags still open (closed at the end: ASS never needs to close them)."""

    target: str
    parts: list[str] = field(default_factory=list)
    open: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    resets: list[str] = field(default_factory=list)  # ASS tags that end each open <font>
    alignment: int | None = None

    def drop(self, what: str) -> None:
        if what not in self.dropped:
            self.dropped.append(what)


def translate(text: str, target: str, alignment: int | None = None) -> Translated:
    """`text` (markup of any of the formats) as `target` writes it; `alignment` is an ASS \\an position from cue settings."""
    if target not in TARGETS:
        raise ValueError(f"unknown markup target {target!r}")
    out = _Out(target, alignment=alignment)
    position = 0
    for match in _tokens(text):
        _text(out, text[position:match.start()])
        if match.re is _ASS_BLOCK:
            _ass_block(out, match.group(1))
        else:
            _html_tag(out, match)
        position = match.end()
    _text(out, text[position:])
    _close_all(out)
    body = "".join(out.parts)
    settings: tuple[tuple[str, str], ...] = ()
    if out.alignment not in (None, 2):
        if target in ("srt", "ass"):
            body = "{\\an%d}" % out.alignment + body
        elif target == "vtt":
            settings = vtt_settings_for_alignment(out.alignment)
    return Translated(body, settings, tuple(out.dropped))


def _tokens(text: str) -> list[re.Match]:
    """HTML-like tags and ASS override blocks in order (a tag inside a block belongs to the block)."""
    found = sorted(list(_ASS_BLOCK.finditer(text)) + list(_HTML_TAG.finditer(text)), key=lambda m: m.start())
    kept, end = [], 0
    for match in found:
        if match.start() >= end:
            kept.append(match)
            end = match.end()
    return kept


def _text(out: _Out, piece: str) -> None:
    if piece:
        out.parts.append(piece)


# --- HTML-like tags (SRT and WebVTT) ---------------------------------------------------

def _html_tag(out: _Out, match: re.Match) -> None:
    whole = match.group(0)
    name = (match.group(2) or "").lower()
    closing = match.group(1) == "/"
    if match.group(2) is None:  # a karaoke timestamp
        if out.target == "vtt":
            out.parts.append(whole)
        return
    if name not in _KNOWN_HTML or (name in ("i", "b", "u", "s") and match.group(4)):
        out.parts.append(whole)  # "<x and y>" is text, not a tag
        return
    if _native(out.target, name):
        out.parts.append(whole)  # the target's own markup stays exactly as typed
    elif name in _SIMPLE:
        _simple(out, name, closing)
    elif name == "font":
        _font(out, closing, match.group(4) or "")
    elif name == "c":
        _class_span(out, closing, match.group(3) or "")
    elif out.target != "txt":
        out.drop("WebVTT voice/language/ruby tags" if name != "v" else "WebVTT voice tags (<v Name>)")


def _native(target: str, name: str) -> bool:
    """Tags the target format itself writes: SubRip's i/b/u/s/font, WebVTT's i/b/u/c/v/lang/ruby/rt."""
    if target == "srt":
        return name in ("i", "b", "u", "s", "font")
    return target == "vtt" and name in ("i", "b", "u", "c", "v", "lang", "ruby", "rt")


def _simple(out: _Out, name: str, closing: bool) -> None:
    if out.target == "txt":
        return
    if name == "s" and out.target == "vtt":
        out.drop("strike-through")
        return
    if out.target == "ass":
        out.parts.append("{\\%s%d}" % (name, 0 if closing else 1))
        return
    _open_or_close(out, name, closing)


def _open_or_close(out: _Out, name: str, closing: bool, tag: str | None = None) -> None:
    """Emit an HTML-like tag and keep the open list in step; closing a tag closes (and reopens) what nests inside it."""
    if not closing:
        out.parts.append(tag or f"<{name}>")
        out.open.append(name)
        return
    if name not in out.open:
        return  # a stray closing tag: nothing to close
    index = len(out.open) - 1 - out.open[::-1].index(name)
    inner = out.open[index + 1:]
    out.parts.extend(_closer(out, n) for n in reversed(inner))
    out.parts.append(_closer(out, name))
    del out.open[index:]
    for other in inner:
        if other in _SIMPLE:
            out.parts.append(f"<{other}>")
            out.open.append(other)


def _closer(out: _Out, name: str) -> str:
    if name in ("font", "c"):
        return "</c>" if out.target == "vtt" else "</font>"
    return f"</{name}>"


def _font(out: _Out, closing: bool, attributes: str) -> None:
    if out.target == "txt":
        return
    colour = _font_colour(attributes)
    other = re.sub(r"\bcolou?r\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", "", attributes, flags=re.I).strip()
    if out.target == "ass":
        _font_to_ass(out, closing, colour, other)
    elif closing:
        _open_or_close(out, "font", True)
    else:
        if other:
            out.drop("font face and size")
        cls = _CLASS_FOR_HEX.get(colour or "")
        if colour and cls is None:
            out.drop(f"colours other than {', '.join(VTT_COLOURS)}")
        if cls:
            _open_or_close(out, "font", False, f"<c.{cls}>")


def _font_to_ass(out: _Out, closing: bool, colour: str | None, other: str) -> None:
    if closing:
        if out.resets:
            reset = out.resets.pop()
            if reset:
                out.parts.append("{" + reset + "}")
        return
    tags = reset = ""
    if colour:
        tags, reset = tags + "\\c" + ass_colour(colour), reset + "\\c"
    face = re.search(r"\bface\s*=\s*[\"']?([^\"'>]+)", other, re.I)
    size = re.search(r"\bsize\s*=\s*[\"']?(\d+)", other, re.I)
    if face:
        tags, reset = tags + "\\fn" + face.group(1).strip(), reset + "\\fn"
    if size:
        tags, reset = tags + "\\fs" + size.group(1), reset + "\\fs"
    if tags:
        out.parts.append("{" + tags + "}")
    out.resets.append(reset)


def ass_colour(rgb: str) -> str:
    """'ff8000' (RGB) -> '&H0080FF&' (ASS writes blue, green, red)."""
    return ("&H%s%s%s&" % (rgb[4:6], rgb[2:4], rgb[0:2])).upper()


def _font_colour(attributes: str) -> str | None:
    match = re.search(r"\bcolou?r\s*=\s*[\"']?\s*([#\w]+)", attributes, re.I)
    return _hex_colour(match.group(1)) if match else None


def _hex_colour(value: str) -> str | None:
    value = value.strip().lower()
    if re.fullmatch(r"#?[0-9a-f]{6}", value):
        return value.lstrip("#")
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        return "".join(ch * 2 for ch in value[1:])
    return _HTML_COLOURS.get(value)


def _class_span(out: _Out, closing: bool, classes: str) -> None:
    if out.target == "txt":
        return
    if closing:
        if "c" in out.open and out.target == "srt":
            _open_or_close(out, "c", True)
        elif "c" in out.open:
            out.parts.append("{\\c}")
            out.open.remove("c")
        return
    names = [c for c in classes.split(".") if c]
    colour = next((VTT_COLOURS[c] for c in names if c in VTT_COLOURS), None)
    if len(names) > (1 if colour else 0):
        out.drop("WebVTT class spans (<c.name>)")
    if colour is None:
        return
    if out.target == "srt":
        _open_or_close(out, "c", False, f'<font color="#{colour}">')
    else:
        out.parts.append("{\\c" + ass_colour(colour) + "}")
        out.open.append("c")


def _close_all(out: _Out) -> None:
    if out.target in ("srt", "vtt"):
        out.parts.extend(_closer(out, name) for name in reversed(out.open))
    out.open.clear()


# --- ASS override blocks ----------------------------------------------------------------

def ass_tags(block: str) -> list[tuple[str, str]]:
    """The (name, value) pairs of one override block's content ('\\i1\\pos(1,2)' -> [('i','1'), ('pos','(1,2)')])."""
    tags: list[tuple[str, str]] = []
    index = 0
    while True:
        start = block.find("\\", index)
        if start < 0:
            return tags
        index = start + 1
        name = next((n for n in _ASS_NAMES if block.startswith(n, index)), None)
        if name is None:
            match = re.match(r"[A-Za-z0-9]*", block[index:])
            name = match.group(0) if match else ""
        index += len(name)
        value_start = index
        depth = 0
        while index < len(block) and (depth or block[index] != "\\"):
            depth += {"(": 1, ")": -1}.get(block[index], 0)
            index += 1
        tags.append((name, block[value_start:index].strip()))


def _ass_block(out: _Out, block: str) -> None:
    if out.target == "ass":
        out.parts.append("{" + block + "}")
        return
    for name, value in ass_tags(block):
        if name in ("i", "b", "u", "s"):
            _ass_toggle(out, name, value)
        elif name in ("c", "1c"):
            _ass_colour(out, value)
        elif name == "an" and value.isdigit() and 1 <= int(value) <= 9:
            out.alignment = int(value)
        elif name == "a" and value.isdigit() and int(value) in _LEGACY_ALIGNMENT:
            out.alignment = _LEGACY_ALIGNMENT[int(value)]
        elif name == "r":
            _close_all(out)
        elif out.target != "txt":
            out.drop(f"ASS override tags ({_label(name)})")


_LEGACY_ALIGNMENT = {1: 1, 2: 2, 3: 3, 5: 7, 6: 8, 7: 9, 9: 4, 10: 5, 11: 6}  # SSA \a -> ASS \an


def _label(name: str) -> str:
    return "\\" + (name or "?")


def _ass_toggle(out: _Out, name: str, value: str) -> None:
    on = value == "" or (value.isdigit() and int(value) not in (0, 400))
    if out.target == "txt" or (name == "s" and out.target == "vtt"):
        if name == "s" and out.target == "vtt":
            out.drop("strike-through")
        return
    if on and name not in out.open:
        _open_or_close(out, name, False)
    elif not on and name in out.open:
        _open_or_close(out, name, True)


def _ass_colour(out: _Out, value: str) -> None:
    if out.target == "txt":
        return
    for name in ("font", "c"):
        if name in out.open:
            _open_or_close(out, name, True)
    digits = re.sub(r"[^0-9a-fA-F]", "", value.upper().removeprefix("&H"))
    if not digits:
        return  # \\c alone: back to the style's colour
    bgr = digits[-6:].rjust(6, "0").lower()
    colour = bgr[4:6] + bgr[2:4] + bgr[0:2]
    if out.target == "srt":
        _open_or_close(out, "font", False, f'<font color="#{colour}">')
    elif colour in _CLASS_FOR_HEX:
        _open_or_close(out, "c", False, f"<c.{_CLASS_FOR_HEX[colour]}>")
    else:
        out.drop(f"colours other than {', '.join(VTT_COLOURS)}")


# --- positions -------------------------------------------------------------------------

def vtt_settings_for_alignment(alignment: int) -> tuple[tuple[str, str], ...]:
    """WebVTT cue settings for an ASS \\an position (numeric keypad: 7 8 9 top, 1 2 3 bottom)."""
    settings: list[tuple[str, str]] = []
    if alignment >= 7:
        settings.append(("vtt.line", "0"))
    elif alignment >= 4:
        settings.append(("vtt.line", "50%"))
    column = (alignment - 1) % 3
    if column != 1:
        settings.append(("vtt.align", "start" if column == 0 else "end"))
    return tuple(settings)


def alignment_for_vtt(settings: dict[str, str]) -> int | None:
    """The ASS \\an position closest to WebVTT `line`/`align` settings, or None when they say nothing."""
    line, align = settings.get("vtt.line"), settings.get("vtt.align")
    if line is None and align is None:
        return None
    row = 0  # bottom
    if line is not None:
        value = line.split(",")[0].strip()
        if value.endswith("%"):
            try:
                percent = float(value[:-1])
            except ValueError:
                percent = 100.0
            row = 2 if percent < 34 else 1 if percent < 67 else 0
        elif re.fullmatch(r"\d+(?:\.\d+)?", value):
            row = 2  # a line number counted from the top
    column = {"start": 0, "left": 0, "end": 2, "right": 2}.get((align or "").strip(), 1)
    return 1 + column + 3 * row


def strip_markup(text: str) -> str:
    """The words a viewer reads: every tag and override block removed."""
    return translate(text, "txt").text
