"""`subtitler convert`: exit 0 with the file written, or 2 with one line."""

from __future__ import annotations

import subprocess
import sys

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


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "subtitler", *args], capture_output=True, text=True)


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
