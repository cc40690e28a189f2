"""What a path is (project, subtitles, media) and which media file belongs beside a subtitle file.

Plain functions: the file controller decides with them, the tests check them directly.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Iterable

from subtitler.formats.registry import format_for_path, formats
from subtitler.media.extensions import MEDIA_EXTENSIONS

PROJECT_SUFFIX = ".subtitler.json"


class FileKind(Enum):
    PROJECT = "project"
    SUBTITLES = "subtitles"
    MEDIA = "media"
    UNKNOWN = "unknown"


def classify(path: str | Path) -> FileKind:
    name = Path(path).name.lower()
    if name.endswith(PROJECT_SUFFIX):
        return FileKind.PROJECT
    if name.endswith(MEDIA_EXTENSIONS):
        return FileKind.MEDIA
    if format_for_path(name) is not None:
        return FileKind.SUBTITLES
    return FileKind.UNKNOWN


def subtitle_stem(path: str | Path) -> str:
    """'talk.en.srt' -> 'talk.en'; 'talk.subtitler.json' -> 'talk'."""
    name = Path(path).name
    if name.lower().endswith(PROJECT_SUFFIX):
        return name[: -len(PROJECT_SUFFIX)]
    return Path(name).stem


def media_beside(path: str | Path) -> Path | None:
    """A media file in the same folder with the subtitle's stem, or that stem less a language tag ('talk.en.srt' -> 'talk.mp4')."""
    path = Path(path)
    stems = [subtitle_stem(path)]
    if "." in stems[0]:
        stems.append(stems[0].rsplit(".", 1)[0])
    for stem in stems:
        for ext in MEDIA_EXTENSIONS:
            for candidate in (path.with_name(stem + ext), path.with_name(stem + ext.upper())):
                if candidate.is_file():
                    return candidate
    return None


def pair_paths(paths: Iterable[str | Path]) -> tuple[Path | None, Path | None]:
    """The first subtitle/project path and the first media path among several opened at once."""
    subtitles = media = None
    for raw in paths:
        path = Path(raw)
        kind = classify(path)
        if kind == FileKind.MEDIA and media is None:
            media = path
        elif kind != FileKind.MEDIA and subtitles is None:
            subtitles = path
    return subtitles, media


def suggested_path(document_path: Path | None, media_path: str | None, extension: str) -> Path:
    """Where Save As or Export proposes to write: beside the document, else beside the media."""
    if document_path is not None:
        return document_path.with_name(subtitle_stem(document_path) + extension)
    if media_path:
        media = Path(media_path)
        return media.with_name(media.stem + extension)
    return Path.home() / f"untitled{extension}"


def dialog_filters(writable: bool) -> list[tuple[str, str]]:
    """(Qt filter text, format name) for every format that can be written (or read)."""
    infos = [info for info in formats() if (info.can_write if writable else info.can_read)]
    return [(info.dialog_filter, info.name) for info in infos]


def open_filter() -> str:
    subtitle_globs = " ".join("*" + ext for info in formats() if info.can_read for ext in info.extensions)
    media_globs = " ".join("*" + ext for ext in MEDIA_EXTENSIONS)
    return f"Subtitles and media ({subtitle_globs} {media_globs});;Subtitles ({subtitle_globs});;Media ({media_globs});;All files (*)"


def with_extension(path: Path, format_name: str) -> Path:
    """Add the format's extension when the chosen name has none of it."""
    for info in formats():
        if info.name == format_name:
            if not any(path.name.lower().endswith(ext) for ext in info.extensions):
                return path.with_name(path.name + info.extensions[0])
    return path
