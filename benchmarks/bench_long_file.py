"""Peak memory of `subtitler transcribe` and `subtitler detect` on long files, to show it stays flat with length.

The long files are built from the shared English clips (../shared/data) joined into one ~3-minute
piece and looped with ffmpeg to each length, then encoded as MP3 (as a film's audio would arrive).
Each command runs in its own process; its peak resident memory comes from wait4(). The feature
step alone is also measured in-process: the whole-file log-mel the old code built, against the
per-window features used now.

    .venv/bin/python benchmarks/bench_long_file.py                 # 30, 60 and 120 minutes, tiny.en, base for detect
    .venv/bin/python benchmarks/bench_long_file.py --minutes 30 --skip-transcribe
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


def peak_rss_mb(args: list[str]) -> tuple[float, float, int]:
    """Run `python -m subtitler ARGS`; its peak RSS in MB, wall seconds and exit status."""
    began = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "subtitler", *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace").strip().splitlines()
    if proc.returncode:
        print(f"  {' '.join(args[:2])}: exit {proc.returncode}: {err[-1] if err else ''}", file=sys.stderr)
    return usage.ru_maxrss / 1024, time.perf_counter() - began, proc.returncode


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, nargs="+", default=[30, 60, 120])
    parser.add_argument("--model", default="tiny.en", help="model for transcribe (default tiny.en)")
    parser.add_argument("--detect-model", default="base", help="multilingual model for detect (default base)")
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "subtitler-long-files")
    parser.add_argument("--skip-transcribe", action="store_true", help="detect and the feature step only")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores, shared with other work; model {args.model} (transcribe), "
          f"{args.detect_model} (detect); peak RSS of each whole process, MB")
    print(f"{'length':>8} {'audio MB':>9} {'detect MB':>10} {'detect s':>9} {'transcribe MB':>14} {'transcribe s':>13} "
          f"{'old mel +MB':>12} {'windows +MB':>12}")
    for minutes in args.minutes:
        path = build(minutes, args.folder)
        audio_mb = minutes * 60 * 16000 * 4 / 2**20
        detect_mb, detect_s, _ = peak_rss_mb(["detect", str(path), "-m", args.detect_model])
        if args.skip_transcribe:
            transcribe_mb, transcribe_s = float("nan"), float("nan")
        else:
            out = args.folder / f"long_{minutes}min.srt"
            transcribe_mb, transcribe_s, _ = peak_rss_mb(["transcribe", str(path), "-m", args.model, "--no-fallback",
                                                          "-o", str(out), "--force"])
        old_mel, windows = feature_step(path)
        print(f"{minutes:>6} m {audio_mb:>9.0f} {detect_mb:>10.0f} {detect_s:>9.1f} {transcribe_mb:>14.0f} "
              f"{transcribe_s:>13.0f} {old_mel:>12.0f} {windows:>12.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
