"""`subtitler check`: findings, summary, exit codes, --fix."""

from __future__ import annotations

from pathlib import Path

from subtitler.cli import main

BAD = "1\n00:00:01,000 --> 00:00:03,200\nHi there\n\n2\n00:00:03,100 --> 00:00:06,000\n" \
      "This line is definitely much longer than forty-two characters\n\n"
GOOD = "1\n00:00:01,000 --> 00:00:03,000\nHi there\n\n2\n00:00:04,000 --> 00:00:06,000\nAll fine.\n\n"


def test_findings_exit_1_with_one_line_each_and_a_summary(tmp_path: Path, capsys):
    path = tmp_path / "bad.srt"
    path.write_text(BAD)
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert f"{path}:1: error: overlap: overlaps the next cue by 100 ms" in out
    assert any(line.startswith(f"{path}:2: error: line_too_long") for line in out)
    assert out[-1].startswith("3 findings in 2 of 2 cues")


def test_clean_exits_0_and_unreadable_exits_2(tmp_path: Path, capsys):
    good = tmp_path / "good.srt"
    good.write_text(GOOD)
    assert main(["check", str(good), "--profile", "en-20"]) == 0
    assert "no findings (profile en-20)" in capsys.readouterr().out
    assert main(["check", str(tmp_path / "missing.srt")]) == 2
    assert "missing.srt" in capsys.readouterr().err


def test_fix_writes_the_fixed_file(tmp_path: Path, capsys):
    path, out = tmp_path / "bad.srt", tmp_path / "fixed.srt"
    path.write_text(BAD)
    assert main(["check", str(path), "--fix", "--output", str(out)]) == 0
    assert path.read_text() == BAD
    assert "00:00:01,000 --> 00:00:03,017" in out.read_text()
    assert main(["check", str(out)]) == 0
