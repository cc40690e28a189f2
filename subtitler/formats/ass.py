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
import math
import warnings

import pysubs2

from subtitler.core.cue import Cue
from subtitler.core.document import Document
from subtitler.errors import FormatError
from subtitler.formats.base import FormatWarning, ReadResult, WriteNotes, split_lines
from subtitler.formats.carry import cue_text, note_document, one_line

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
            try:
                subs = pysubs2.SSAFile.from_string(text, format_=dialect)
            except Exception as exc:  # a bad line only in context (a damaged section header): the file is unreadable
                raise FormatError(f"{source}: cannot read as {dialect.upper()} ({type(exc).__name__}: {exc}); "
                                  "check its [Script Info], styles and events sections") from None
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
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise TypeError(f"expected a number, got {value!r}")
        return type(current)(value)
    return _name(str(value))


def _color(text: str) -> pysubs2.Color:
    digits = text.strip().upper().removeprefix("&H").rstrip("&").rjust(8, "0")
    value = int(digits, 16)
    return pysubs2.Color(r=value & 0xFF, g=(value >> 8) & 0xFF, b=(value >> 16) & 0xFF, a=(value >> 24) & 0xFF)


def render(document: Document, dialect: str = "ass", notes: WriteNotes | None = None) -> str:
    notes = notes if notes is not None else WriteNotes()
    late = next((i for i, cue in enumerate(document, start=1) if cue.end_ms > MAX_MS or cue.start_ms > MAX_MS), None)
    if late is not None:
        raise FormatError(f"cue {late} ends after 9:59:59.99, the latest time {dialect.upper()} can hold; use SRT or WebVTT")
    note_document(document, dialect, notes)
    subs = pysubs2.SSAFile()
    info = document.metadata.get(INFO_KEY)
    if isinstance(info, dict):
        subs.info.update({_field(k): one_line(str(v)) for k, v in info.items() if _field(k)})
    styles = document.metadata.get(STYLES_KEY)
    if isinstance(styles, dict):
        subs.styles = {_name(name): _style_from_json(data) for name, data in styles.items()}
    subs.styles.setdefault("Default", pysubs2.SSAStyle())
    for cue in document:
        if cue.style and _name(cue.style) not in subs.styles:
            subs.styles[_name(cue.style)] = subs.styles["Default"].copy()
    subs.events = _events(document, dialect, notes)
    return subs.to_string(dialect)


def _name(value: str) -> str:
    """A style or actor name as one field of a comma-separated line: commas become full-width commas."""
    return one_line(str(value)).replace(",", "\uff0c")


def _field(key: object) -> str:
    """A [Script Info] key: one line, no colon (it separates the key from the value)."""
    return one_line(str(key)).replace(":", "").strip()


def _events(document: Document, dialect: str, notes: WriteNotes) -> list[pysubs2.SSAEvent]:
    comments = document.metadata.get(COMMENTS_KEY)
    pending = [c for c in comments if isinstance(c, dict)] if isinstance(comments, list) else []
    events: list[pysubs2.SSAEvent] = []
    for index, cue in enumerate(list(document) + [None]):
        for comment in pending:
            at = _int_or(comment.get("before_cue", 0), 0)
            if at == index or (cue is None and at > index):
                event = _comment_event(comment)
                if event is None:
                    notes.add("a damaged ASS comment line was left out")
                else:
                    events.append(event)
        if cue is not None:
            events.append(_event_from_cue(cue, index, dialect, notes))
    return events


def _int_or(value: object, default: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return default
    try:
        return int(value)
    except (ValueError, OverflowError):
        return default


def _event_from_cue(cue: Cue, row: int, dialect: str, notes: WriteNotes) -> pysubs2.SSAEvent:
    text = cue_text(cue, row, dialect, notes).text
    names = (cue.speaker or "", cue.style or "")
    if any("," in name or "\n" in name or "\r" in name for name in names):
        notes.add(f"commas and line breaks in speaker or style names written as full-width commas and spaces: "
                  f"{dialect.upper()} separates fields with commas", row)
    event = pysubs2.SSAEvent(start=max(0, cue.start_ms), end=max(0, cue.end_ms), text=text.replace("\n", "\\N"),
                             style=_name(cue.style or "Default"), name=_name(cue.speaker or ""))
    for name, default in _EVENT_EXTRAS:
        value = cue.extra(f"ass.{name}")
        if value is None:
            continue
        if isinstance(default, int):
            number = _int_or(value, None)
            if number is None:
                notes.add(f"ASS {name} that is not a number was left out", row)
                continue
            setattr(event, name, number)
        else:
            setattr(event, name, _name(value))
    return event


def _comment_event(data: dict) -> pysubs2.SSAEvent | None:
    """A Comment line kept from the file read; None when the project holds something else under its fields."""
    try:
        event = pysubs2.SSAEvent(type="Comment", start=max(0, int(data.get("start", 0))), end=max(0, int(data.get("end", 0))),
                                 text=one_line(str(data.get("text", ""))), style=_name(data.get("style") or "Default"),
                                 name=_name(data.get("name") or ""))
        for name, default in _EVENT_EXTRAS:
            if name in data:
                setattr(event, name, int(data[name]) if isinstance(default, int) else _name(data[name]))
    except (TypeError, ValueError, OverflowError):
        return None
    if event.end > MAX_MS or event.start > MAX_MS:
        return None
    return event
