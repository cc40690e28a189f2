"""Timeline and clock figures on a 2-hour file with 1,500 cues (not a test; runs offscreen).

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_timeline.py [--hours 2] [--play-s 8] [--spectrogram]

Prints: time to the first waveform pixels (cold cache) and to the whole
envelope; per-frame redraw time while zooming and scrolling (target < 33 ms,
measured as a synchronous repaint of the plot); and how closely the playhead,
the overlay and the word highlight follow the player's position (target:
within one 25 fps frame, 40 ms).
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QColor, QUndoStack
from PySide6.QtWidgets import QApplication

from subtitler.core.cue import Cue, Word
from subtitler.core.document import Document

FRAME_MS = 40.0


def make_document(hours: float, cues: int = 1500, seed: int = 1) -> Document:
    """`cues` cues spread over `hours`, each with 6-8 words of random confidence."""
    rng = random.Random(seed)
    step = hours * 3_600_000 / cues
    out = []
    for i in range(cues):
        start = round(i * step + rng.uniform(0, step * 0.2))
        end = start + round(step * rng.uniform(0.5, 0.75))
        n = rng.randint(6, 8)
        span = (end - start) // n
        words = tuple(Word(f"w{i}_{k}", start + k * span, start + (k + 1) * span - 20, rng.uniform(0.2, 1.0)) for k in range(n))
        out.append(Cue(start, end, " ".join(w.text for w in words), words))
    return Document(out)


def summary(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    return f"median {statistics.median(values):6.2f}  p95 {p95:6.2f}  max {values[-1]:6.2f}  (n={len(values)})"


def pump(ms: int) -> None:
    """Run the event loop for `ms` (QTest.qWait keeps the GIL and would starve the worker threads)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_until(predicate, timeout_s: float) -> float:
    start = time.perf_counter()
    while not predicate():
        if time.perf_counter() - start > timeout_s:
            raise TimeoutError("benchmark step timed out")
        pump(2)
    return time.perf_counter() - start


def waveform_pixels(widget) -> int:
    from subtitler.gui.timeline.waveform_item import WAVEFORM_COLOR

    image = widget.plot.grab().toImage()
    target = QColor(*WAVEFORM_COLOR)
    return sum(
        1
        for y in range(0, image.height(), 3)
        for x in range(0, image.width(), 3)
        if abs(image.pixelColor(x, y).green() - target.green()) < 30 and abs(image.pixelColor(x, y).red() - target.red()) < 30
    )


def bench_first_pixels(widget, media: Path) -> None:
    start = time.perf_counter()
    widget.load_media(media)
    wait_until(lambda: widget.waveform.envelope is not None, 60)
    pump(1)
    pixels = waveform_pixels(widget)
    first = time.perf_counter() - start
    print(f"first waveform pixels:  {first * 1000:7.0f} ms  ({pixels} waveform pixels sampled; target < 2000 ms)")
    wait_until(lambda: not widget._jobs, 600)
    print(f"whole envelope shown:   {time.perf_counter() - start:7.1f} s   ({len(widget.waveform.envelope.mins)} bins, "
          f"{widget.waveform.duration_s / 3600:.2f} h)")


def repaint_ms(widget, x0: float, x1: float) -> float:
    start = time.perf_counter()
    widget.set_visible_range_s(x0, x1)
    widget.plot.viewport().repaint()
    return (time.perf_counter() - start) * 1000


def bench_redraw(widget, label: str) -> None:
    rng = random.Random(7)
    duration = widget.duration_s
    zoom = []
    for _ in range(3):
        span = 5.0
        while span < duration:
            centre = rng.uniform(0, duration)
            zoom.append(repaint_ms(widget, centre - span / 2, centre + span / 2))
            span *= 1.6
        zoom.append(repaint_ms(widget, 0, duration))
    scroll = []
    for span in (10.0, 30.0, 120.0):
        x0 = rng.uniform(0, duration - 400)
        for _ in range(40):
            x0 += span * 0.1
            scroll.append(repaint_ms(widget, x0, x0 + span))
    print(f"zoom redraw ms{label}:   {summary(zoom)}")
    print(f"scroll redraw ms{label}: {summary(scroll)}")


class ClockProbe:
    """Records, for every clock tick, what the views show once their handlers have run."""

    def __init__(self, player, timeline, video) -> None:
        self.player, self.timeline, self.video = player, timeline, video
        self.rows: list[tuple[float, int, float, int, bool, float]] = []
        self.raw: list[tuple[float, int]] = []
        self._t0 = 0.0
        player.position_ms_changed.connect(self.before)  # connected first: runs first
        timeline.set_player(player)
        video.set_player(player)
        player.position_ms_changed.connect(self.after)  # connected last: runs after the views
        player._player.positionChanged.connect(lambda ms: self.raw.append((time.perf_counter(), ms)))

    def before(self, ms: int) -> None:
        self._t0 = time.perf_counter()

    def after(self, ms: int) -> None:
        from subtitler.gui.video_view import spoken_span

        now = time.perf_counter()
        row = self.video._index.row_at(ms)
        cue = self.video._index.cues[row] if row is not None else None
        expected = spoken_span(cue, ms) if cue is not None else None
        shown_ok = self.video._shown[0] == row and self.video._shown[2] == expected
        self.rows.append((now, ms, self.timeline.playhead.value() * 1000, int(self.player._player.position()), shown_ok, (now - self._t0) * 1000))


def fitted_true_position(raw: list[tuple[float, int]]):
    """Least-squares line through the player's own (wall time, position) reports."""
    ts, ps = [t for t, _ in raw], [p for _, p in raw]
    mt, mp = statistics.fmean(ts), statistics.fmean(ps)
    slope = sum((t - mt) * (p - mp) for t, p in zip(ts, ps)) / sum((t - mt) ** 2 for t in ts)
    return lambda t: mp + slope * (t - mt), slope


def bench_clock(app, timeline, media: Path, doc: Document, play_s: float) -> None:
    from subtitler.gui.player.media_player import MediaPlayer
    from subtitler.gui.video_view import VideoView

    video = VideoView()
    video.resize(640, 360)
    video.set_document(doc)
    video.show()
    player = MediaPlayer()
    probe = ClockProbe(player, timeline, video)
    player.load(media)
    wait_until(lambda: player.duration_ms > 0, 30)
    player.seek(doc[len(doc) // 2].start_ms - 500)
    player.play()
    wait_until(lambda: player.is_playing, 10)
    pump(int(play_s * 1000))
    player.pause()
    ticks = [r for r in probe.rows if r[0] > probe.raw[2][0]] if len(probe.raw) > 3 else probe.rows
    raw = [r for r in probe.raw if r[1] > doc[len(doc) // 2].start_ms - 500]
    true_at, slope = fitted_true_position(raw[1:])
    intervals = [(b[0] - a[0]) * 1000 for a, b in itertools.pairwise(ticks)]
    print(f"clock ticks:            {len(ticks)} in {play_s:.0f} s; interval ms {summary(intervals)}")
    print(f"playhead - clock ms:    {summary([abs(r[2] - r[1]) for r in ticks])}")
    print(f"overlay+word correct:   {sum(r[4] for r in ticks)}/{len(ticks)} ticks show the cue and word of the clock's position")
    print(f"clock - true position:  {summary([abs(r[1] - true_at(r[0])) for r in ticks])} ms "
          f"(true = line through QMediaPlayer's reports, rate {slope / 1000:.3f}; one frame = {FRAME_MS:.0f} ms)")
    print(f"player report scatter:  {summary([abs(p - true_at(t)) for t, p in raw[1:]])} ms (its own reports around that line: the noise floor)")
    print(f"raw QMediaPlayer lag:   {summary([abs(r[3] - true_at(r[0])) for r in ticks])} ms (its own position() polled at the same ticks)")
    print(f"view update per tick:   {summary([r[5] for r in ticks])} ms (timeline + video view handlers)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=2.0)
    parser.add_argument("--cues", type=int, default=1500)
    parser.add_argument("--play-s", type=float, default=8.0)
    parser.add_argument("--spectrogram", action="store_true", help="also compute the spectrogram and redraw with it")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    with tempfile.TemporaryDirectory(prefix="bench_timeline_") as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")  # a cold envelope cache
        from bench_envelope import build_long_file

        from subtitler.gui.timeline.timeline_widget import TimelineWidget

        start = time.perf_counter()
        media = build_long_file(Path(tmp), args.hours)
        doc = make_document(args.hours, args.cues)
        print(f"built {media.name} ({media.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - start:.0f} s; "
              f"{len(doc)} cues, {sum(len(c.words) for c in doc)} words")
        timeline = TimelineWidget()
        timeline.resize(1280, 240)
        timeline.set_undo_stack(QUndoStack())
        timeline.set_document(doc)
        timeline.show()
        pump(50)
        bench_first_pixels(timeline, media)
        bench_redraw(timeline, "")
        if args.spectrogram:
            t = time.perf_counter()
            timeline.set_spectrogram_visible(True)
            wait_until(lambda: timeline.spectrogram.layout is not None
                       and timeline.spectrogram.filled_columns >= timeline.spectrogram.layout.total_columns - 1, 1200)
            print(f"spectrogram computed:   {time.perf_counter() - t:7.1f} s ({timeline.spectrogram.layout.total_columns} columns)")
            bench_redraw(timeline, " +spec")
        bench_clock(app, timeline, media, doc, args.play_s)
        timeline.shutdown()


if __name__ == "__main__":
    main()
