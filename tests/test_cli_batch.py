"""`subtitler transcribe MANY --output-dir OUT -f ...`: one model, outputs equal single-file runs, bad files listed."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pytest

from subtitler.cli import main
from subtitler.cli_batch import expand_inputs, is_batch, parse_formats, plan_outputs
from subtitler.errors import UserError
from tests.test_cli_asr import assert_one_line_error, no_model, run_cli  # noqa: F401 - fixture


def test_parse_formats():
    assert parse_formats("srt,vtt,json") == (".srt", ".vtt", ".json")
    assert parse_formats(" SRT , .vtt,srt,subtitler.json") == (".srt", ".vtt", ".subtitler.json")
    for bad in ("docx", "srt,docx", ",", ""):
        with pytest.raises(UserError, match="unknown output format"):
            parse_formats(bad)


def test_outputs_are_named_by_stem_and_shared_stems_keep_their_extension(tmp_path):
    sources = [Path("a/talk.wav"), Path("b/talk.mp4"), Path("c/news.mkv")]
    items = plan_outputs(sources, tmp_path, (".srt", ".json"))
    assert [[p.name for p in i.outputs] for i in items] == [
        ["talk.wav.srt", "talk.wav.json"], ["talk.mp4.srt", "talk.mp4.json"], ["news.srt", "news.json"]]


def test_inputs_from_files_folders_and_patterns(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("b.wav", "a.MP4", "notes.txt", "a.srt"):
        (folder / name).write_bytes(b"x")
    (folder / "sub").mkdir()
    (folder / "sub" / "deep.wav").write_bytes(b"x")
    files, failures = expand_inputs([str(folder), str(folder / "notes.txt"), str(folder / "*.wav"),
                                     str(folder / "**" / "*.wav"), str(tmp_path / "none*.wav"), str(tmp_path / "gone.wav")])
    assert [f.name for f in files] == ["a.MP4", "b.wav", "notes.txt", "deep.wav", "gone.wav"]
    assert [f.message for f in failures] == [f"{tmp_path / 'none*.wav'}: no file matches this pattern"]


def test_a_folder_without_media_is_a_failure(tmp_path):
    (tmp_path / "readme.txt").write_text("x")
    files, failures = expand_inputs([str(tmp_path)])
    assert files == [] and "no audio or video files" in failures[0].message


def test_batch_mode_is_chosen_by_the_inputs(tmp_path):
    def args(*files, output_dir=None):
        return argparse.Namespace(files=list(files), output_dir=output_dir)

    assert not is_batch(args("talk.wav"))
    assert is_batch(args("talk.wav", output_dir="out"))
    assert is_batch(args("a.wav", "b.wav"))
    assert is_batch(args(str(tmp_path)))
    assert is_batch(args(str(tmp_path / "*.wav")))


def test_names_the_system_refuses_are_left_to_the_one_line_check(tmp_path):
    """A 300-character name (ENAMETOOLONG) must not raise while the inputs are sorted out (issue 10, item 9)."""
    long_name = str(tmp_path / ("a" * 300 + ".wav"))
    assert not is_batch(argparse.Namespace(files=[long_name], output_dir=None))
    files, failures = expand_inputs([long_name, str(tmp_path / ("b" * 300) / "*.wav")])
    assert files == [Path(long_name)]  # tried, and then refused with one line like any single file
    assert len(failures) == 1 and "no file matches" in failures[0].message


@pytest.mark.parametrize("argv, needles", [
    (["transcribe", "a.wav", "b.wav"], ["2 inputs", "--output-dir"]),
    (["transcribe", "a.wav", "b.wav", "-o", "x.srt", "--output-dir", "{tmp}"], ["-o x.srt", "--output-dir"]),
    (["transcribe", "{data}/jfk.flac", "-f", "srt"], ["-f srt", "--output-dir"]),
    (["transcribe", "a.wav", "--output-dir", "{tmp}", "-f", "docx"], ["-f docx", "unknown output format"]),
    (["transcribe", "a.wav", "--output-dir", "{tmp}/file.txt"], ["is a file, not a folder"]),
    (["transcribe", "a.wav", "--output-dir", "{tmp}", "--language", "xx"], ["--language xx"]),
    # issue 10.8: a folder that cannot be written is said before the model loads, not after the first transcription
    (["transcribe", "{data}/jfk.flac", "--output-dir", "/proc"], ["--output-dir /proc", "cannot write in it"]),
])
def test_wrong_batch_input_gives_one_line_and_status_2(capsys, tmp_path, data_dir, no_model, argv, needles):
    (tmp_path / "file.txt").write_text("x")
    argv = [a.replace("{tmp}", str(tmp_path)).replace("{data}", str(data_dir)) for a in argv]
    code, _, err = run_cli(capsys, *argv)
    assert_one_line_error(code, err, *needles)


@pytest.mark.slow
def test_batch_equals_single_file_runs_and_a_bad_file_does_not_stop_the_others(capsys, data_dir, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(data_dir / "LDC93S1.wav", folder)
    (folder / "broken.mp4").write_text("not a video")  # sorts between the two good files of the run
    (folder / "notes.txt").write_text("not picked from a folder")
    out = tmp_path / "out"
    code, _, err = run_cli(capsys, "transcribe", str(data_dir / "jfk.flac"), str(folder),
                           str(data_dir / "leopard_test.wa?"), "--output-dir", str(out), "-f", "srt,vtt,json",
                           "-m", "tiny.en", "--offline")
    assert code == 1, err
    lines = err.splitlines()
    assert "transcribed 3, skipped 0, failed 1" in err and "Traceback" not in err
    assert lines[-1].strip().startswith(str(folder / "broken.mp4") + ": not a media file")
    assert [line for line in lines if line.startswith("[")][-1].startswith("[4/4] ")  # went on after the bad file
    expected = {f"{stem}{ext}" for stem in ("jfk", "LDC93S1", "leopard_test") for ext in (".srt", ".vtt", ".json")}
    assert {p.name for p in out.iterdir()} == expected

    single = tmp_path / "single"
    single.mkdir()
    runs = [(data_dir / "jfk.flac", ext) for ext in (".srt", ".vtt", ".json")]
    runs += [(folder / "LDC93S1.wav", ".srt"), (data_dir / "leopard_test.wav", ".vtt")]
    for source, ext in runs:
        target = single / f"{source.stem}{ext}"
        assert main(["transcribe", str(source), "-m", "tiny.en", "--offline", "-o", str(target)]) == 0
        assert (out / target.name).read_bytes() == target.read_bytes(), target.name

    # again: everything done is skipped (the model is not even needed for them); the bad file fails again
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    capsys.readouterr()
    code, _, err = run_cli(capsys, "transcribe", str(data_dir / "jfk.flac"), str(folder), str(data_dir / "leopard_test.wa?"),
                           "--output-dir", str(out), "-f", "srt,vtt,json", "-m", "tiny.en", "--offline")
    assert code == 1 and "transcribed 0, skipped 3, failed 1" in err
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before

    # a missing format is added without redoing the others' files; --overwrite redoes them
    code, _, err = run_cli(capsys, "transcribe", str(folder / "LDC93S1.wav"), "--output-dir", str(out),
                           "-f", "srt,txt", "-m", "tiny.en", "--offline")
    assert code == 0 and (out / "LDC93S1.txt").read_text().strip()
    assert (out / "LDC93S1.srt").stat().st_mtime_ns == before["LDC93S1.srt"]
    code, _, err = run_cli(capsys, "transcribe", str(folder / "LDC93S1.wav"), "--output-dir", str(out),
                           "-f", "srt", "--overwrite", "-m", "tiny.en", "--offline")
    assert code == 0 and (out / "LDC93S1.srt").stat().st_mtime_ns != before["LDC93S1.srt"]
