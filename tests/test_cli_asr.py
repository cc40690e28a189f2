"""`subtitler transcribe|detect|models` through the real entry point: outputs, and one clear line + status 2 for bad input."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from subtitler.cli import main
from subtitler.media.ffmpeg_binary import find_ffmpeg


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
        (["transcribe", "{data}/jfk.flac", "-m", "tiny.en", "--device", "cpu", "--compute-type", "float16"],
         ["--compute-type float16", "GPU only"]),
        (["transcribe", "{data}/jfk.flac", "-m", "tiny.en", "--threads", "0"], ["--threads 0"]),
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
    if args[:1] == ["transcribe"] and "cuda" in args:
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
def test_int8_transcribes_and_reports_its_speed(capsys, data_dir, tmp_path):
    out = tmp_path / "jfk.srt"
    code, _, err = run_cli(capsys, "transcribe", str(data_dir / "jfk.flac"), "-m", "tiny.en", "--compute-type", "int8",
                           "--threads", "1", "-o", str(out))
    assert code == 0, err
    assert "your country" in out.read_text()
    assert re.search(r"transcribed 11\.0 s of audio in [\d.]+ s \([\d.]+x realtime, int8\)", err), err


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


# --- issue 10: faults found by trying bad input --------------------------------------------------

LONG = "a" * 300


@pytest.fixture()
def no_model(monkeypatch):
    """Fails the test if a model would be loaded: bad media must be refused before that (2-9 s saved)."""
    from subtitler.asr import engine

    def refuse(*_args, **_kwargs):
        raise AssertionError("the model was loaded before the input was checked")

    monkeypatch.setattr(engine, "load_engine", refuse)


def header_only_wav(path: Path) -> Path:
    import struct

    path.write_bytes(b"RIFF" + struct.pack("<I", 36) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, 16000, 32000, 2, 16)
                     + b"data" + struct.pack("<I", 0))
    return path


@pytest.mark.parametrize("command", ["transcribe", "detect"])
@pytest.mark.parametrize("case", ["long-name", "long-folder", "fifo", "device", "header-only", "track", "negative-track"])
def test_bad_media_is_one_line_before_any_model_loads(capsys, tmp_path, data_dir, no_model, command, case):
    args = {
        "long-name": [str(tmp_path / f"{LONG}.wav")],
        "long-folder": [str(tmp_path / LONG / "x.wav")],
        "fifo": [str(tmp_path / "pipe.wav")],
        "device": ["/dev/zero"],
        "header-only": [str(header_only_wav(tmp_path / "empty.wav"))],
        "track": [str(data_dir / "jfk.flac"), "--audio-track", "3"],
        "negative-track": [str(data_dir / "jfk.flac"), "--audio-track", "-1"],
    }[case]
    if case == "fifo":
        os.mkfifo(args[0])
    code, _, err = run_cli(capsys, command, *args, "-m", "base")
    needle = {"long-name": "too long", "long-folder": "too long", "fifo": "pipe", "device": "device",
              "header-only": "no sound", "track": "no audio track 3", "negative-track": "no audio track -1"}[case]
    assert_one_line_error(code, err, needle)
    if case == "track":
        assert "number 0" in err  # the message counts tracks as --audio-track does, from 0


@pytest.mark.parametrize("args, needle", [
    (["transcribe", "{data}/jfk.flac", "--beam-size", "100000"], "--beam-size: 100000"),
    (["transcribe", "{data}/jfk.flac", "--beam-size", "-3"], "--beam-size: -3"),
    (["transcribe", "{data}/jfk.flac", "-o", "{tmp}"], "is a folder"),
    (["transcribe", "{data}/jfk.flac", "-o", "/proc/out.srt"], "cannot write in folder"),
    (["transcribe", "{tmp}/audio.txt", "-o", "{tmp}/audio.txt"], "is the input file"),
    (["transcribe", "{tmp}/audio.txt", "-o", "{tmp}/./audio.txt"], "is the input file"),
    (["transcribe", "{data}/jfk.flac", "-o", "{tmp}/video.mp4.srt/"], "is a folder"),
    (["convert", "{tmp}/" + LONG + ".srt", "{tmp}/o.srt"], "too long"),
    (["check", "{tmp}/" + LONG + ".srt"], "too long"),
])
def test_bad_arguments_are_one_line_before_any_model_loads(capsys, tmp_path, data_dir, no_model, args, needle):
    import shutil

    shutil.copy(data_dir / "jfk.flac", tmp_path / "audio.txt")
    (tmp_path / "video.mp4.srt").mkdir()
    args = [a.replace("{data}", str(data_dir)).replace("{tmp}", str(tmp_path)) for a in args]
    code, _, err = run_cli(capsys, *args)
    assert_one_line_error(code, err, needle)
    assert (tmp_path / "audio.txt").read_bytes() == (data_dir / "jfk.flac").read_bytes()


def test_gui_with_a_too_long_name_is_one_line(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "subtitler", str(tmp_path / f"{LONG}.srt")], capture_output=True, text=True,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, timeout=60)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


@pytest.mark.parametrize("prefix", ["pipe:", "subfile:", "http:"])
def test_names_that_look_like_ffmpeg_protocols_are_read_as_files(tmp_path, data_dir, prefix):
    from subtitler.media.decode import decode_audio
    from subtitler.media.probe import probe

    import shutil

    folder = tmp_path / "work"
    folder.mkdir()
    shutil.copy(data_dir / "jfk.flac", folder / f"{prefix}jfk.flac")
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        assert probe(f"{prefix}jfk.flac").duration_s == pytest.approx(11.0, abs=0.1)
        assert len(decode_audio(f"{prefix}jfk.flac")) == 176_000
    finally:
        os.chdir(cwd)


def test_a_header_announcing_200_hours_neither_allocates_it_nor_fails(tmp_path, data_dir):
    """Decoded under a 3 GB address-space limit: the old code allocated 42.9 GiB for the announced length."""
    import struct

    mka = tmp_path / "huge.mka"
    subprocess.run([find_ffmpeg(), "-loglevel", "error", "-i", str(data_dir / "jfk.flac"), "-c:a", "copy", str(mka)], check=True)
    data = bytearray(mka.read_bytes())
    at = data.find(b"\x44\x89\x88")  # Matroska Segment Info: Duration, an 8-byte float in milliseconds
    data[at + 3: at + 11] = struct.pack(">d", 200 * 3600 * 1000.0)
    mka.write_bytes(bytes(data))
    script = ("import resource, warnings; resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30)); "
              "from subtitler.media.probe import probe; from subtitler.media.decode import decode_audio; "
              f"print(probe({str(mka)!r}).duration_s / 3600); warnings.simplefilter('ignore'); "
              f"print(len(decode_audio({str(mka)!r})))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["200.0", "176000"]


@pytest.mark.slow
def test_transcribe_with_special_tokens_in_the_prompt(capsys, data_dir):
    code, out, err = run_cli(capsys, "transcribe", str(data_dir / "jfk.flac"), "-m", "tiny.en",
                             "--initial-prompt", "<|endoftext|> hi <|notimestamps|>")
    assert code == 0, err
    assert "your country" in out


def test_output_closed_by_the_reader_is_one_line(data_dir):
    """`subtitler transcribe x | head -1`: the pipe is closed before the first line is written."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    proc = subprocess.run([sys.executable, "-m", "subtitler", "transcribe", str(data_dir / "jfk.flac"), "-m", "tiny.en"],
                          stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=300)
    os.close(write_end)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr and "closed" in proc.stderr


@pytest.mark.slow
def test_a_result_that_cannot_be_written_is_kept_and_its_place_named(capsys, data_dir, tmp_path, monkeypatch):
    from subtitler.core import atomic

    target = tmp_path / "out.srt"
    real = atomic.atomic_write_bytes

    def disk_full(path, data):
        if Path(path) == target:
            raise OSError(28, "No space left on device")
        real(path, data)

    monkeypatch.setattr(atomic, "atomic_write_bytes", disk_full)
    monkeypatch.setattr("subtitler.formats.registry.atomic_write_bytes", disk_full)
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    code, _, err = run_cli(capsys, "transcribe", str(data_dir / "jfk.flac"), "-m", "tiny.en", "-o", str(target))
    kept = tmp_path / "elsewhere" / "out.srt"
    assert err.startswith("transcribed 11.0 s of audio in ")  # the speed line comes first: the work was done
    assert_one_line_error(code, err.split("\n", 1)[1], str(target), "No space left", str(kept))
    assert "your country" in kept.read_text(encoding="utf-8")


@pytest.mark.slow
def test_detect_decodes_only_the_first_30_seconds(capsys, data_dir, monkeypatch):
    from subtitler.media import pipe

    commands = []
    real = pipe.decode_command
    monkeypatch.setattr(pipe, "decode_command", lambda *a, **k: commands.append(real(*a, **k)) or commands[-1])
    monkeypatch.setattr("subtitler.media.decode.decode_command", pipe.decode_command)
    code, out, _ = run_cli(capsys, "detect", str(data_dir / "aeneas_capitan_veneno_es.mp3"), "-m", "base")
    assert code == 0 and out.split()[0] == "es"
    assert len(commands) == 1 and "-t" in commands[0] and commands[0][commands[0].index("-t") + 1] == "30"
