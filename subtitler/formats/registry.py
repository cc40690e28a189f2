"""One entry point for every format: pick by extension or content, read, write atomically.

Readers never let anything but FormatError out for bad content: whatever a
parser library raises on a damaged file becomes a FormatError naming the file.
"""

from __future__ import annotations

import importlib
import os
import re
import stat
from pathlib import Path

from subtitler.core.atomic import atomic_write_bytes
from subtitler.core.document import Document
from subtitler.errors import FormatError
from subtitler.formats.base import FormatInfo, FormatWarning, ReadResult, WriteNotes
from subtitler.formats.encoding import decode_bytes, detect_newline, encode_text

__all__ = [
    "FormatInfo", "FormatWarning", "ReadResult", "formats", "format_for_path", "read_document",
    "read_text", "render_text", "sniff", "write_document", "write_text",
]

MAX_BYTES = 100 * 1024 * 1024  # far above any subtitle file; stops a wrong pick (a video) before decoding it

_FORMATS = (  # name, extensions, can_read, can_write, carries_words, label
    FormatInfo("project", (".subtitler.json",), True, True, True, "Subtitler project"),
    FormatInfo("srt", (".srt",), True, True, False, "SubRip"),
    FormatInfo("vtt", (".vtt",), True, True, False, "WebVTT"),  # karaoke timestamps keep word starts only
    FormatInfo("ass", (".ass",), True, True, False, "Advanced SubStation Alpha"),
    FormatInfo("ssa", (".ssa",), True, True, False, "SubStation Alpha"),
    FormatInfo("txt", (".txt",), True, True, False, "Plain text"),
)
_MODULES = {"project": "project", "srt": "srt", "vtt": "vtt", "ass": "ass", "ssa": "ass", "txt": "txt"}


def formats() -> tuple[FormatInfo, ...]:
    """Every format, the project file first."""
    return _FORMATS


def _info(name: str) -> FormatInfo:
    for info in _FORMATS:
        if info.name == name:
            return info
    known = ", ".join(info.name for info in _FORMATS)
    raise FormatError(f"unknown subtitle format {name!r}; use one of {known}")


def format_for_path(path: str | os.PathLike[str]) -> str | None:
    """Format named by the file's extension (longest match, case-insensitive), or None."""
    name = Path(path).name.lower()
    matches = [(len(ext), info.name) for info in _FORMATS for ext in info.extensions if name.endswith(ext)]
    return max(matches)[1] if matches else None


_SRT_TIMING = re.compile(r"^\s*\d+:\d{1,2}:\d{1,2}[,.]\d{1,3}\s*-->", re.M)


def sniff(text: str) -> str | None:
    """Format recognised from the content alone, or None when it is not distinctive."""
    head = text.lstrip("\ufeff \t\r\n")[:4096]
    if re.match(r"WEBVTT(?:[ \t\r\n]|$)", head):
        return "vtt"
    if head.startswith("{") and '"subtitler-project"' in head:
        return "project"
    if re.match(r"\[Script Info\]", head, re.I):
        return "ssa" if re.search(r"^ScriptType:\s*v4\.00\s*$", head, re.I | re.M) else "ass"
    if _SRT_TIMING.search(head):
        return "srt"
    return None


def read_document(path: str | os.PathLike[str], format: str | None = None, encoding: str | None = None) -> ReadResult:
    """Read a subtitle or project file; the extension decides unless the content clearly says otherwise."""
    file = Path(path)
    decoded = decode_bytes(_read_bytes(file), encoding, str(file))
    name, warnings = _choose_format(file, decoded.text, format)
    result = _parse(name, decoded.text, str(file), file.parent)
    return ReadResult(result.document, decoded.warnings + warnings + result.warnings, decoded.encoding,
                      decoded.bom, detect_newline(decoded.text), name)


def read_text(text: str, format: str) -> ReadResult:
    """Parse text already in memory (paste, tests)."""
    return _parse(_info(format).name, text, f"<{format} text>", None)


def write_text(document: Document, format: str) -> str:
    return render_text(document, format)[0]


def render_text(document: Document, format: str) -> tuple[str, tuple[FormatWarning, ...]]:
    """The file's text ('\\n' line ends) and what the format could not carry."""
    notes = WriteNotes()
    return _render(_info(format).name, document, None, notes), notes.warnings()


def write_document(document: Document, path: str | os.PathLike[str], format: str | None = None, encoding: str = "utf-8",
                   bom: bool = False, newline: str = "\n") -> tuple[FormatWarning, ...]:
    """Save atomically in the format named (or the one the extension names), through a symlink to its target.

    Returns what the format could not carry (dropped markup, normalised text); the caller shows it.
    """
    file = Path(path)
    name = _info(format).name if format else format_for_path(file)
    if name is None:
        extensions = ", ".join(ext for info in _FORMATS for ext in info.extensions)
        raise FormatError(f"{file}: unknown subtitle extension; use one of {extensions} or name a format")
    notes = WriteNotes()
    try:
        data = encode_text(_render(name, document, file.parent, notes), encoding, bom, newline, str(file))
    except FormatError as exc:
        if str(file) in str(exc):
            raise
        raise FormatError(f"{file}: {exc}") from None
    try:
        atomic_write_bytes(file, data)
    except OSError as exc:
        raise FormatError(f"{file}: cannot save ({exc.strerror or exc}); choose another folder or name") from None
    return notes.warnings()


def _read_bytes(file: Path) -> bytes:
    """The file's bytes; devices, pipes and sockets are refused before they are opened (a FIFO would block, /dev/zero never ends)."""
    try:
        info = file.stat()
        if stat.S_ISDIR(info.st_mode):
            raise FormatError(f"{file}: is a folder, not a subtitle file")
        if not stat.S_ISREG(info.st_mode):
            raise FormatError(f"{file}: is a device, pipe or socket, not a subtitle file; save the subtitles to a file first")
        if info.st_size > MAX_BYTES:
            raise FormatError(f"{file}: over {MAX_BYTES // 2**20} MB, too large for a subtitle file; is it the right file?")
        with open(file, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise FormatError(f"{file}: file not found; check the path") from None
    except OSError as exc:
        raise FormatError(f"{file}: cannot read ({exc.strerror or exc}); check the name and its permissions") from None
    if len(data) > MAX_BYTES:
        raise FormatError(f"{file}: over {MAX_BYTES // 2**20} MB, too large for a subtitle file; is it the right file?")
    return data


def _choose_format(file: Path, text: str, explicit: str | None) -> tuple[str, tuple[FormatWarning, ...]]:
    if explicit:
        return _info(explicit).name, ()
    by_extension = format_for_path(file)
    sniffed = sniff(text)
    if sniffed is None:
        if by_extension is None:
            raise FormatError(f"{file}: not a subtitle format Subtitler recognises; name the format (e.g. --format srt)")
        return by_extension, ()
    same = {by_extension, sniffed} <= {"ass", "ssa"}  # pysubs2 reads both dialects either way
    if by_extension in (None, sniffed) or same:
        return (by_extension or sniffed), ()
    note = f"the file looks like {_info(sniffed).label} despite its extension; read it as {_info(sniffed).label}"
    return sniffed, (FormatWarning(None, note),)


def _module(name: str):
    return importlib.import_module(f"subtitler.formats.{_MODULES[name]}")


def _parse(name: str, text: str, source: str, folder: Path | None) -> ReadResult:
    module = _module(name)
    try:
        if name == "project":
            return module.parse(text, source, project_dir=folder)
        if name in ("ass", "ssa"):
            return module.parse(text, source, dialect=name)
        return module.parse(text, source)
    except FormatError:
        raise
    except Exception as exc:  # RecursionError included: a parser library's surprise on damaged input is still bad input
        raise FormatError(f"{source}: cannot read as {_info(name).label} ({type(exc).__name__}: {exc})") from exc


def _render(name: str, document: Document, folder: Path | None, notes: WriteNotes) -> str:
    module = _module(name)
    if name == "project":
        return module.render(document, project_dir=folder)
    if name in ("ass", "ssa"):
        return module.render(document, dialect=name, notes=notes)
    return module.render(document, notes=notes)
