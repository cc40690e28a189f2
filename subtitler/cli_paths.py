"""Where the command line may write: never over its own input, a media file or a foreign file without --force.

Checked before any work starts, so a wrong output path costs nothing (a transcription
that fails to save after an hour of decoding loses the hour).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from subtitler.core.atomic import write_refused
from subtitler.errors import UserError
from subtitler.media.extensions import is_media_name


def check_output(output: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]], force: bool,
                 suffixes: tuple[str, ...]) -> Path:
    """The output path, or UserError when writing it would destroy an input or an unrelated file, or cannot work."""
    path = Path(output)
    try:
        exists = path.exists()
        is_dir = path.is_dir()
    except OSError as exc:
        raise UserError(f"{output}: cannot be written ({exc.strerror or exc}); choose a shorter or simpler name") from None
    if is_dir:
        raise UserError(f"{output}: is a folder; give a file name such as {path / ('out' + suffixes[0])}")
    if exists and not force and any(_same_file(path, Path(source)) for source in inputs):
        raise UserError(f"{output}: is the input file; writing it would replace the input. "
                        "Choose another name, or add --force to overwrite it")
    if exists and not force and (is_media_name(path.name) or not path.name.lower().endswith(suffixes)):
        raise UserError(f"{output}: exists and is not a subtitle file; choose another name, or add --force to overwrite it")
    check_writable_folder(path)
    return path


def check_writable_folder(path: Path) -> None:
    """The folder exists and a file can be created in it (tried for real: permissions, ACLs, read-only mounts)."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"{path}: folder {folder} does not exist; create it or choose another output path")
    reason = write_refused(folder)
    if reason is not None:
        raise UserError(f"{path}: cannot write in folder {folder} ({reason}); choose another output path")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def fallback_path(path: Path) -> Path:
    """Where to keep a result whose output could not be written: the working folder, else the temporary folder."""
    import tempfile

    for folder in (Path.cwd(), Path(tempfile.gettempdir())):
        candidate = folder / path.name
        if candidate.resolve() != path.resolve() and os.access(folder, os.W_OK):
            stem, counter = candidate, 1
            while candidate.exists():
                candidate = stem.with_name(f"{counter}-{stem.name}")
                counter += 1
            return candidate
    return Path(tempfile.gettempdir()) / f"subtitler-{os.getpid()}-{path.name}"
