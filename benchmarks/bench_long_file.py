"""Peak memory of `subtitler transcribe` and `subtitler detect` on long files, to show it stays flat with length.

The long files are built from the shared English clips (../shared/data) joined into one ~3-minute
piece and looped with ffmpeg to each length, then encoded as MP3 (as a film's audio would arrive).
Each command runs in its own process; its peak resident memory comes from wait4().

Transcription's memory is all taken before and in its first windows (decoded samples, model, the
feature set-up; the old code's whole-file spectrogram too); later windows reuse the same buffers.
So besides full runs (--full, slow on a shared 2-core machine: tiny.en needs minutes per hour of
audio), each length is also transcribed through its first --windows-minutes of windows and then
interrupted (SIGINT, as Ctrl+C), which measures the same peak in a fraction of the time; a full run
next to a partial one on the same file shows the two agree. `--old PATH` adds the same partial run
with another checkout's code (the commit before the per-window features) for comparison.

    .venv/bin/python benchmarks/bench_long_file.py                       # 30, 60, 120 min, partial runs
    .venv/bin/python benchmarks/bench_long_file.py --full 30 --old /tmp/oldcheck/repo
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
CLIPS = ["jfk.flac", "LDC93S1.wav", "leopard_test.wav", "librispeech_61-70968-0000.flac", "mfa_acoustic_corpus.wav",
         "mfa_cold_corpus.wav", "pyannote_sample.wav"]
sys.path.insert(0, str(ROOT))


def ffmpeg() -> str:
    from subtitler.media.ffmpeg_binary import find_ffmpeg

    return find_ffmpeg()


def build(minutes: int, folder: Path) -> Path:
    """A file of `minutes` made by looping the joined clips (cached between runs)."""
    piece = folder / "piece.wav"
    if not piece.exists():
        inputs = [arg for clip in CLIPS for arg in ("-i", str(DATA / clip))]
        graph = "".join(f"[{i}:a]aresample=16000,aformat=channel_layouts=mono[a{i}];" for i in range(len(CLIPS)))
        graph += "".join(f"[a{i}]" for i in range(len(CLIPS))) + f"concat=n={len(CLIPS)}:v=0:a=1[out]"
        subprocess.run([ffmpeg(), "-loglevel", "error", "-y", *inputs, "-filter_complex", graph, "-map", "[out]",
                        str(piece)], check=True)
    out = folder / f"long_{minutes}min.mp3"
    if not out.exists():
        subprocess.run([ffmpeg(), "-loglevel", "error", "-y", "-stream_loop", "-1", "-i", str(piece), "-t", str(minutes * 60),
                        "-ac", "1", "-b:a", "48k", str(out)], check=True)
    return out


def peak_rss_mb(args: list[str], code: Path = ROOT, stop_after_s: float | None = None) -> tuple[float, float]:
    """Run `python -m subtitler ARGS` with the package in `code`; its peak RSS in MB and wall seconds.

    With `stop_after_s`, the segments it prints are read and it is interrupted (SIGINT) once one ends past that time.
    """
    import signal

    began = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "subtitler", *args], cwd=code, stderr=subprocess.DEVNULL,
                            stdout=subprocess.PIPE if stop_after_s else subprocess.DEVNULL, text=True,
                            env={**os.environ, "PYTHONPATH": str(code)})
    if stop_after_s is not None:
        for line in proc.stdout:  # "[mm:ss.fff --> mm:ss.fff] text"
            end = line.split("-->", 1)[-1].split("]", 1)[0].strip() if "-->" in line else ""
            minutes, _, seconds = end.partition(":")
            if seconds and int(minutes) * 60 + float(seconds) >= stop_after_s:
                proc.send_signal(signal.SIGINT)
                break
        proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    code_ = os.waitstatus_to_exitcode(status)
    if code_ not in (0, 130):
        print(f"  {' '.join(args[:2])}: exit {code_}", file=sys.stderr)
    return usage.ru_maxrss / 1024, time.perf_counter() - began


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def feature_step(path: Path) -> tuple[float, float]:
    """Extra memory (MB) of the old whole-file log-mel and of the per-window features, on the decoded audio."""
    from subtitler.asr.audio import N_FRAMES, N_SAMPLES, LogMelWindows, log_mel_spectrogram
    from subtitler.media.decode import decode_audio

    audio = decode_audio(path)
    gc.collect()
    base = rss_mb()
    whole = log_mel_spectrogram(audio, 80, padding=N_SAMPLES)  # what transcription held before
    old = rss_mb() - base
    del whole
    gc.collect()
    base = rss_mb()
    windows = LogMelWindows(audio, 80, padding=N_SAMPLES)
    peak = 0.0
    for seek in range(0, windows.shape[1] - N_FRAMES, N_FRAMES):
        window = windows[:, seek:seek + N_FRAMES]
        peak = max(peak, rss_mb() - base)
        del window
    del windows, audio
    return old, peak


def feature_step_apart(path: Path) -> tuple[float, float]:
    """feature_step in a process of its own: a child forked from a parent holding 2 GB counts them in its peak RSS."""
    done = subprocess.run([sys.executable, __file__, "--feature-step", str(path)], capture_output=True, text=True, check=True)
    old, windows = done.stdout.split()
    return float(old), float(windows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, nargs="+", default=[30, 60, 120])
    parser.add_argument("--full", type=int, nargs="*", default=[], metavar="MIN", help="lengths also transcribed to the end")
    parser.add_argument("--windows-minutes", type=float, default=2.0, help="audio transcribed by a partial run")
    parser.add_argument("--old", type=Path, help="a checkout of older code to compare (its partial runs and detect)")
    parser.add_argument("--model", default="tiny.en", help="model for transcribe (default tiny.en)")
    parser.add_argument("--detect-model", default="base", help="multilingual model for detect (default base)")
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "subtitler-long-files")
    parser.add_argument("--feature-step", type=Path, help=argparse.SUPPRESS)  # the child run of feature_step_apart
    args = parser.parse_args()
    if args.feature_step is not None:
        print(*feature_step(args.feature_step))
        return 0
    args.folder.mkdir(parents=True, exist_ok=True)
    # Word timestamps off: the same work per window as the older code compared with (it had none).
    transcribe = ["-m", args.model, "--no-fallback"]
    ours = [*transcribe, "--no-word-timestamps"]
    print(f"machine: {os.cpu_count()} cores, shared with other work; {args.model} for transcribe, {args.detect_model} for "
          f"detect; peak RSS of each whole process in MB (seconds); partial = first {args.windows_minutes:g} min of windows")
    print(f"{'length':>7} {'samples':>8} | {'detect':>12} {'partial':>12} {'full':>12} {'old detect':>12} {'old partial':>12}"
          f" | {'old mel +MB':>11} {'windows +MB':>11}")
    for minutes in args.minutes:
        path = build(minutes, args.folder)
        cells = [peak_rss_mb(["detect", str(path), "-m", args.detect_model]),
                 peak_rss_mb(["transcribe", str(path), *ours], stop_after_s=args.windows_minutes * 60)]
        out = args.folder / f"long_{minutes}min.srt"
        cells.append(peak_rss_mb(["transcribe", str(path), *ours, "-o", str(out), "--force"])
                     if minutes in args.full else None)
        if args.old is not None:
            cells.append(peak_rss_mb(["detect", str(path), "-m", args.detect_model], code=args.old))
            cells.append(peak_rss_mb(["transcribe", str(path), *transcribe], code=args.old,
                                     stop_after_s=args.windows_minutes * 60))
        cells += [None] * (5 - len(cells))
        old_mel, windows = feature_step_apart(path)
        shown = " ".join(f"{f'{mb:.0f} ({s:.0f})':>12}" if cell else f"{'-':>12}" for cell in cells for mb, s in [cell or (0, 0)])
        print(f"{minutes:>5} m {minutes * 60 * 16000 * 4 / 2**20:>6.0f}MB | {shown} | {old_mel:>11.0f} {windows:>11.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
