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


def is_file(path: str | Path) -> bool:
    """Path.is_file, but False (not OSError) for a name the file system cannot hold (too long, say)."""
    try:
        return Path(path).is_file()
    except OSError:
        return False


def is_dir(path: str | Path) -> bool:
    try:
        return Path(path).is_dir()
    except OSError:
        return False


def media_beside(path: str | Path) -> Path | None:
    """A media file in the same folder with the subtitle's stem, or that stem less a language tag ('talk.en.srt' -> 'talk.mp4')."""
    path = Path(path)
    stems = [subtitle_stem(path)]
    if "." in stems[0]:
        stems.append(stems[0].rsplit(".", 1)[0])
    for stem in stems:
        for ext in MEDIA_EXTENSIONS:
            for candidate in (path.with_name(stem + ext), path.with_name(stem + ext.upper())):
                if is_file(candidate):
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


def bare_stem(name: str) -> str:
    """'talk.subtitler.srt', 'talk.subtitler.json', 'talk.srt' -> 'talk': every subtitle extension off, and a stray '.subtitler'."""
    extensions = sorted((ext for info in formats() for ext in info.extensions), key=len, reverse=True)
    stripped = True
    while stripped:
        stripped = False
        for ext in extensions + [".subtitler"]:
            if name.lower().endswith(ext) and len(name) > len(ext):
                name, stripped = name[: -len(ext)], True
                break
    return name


def name_for_format(name: str, format_name: str) -> str:
    """The file name a save dialog should show once the user picks `format_name`'s filter.

    Qt's dialog may already have swapped the last suffix for the filter's ('talk.srt' ->
    'talk.json' for '*.subtitler.json'); that half-suffix goes too.
    """
    extension = next(info for info in formats() if info.name == format_name).extensions[0]
    last = "." + extension.rsplit(".", 1)[-1]
    if name.lower().endswith(last) and not name.lower().endswith(extension) and len(name) > len(last):
        name = name[: -len(last)]
    return bare_stem(name) + extension


def save_target(typed: Path, filter_format: str | None) -> tuple[Path, str]:
    """Where and how to save: an extension the user typed wins; otherwise the chosen filter's format, its extension added."""
    typed_format = format_for_path(typed)
    if typed_format is not None:
        return typed, typed_format
    fmt = filter_format or "project"
    return with_extension(typed, fmt), fmt


def with_extension(path: Path, format_name: str) -> Path:
    """Add the format's extension when the chosen name has none of it."""
    for info in formats():
        if info.name == format_name:
            if not any(path.name.lower().endswith(ext) for ext in info.extensions):
                return path.with_name(path.name + info.extensions[0])
    return path
