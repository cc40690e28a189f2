"""Shot-change detection on a 10-minute video, and how responsive the UI stays meanwhile (not a test).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_shot_changes.py [--minutes 10] [--hd]

The video is made from the shared jfk.mp4 with ffmpeg: its test-pattern picture,
then a waveform picture of its speech (a cut every ~11 s), looped to the length
asked; --hd scales it to 1280x720 (a typical source) instead of the shared 320x240.
Prints: detection time (cold cache) and speed against real time, the cuts found
against the cuts made, the cached second run; then the longest event-loop stall
(a 10 ms timer's worst lateness) while the detection runs on its worker, beside
the same idle machine's stall, and while the real window opens the video
(waveform, player and shot changes at once) beside the same window without
shot detection, run alternately.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from subtitler.media.ffmpeg_binary import find_ffmpeg  # noqa: E402
from subtitler.media.probe import probe  # noqa: E402
from subtitler.media.shot_changes import scene_scores  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
PROBE_MS = 10


def build_video(folder: Path, minutes: float, hd: bool) -> Path:
    """jfk's picture, then its waveform, looped; the pair's boundaries are the cuts."""
    out = folder / f"shots_{minutes:g}min{'_hd' if hd else ''}.mp4"
    if out.exists():
        return out
    size = "1280x720" if hd else "320x240"
    pair = folder / f"pair_{size}.mp4"
    graph = (f"[0:v]scale={size.replace('x', ':')},setsar=1[p];[0:a]asplit[x][y];"
             f"[y]showwaves=s={size}:mode=cline:rate=25:colors=yellow,format=yuv420p[w];"
             "[p][x][w][0:a]concat=n=2:v=1:a=1[v][a]")
    ffmpeg = find_ffmpeg()
    subprocess.run([ffmpeg, "-nostdin", "-loglevel", "error", "-y", "-i", str(DATA / "jfk.mp4"), "-filter_complex", graph,
                    "-map", "[v]", "-map", "[a]", "-r", "25", "-c:v", "libx264", "-preset", "veryfast", "-c:a", "aac", str(pair)],
                   check=True)
    loops = int(minutes * 60 / probe(pair).duration_s)
    subprocess.run([ffmpeg, "-nostdin", "-loglevel", "error", "-y", "-stream_loop", str(loops), "-i", str(pair),
                    "-t", str(minutes * 60), "-c", "copy", str(out)], check=True)
    return out


class StallMeter:
    """A timer that should fire every PROBE_MS; its worst lateness is the longest time the GUI thread was busy."""

    def __init__(self) -> None:
        self.worst_ms = 0.0
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.setInterval(PROBE_MS)
        self._timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst_ms = max(self.worst_ms, (now - self._last) * 1000 - PROBE_MS)
        self._last = now

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> float:
        self._timer.stop()
        return self.worst_ms


def run_until(done, timeout_s: float) -> None:
    loop = QEventLoop()
    deadline = time.monotonic() + timeout_s
    while not done() and time.monotonic() < deadline:
        loop.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)


def idle_stall(seconds: float) -> float:
    meter = StallMeter()
    meter.start()
    end = time.monotonic() + seconds
    run_until(lambda: time.monotonic() > end, seconds + 1)
    return meter.stop()


def worker_stall(video: Path, cache: Path) -> tuple[float, float, int]:
    """(seconds, worst stall ms, progress reports) for ShotChangeWorker alone on a cold cache."""
    from subtitler.gui.workers.job import start_worker
    from subtitler.gui.workers.shot_change_worker import ShotChangeWorker

    worker = ShotChangeWorker(video, cache_dir=cache)
    found: list[tuple[int, ...]] = []
    progress: list[float] = []
    worker.completed.connect(found.append)
    worker.progress.connect(lambda done, _total: progress.append(done))
    meter = StallMeter()
    meter.start()
    start = time.perf_counter()
    start_worker(worker)  # its thread is released when it finishes
    run_until(lambda: bool(found), 1200)
    elapsed = time.perf_counter() - start
    stall = meter.stop()
    run_until(lambda: False, 0.3)
    return elapsed, stall, len(progress)


def window_stall(video: Path, folder: Path, shots: bool, at_least_s: float = 0.0) -> tuple[float, float, float]:
    """(seconds the open call took, seconds until done, worst stall ms after the open call returned) for the real
    window opening the video on cold caches; done = its background jobs ended (waveform, and shot changes with `shots`).
    Without `shots` the detection job is not started: the same window's baseline, measured for at least
    `at_least_s` (as long as the run with detection took), so both runs face the machine equally long."""
    from subtitler.gui.main_window import MainWindow
    from subtitler.gui.settings import open_settings
    from subtitler.gui.timeline.timeline_widget import TimelineWidget

    os.environ["XDG_CACHE_HOME"] = str(folder / f"window_cache_{shots}")
    original = TimelineWidget._start_shot_change_job
    if not shots:
        TimelineWidget._start_shot_change_job = lambda self: None
    try:
        window = MainWindow(open_settings(folder / "settings.ini"), folder / "autosave")
        window.show()
        run_until(lambda: False, 0.5)
        start = time.perf_counter()
        window.files.open_media(video)  # probes the file on the GUI thread (a deliberate check before anything changes)
        opened = time.perf_counter() - start
        meter = StallMeter()
        meter.start()
        run_until(lambda: window.timeline.waveform.envelope is not None and not window.timeline._jobs, 1200)  # all jobs done
        elapsed = time.perf_counter() - start
        run_until(lambda: time.perf_counter() - start >= at_least_s, at_least_s + 1)
        stall = meter.stop()
        window.undo_stack.setClean()
        window.close()
        run_until(lambda: False, 0.5)
    finally:
        TimelineWidget._start_shot_change_job = original
    return opened, elapsed, stall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--hd", action="store_true", help="1280x720 instead of the shared clip's 320x240")
    parser.add_argument("--rounds", type=int, default=2, help="window runs with and without detection, alternately")
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()) / "subtitler_bench_shots")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])

    video = build_video(args.folder, args.minutes, args.hd)
    info = probe(video)
    stream = info.video_streams[0]
    print(f"video: {video.name}, {info.duration_s:.0f} s, {stream.width}x{stream.height} @ {stream.fps:g} fps, "
          f"{os.cpu_count()} CPU cores (shared machine)")
    with tempfile.TemporaryDirectory() as cold:
        start = time.perf_counter()
        scores = scene_scores(video, cache_dir=Path(cold))
        elapsed = time.perf_counter() - start
        cuts = scores.shot_changes()
        start = time.perf_counter()
        scene_scores(video, cache_dir=Path(cold))
        cached = time.perf_counter() - start
    pair = probe(args.folder / f"pair_{stream.width}x{stream.height}.mp4").duration_s
    made = round(2 * info.duration_s / pair) - 1  # two cuts per picture/waveform pair, less the start
    print(f"detection (cold cache): {elapsed:.1f} s = {info.duration_s / elapsed:.0f}x real time; "
          f"{len(cuts)} cuts found, about {made} made; {len(scores.times_ms)} frames scored")
    print(f"detection (cached): {cached * 1000:.1f} ms")

    with tempfile.TemporaryDirectory() as cold:
        seconds, stall, reports = worker_stall(video, Path(cold))
    idle = idle_stall(min(seconds, 10.0))
    print(f"UI while the worker detects: longest event-loop stall {stall:.1f} ms over {seconds:.1f} s "
          f"({reports} progress reports); idle machine, same probe: {idle:.1f} ms")
    for round_ in range(args.rounds):  # alternately, so both see the same (shared) machine
        with_shots = 0.0
        for shots in (True, False):
            with tempfile.TemporaryDirectory() as cold:
                opened, seconds, stall = window_stall(video, Path(cold), shots, with_shots)
            with_shots = max(with_shots, seconds)
            what = "waveform + player + shot changes" if shots else "waveform + player, no shot detection"
            print(f"the window opening the video (cold caches, round {round_ + 1}): open call {opened * 1000:.0f} ms; "
                  f"{what}: done after {seconds:.1f} s; longest stall over {with_shots:.0f} s: {stall:.1f} ms")
    del app


if __name__ == "__main__":
    main()
