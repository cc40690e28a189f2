"""Workers deliver partial results progressively from their own thread, and stop when cancelled."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import shiboken6
from PySide6.QtCore import Qt

from subtitler.gui.workers import job
from subtitler.gui.workers.envelope_worker import EnvelopeWorker
from subtitler.gui.workers.job import Throttle, start_worker
from subtitler.gui.workers.spectrogram_worker import (
    LEVELS,
    SpectrogramWorker,
    layout_for,
    pool_columns,
    to_display,
)


def _run(qtbot, worker, timeout=20000):
    finished: list[bool] = []
    worker.done.connect(lambda: finished.append(True))  # runs in the worker thread: only a flag
    thread = start_worker(worker)
    qtbot.waitUntil(lambda: bool(finished), timeout=timeout)
    qtbot.waitUntil(lambda: not shiboken6.isValid(thread) or thread.isFinished(), timeout=5000)
    qtbot.waitUntil(lambda: id(thread) not in job._keeper.running, timeout=5000)


def test_envelope_arrives_progressively_off_the_gui_thread(qtbot, data_dir, tmp_path):
    worker = EnvelopeWorker(data_dir / "aeneas_capitan_veneno_es.mp3", cache_dir=tmp_path)
    seen, completed = [], []
    worker.envelope_updated.connect(seen.append)
    worker.completed.connect(completed.append)
    origin = []
    worker.envelope_updated.connect(lambda _e: origin.append(threading.get_ident()), type=Qt.ConnectionType.DirectConnection)
    _run(qtbot, worker)
    lengths = [len(e.mins) for e in seen]
    assert len(seen) >= 2 and lengths == sorted(lengths) and lengths[0] < lengths[-1], lengths
    assert completed and completed[0] is seen[-1]
    assert abs(completed[0].duration_s - 70.2) < 0.5
    assert origin and all(t != threading.get_ident() for t in origin), "computed in the worker thread"


def test_envelope_cancel_stops_the_job(qtbot, data_dir, tmp_path):
    worker = EnvelopeWorker(data_dir / "aeneas_capitan_veneno_es.mp3", cache_dir=tmp_path)
    seen, completed, cancelled = [], [], []
    worker.envelope_updated.connect(seen.append)
    worker.completed.connect(completed.append)
    worker.cancelled.connect(lambda: cancelled.append(True))
    worker.envelope_updated.connect(lambda _e: worker.cancel())
    _run(qtbot, worker)
    assert cancelled == [True]
    assert completed == []
    assert len(seen) == 1 and seen[0].duration_s < 10, "stopped after the first partial envelope"
    assert not list(tmp_path.iterdir()), "a cancelled envelope is not cached"


def test_envelope_failure_names_the_file(qtbot, tmp_path):
    bad = tmp_path / "broken.mp3"
    bad.write_bytes(b"\x00" * 1000)
    worker = EnvelopeWorker(bad, cache_dir=tmp_path / "cache")
    failed = []
    worker.failed.connect(failed.append)
    _run(qtbot, worker)
    assert failed and "broken.mp3" in failed[0]


def test_spectrogram_helpers():
    layout = layout_for(7200.0, max_columns=100_000)
    assert layout.total_columns <= 100_000 and layout.seconds_per_column == pytest.approx(0.08)
    assert layout_for(11.0).seconds_per_column == pytest.approx(0.01)
    pooled, rest = pool_columns(np.arange(14, dtype=np.uint8).reshape(7, 2), 3)
    assert pooled.tolist() == [[4, 5], [10, 11]] and rest.tolist() == [[12, 13]]
    shown = to_display(np.array([[LEVELS[0] - 1, LEVELS[0], LEVELS[1], LEVELS[1] + 1]]))
    assert shown[:, 0].tolist() == [0, 0, 255, 255]


def test_spectrogram_worker_fills_the_layout(qtbot, data_dir):
    worker = SpectrogramWorker(data_dir / "pyannote_sample.wav")
    layouts, chunks, done = [], [], []
    worker.layout_decided.connect(layouts.append)
    worker.chunk_ready.connect(chunks.append)
    worker.completed.connect(lambda: done.append(True))
    _run(qtbot, worker, timeout=30000)
    assert done == [True] and len(layouts) == 1
    layout = layouts[0]
    total = sum(len(c.columns) for c in chunks)
    assert chunks[0].first_column == 0 and abs(total - layout.total_columns) <= 1
    picture = np.concatenate([c.columns for c in chunks])
    assert picture.shape[1] == 80 and picture.dtype == np.uint8
    silence, speech = picture[100:600].mean(), picture[800:1300].mean()  # 6.7 s of silence, then a phone call
    assert speech > silence + 20


def test_throttle_limits_rate(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr("subtitler.gui.workers.job.time.monotonic", lambda: clock[0])
    throttle = Throttle(0.1)
    passed = []
    for _ in range(100):
        passed.append(throttle.ready())
        clock[0] += 0.01
    assert passed[0] and sum(passed) == 10
