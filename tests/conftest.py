"""Shared fixtures: the real data folder, offscreen Qt."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    if not DATA_DIR.is_dir():
        pytest.fail(f"shared data folder not found at {DATA_DIR}: tests read ../shared/data beside the checkout")
    return DATA_DIR


@pytest.fixture(scope="session")
def manifest(data_dir: Path) -> list[dict]:
    return json.loads((data_dir / "manifest.json").read_text())


@pytest.fixture(scope="session")
def bad_media(tmp_path_factory) -> dict[str, Path]:
    """Files that are not usable media: text named .mp4, a video without sound, an empty .wav."""
    import subprocess

    from subtitler.media.ffmpeg_binary import find_ffmpeg

    folder = tmp_path_factory.mktemp("bad")
    text = folder / "notes.mp4"
    text.write_text("this is not a video\n")
    silent = folder / "silent_video.mp4"
    subprocess.run([find_ffmpeg(), "-y", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=duration=1:size=64x48",
                    "-an", str(silent)], check=True)
    empty = folder / "empty.wav"
    empty.write_bytes(b"")
    return {"text": text, "silent": silent, "empty": empty}
