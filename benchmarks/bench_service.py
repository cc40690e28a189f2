"""Load test of `subtitler serve` on loopback: N requests, C at a time, every answer checked, none lost.

Round 1 sends N distinct uploads (five English clips, each in N/5 versions whose gain differs by
0.2 % steps, so none is a cache hit) in a mix of response formats and streaming. Every answer must
equal, byte for byte, what the same engine gives for that audio in this process, rendered by the
same code (streams: the deltas joined equal the text). Round 2 sends the same N again: all must be
cache hits. The server's resident memory is sampled as answers come in. The baseline beside the
server is the engine called directly in this process: for ten more versions, one direct call and
one server request (one at a time) alternate, so both see the same load on a shared machine.

    .venv/bin/python benchmarks/bench_service.py [--requests 50] [--concurrency 4] [--model tiny.en]

Traffic goes to 127.0.0.1 only; the run is bounded by the request count and a per-request timeout.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.service.conftest import multipart, start_server, stop_server  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
# English speech a tiny.en model transcribes at temperature 0 (a fallback would sample and differ run to run)
CLIPS = ("jfk.flac", "LDC93S1.wav", "leopard_test.wav", "librispeech_61-70968-0000.flac", "jfk.mp4")
FORMATS = ("json", "verbose_json", "text", "srt", "vtt", "stream")
TIMEOUT_S = 600
ALTERNATE = 10


@dataclass
class Case:
    index: int
    path: Path
    fmt: str
    expected: str  # the body (or, for a stream, the text) the engine's own result renders to


@dataclass
class Outcome:
    index: int
    status: int
    cache: str
    latency: float
    correct: bool
    rss_mb: float


class Direct:
    """The same model in this process: what every answer must equal, and the baseline's timing."""

    def __init__(self, model: str, folder: Path) -> None:
        from subtitler.asr.engine import load_engine
        from subtitler.media.decode import decode_audio

        self.engine = load_engine(model, device="cpu")
        self.folder = folder
        self.sources = [decode_audio(DATA / name) for name in CLIPS]

    def write(self, i: int) -> Path:
        """Version i: clip i mod 5 at a gain 0.2 % lower per round, so every upload is new to the cache."""
        import numpy as np
        import soundfile

        audio = (self.sources[i % len(self.sources)] * (1.0 - 0.002 * (i // len(self.sources)))).astype(np.float32)
        path = self.folder / f"clip{i:03d}.wav"
        soundfile.write(path, audio, 16000, subtype="FLOAT")  # ffmpeg gives these exact samples back
        return path

    def case(self, i: int, fmt: str) -> Case:
        from subtitler.asr.transcribe import TranscribeOptions
        from subtitler.media.decode import decode_audio
        from subtitler.service.form import AudioRequest
        from subtitler.service.render import render
        from subtitler.service.results import TranscriptResult

        path = self.write(i)
        infos = []
        with ThreadPoolExecutor(1) as worker:  # a worker thread, as in the server (torch threads behave differently there)
            segments = worker.submit(lambda: tuple(self.engine.transcribe(decode_audio(path), TranscribeOptions(),
                                                                          on_info=infos.append))).result()
        result = TranscriptResult("transcribe", infos[0], segments)
        expected = result.text if fmt == "stream" else render(result, AudioRequest(TranscribeOptions(), fmt))[0]
        return Case(i, path, fmt, expected)


def alternate(server, direct: Direct, first: int, count: int) -> tuple[list[float], list[float], bool]:
    """Direct call, then the same upload through the server, in turn; returns both timings and correctness."""
    direct_s, served_s, correct = [], [], True
    for i in range(first, first + count):
        began = time.perf_counter()
        case = direct.case(i, "json")
        direct_s.append(time.perf_counter() - began)
        outcome = send(server, case)
        served_s.append(outcome.latency)
        correct = correct and outcome.correct and outcome.cache == "miss"
    return direct_s, served_s, correct


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def send(server, case: Case) -> Outcome:
    fields = {"model": "whisper-1", "response_format": "json" if case.fmt == "stream" else case.fmt}
    if case.fmt == "stream":
        fields["stream"] = "true"
    body, content_type = multipart(fields, case.path.name, case.path.read_bytes())
    began = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=TIMEOUT_S)
    try:
        conn.request("POST", "/v1/audio/transcriptions", body, {"Content-Type": content_type})
        response = conn.getresponse()
        reply = response.read().decode("utf-8")
        status, cache = response.status, response.getheader("X-Subtitler-Cache", "")
    finally:
        conn.close()
    latency = time.perf_counter() - began
    if case.fmt == "stream":
        events = [json.loads(line[6:]) for line in reply.splitlines() if line.startswith("data: ")]
        joined = "".join(e["delta"] for e in events if e["type"] == "transcript.text.delta")
        correct = events[-1]["type"] == "transcript.text.done" and joined == case.expected == events[-1]["text"]
    else:
        correct = reply == case.expected
    return Outcome(case.index, status, cache, latency, status == 200 and correct, rss_mb(server.process.pid))


def run_round(server, cases: list[Case], concurrency: int) -> tuple[list[Outcome], float]:
    began = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        outcomes = list(pool.map(lambda case: send(server, case), cases))
    return outcomes, time.perf_counter() - began


def percentiles(values: list[float]) -> str:
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    return f"p50 {at(0.5) * 1000:8.1f}  p90 {at(0.9) * 1000:8.1f}  p99 {at(0.99) * 1000:8.1f}  max {ordered[-1] * 1000:8.1f} ms"


def report(name: str, outcomes: list[Outcome], wall: float, n: int) -> None:
    ok = sum(o.correct for o in outcomes)
    caches = {c: sum(o.cache == c for o in outcomes) for c in ("miss", "joined", "hit")}
    print(f"{name}: {len(outcomes)}/{n} answered, {ok} correct, statuses {sorted({o.status for o in outcomes})}, "
          f"cache {caches}, {wall:.1f} s wall, {len(outcomes) / wall:.2f} requests/s")
    print(f"  latency {percentiles([o.latency for o in outcomes])}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--model", default="tiny.en")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-service-") as tmp:
        folder = Path(tmp)
        (folder / "clips").mkdir()
        print(f"rendering the expected answers of {args.requests} uploads with {args.model} in this process...", flush=True)
        direct = Direct(args.model, folder / "clips")
        cases = [direct.case(i, FORMATS[i % len(FORMATS)]) for i in range(args.requests)]
        server = start_server(folder / "server", args.model)
        try:
            idle = rss_mb(server.process.pid)
            cold, cold_wall = run_round(server, cases, args.concurrency)
            warm, warm_wall = run_round(server, cases, args.concurrency)
            direct_s, served_s, alternate_ok = alternate(server, direct, args.requests, ALTERNATE)
            health = server.health()
            after = rss_mb(server.process.pid)
        finally:
            stop_server(server)
    print(f"\nbench_service: {args.requests} requests, {args.concurrency} at a time, {args.model} on CPU "
          f"(shared 2-core machine), clips of 2.9-11 s, formats {', '.join(FORMATS)} in turn")
    overhead = [s - d for s, d in zip(served_s, direct_s)]
    print(f"baseline, {ALTERNATE} more versions alternating (one at a time): engine in this process median "
          f"{statistics.median(direct_s) * 1000:.0f} ms, through the server median {statistics.median(served_s) * 1000:.0f} ms "
          f"(upload, decode, queue, answer: median {statistics.median(overhead) * 1000:+.0f} ms)")
    report("round 1 (distinct uploads)", cold, cold_wall, args.requests)
    report("round 2 (same uploads again: cache hits)", warm, warm_wall, args.requests)
    jobs = health["jobs"]
    print(f"server: jobs done {jobs['done']}, failed {jobs['failed']}, cancelled {jobs['cancelled']}, "
          f"in flight at the end {health['in_flight']}, cache {health['cache']['entries']} entries "
          f"{health['cache']['bytes'] / 1024:.0f} KiB")
    samples = [o.rss_mb for o in sorted(cold, key=lambda o: o.index)]
    tenth = max(1, len(samples) // 5)
    marks = ", ".join(f"{(i + 1) * tenth}: {samples[min(len(samples) - 1, (i + 1) * tenth - 1)]:.0f}" for i in range(5))
    print(f"server RSS MB: idle {idle:.0f}; during round 1 by request ({marks}); at the end {after:.0f}")
    lost = args.requests - len(cold)
    good = all(o.correct for o in cold + warm) and not lost and all(o.cache == "hit" for o in warm)
    good = good and alternate_ok and jobs["done"] == args.requests + ALTERNATE
    good = good and jobs["failed"] == 0 and health["in_flight"] == 0
    print("all answered correctly, none lost" if good else "FAILED: see the counts above")
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
