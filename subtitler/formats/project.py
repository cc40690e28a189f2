"""The `.subtitler.json` project file: everything a document holds, word timings included.

Versioned ({"format": "subtitler-project", "version": 1}); a reader refuses a
newer version with a clear message rather than dropping what it does not know.
The media path is stored relative to the project file when it shares a drive, and read back
relative to the project file.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from subtitler.core.cue import Cue, Word
from subtitler.core.document import Document
from subtitler.errors import FormatError
from subtitler.formats.base import ReadResult

FORMAT_NAME = "subtitler-project"
VERSION = 1


def render(document: Document, project_dir: str | os.PathLike[str] | None = None) -> str:
    """JSON text, one compact line per cue (small files, readable diffs); `project_dir` makes the media path relative."""
    head = {
        "format": FORMAT_NAME,
        "version": VERSION,
        "media_path": _relative_media(document.media_path, project_dir),
        "frame_rate": document.frame_rate,
        "language": document.language,
        "metadata": document.metadata,
    }
    try:
        top = json.dumps(head, ensure_ascii=False, indent=1, allow_nan=False)
        cues = [json.dumps(_cue_to_json(cue), ensure_ascii=False, separators=(",", ":"), allow_nan=False) for cue in document]
    except (TypeError, ValueError) as exc:
        raise FormatError(f"project: cannot be saved as JSON ({exc})") from None
    body = ",\n".join("  " + cue for cue in cues)
    return top[: -len("\n}")] + ',\n "cues": [\n' + body + ("\n" if cues else "") + " ]\n}\n"


def parse(text: str, source: str = "<text>", project_dir: str | os.PathLike[str] | None = None) -> ReadResult:
    """Read a project; a relative media path is resolved against `project_dir` when given."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"{source} line {exc.lineno}: not valid JSON ({exc.msg}); is this a Subtitler project?", line=exc.lineno) from None
    except RecursionError:
        raise FormatError(f"{source}: JSON nested too deeply; not a Subtitler project") from None
    _check_header(data, source)
    try:
        document = Document(
            cues_list=[_cue_from_json(item) for item in _list(data.get("cues", []), "cues")],
            media_path=_absolute_media(data.get("media_path"), project_dir),
            frame_rate=_frame_rate(data.get("frame_rate", 25.0)),
            language=_optional_str(data.get("language"), "language"),
            metadata=_dict(data.get("metadata", {}), "metadata"),
        )
    except (TypeError, ValueError, KeyError, AttributeError, OverflowError) as exc:
        raise FormatError(f"{source}: damaged project file ({exc}); restore it from a backup or autosave") from None
    return ReadResult(document)


def _check_header(data: Any, source: str) -> None:
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise FormatError(f"{source}: not a Subtitler project (no \"format\": \"{FORMAT_NAME}\")", line=1)
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise FormatError(f"{source}: project version {version!r} is not a number; the file is damaged", line=1)
    if version > VERSION:
        raise FormatError(
            f"{source}: project version {version} was written by a newer Subtitler (this one reads up to {VERSION}); update Subtitler",
            line=1,
        )
    if version < 1:
        raise FormatError(f"{source}: unknown project version {version}", line=1)


def _cue_to_json(cue: Cue) -> dict[str, Any]:
    item: dict[str, Any] = {"start_ms": cue.start_ms, "end_ms": cue.end_ms, "text": cue.text}
    if cue.words:
        item["words"] = [_word_to_json(word) for word in cue.words]
    if cue.speaker is not None:
        item["speaker"] = cue.speaker
    if cue.style is not None:
        item["style"] = cue.style
    if cue.extras:
        item["extras"] = [[key, value] for key, value in cue.extras]
    return item


def _word_to_json(word: Word) -> dict[str, Any]:
    item: dict[str, Any] = {"text": word.text, "start_ms": word.start_ms, "end_ms": word.end_ms}
    if word.probability is not None:
        item["probability"] = word.probability
    if word.needs_alignment:
        item["needs_alignment"] = True
    if word.speaker is not None:
        item["speaker"] = word.speaker
    return item


def _cue_from_json(item: Any) -> Cue:
    item = _dict(item, "cue")
    return Cue(
        start_ms=_int(item["start_ms"]),
        end_ms=_int(item["end_ms"]),
        text=_str(item["text"], "text"),
        words=tuple(_word_from_json(word) for word in _list(item.get("words", []), "words")),
        speaker=_optional_str(item.get("speaker"), "speaker"),
        style=_optional_str(item.get("style"), "style"),
        extras=tuple((_str(k, "extra key"), _str(v, "extra value")) for k, v in _list(item.get("extras", []), "extras")),
    )


def _word_from_json(item: Any) -> Word:
    item = _dict(item, "word")
    probability = item.get("probability")
    return Word(
        text=_str(item["text"], "word text"),
        start_ms=_int(item["start_ms"]),
        end_ms=_int(item["end_ms"]),
        probability=None if probability is None else float(probability),
        needs_alignment=bool(item.get("needs_alignment", False)),
        speaker=_optional_str(item.get("speaker"), "word speaker"),
    )


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise TypeError(f"expected a time in milliseconds, got {value!r}")
    return int(value)


def _frame_rate(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1000:
        raise ValueError(f"frame rate {value!r} is not a number of frames a second")
    return float(value)


def _str(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be text, got {type(value).__name__}")
    return value


def _optional_str(value: Any, what: str) -> str | None:
    return None if value is None else _str(value, what)


def _list(value: Any, what: str) -> list:
    if not isinstance(value, list):
        raise TypeError(f"{what} must be a list, got {type(value).__name__}")
    return value


def _dict(value: Any, what: str) -> dict:
    if not isinstance(value, dict):
        raise TypeError(f"{what} must be an object, got {type(value).__name__}")
    return value


def _relative_media(media_path: str | None, project_dir: str | os.PathLike[str] | None) -> str | None:
    """Relative to the project file, so a project folder moved with its media keeps working.

    A relative path in memory is relative to the working folder; it is made absolute first, so
    a project saved into another folder (or the autosave folder) still points at the same media.
    """
    if not media_path or project_dir is None:
        return media_path
    media_path = os.path.abspath(media_path)
    try:
        return Path(os.path.relpath(media_path, os.path.abspath(project_dir))).as_posix()
    except ValueError:  # another drive on Windows
        return media_path


def _absolute_media(media_path: Any, project_dir: str | os.PathLike[str] | None) -> str | None:
    media_path = _optional_str(media_path, "media_path")
    if not media_path or project_dir is None or os.path.isabs(media_path):
        return media_path
    return os.path.normpath(os.path.join(os.path.abspath(project_dir), media_path))
