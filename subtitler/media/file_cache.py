"""The on-disk cache shared by media analyses (waveform envelopes, shot changes).

An entry is named by the file's identity (absolute path, size, mtime) plus what
else decides the result (track, bin width, format version), so an edited or
replaced file never reuses a stale entry. Writes are atomic: a crash leaves
either no entry or a whole one.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np
import platformdirs


def cache_root() -> Path:
    """The user's cache folder for Subtitler; each analysis has a sub-folder."""
    return Path(platformdirs.user_cache_dir("subtitler", appauthor=False))


def entry_path(path: Path, key_parts: tuple[object, ...], folder: Path) -> Path:
    """Where the result for (file as it is now, key_parts) lives in `folder`."""
    path = Path(path).resolve()
    st = path.stat()
    identity = "\0".join(str(p) for p in (key_parts[0], path, st.st_size, st.st_mtime_ns, *key_parts[1:]))
    digest = hashlib.sha256(identity.encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return folder / f"{digest}.npz"


def atomic_savez(entry: Path, **arrays: object) -> None:
    """np.savez to a temporary file in the same folder, fsync, rename."""
    entry.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=entry.stem, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, entry)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
