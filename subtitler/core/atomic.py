"""Atomic saves: the file on disk is either the old one or the complete new one.

A crash or a full disk while saving must never leave a truncated subtitle or
project file, so every saver (and the GUI's autosave) writes a temporary file in
the same folder, fsyncs it, renames it over the target and fsyncs the folder.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace `path` with `data` atomically; raises OSError (target untouched) when it cannot.

    A symlink is written through: its target gets the new content and the link stays a link.
    """
    target = Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, _mode_for(target))
        os.replace(tmp_name, target)
    except BaseException:
        _remove_quietly(tmp_name)
        raise
    _fsync_folder(folder)


def atomic_write_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """Encode and write atomically; newlines are written exactly as they are in `text`."""
    atomic_write_bytes(path, text.encode(encoding))


def _mode_for(target: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual 0o666 minus the umask (mkstemp uses 0o600)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable; folders cannot be opened this way on Windows, where it is skipped."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_quietly(name: str) -> None:
    try:
        os.unlink(name)
    except OSError:
        pass


def write_refused(folder: str | os.PathLike[str]) -> str | None:
    """Why no file can be created in ``folder`` (tried for real: permissions, ACLs, read-only mounts), or None.

    Asked before long work that ends in a write (a transcription, a live take), so the user hears it first.
    """
    try:
        with tempfile.TemporaryFile(dir=folder, prefix=".subtitler-check-"):
            return None
    except OSError as exc:
        return exc.strerror or str(exc)
