"""Waveform envelope on a 2-hour file: time to first pixels, whole envelope, cache hit, peak RSS.

Not a test. Builds a 2-hour 44.1 kHz stereo FLAC from the real clips in
../shared/data (concatenated, then looped) in a temporary folder, then runs
each measurement in a fresh Python process so its peak RSS is its own.

    .venv/bin/python benchmarks/bench_envelope.py [--hours 2] [--with-decode]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
CLIPS = ["jfk.flac", "multilingual.mp3", "pyannote_sample.wav", "aeneas_capitan_veneno_es.mp3",
         "mfa_acoustic_corpus.wav", "leopard_test_es.wav", "mls_es_13697_11991_000000.flac"]


def build_long_file(folder: Path, hours: float) -> Path:
    """Concatenate the clips once (resampled to 44.1 kHz stereo), then loop that to `hours`."""
    from subtitler.media.ffmpeg_binary import find_ffmpeg

    ffmpeg = [find_ffmpeg(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    inputs = [arg for clip in CLIPS for arg in ("-i", str(DATA / clip))]
    chains = "".join(f"[{i}:a]aresample=44100,aformat=channel_layouts=stereo[a{i}];" for i in range(len(CLIPS)))
    joined = "".join(f"[a{i}]" for i in range(len(CLIPS)))
    graph = f"{chains}{joined}concat=n={len(CLIPS)}:v=0:a=1[out]"
    base = folder / "base.wav"
    subprocess.run([*ffmpeg, *inputs, "-filter_complex", graph, "-map", "[out]", str(base)], check=True)
    long = folder / f"long_{hours:g}h.flac"
    subprocess.run([*ffmpeg, "-stream_loop", "-1", "-i", str(base), "-t", str(hours * 3600), str(long)], check=True)
    base.unlink()
    return long


def measure_envelope(media: str, cache: str) -> dict:
    from subtitler.media.envelope import iter_envelope

    start = time.perf_counter()
    first = None
    for count, envelope in enumerate(iter_envelope(media, cache_dir=Path(cache)), 1):
        first = first or time.perf_counter() - start
    return {"first_chunk_s": first, "whole_s": time.perf_counter() - start, "yields": count,
            "bins": len(envelope.mins), "audio_s": envelope.duration_s}


def measure_cache_hit(media: str, cache: str) -> dict:
    from subtitler.media.envelope import iter_envelope

    start = time.perf_counter()
    envelopes = list(iter_envelope(media, cache_dir=Path(cache)))
    return {"cache_hit_s": time.perf_counter() - start, "yields": len(envelopes)}


def measure_decode(media: str, cache: str) -> dict:
    from subtitler.media.decode import decode_audio

    start = time.perf_counter()
    audio = decode_audio(media)
    return {"decode_16k_s": time.perf_counter() - start, "samples": len(audio), "mb": audio.nbytes / 2**20}


PHASES = {"envelope": measure_envelope, "cache": measure_cache_hit, "decode": measure_decode}


def run_phase(name: str, media: Path, cache: Path) -> dict:
    """Run one phase in a fresh interpreter; add its peak RSS and ffmpeg's."""
    code = (
        "import json, resource, sys; sys.path.insert(0, sys.argv[4]);"
        "import bench_envelope as b; r = b.PHASES[sys.argv[1]](sys.argv[2], sys.argv[3]);"
        "r['rss_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024;"
        "r['ffmpeg_rss_mb'] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024;"
        "print(json.dumps(r))"
    )
    here = str(Path(__file__).parent)
    done = subprocess.run([sys.executable, "-c", code, name, str(media), str(cache), here],
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=2.0)
    parser.add_argument("--with-decode", action="store_true", help="also time decode_audio at 16 kHz")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_envelope_") as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        media = build_long_file(folder, args.hours)
        print(f"built {media.name}: {media.stat().st_size / 2**20:.0f} MiB in {time.perf_counter() - start:.1f} s")
        cache = folder / "cache"
        env = run_phase("envelope", media, cache)
        print(f"first envelope chunk: {env['first_chunk_s']:.3f} s   (target < 2 s)")
        print(f"whole envelope:       {env['whole_s']:.2f} s   (target < 15 s; {env['bins']} bins, "
              f"{env['audio_s'] / 3600:.2f} h, {env['yields']} yields)")
        print(f"peak RSS:             {env['rss_mb']:.0f} MB python, {env['ffmpeg_rss_mb']:.0f} MB ffmpeg")
        hit = run_phase("cache", media, cache)
        print(f"cache hit:            {hit['cache_hit_s'] * 1000:.1f} ms ({hit['yields']} yield), "
              f"peak RSS {hit['rss_mb']:.0f} MB")
        if args.with_decode:
            dec = run_phase("decode", media, cache)
            print(f"decode_audio 16 kHz:  {dec['decode_16k_s']:.2f} s, {dec['mb']:.0f} MB of samples, "
                  f"peak RSS {dec['rss_mb']:.0f} MB python, {dec['ffmpeg_rss_mb']:.0f} MB ffmpeg")


if __name__ == "__main__":
    main()
