"""`subtitler convert`: exit 0 with the file written, or 2 with one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from subtitler.cli import main

SRT = "1\n00:00:01,000 --> 00:00:02,000\nCafé\n"


def test_convert_srt_to_vtt(tmp_path, capsys):
    source = tmp_path / "in.srt"
    source.write_bytes(SRT.encode("cp1252"))
    assert main(["convert", str(source), str(tmp_path / "out.vtt")]) == 0
    assert (tmp_path / "out.vtt").read_text(encoding="utf-8") == "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nCafé\n"


def test_output_format_and_encoding_options(tmp_path):
    source = tmp_path / "in.srt"
    source.write_text(SRT, encoding="utf-8")
    target = tmp_path / "out.sub"
    assert main(["convert", str(source), str(target), "--format", "srt", "--encoding", "utf-16"]) == 0
    assert target.read_bytes().startswith(b"\xff\xfe")


def test_warnings_go_to_stderr(tmp_path, capsys):
    source = tmp_path / "in.srt"
    source.write_text(SRT + "\n2\nbroken\n\n", encoding="utf-8")
    assert main(["convert", str(source), str(tmp_path / "out.srt")]) == 0
    assert "warning" in capsys.readouterr().err


def run_cli(*args: str, timeout: float | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "subtitler", *args], capture_output=True, text=True, timeout=timeout)


def test_bad_input_exits_2_with_one_line(tmp_path):
    source = tmp_path / "in.srt"
    source.write_text(SRT, encoding="utf-8")
    garbage = tmp_path / "garbage.srt"
    garbage.write_text("not subtitles\n", encoding="utf-8")
    cases = [
        (str(tmp_path / "missing.srt"), str(tmp_path / "o.vtt"), "file not found"),
        (str(garbage), str(tmp_path / "o.vtt"), "line 1: expected a timecode line"),
        (str(source), str(tmp_path / "o.xyz"), "unknown subtitle extension"),
    ]
    for source_path, target, message in cases:
        result = run_cli("convert", source_path, target)
        assert result.returncode == 2, result.stderr
        assert result.stderr.count("\n") == 1 and message in result.stderr


@pytest.mark.parametrize("command", ["convert", "check"])
@pytest.mark.parametrize("kind", ["dev-zero", "link-to-dev-zero", "fifo"])
def test_devices_and_pipes_are_one_line_never_an_endless_read_or_a_hang(tmp_path, command, kind):
    """Issue 10.9: `convert /dev/zero out.srt` read without end and `convert` on a FIFO hung."""
    source = {"dev-zero": Path("/dev/zero"), "link-to-dev-zero": tmp_path / "zero.srt", "fifo": tmp_path / "pipe.srt"}[kind]
    if kind == "link-to-dev-zero":
        source.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(source)
    args = [str(source), str(tmp_path / "out.vtt")] if command == "convert" else [str(source)]
    result = run_cli(command, *args, timeout=60)  # the old code never returned: the timeout fails the test
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "device, pipe or socket" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out.vtt").exists()


def test_convert_never_overwrites_its_input_a_media_file_or_a_foreign_file_without_force(tmp_path, data_dir):
    """Issue 10.6: `convert in.srt video.mkv --format srt` used to overwrite the video."""
    import shutil

    source = tmp_path / "in.srt"
    source.write_text(SRT, encoding="utf-8")
    video = tmp_path / "video.mp4"
    shutil.copy(data_dir / "jfk.mp4", video)
    notes = tmp_path / "notes.docx"
    notes.write_bytes(b"PK\x03\x04 not subtitles")
    alias = tmp_path / "alias.srt"
    alias.symlink_to(source)
    hard = tmp_path / "hard.srt"
    os.link(source, hard)
    protected = {source: source.read_bytes(), video: video.read_bytes(), notes: notes.read_bytes()}
    for target, extra in [(video, ["--format", "srt"]), (notes, ["--format", "srt"]), (source, []), (alias, []),
                          (hard, []), (tmp_path / "./in.srt", [])]:
        result = run_cli("convert", str(source), str(target), *extra)
        assert result.returncode == 2, (target, result.stdout, result.stderr)
        assert result.stderr.count("\n") == 1 and "--force" in result.stderr
    assert all(path.read_bytes() == data for path, data in protected.items())
    assert run_cli("convert", str(source), str(notes), "--format", "srt", "--force").returncode == 0
    assert notes.read_text(encoding="utf-8").startswith("1\n00:00:01,000")


def test_saving_through_a_symlink_writes_its_target(tmp_path):
    real = tmp_path / "real.srt"
    real.write_text(SRT, encoding="utf-8")
    link = tmp_path / "link.srt"
    link.symlink_to(real)
    source = tmp_path / "new.vtt"
    source.write_text("WEBVTT\n\n00:05.000 --> 00:06.000\nNew\n", encoding="utf-8")
    assert main(["convert", str(source), str(link), "--force"]) == 0
    assert link.is_symlink() and "New" in real.read_text(encoding="utf-8")


def test_convert_keeps_line_ends_and_can_keep_the_encoding(tmp_path):
    source = tmp_path / "in.srt"
    source.write_bytes(SRT.replace("\n", "\r\n").encode("cp1252"))
    assert main(["convert", str(source), str(tmp_path / "same.srt"), "--encoding", "same"]) == 0
    assert (tmp_path / "same.srt").read_bytes() == (SRT + "\n").replace("\n", "\r\n").encode("cp1252")
    assert main(["convert", str(source), str(tmp_path / "lf.vtt"), "--newline", "lf"]) == 0
    assert b"\r" not in (tmp_path / "lf.vtt").read_bytes()


def test_markup_warnings_go_to_stderr(tmp_path, capsys):
    source = tmp_path / "in.ass"
    source.write_text("[Script Info]\nScriptType: v4.00+\n\n[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, "
                      "MarginR, MarginV, Effect, Text\nDialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,{\\pos(1,2)}x\n")
    assert main(["convert", str(source), str(tmp_path / "out.srt")]) == 0
    err = capsys.readouterr().err
    assert "out.srt" in err and "\\pos" in err
