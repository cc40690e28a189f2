"""Atomic saves leave either the old file or the complete new one, never a stray temp file."""

from __future__ import annotations

import os

import pytest

from subtitler.core import atomic
from subtitler.core.atomic import atomic_write_bytes, atomic_write_text


def test_writes_new_file_and_replaces_old(tmp_path):
    target = tmp_path / "a.srt"
    atomic_write_text(target, "first")
    atomic_write_text(target, "second é", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "second é"
    assert os.listdir(tmp_path) == ["a.srt"]


def test_failed_write_keeps_old_file_and_removes_temp(tmp_path, monkeypatch):
    target = tmp_path / "a.srt"
    target.write_bytes(b"old")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", broken_replace)
    with pytest.raises(OSError):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["a.srt"]


def test_keeps_existing_permissions(tmp_path):
    target = tmp_path / "a.srt"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    atomic_write_bytes(target, b"new")
    assert (target.stat().st_mode & 0o777) == 0o640


def test_new_file_gets_umask_permissions_not_mkstemp_0600(tmp_path):
    target = tmp_path / "new.srt"
    old = os.umask(0o022)
    try:
        atomic_write_bytes(target, b"x")
    finally:
        os.umask(old)
    assert (target.stat().st_mode & 0o777) == 0o644


def test_missing_folder_raises_oserror(tmp_path):
    with pytest.raises(OSError):
        atomic_write_bytes(tmp_path / "no" / "a.srt", b"x")
