"""Finding ffmpeg: PATH first, then imageio-ffmpeg, else a clear error."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import imageio_ffmpeg
import pytest

from subtitler.errors import MediaError
from subtitler.media.ffmpeg_binary import find_ffmpeg, find_ffprobe


def _fake_exe(folder: Path, name: str) -> Path:
    exe = folder / name
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    return exe


@pytest.mark.skipif(sys.platform == "win32", reason="uses a POSIX shell script as a fake ffmpeg")
def test_path_wins_over_imageio(tmp_path: Path, monkeypatch):
    exe = _fake_exe(tmp_path, "ffmpeg")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_ffmpeg() == str(exe)


def test_falls_back_to_imageio_ffmpeg(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    found = find_ffmpeg()
    assert found == imageio_ffmpeg.get_ffmpeg_exe() and os.path.isfile(found)


def test_missing_everywhere(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))

    def no_binary():
        raise RuntimeError("No ffmpeg exe could be found.")

    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", no_binary)
    with pytest.raises(MediaError, match="ffmpeg not found: install ffmpeg or the imageio-ffmpeg package"):
        find_ffmpeg()


def test_missing_imageio_package(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # makes `import imageio_ffmpeg` fail
    with pytest.raises(MediaError, match="ffmpeg not found"):
        find_ffmpeg()


@pytest.mark.skipif(sys.platform == "win32", reason="uses a POSIX shell script as a fake ffprobe")
def test_ffprobe_only_from_path(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_ffprobe() is None
    exe = _fake_exe(tmp_path, "ffprobe")
    assert find_ffprobe() == str(exe)
