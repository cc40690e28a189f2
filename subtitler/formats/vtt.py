"""WebVTT, with our own parser and writer.

Written here because no well-kept Python WebVTT library keeps NOTE, STYLE and
REGION blocks and cue settings through a round trip (webvtt-py drops or
reorders them). What is kept where:
- the header line's text and header lines: document.metadata["vtt.header"];
- NOTE/STYLE/REGION blocks: metadata["vtt.blocks"] as [cue index they precede, block text];
- cue identifier and settings (align:, position:, line:, size:, vertical:, region:, any other name:value):
  Cue.extras "vtt.id" and "vtt.<name>";
- one voice span covering the cue (<v Name>): Cue.speaker (its classes in extras "vtt.voice_class");
- karaoke timestamps (<00:00:01.000>): Cue.words, one word per whitespace-separated token, each ending
  where the next starts. They are written back only for cues read with them (extras "vtt.karaoke")
  whose words still match the text: players that ignore the timestamps show them to nobody, but
  Whisper words on every cue would otherwise bloat every export.
Cue.text keeps markup tags (<i>, <c.x>) as text; entities are decoded on read and re-escaped on write.
"""

from __future__ import annotations

import html
import re

from subtitler.core.cue import Cue, Word
from subtitler.core.document import Document
from subtitler.core.speaker_text import line_speakers
from subtitler.core.timecode import format_timecode
from subtitler.errors import FormatError
from subtitler.formats.base import FormatWarning, ReadResult, WriteNotes, split_lines
from subtitler.formats.carry import cue_text, note_document, one_line

HEADER_KEY, BLOCKS_KEY = "vtt.header", "vtt.blocks"
ID_KEY, KARAOKE_KEY, VOICE_CLASS_KEY = "vtt.id", "vtt.karaoke", "vtt.voice_class"
SETTING_ORDER = ("region", "vertical", "line", "position", "size", "align")
_TIME = r"(?:\d+:)?\d{1,2}:\d{1,2}[.,]\d{1,3}"
_TIMING = re.compile(rf"^\s*({_TIME})\s*-->\s*({_TIME})(.*)$")
_STAMP = re.compile(rf"<({_TIME})>")
_VOICE = re.compile(r"^<v(\.[^\s>]*)?[ \t]+([^>]*)>")
_TAG = re.compile(r"</?(?:i|b|u|c|v|lang|ruby|rt)(?:\.[^\s<>]*)?(?:[ \t][^<>\n]*)?>|<" + _TIME + ">")
_BLOCK_WORD = re.compile(r"^(NOTE|STYLE|REGION)(?:[ \t]|$)")
_SETTING_NAME = re.compile(r"^[A-Za-z][\w-]*$")
_VOICE_CLASSES = re.compile(r"^(?:\.[^\s.<>&]+)+$")


def parse(text: str, source: str = "<text>") -> ReadResult:
    lines = split_lines(text.removeprefix("\ufeff"))
    if not re.match(r"WEBVTT(?:[ \t]|$)", lines[0]):
        raise FormatError(f"{source} line 1: a WebVTT file starts with 'WEBVTT'", line=1)
    blocks = _split_header(_blocks(lines))
    metadata: dict[str, object] = {HEADER_KEY: "\n".join(blocks[0][1])}
    extra_blocks: list[list[object]] = []
    cues: list[Cue] = []
    warnings: list[FormatWarning] = []
    for first_line, block in blocks[1:]:
        if _is_cue(block):
            try:
                cues.append(_parse_cue(block, first_line))
            except FormatError as exc:
                warnings.append(FormatWarning(exc.line, f"{exc}; cue skipped"))
        elif _BLOCK_WORD.match(block[0]):
            extra_blocks.append([len(cues), "\n".join(block)])
        else:
            warnings.append(FormatWarning(first_line, "neither a cue nor a NOTE/STYLE/REGION block; skipped"))
    if extra_blocks:
        metadata[BLOCKS_KEY] = extra_blocks
    return ReadResult(Document(cues_list=cues, metadata=metadata), tuple(warnings))


def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Runs of non-blank lines with their 1-based first line; the header is always the first."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not current:
                blocks.append((number, current))
            current.append(line)
        else:
            current = []
    return blocks


def _split_header(blocks: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """Tolerate a first cue written right under the header without the blank line WebVTT requires."""
    first_line, header = blocks[0]
    timing = next((i for i, line in enumerate(header) if i and "-->" in line), None)
    if timing is None:
        return blocks
    cue_at = timing - 1 if timing > 1 else timing  # keep the cue's identifier line with it
    return [(first_line, header[:cue_at]), (first_line + cue_at, header[cue_at:])] + blocks[1:]


def _is_cue(block: list[str]) -> bool:
    return "-->" in block[0] or (len(block) > 1 and "-->" in block[1])


def _parse_cue(block: list[str], first_line: int) -> Cue:
    identifier = None if "-->" in block[0] else block[0]
    timing_at = 0 if identifier is None else 1
    match = _TIMING.match(block[timing_at])
    if not match:
        raise FormatError("expected a timing line like 00:01.000 --> 00:02.000", line=first_line + timing_at)
    start, end = _ms(match.group(1)), _ms(match.group(2))
    extras = dict(_settings(match.group(3)))
    if identifier is not None:
        extras[ID_KEY] = identifier
    payload = "\n".join(block[timing_at + 1 :])
    speaker, payload = _voice(payload, extras)
    words: tuple[Word, ...] = ()
    if _STAMP.search(payload):
        words = _karaoke_words(payload, start, end)
        payload = _STAMP.sub("", payload)
        extras[KARAOKE_KEY] = "1"
    return Cue(start, max(start, end), html.unescape(payload), words, speaker, extras=tuple(sorted(extras.items())))


def _ms(text: str) -> int:
    head, _, frac = text.replace(",", ".").rpartition(".")
    parts = [int(p) for p in head.split(":")]
    hours, minutes, seconds = ([0] * (3 - len(parts)) + parts)[-3:]
    return ((hours * 60 + minutes) * 60 + seconds) * 1000 + int(frac.ljust(3, "0"))


def _settings(text: str) -> list[tuple[str, str]]:
    found = []
    for token in text.split():
        name, sep, value = token.partition(":")
        if sep and name:
            found.append((f"vtt.{name}", value))
    return found


def _voice(payload: str, extras: dict[str, str]) -> tuple[str | None, str]:
    """A single voice span over the whole cue becomes the speaker; dialogue with several voices keeps its tags."""
    match = _VOICE.match(payload)
    rest = payload[match.end():] if match else ""
    if not match or "<v" in rest:
        return None, payload
    if match.group(1):
        extras[VOICE_CLASS_KEY] = match.group(1)
    return html.unescape(match.group(2).strip()) or None, rest.removesuffix("</v>")


def _karaoke_words(payload: str, start: int, end: int) -> tuple[Word, ...]:
    """Each timestamp starts the words after it; a stretch's words share its time evenly."""
    pieces = _STAMP.split(payload)
    marks = [start] + [_ms(stamp) for stamp in pieces[1::2]] + [end]
    words: list[Word] = []
    for index, piece in enumerate(pieces[0::2]):
        tokens = re.sub(r"<[^>]*>", "", html.unescape(piece)).split()
        begin, finish = marks[index], max(marks[index], marks[index + 1])
        step = (finish - begin) // max(1, len(tokens))
        for k, token in enumerate(tokens):
            stop = finish if k == len(tokens) - 1 else begin + (k + 1) * step
            words.append(Word(token, begin + k * step, stop))
    return tuple(words)


def render(document: Document, notes: WriteNotes | None = None) -> str:
    notes = notes if notes is not None else WriteNotes()
    note_document(document, "vtt", notes)
    header = document.metadata.get(HEADER_KEY)
    if not isinstance(header, str) or not re.match(r"WEBVTT(?:[ \t]|$)", header) or re.search(r"\n\s*\n|-->|\r", header):
        header = "WEBVTT"
    blocks = _extra_blocks(document.metadata.get(BLOCKS_KEY), notes)
    out = [header]
    for index, cue in enumerate(document):
        out.extend(blocks.get(index, []))
        out.append(_render_cue(cue, index, notes))
    out.extend(text for at, texts in blocks.items() if at >= len(document) for text in texts)
    return "\n\n".join(out) + "\n"


def _extra_blocks(value: object, notes: WriteNotes) -> dict[int, list[str]]:
    """NOTE/STYLE/REGION blocks by the cue they precede; one that would not read back as itself is left out."""
    blocks: dict[int, list[str]] = {}
    for item in value if isinstance(value, list) else []:
        at = item[0] if isinstance(item, (list, tuple)) and len(item) == 2 else None
        text = str(item[1]).replace("\r\n", "\n").replace("\r", "\n") if at is not None else ""
        if not isinstance(at, int) or isinstance(at, bool) or not _is_block(text):
            notes.add("a damaged NOTE/STYLE/REGION block was left out")
            continue
        blocks.setdefault(max(0, at), []).append(text)
    return blocks


def _is_block(text: str) -> bool:
    return bool(_BLOCK_WORD.match(text.split("\n", 1)[0])) and "-->" not in text and not re.search(r"\n\s*\n", text) and text == text.strip()


def _render_cue(cue: Cue, row: int, notes: WriteNotes) -> str:
    translated = cue_text(cue, row, "vtt", notes)
    extras = {**dict(translated.settings), **dict(cue.extras)}
    timing = f"{_time(cue.start_ms)} --> {_time(cue.end_ms)}{_render_settings(extras, row, notes)}"
    identifier = one_line(extras.get(ID_KEY) or "")
    if "-->" in identifier:
        notes.add("a cue identifier containing '-->' was left out", row)
        identifier = ""
    elif identifier != (extras.get(ID_KEY) or ""):
        notes.add("a cue identifier was put on one line", row)
    head = [identifier, timing] if identifier else [timing]
    body = _render_payload(cue, translated.text, extras, row, notes)
    return "\n".join(head + ([body] if body else []))


def _time(ms: int) -> str:
    return format_timecode(ms, ".", hours_always=True)


def _render_settings(extras: dict[str, str], row: int, notes: WriteNotes) -> str:
    names = [key[4:] for key in extras if key.startswith("vtt.") and key not in (ID_KEY, KARAOKE_KEY, VOICE_CLASS_KEY)]
    ordered = [n for n in SETTING_ORDER if n in names] + sorted(n for n in names if n not in SETTING_ORDER)
    parts = []
    for name in ordered:
        value = str(extras["vtt." + name])
        if not _SETTING_NAME.match(name) or not value or re.search(r"\s|-->", value):
            notes.add(f"cue setting {one_line(name)!r} with a value WebVTT cannot hold was left out", row)
            continue
        parts.append(f" {name}:{value}")
    return "".join(parts)


def _render_payload(cue: Cue, text: str, extras: dict[str, str], row: int, notes: WriteNotes) -> str:
    text = _escape(text)
    if extras.get(KARAOKE_KEY) and cue.words:
        text = _with_stamps(text, cue)
    if cue.speaker:
        speaker = _voice_name(cue.speaker)
        classes = extras.get(VOICE_CLASS_KEY, "")
        if classes and not _VOICE_CLASSES.match(classes):
            notes.add("a voice class WebVTT cannot hold was left out", row)
            classes = ""
        text = f"<v{classes} {speaker}>{text}" if speaker else text
    elif not extras.get(KARAOKE_KEY):
        speakers = line_speakers(cue)  # a two-speaker cue: one voice span per line
        lines = text.split("\n")
        if len(set(speakers)) > 1 and None not in speakers and len(lines) == len(speakers):
            text = "\n".join(f"<v {_voice_name(name)}>{line}" for name, line in zip(speakers, lines))
    return text


def _voice_name(speaker: str) -> str:
    return " ".join(html.escape(speaker, quote=False).split())


def _escape(text: str) -> str:
    """Escape &, < and > outside the tags WebVTT knows, so the text reads back as it was."""
    out, last = [], 0
    for match in _TAG.finditer(text):
        out.append(html.escape(text[last:match.start()], quote=False))
        out.append(match.group(0))
        last = match.end()
    out.append(html.escape(text[last:], quote=False))
    return "".join(out)


def _with_stamps(text: str, cue: Cue) -> str:
    """Put <start> before every word after the first when the words still match the text token for token."""
    parts = re.split(r"(\s+)", text)
    tokens = parts[0::2]
    if [t for t in tokens if t] != [html.escape(w.text, quote=False) for w in cue.words]:
        return text
    stamps = iter(w.start_ms for w in cue.words)
    previous = cue.start_ms
    for i in range(0, len(parts), 2):
        if not parts[i]:
            continue
        start = next(stamps)
        if i and previous < start < cue.end_ms:
            parts[i] = f"<{_time(start)}>{parts[i]}"
            previous = start
    return "".join(parts)
