"""Locate the ffmpeg executables.

A system ffmpeg (on PATH) wins because users and packagers may have a newer or
better-configured build; the imageio-ffmpeg wheel is the fallback that makes a
plain `pip install` work. imageio-ffmpeg ships no ffprobe, so probing never
requires one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from subtitler.errors import MediaError

FFMPEG_MISSING = "ffmpeg not found: install ffmpeg or the imageio-ffmpeg package"


def find_ffmpeg() -> str:
    """Path of the ffmpeg executable: PATH first, then imageio-ffmpeg's bundled binary."""
    on_path = shutil.which("ffmpeg")
    if on_path:
        return on_path
    bundled = _imageio_ffmpeg_exe()
    if bundled:
        return bundled
    raise MediaError(FFMPEG_MISSING)


def find_ffprobe() -> str | None:
    """Path of ffprobe on PATH, or None (probe then parses ffmpeg's own report)."""
    return shutil.which("ffprobe")


def input_url(path: str | os.PathLike[str]) -> str:
    """How to name a local file to ffmpeg: 'file:' + its absolute path.

    A bare name is read as a protocol when it looks like one ('pipe:clip.wav', 'subfile:…',
    'http:x.mp3'), so ffmpeg would read stdin or another file instead of the one meant.
    """
    return "file:" + os.path.abspath(path)


def no_console_flags() -> int:
    """Popen creationflags that stop a windowed app on Windows flashing a console per ffmpeg run."""
    return subprocess.CREATE_NO_WINDOW if sys.platform == "win32" else 0


def background_priority() -> dict[str, object]:
    """Popen arguments that run a long analysis below normal priority, so the editor stays responsive beside it."""
    if sys.platform == "win32":
        return {"creationflags": subprocess.CREATE_NO_WINDOW | subprocess.BELOW_NORMAL_PRIORITY_CLASS}
    return {"preexec_fn": _lower_priority}


def _lower_priority() -> None:
    try:
        os.nice(10)
    except OSError:  # not allowed here: normal priority is still correct, only less polite
        pass


def _imageio_ffmpeg_exe() -> str | None:
    try:
        import imageio_ffmpeg
    except ImportError:
        return None
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError:  # the package is there but its binary is not
        return None
