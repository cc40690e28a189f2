"""Shared fixtures: the real data folder, offscreen Qt."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(autouse=True)
def isolated_user_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own app-data folder (autosaves, user dictionaries), never the user's real one.

    Set before any window exists: a window created by an earlier fixture would otherwise load
    (and write) the real ~/.local/share/subtitler.
    """
    folder = tmp_path / "data"
    monkeypatch.setenv("XDG_DATA_HOME", str(folder))
    return folder


@pytest.fixture(scope="session")
def data_dir() -> Path:
    if not DATA_DIR.is_dir():
        pytest.fail(f"shared data folder not found at {DATA_DIR}: tests read ../shared/data beside the checkout")
    return DATA_DIR


@pytest.fixture(scope="session")
def manifest(data_dir: Path) -> list[dict]:
    return json.loads((data_dir / "manifest.json").read_text())


@pytest.fixture(scope="session")
def cut_clip(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 11-s video with two cuts (tests/cut_clip.py), made once per session with ffmpeg."""
    from tests.cut_clip import make_cut_clip

    return make_cut_clip(data_dir, tmp_path_factory.mktemp("cut_clip"))


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


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """A banner at the end of the run when reference tests were skipped (see tests/reference.py): never a quiet hole."""
    from tests.reference import SKIP_PREFIX

    skipped = [r for r in terminalreporter.stats.get("skipped", []) if SKIP_PREFIX in str(getattr(r, "longrepr", ""))]
    if skipped:
        terminalreporter.write_sep("!", f"{len(skipped)} REFERENCE TEST(S) SKIPPED: openai-whisper is not installed; "
                                        "equality with it was NOT checked", red=True, bold=True)
