"""Live captions on ../shared/data: commit latency, accuracy against the reference and the offline run, load.

Each clip is played through the product's own path (FileSource -> LiveSession, as `subtitler live
--file` does) at each speed. Figures per run:

- latency: wall-clock time from the moment a word's end was played (start + end / speed) to its
  commit, median and 90th percentile over all committed words (grows without bound when decoding
  cannot keep up with the speed);
- audio lag: audio received when a word was committed, less the word's end (seconds of audio):
  the delay the commit policy itself adds, whatever the machine's speed (speed 0 measures it alone);
- WER of the committed text against the human reference and against the offline transcription
  of the same file (same model, temperature 0), normalised as in PEERS.md;
- RTF: wall time of decoding / audio time (below 1 keeps up in real time), decodes, peak RSS;
- a check that the cues (what the file gets) hold exactly the committed words.

``--long-minutes N`` also streams the English clips joined and repeated (whole repeats, at least N
minutes), as fast as decoding goes (speed 0), for the load of a long stream: CPU seconds per audio
second (the real time factor a machine needs to keep up: below 1 it keeps up), wall time of the
decodes, the process's resident memory every few minutes of audio (its growth over the stream is
what an hour-long take would add), the audio lag, and the WER of the whole committed text against
the repeated references. ``--clips`` with no names skips the per-clip runs. Usage:

    .venv/bin/python benchmarks/bench_live.py [-m tiny.en] [--threads 1] [--clips jfk.flac LDC93S1.wav] [--speeds 1 4] [--long-minutes 20]
        [--compute-type auto|int8|float32]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from asr_clips import DATA, HUMAN_ENGLISH, joined, load_clip, normalise, wer  # noqa: E402

from subtitler.asr.engine import load_engine  # noqa: E402
from subtitler.asr.live_session import LiveSession  # noqa: E402
from subtitler.asr.streaming import StreamingOptions, live_transcribe_options  # noqa: E402
from subtitler.media.live_sources import FileSource  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """Resident memory now (Linux /proc), in MB."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def offline_text(engine, audio: np.ndarray) -> str:
    return "".join(s.text for s in engine.transcribe(audio, live_transcribe_options()))


def stream(engine, path: Path, speed: float, report_every_s: float = 0.0) -> dict:
    """One live run; latencies in wall seconds (only meaningful when speed > 0).

    `report_every_s` > 0 prints a progress line (audio, wall, CPU, RSS) every that many seconds of audio
    and keeps the RSS samples."""
    commits: list[tuple[float, float]] = []  # (word end on the stream's clock, wall time of its commit)
    audio_lags: list[float] = []  # audio received when a word was committed, less its end: the policy's own delay
    rss: list[tuple[float, float]] = []  # (audio seconds, RSS MB)
    began, cpu0 = time.monotonic(), time.process_time()

    def on_update(update, cues) -> None:
        now = time.monotonic()
        commits.extend((w.end, now) for w in update.committed)
        audio_lags.extend(update.position_s - w.end for w in update.committed)
        if report_every_s > 0 and update.position_s >= (len(rss) + 1) * report_every_s:
            rss.append((update.position_s, rss_mb()))
            print(f"    {update.position_s / 60:5.1f} min of audio: wall {now - began:6.0f} s, CPU {time.process_time() - cpu0:6.0f} s, "
                  f"{session.transcriber.decodes} decodes, RSS {rss[-1][1]:.0f} MB", flush=True)

    session = LiveSession(engine, FileSource(path, speed=speed), StreamingOptions(), on_update=on_update)
    decode_walls: list[float] = []
    transcribe_buffer = session.transcriber._transcribe_buffer

    def timed_decode(*args, **kwargs):
        t = time.monotonic()
        try:
            return transcribe_buffer(*args, **kwargs)
        finally:
            decode_walls.append(time.monotonic() - t)

    session.transcriber._transcribe_buffer = timed_decode  # the wall time of each decode, for the long run's figures
    began, cpu0 = time.monotonic(), time.process_time()
    result = session.run()
    wall = time.monotonic() - began
    cpu = time.process_time() - cpu0
    latencies = [t - (began + end / speed) for end, t in commits] if speed > 0 else []
    cue_words = normalise(" ".join(c.text for c in result.cues))
    assert cue_words == normalise(result.text), "the cues hold something other than the committed words"
    return {"text": result.text, "latencies": latencies, "audio_lags": audio_lags, "wall": wall, "cpu": cpu,
            "decodes": session.transcriber.decodes, "words": len(result.words), "rss": rss, "decode_walls": decode_walls}


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-m", "--model", default="tiny.en")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice, one per core)")
    parser.add_argument("--clips", nargs="*", default=["jfk.flac", "LDC93S1.wav", "leopard_test.wav", "librispeech_61-70968-0000.flac"])
    parser.add_argument("--speeds", nargs="+", type=float, default=[1.0, 4.0])
    parser.add_argument("--long-minutes", type=float, default=0.0)
    parser.add_argument("--compute-type", default="auto", help="as the CLI's (auto: int8 on the CPU)")
    args = parser.parse_args()

    engine = load_engine(args.model, device="cpu", compute_type=args.compute_type, threads=args.threads)
    print(f"model {args.model} ({engine.compute_type}), CPU, {torch.get_num_threads()} torch threads; machine shared with other jobs (load average now "
          f"{os.getloadavg()[0]:.1f})")
    print(f"{'clip':32} {'speed':>5} {'WER ref':>8} {'WER off':>8} {'lat p50':>8} {'lat p90':>8} {'alag p50':>8} {'alag p90':>8} {'RTF':>6} {'decodes':>7} {'RSS MB':>7}")
    all_latencies: dict[float, list[float]] = {}
    for name in args.clips:
        clip = load_clip(name)
        offline = offline_text(engine, clip.audio)
        path = DATA / name
        if name == "stereo_diarization.wav":  # the left channel carries the reference
            tmp = Path(tempfile.mkdtemp()) / "left.wav"
            sf.write(tmp, clip.audio, 16000)
            path = tmp
        for speed in args.speeds:
            run = stream(engine, path, speed)
            all_latencies.setdefault(speed, []).extend(run["latencies"])
            rtf = run["wall"] / clip.seconds if speed == 0 else float("nan")
            print(f"{name:32} {speed:5g} {wer([clip.reference], [run['text']]):8.3f} {wer([offline], [run['text']]):8.3f} "
                  f"{pct(run['latencies'], 50):8.2f} {pct(run['latencies'], 90):8.2f} "
                  f"{pct(run['audio_lags'], 50):8.2f} {pct(run['audio_lags'], 90):8.2f} {rtf:6.2f} {run['decodes']:7d} {peak_rss_mb():7.0f}")
            print(f"    offline: {offline.strip()[:110]}\n    live:    {run['text'][:110]}")
    for speed, values in all_latencies.items():
        if values:
            print(f"all clips at {speed:g}x: latency median {statistics.median(values):.2f} s, "
                  f"p90 {pct(values, 90):.2f} s over {len(values)} words")

    if args.long_minutes > 0:
        clips = [load_clip(n) for n in HUMAN_ENGLISH if n != "stereo_diarization.wav"]
        once = joined(clips)
        repeats = max(1, int(np.ceil(args.long_minutes * 60 / (once.seconds + 0.5))))
        tmp = Path(tempfile.mkdtemp()) / "long.wav"
        sf.write(tmp, np.tile(np.concatenate([once.audio, np.zeros(8000, np.float32)]), repeats), 16000)
        seconds = repeats * (once.seconds + 0.5)
        reference = " ".join([once.reference] * repeats)
        del clips, once  # only the stream's own memory from here on
        rss_before = rss_mb()
        print(f"long stream: {repeats} x the {len(HUMAN_ENGLISH) - 1} English clips joined = {seconds / 60:.1f} min, "
              f"as fast as decoding goes; RSS before {rss_before:.0f} MB")
        run = stream(engine, tmp, 0, report_every_s=min(120.0, seconds / 4))
        tmp.unlink()
        rss = [r for _, r in run["rss"]]
        walls = run["decode_walls"]
        print(f"long stream {seconds / 60:.1f} min: CPU {run['cpu'] / seconds:.2f} s per audio s (RTF needed to keep up), "
              f"wall {run['wall'] / seconds:.2f} s per audio s, {run['decodes']} decodes "
              f"(wall each: median {pct(walls, 50):.2f} s, p90 {pct(walls, 90):.2f} s, max {max(walls):.2f} s), "
              f"{run['words']} words, WER ref {wer([reference], [run['text']]):.3f}")
        print(f"    audio lag median {pct(run['audio_lags'], 50):.2f} s, p90 {pct(run['audio_lags'], 90):.2f} s; "
              f"RSS {rss_before:.0f} MB before, {rss[0]:.0f} MB at {run['rss'][0][0] / 60:.1f} min, {max(rss):.0f} MB most, {rss[-1]:.0f} MB at the end "
              f"(growth from then to the end {rss[-1] - rss[0]:+.0f} MB); process peak RSS {peak_rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
