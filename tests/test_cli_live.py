"""`subtitler live` through the real entry point: a file source end to end, Ctrl+C, and one-line errors."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from subtitler.cli import main
from subtitler.media.decode import decode_audio
from tests.test_cli_asr import assert_one_line_error

ROOT = Path(__file__).resolve().parents[1]


def live(*args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # SIGINT back to its default: a test run started in the background (nohup, CI) inherits it ignored
    return subprocess.Popen([sys.executable, "-m", "subtitler", "live", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def srt_text(path: Path) -> str:
    blocks = path.read_text().strip().split("\n\n")
    return " ".join(" ".join(b.splitlines()[2:]) for b in blocks)


def words(text: str) -> list[str]:
    return re.sub(r"[^\w\s']", " ", text.lower()).split()


@pytest.mark.slow
def test_file_source_at_four_times_real_time_prints_committed_text_and_writes_it(data_dir, tmp_path) -> None:
    out, wav = tmp_path / "live.srt", tmp_path / "take.wav"
    proc = live("--file", str(data_dir / "LDC93S1.wav"), "--speed", "4", "-m", "tiny.en", "--offline",
                "-o", str(out), "--record", str(wav))
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr
    assert words(stdout)[:3] == ["she", "had", "your"]
    assert words(srt_text(out)) == words(stdout)  # the file holds exactly the committed text
    assert "\033[" not in stdout  # piped output: no terminal codes, no tentative text
    assert sf.info(wav).duration == pytest.approx(2.925, abs=0.05)
    assert f"wrote {out}" in stderr


@pytest.mark.slow
def test_ctrl_c_writes_every_committed_word(data_dir, tmp_path) -> None:
    out, talk = tmp_path / "stopped.srt", tmp_path / "long_talk.wav"
    # a minute of speech, so the stream is still running when the first words are committed, even on a busy machine
    sf.write(talk, np.tile(decode_audio(data_dir / "jfk.flac"), 6), 16000)
    proc = live("--file", str(talk), "--speed", "1", "-m", "tiny.en", "--offline", "-o", str(out))
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()  # committed text arrives a line per utterance when piped
    deadline = time.monotonic() + 400
    while not "".join(lines).strip() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    assert "".join(lines).strip(), "nothing was committed"
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=900)  # one last decode: about a second on an idle machine, minutes on a saturated one
    reader.join(timeout=10)
    stdout, stderr = "".join(lines), proc.stderr.read()
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert words(srt_text(out)) == words(stdout)  # what was committed (and printed) is in the file, nothing else
    assert words(stdout)[:2] == ["and", "so"]


@pytest.mark.parametrize("args, needles", [
    (["live", "--device", "987"], ["987"]),
    (["live", "--file", "/no/such/talk.mp4"], ["/no/such/talk.mp4"]),
    (["live", "--file", "{data}/jfk.flac", "-o", "out.docx"], ["out.docx", "unknown output format"]),
    (["live", "--file", "{data}/jfk.flac", "--record", "take.mp3"], ["take.mp3"]),
    (["live", "--file", "{data}/jfk.flac", "--speed", "-1"], ["--speed"]),
])
def test_wrong_input_gives_one_line_and_status_2(capsys, data_dir, args, needles) -> None:
    code = main([a.replace("{data}", str(data_dir)) for a in args])
    _, err = capsys.readouterr()
    assert_one_line_error(code, err, *needles)


def test_a_file_without_sound_is_refused_before_the_model_loads(capsys, bad_media) -> None:
    code = main(["live", "--file", str(bad_media["silent"]), "-m", "no-such-model"])
    _, err = capsys.readouterr()
    assert_one_line_error(code, err, str(bad_media["silent"]))


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _update(committed: list[str], tentative: list[str], ended: bool = False):
    from subtitler.asr.alignment import WordTiming
    from subtitler.asr.streaming import StreamUpdate

    timed = lambda ws: tuple(WordTiming(w, i, i + 0.5, 0.9) for i, w in enumerate(ws))  # noqa: E731
    return StreamUpdate(timed(committed), timed(tentative), 1.0, ended)


def test_terminal_shows_tentative_text_dimmed_and_redraws_it_in_place() -> None:
    from subtitler.cli_live import DIM, RESET, LivePrinter

    screen = _Terminal()
    printer = LivePrinter(screen)
    printer.update(_update([" And"], [" so", " my"]), [])
    printer.update(_update([" so"], [" my", " fellow"]), [])
    printer.update(_update([" my", " fellow", " Americans."], [], ended=True), [])
    printer.close()
    out = screen.getvalue()
    assert f"And{DIM} so my{RESET}" in out  # committed plain, tentative dimmed after it
    assert f"And so{DIM} my fellow{RESET}" in out  # the guess redrawn on the same line
    assert "\r\033[KAnd so my fellow Americans.\n" in out  # the finished line, without the dimmed guess
    assert out.count("\n") == 1  # one finished line per utterance


def test_piped_output_gets_committed_text_only() -> None:
    from subtitler.cli_live import LivePrinter

    pipe = io.StringIO()
    printer = LivePrinter(pipe)
    printer.update(_update([" And"], [" so", " my"]), [])
    printer.update(_update([" so", " my"], [" fellow"], ended=True), [])
    printer.close()
    assert pipe.getvalue() == "And so my\n"
