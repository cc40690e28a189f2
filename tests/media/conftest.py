"""Media fixtures: the ffmpeg binary and small files made from the shared data with it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from subtitler.media.ffmpeg_binary import find_ffmpeg


@pytest.fixture(scope="session")
def ffmpeg_exe() -> str:
    return find_ffmpeg()


@pytest.fixture(scope="session")
def make_media(ffmpeg_exe: str, tmp_path_factory: pytest.TempPathFactory):
    """make_media(name, *ffmpeg_args) -> Path of a file ffmpeg writes from those arguments."""
    folder = tmp_path_factory.mktemp("media")

    def make(name: str, *args: str) -> Path:
        out = folder / name
        if not out.exists():
            cmd = [ffmpeg_exe, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args, str(out)]
            subprocess.run(cmd, check=True, capture_output=True)
        return out

    return make


@pytest.fixture(scope="session")
def multi_track_mkv(make_media, data_dir: Path) -> Path:
    """Video + three audio tracks: English mono 44.1k, German (titled) 24k, untagged 5.1 at 16k."""
    return make_media(
        "multi.mkv",
        "-i", str(data_dir / "jfk.mp4"), "-i", str(data_dir / "multilingual.mp3"),
        "-i", str(data_dir / "stereo_diarization.wav"),
        "-map", "0:v", "-map", "0:a", "-map", "1:a", "-map", "2:a", "-c:v", "copy", "-c:a", "flac",
        "-ac:a:2", "6", "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=deu",
        "-metadata:s:a:1", "title=German dub, commentary", "-t", "5",
    )


@pytest.fixture(scope="session")
def video_without_audio(make_media, data_dir: Path) -> Path:
    return make_media("silent_film.mp4", "-i", str(data_dir / "jfk.mp4"), "-an", "-c", "copy")


@pytest.fixture()
def truncated(data_dir: Path, tmp_path: Path):
    """truncated(name, fraction) -> copy of the first `fraction` of a data file."""

    def cut(name: str, fraction: float = 0.5) -> Path:
        data = (data_dir / name).read_bytes()
        out = tmp_path / f"truncated_{name}"
        out.write_bytes(data[: int(len(data) * fraction)])
        return out

    return cut
