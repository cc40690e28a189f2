"""ASS / SSA through pysubs2.

Kept for the round trip: script info (metadata "ass.info"), styles with font,
size, colours ("&HAABBGGRR"), alignment, margins... (metadata "ass.styles", JSON-ready),
each event's style (Cue.style), actor (Cue.speaker), layer, margins and effect
(Cue.extras "ass.*"), and Comment events (metadata "ass.comments", so they never
show as subtitles in other formats). Override tags ({\\i1}, {\\pos(…)}) stay in
Cue.text verbatim; \\N becomes a real line break. Embedded fonts are not kept.
ASS times have centisecond precision: milliseconds round to 10 ms on save.
"""

from __future__ import annotations

import dataclasses
import enum
import warnings

import pysubs2

from subtitler.core.cue import Cue
from subtitler.core.document import Document
from subtitler.errors import FormatError
from subtitler.formats.base import FormatWarning, ReadResult, split_lines

INFO_KEY, STYLES_KEY, COMMENTS_KEY = "ass.info", "ass.styles", "ass.comments"
MAX_MS = 35_999_990  # 9:59:59.99, the last time an ASS/SSA timestamp can hold
_EVENT_EXTRAS = (("layer", 0), ("marginl", 0), ("marginr", 0), ("marginv", 0), ("effect", ""))


def parse(text: str, source: str = "<text>", dialect: str = "ass") -> ReadResult:
    """Read with pysubs2; when one line breaks it, drop the lines pysubs2 cannot read and warn with their numbers."""
    text = text.removeprefix("\ufeff")
    dialect = _guess_dialect(text, dialect)
    skipped: list[FormatWarning] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            subs = pysubs2.SSAFile.from_string(text, format_=dialect)
        except Exception:  # pysubs2 raises ValueError and others for one bad line; find and skip those lines
            text, skipped = _without_bad_lines(text, dialect)
            subs = pysubs2.SSAFile.from_string(text, format_=dialect)
    notes = tuple(skipped) + tuple(dict.fromkeys(FormatWarning(None, str(w.message)) for w in caught))
    return ReadResult(_document(subs), notes)


def _without_bad_lines(text: str, dialect: str) -> tuple[str, list[FormatWarning]]:
    """Try each style and event line alone under its section's Format line; blank out those that fail."""
    lines = split_lines(text)
    section, formats = "", {}
    found: list[FormatWarning] = []
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        key = stripped.split(":", 1)[0].lower()
        if stripped.startswith("["):
            section = stripped
        elif key == "format":
            formats[section] = line
        elif key in ("style", "dialogue", "comment"):
            probe = f"{section}\n{formats.get(section, '')}\n{line}\n"
            try:
                pysubs2.SSAFile.from_string(probe, format_=dialect)
            except Exception:
                lines[number - 1] = ""
                found.append(FormatWarning(number, f"could not read this {key} line; skipped"))
    return "\n".join(lines), found


def _document(subs: pysubs2.SSAFile) -> Document:
    cues: list[Cue] = []
    comments: list[dict[str, object]] = []
    for event in subs.events:
        if event.is_comment:
            comments.append({"before_cue": len(cues), **_event_fields(event)})
        else:
            cues.append(_cue_from_event(event))
    metadata: dict[str, object] = {
        INFO_KEY: dict(subs.info),
        STYLES_KEY: {name: _style_to_json(style) for name, style in subs.styles.items()},
    }
    if comments:
        metadata[COMMENTS_KEY] = comments
    return Document(cues_list=cues, metadata=metadata)


def _guess_dialect(text: str, dialect: str) -> str:
    """The [V4+ Styles] / [V4 Styles] header decides, whatever the extension said."""
    if "[v4+ styles]" in text.lower():
        return "ass"
    if "[v4 styles]" in text.lower():
        return "ssa"
    return dialect


def _cue_from_event(event: pysubs2.SSAEvent) -> Cue:
    extras = tuple(sorted((f"ass.{name}", str(getattr(event, name))) for name, default in _EVENT_EXTRAS if getattr(event, name) != default))
    return Cue(
        start_ms=max(0, int(event.start)),
        end_ms=max(0, int(event.start), int(event.end)),
        text=event.text.replace("\\N", "\n"),
        speaker=event.name or None,
        style=event.style,
        extras=extras,
    )


def _event_fields(event: pysubs2.SSAEvent) -> dict[str, object]:
    return {"start": int(event.start), "end": int(event.end), "text": event.text, "style": event.style,
            "name": event.name, **{name: getattr(event, name) for name, _ in _EVENT_EXTRAS}}


def _style_to_json(style: pysubs2.SSAStyle) -> dict[str, object]:
    out: dict[str, object] = {}
    for name, value in style.as_dict().items():
        if isinstance(value, pysubs2.Color):
            value = f"&H{value.a:02X}{value.b:02X}{value.g:02X}{value.r:02X}"
        elif isinstance(value, enum.Enum):
            value = int(value.value)
        out[name] = value
    return out


def _style_from_json(data: object) -> pysubs2.SSAStyle:
    style = pysubs2.SSAStyle()
    names = {f.name: f for f in dataclasses.fields(style)}
    for name, value in (data.items() if isinstance(data, dict) else ()):
        current = getattr(style, name, None) if name in names else None
        if current is None:
            continue
        try:
            setattr(style, name, _style_value(current, value))
        except (TypeError, ValueError, OverflowError):
            continue  # a hand-edited project with a bad style field keeps that field's default
    return style


def _style_value(current: object, value: object) -> object:
    """Convert a JSON value back to the type pysubs2 writes, raising on nonsense."""
    if isinstance(current, pysubs2.Color):
        return _color(str(value))
    if isinstance(current, enum.Enum):
        return type(current)(int(value))
    if isinstance(current, bool):
        return bool(value)
    if isinstance(current, (int, float)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"expected a number, got {value!r}")
        return type(current)(value)
    return str(value)


def _color(text: str) -> pysubs2.Color:
    digits = text.strip().upper().removeprefix("&H").rstrip("&").rjust(8, "0")
    value = int(digits, 16)
    return pysubs2.Color(r=value & 0xFF, g=(value >> 8) & 0xFF, b=(value >> 16) & 0xFF, a=(value >> 24) & 0xFF)


def render(document: Document, dialect: str = "ass") -> str:
    late = next((i for i, cue in enumerate(document, start=1) if cue.end_ms > MAX_MS), None)
    if late is not None:
        raise FormatError(f"cue {late} ends after 9:59:59.99, the latest time {dialect.upper()} can hold; use SRT or WebVTT")
    subs = pysubs2.SSAFile()
    info = document.metadata.get(INFO_KEY)
    if isinstance(info, dict):
        subs.info.update({str(k): str(v) for k, v in info.items()})
    styles = document.metadata.get(STYLES_KEY)
    if isinstance(styles, dict):
        subs.styles = {str(name): _style_from_json(data) for name, data in styles.items()}
    subs.styles.setdefault("Default", pysubs2.SSAStyle())
    for cue in document:
        if cue.style and cue.style not in subs.styles:
            subs.styles[cue.style] = subs.styles["Default"].copy()
    subs.events = _events(document)
    return subs.to_string(dialect)


def _events(document: Document) -> list[pysubs2.SSAEvent]:
    comments = document.metadata.get(COMMENTS_KEY)
    pending = [c for c in comments if isinstance(c, dict)] if isinstance(comments, list) else []
    events: list[pysubs2.SSAEvent] = []
    for index, cue in enumerate(list(document) + [None]):
        events.extend(_comment_event(c) for c in pending if c.get("before_cue", 0) == index or (cue is None and c.get("before_cue", 0) > index))
        if cue is not None:
            events.append(_event_from_cue(cue))
    return events


def _event_from_cue(cue: Cue) -> pysubs2.SSAEvent:
    event = pysubs2.SSAEvent(start=cue.start_ms, end=cue.end_ms, text=cue.text.replace("\n", "\\N"),
                             style=cue.style or "Default", name=cue.speaker or "")
    for name, default in _EVENT_EXTRAS:
        value = cue.extra(f"ass.{name}")
        if value is not None:
            setattr(event, name, type(default)(value))
    return event


def _comment_event(data: dict) -> pysubs2.SSAEvent:
    fields = {k: v for k, v in data.items() if k != "before_cue"}
    return pysubs2.SSAEvent(type="Comment", **fields)
