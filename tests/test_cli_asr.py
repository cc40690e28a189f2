"""`subtitler transcribe|detect|models` through the real entry point: outputs, and one clear line + status 2 for bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from subtitler.cli import main


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, err: str, *needles: str) -> None:
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("subtitler")
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0]


@pytest.mark.parametrize(
    "args, needles",
    [
        (["transcribe", "/no/such/file.wav"], ["/no/such/file.wav", "not found"]),
        (["transcribe", "{data}/jfk.flac", "-m", "no-such-model"], ["no-such-model", "unknown model"]),
        (["transcribe", "{data}/jfk.flac", "-o", "out.docx"], ["out.docx", "unknown output format"]),
        (["transcribe", "{data}/jfk.flac", "-o", "/no/such/dir/out.srt"], ["does not exist"]),
        (["transcribe", "{data}/jfk.flac", "--beam-size", "0"], ["--beam-size"]),
        (["transcribe", "{data}/jfk.flac", "--device", "cuda", "-m", "tiny.en"], ["cuda"]),
        (["transcribe", "{data}/jfk.flac", "-m", "tiny.en", "--language", "de"], ["English-only"]),
        (["transcribe", "{data}/jfk.flac", "-m", "tiny.en", "--task", "translate"], ["cannot translate"]),
        (["transcribe", "{data}/jfk.flac", "-m", "base", "--language", "xx"], ["--language xx"]),
        (["transcribe", "{data}/jfk.flac", "-m", "base", "--language", "Klingon"], ["--language Klingon"]),
        (["detect", "{data}/jfk.flac", "-m", "tiny.en"], ["English-only"]),
        (["transcribe", "{data}/jfk.flac", "--task", "dance"], ["--task"]),
        (["transcribe", "{data}/jfk.flac", "--word-timing", "exact"], ["--word-timing"]),
        (["transcribe", "{data}/jfk.flac", "--highlight-words"], ["--highlight-words", "without -o"]),
        (["transcribe", "{data}/jfk.flac", "--max-words-per-cue", "3", "-o", "x.json"], ["--max-words-per-cue", "x.json"]),
        (["transcribe", "{data}/jfk.flac", "--highlight-words", "-o", "x.subtitler.json"], ["x.subtitler.json", ".ass"]),
        (["transcribe", "{data}/jfk.flac", "--max-words-per-cue", "0", "-o", "x.srt"], ["--max-words-per-cue 0"]),
        (["transcribe", "{data}/jfk.flac", "--highlight-words", "--no-word-timestamps", "-o", "x.srt"],
         ["--no-word-timestamps"]),
        (["transcribe"], ["file"]),
        (["models", "download", "no-such-model"], ["no-such-model"]),
        (["no-such-command"], ["no such command or file"]),
    ],
)
def test_wrong_input_gives_one_line_and_status_2(capsys, data_dir, args, needles):
    if args[:1] == ["transcribe"] and "--device" in args:
        import torch

        if torch.cuda.is_available():
            pytest.skip("a GPU is present")
    args = [a.replace("{data}", str(data_dir)) for a in args]
    code, _, err = run_cli(capsys, *args)
    assert_one_line_error(code, err, *needles)


@pytest.mark.parametrize("kind, needle", [("text", "not a media file"), ("silent", "no audio stream")])
def test_bad_media_gives_one_line_and_status_2(capsys, bad_media, kind, needle):
    code, _, err = run_cli(capsys, "transcribe", str(bad_media[kind]), "-m", "tiny.en")
    assert_one_line_error(code, err, str(bad_media[kind]), needle)


def test_debug_shows_the_traceback(data_dir):
    proc = subprocess.run([sys.executable, "-m", "subtitler", "--debug", "transcribe", "/no/such/file.wav"],
                          capture_output=True, text=True)
    assert proc.returncode != 0 and "Traceback" in proc.stderr


def test_models_list_shows_installed_packages(capsys):
    code, out, _ = run_cli(capsys, "models", "list")
    assert code == 0
    rows = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    assert "site-packages" in rows["tiny.en"] and "site-packages" in rows["base"]
    assert "not installed" in rows["large-v3"]


@pytest.mark.slow
def test_transcribe_writes_every_output_format(capsys, data_dir, tmp_path):
    from subtitler.formats.registry import read_document

    outputs = {ext: tmp_path / f"jfk{ext}" for ext in (".srt", ".vtt", ".txt", ".json")}
    for ext, out in outputs.items():
        code, _, err = run_cli(capsys, "transcribe", str(data_dir / "jfk.flac"), "-m", "tiny.en", "-o", str(out))
        assert code == 0, err
    result = json.loads(outputs[".json"].read_text())
    assert result["language"] == "en" and abs(result["duration"] - 11.0) < 0.1
    seg = result["segments"][0]
    assert {"start", "end", "text", "avg_logprob", "no_speech_prob", "compression_ratio"} <= set(seg)
    text = " ".join(s["text"] for s in result["segments"]).lower()
    assert "ask not what your country can do for you" in text
    for ext in (".srt", ".vtt"):
        doc = read_document(outputs[ext]).document
        assert len(doc) >= 1 and doc[-1].end_ms <= 11_000 and "your country" in doc[-1].text
    assert "ask what you can do for your country" in outputs[".txt"].read_text()


@pytest.mark.slow
def test_project_output_keeps_words_and_passes_the_timing_rules(capsys, data_dir, tmp_path):
    """Issue 11 fault 1 through the CLI (cues one segment at a time touched: five 0-ms gaps on this clip)."""
    from subtitler.core.qc import check
    from subtitler.formats.registry import read_document

    out = tmp_path / "cold.subtitler.json"
    code, _, err = run_cli(capsys, "transcribe", str(data_dir / "mfa_cold_corpus.wav"), "-m", "tiny.en", "-o", str(out))
    assert code == 0, err
    doc = read_document(out).document
    assert len(doc) >= 4 and doc.language == "en"
    assert [f.message for f in check(doc) if f.rule in ("overlap", "gap_too_small", "too_short")] == []
    assert all(cue.words and cue.start_ms == cue.words[0].start_ms for cue in doc)
    assert all(w.probability is not None for cue in doc for w in cue.words)


@pytest.mark.slow
def test_max_words_highlight_and_vad_shape_the_cues(capsys, data_dir, tmp_path):
    import pysubs2

    from subtitler.formats.registry import read_document

    srt = tmp_path / "jfk.srt"
    code, _, err = run_cli(capsys, "transcribe", str(data_dir / "jfk.flac"), "-m", "tiny.en", "--max-words-per-cue", "4",
                           "-o", str(srt))
    assert code == 0, err
    doc = read_document(srt).document
    assert len(doc) >= 6 and all(len(cue.plain_text.split()) <= 4 for cue in doc)
    ass = tmp_path / "jfk.ass"
    code, _, err = run_cli(capsys, "transcribe", str(data_dir / "jfk.flac"), "-m", "tiny.en", "--vad", "--highlight-words",
                           "-o", str(ass))
    assert code == 0, err
    events = pysubs2.load(str(ass)).events
    assert events and all("\\k" in e.text for e in events)
    assert "ask not what your country" in " ".join(e.plaintext for e in events).lower().replace("\n", " ")
    vtt = tmp_path / "jfk.vtt"
    code, _, err = run_cli(capsys, "transcribe", str(data_dir / "jfk.flac"), "-m", "tiny.en", "--highlight-words",
                           "-o", str(vtt))
    assert code == 0, err
    cues = read_document(vtt).document
    assert sum("<u>" in c.text for c in cues) >= 20  # one cue per spoken word
    assert all(a.end_ms <= b.start_ms for a, b in zip(cues, list(cues)[1:]))


@pytest.mark.slow
def test_detect_prints_top_five(capsys, data_dir):
    code, out, _ = run_cli(capsys, "detect", str(data_dir / "leopard_test_de.wav"), "-m", "base")
    assert code == 0
    rows = [line.split("\t") for line in out.splitlines()]
    assert len(rows) == 5 and rows[0][0] == "de" and float(rows[0][1]) > 0.9
    assert [float(r[1]) for r in rows] == sorted((float(r[1]) for r in rows), reverse=True)


def test_ffmpeg_missing_gives_one_line(capsys, data_dir, tmp_path, monkeypatch):
    import imageio_ffmpeg

    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", lambda: (_ for _ in ()).throw(RuntimeError("none")))
    code, _, err = run_cli(capsys, "transcribe", str(data_dir / "jfk.flac"), "-m", "tiny.en")
    assert_one_line_error(code, err, "ffmpeg not found")


def test_truncated_media_warns_and_transcribes_what_is_there(capsys, data_dir, tmp_path):
    cut = tmp_path / "cut.mp4"
    cut.write_bytes((data_dir / "jfk.mp4").read_bytes()[:60_000])
    code, out, err = run_cli(capsys, "transcribe", str(cut), "-m", "tiny.en")
    assert code == 0
    assert "warning" in err and "cut.mp4" in err and "Traceback" not in err
    assert "fellow americans" in out.lower()
