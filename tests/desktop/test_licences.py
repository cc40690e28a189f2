"""The About dialog's facts: versions and licences of the installed parts, FFmpeg's build licence."""

from __future__ import annotations

import importlib.metadata as metadata
import stat
from pathlib import Path

import pytest

from subtitler.desktop import licences


def test_components_come_from_installed_metadata() -> None:
    found = {c.name: c for c in licences.installed_components()}
    torch = found["PyTorch"]
    assert torch.version == metadata.version("torch")
    assert "BSD-3-Clause" in torch.licence
    assert "Copyright" in (licences.licence_text(torch) or "")
    assert found["Qt for Python (PySide6)"].licence.startswith("LGPL-3.0")
    assert found["Subtitler"].version == metadata.version("subtitler")
    assert "MIT License" in (licences.licence_text(found["Subtitler"]) or "")  # LICENSE travels in the dist-info
    # Optional parts appear only when installed; the required ones always do.
    for component in licences.COMPONENTS:
        try:
            metadata.distribution(component.distribution)
            installed = True
        except metadata.PackageNotFoundError:
            installed = False
        assert (component.name in found) == (installed or not component.optional)


def _fake_ffmpeg(tmp_path: Path, configuration: str) -> str:
    script = tmp_path / "ffmpeg"
    script.write_text(f"#!/bin/sh\necho 'ffmpeg version 7.1-static Copyright (c) 2000-2024'\necho 'configuration: {configuration}'\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


@pytest.mark.parametrize(("configuration", "expected"), [
    ("--enable-gpl --enable-version3 --enable-libx264", "GPL-3.0-or-later (ffmpeg 7.1-static)"),
    ("--enable-gpl --enable-libx264", "GPL-2.0-or-later (ffmpeg 7.1-static)"),
    ("--disable-programs --enable-shared", "LGPL-2.1-or-later (ffmpeg 7.1-static)"),
    ("--enable-gpl --enable-nonfree", "non-free build (not redistributable) (ffmpeg 7.1-static)"),
])
def test_ffmpeg_licence_follows_its_configuration(tmp_path: Path, configuration: str, expected: str) -> None:
    assert licences.ffmpeg_licence(_fake_ffmpeg(tmp_path, configuration)) == expected


def test_real_ffmpeg_and_missing_ffmpeg(tmp_path: Path) -> None:
    from subtitler.media.ffmpeg_binary import find_ffmpeg

    assert "GPL" in licences.ffmpeg_licence(find_ffmpeg())
    assert licences.ffmpeg_licence(str(tmp_path / "no-ffmpeg")).startswith("unknown")
