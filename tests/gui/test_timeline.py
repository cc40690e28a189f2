"""Timeline: regions only for cues in view, drags that push one undoable command, clock-following playhead."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QUndoStack, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from subtitler.core.commands import InsertCue, SetTimes
from subtitler.core.cue import Cue, Word
from subtitler.core.document import Document
from subtitler.gui.timeline.cue_regions import DragMode, dragged_times
from subtitler.gui.timeline.timeline_widget import TimelineWidget
from tests.gui.players import close_player


def _many_cues(n: int = 600) -> Document:
    """n cues of 2 s every 2.5 s, each with two words."""
    cues = []
    for i in range(n):
        start = i * 2500
        words = (Word("one", start, start + 900, 0.9), Word("two", start + 1000, start + 2000, 0.3))
        cues.append(Cue(start, start + 2000, f"cue {i}", words))
    return Document(cues)


@pytest.fixture
def timeline(qtbot):
    widget = TimelineWidget()
    qtbot.addWidget(widget)
    widget.resize(1000, 220)
    stack = QUndoStack()
    widget.set_undo_stack(stack)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget, stack
    widget.shutdown()


def _expected_rows(doc: Document, x0: float, x1: float) -> set[int]:
    return {i for i, c in enumerate(doc) if c.end_ms > x0 * 1000 and c.start_ms < x1 * 1000}


def _viewport_point(widget: TimelineWidget, seconds: float, y: float = 0.0) -> QPoint:
    scene = widget.view_box.mapViewToScene(QPointF(seconds, y))
    return widget.plot.mapFromScene(scene)


def _drag(widget: TimelineWidget, start: QPoint, dx: int, steps: int = 5) -> None:
    viewport = widget.plot.viewport()
    QTest.mouseMove(viewport, start)
    QTest.qWait(20)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for i in range(1, steps + 1):
        QTest.qWait(20)  # pyqtgraph drops mouse moves closer than 10 ms
        QTest.mouseMove(viewport, start + QPoint(round(dx * i / steps), 0))
    QTest.qWait(20)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start + QPoint(dx, 0))
    QTest.qWait(20)


def _seconds_per_pixel(widget: TimelineWidget) -> float:
    a, b = _viewport_point(widget, 0.0), _viewport_point(widget, 10.0)
    return 10.0 / (b.x() - a.x())


def test_dragged_times_clamps():
    assert dragged_times(DragMode.MOVE, 1000, 2000, -5000) == (0, 1000)
    assert dragged_times(DragMode.START, 1000, 2000, 5000) == (1990, 2000)
    assert dragged_times(DragMode.START, 1000, 2000, -3000) == (0, 2000)
    assert dragged_times(DragMode.END, 1000, 2000, -5000) == (1000, 1010)
    assert dragged_times(DragMode.END, 1000, 2000, 250) == (1000, 2250)


def test_regions_exist_only_for_cues_in_view_and_are_recycled(timeline):
    widget, _ = timeline
    doc = _many_cues()
    widget.set_document(doc)
    widget.set_visible_range_s(100.0, 130.0)
    first = _expected_rows(doc, *widget.visible_range_s())
    assert set(widget.regions.active) == first and 10 <= len(first) <= 14
    created = widget.regions.items_created
    assert created <= len(first) + 1
    widget.set_visible_range_s(900.0, 930.0)
    second = _expected_rows(doc, *widget.visible_range_s())
    assert set(widget.regions.active) == second
    assert widget.regions.items_created <= max(created, len(second)), "items are recycled, not created anew"
    for row, item in widget.regions.active.items():
        assert (item.start_ms, item.end_ms) == (doc[row].start_ms, doc[row].end_ms)
        assert item.isVisible()
    widget.set_visible_range_s(0.0, widget.duration_s)
    assert widget.regions.active == {} and widget.regions.overview.isVisible(), "zoomed far out: one overview path"


def test_dragging_an_end_edge_retimes_and_pushes_one_command(timeline):
    widget, stack = timeline
    doc = Document([Cue(1000, 2500, "a"), Cue(3000, 5000, "b", (Word("b", 3100, 4800, 0.9),)), Cue(6000, 8000, "c")])
    widget.set_document(doc)
    widget.set_visible_range_s(0.0, 10.0)
    spp = _seconds_per_pixel(widget)
    edge = _viewport_point(widget, 5.0)
    _drag(widget, edge - QPoint(2, 0), 60)
    moved_ms = doc[1].end_ms - 5000
    assert abs(moved_ms - 60 * spp * 1000) <= 2 * spp * 1000, (moved_ms, spp)
    assert doc[1].start_ms == 3000 and doc[1].words == (Word("b", 3100, 4800, 0.9),)
    assert stack.count() == 1 and stack.undoText() == "Change times"
    item = widget.regions.active[1]
    assert item.end_ms == doc[1].end_ms, "the region shows the document's answer"
    stack.undo()
    assert (doc[1].start_ms, doc[1].end_ms) == (3000, 5000)
    assert widget.regions.active[1].end_ms == 5000


def test_dragging_the_body_moves_cue_and_words_as_one_step(timeline):
    widget, stack = timeline
    doc = Document([Cue(3000, 5000, "b", (Word("b", 3100, 4800, 0.9),))])
    widget.set_document(doc)
    widget.set_visible_range_s(0.0, 10.0)
    spp = _seconds_per_pixel(widget)
    _drag(widget, _viewport_point(widget, 4.0, 0.5), -40)
    offset = doc[0].start_ms - 3000
    assert abs(offset + 40 * spp * 1000) <= 2 * spp * 1000
    assert doc[0].end_ms - doc[0].start_ms == 2000
    assert doc[0].words[0].start_ms == 3100 + offset
    assert stack.count() == 1
    _drag(widget, _viewport_point(widget, 4.0 + offset / 1000, 0.5), 30)
    assert stack.count() == 2, "a second drag is a second undo step"
    stack.undo()
    stack.undo()
    assert (doc[0].start_ms, doc[0].end_ms) == (3000, 5000)


def test_dragging_a_start_edge(timeline):
    widget, stack = timeline
    doc = Document([Cue(3000, 5000, "b")])
    widget.set_document(doc)
    widget.set_visible_range_s(0.0, 10.0)
    spp = _seconds_per_pixel(widget)
    _drag(widget, _viewport_point(widget, 3.0) + QPoint(2, 0), -50)
    assert abs((3000 - doc[0].start_ms) - 50 * spp * 1000) <= 2 * spp * 1000
    assert doc[0].end_ms == 5000 and stack.count() == 1


def test_click_selects_a_region_and_click_elsewhere_seeks(qtbot, timeline):
    widget, stack = timeline
    doc = Document([Cue(3000, 5000, "b")])
    widget.set_document(doc)
    widget.set_visible_range_s(0.0, 10.0)
    viewport = widget.plot.viewport()
    with qtbot.waitSignal(widget.current_row_changed, timeout=2000) as row:
        QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _viewport_point(widget, 4.0))
    assert row.args == [0] and widget.regions.active[0].selected
    with qtbot.waitSignal(widget.seek_requested, timeout=2000) as seek:
        QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _viewport_point(widget, 7.0))
    assert abs(seek.args[0] - 7000) <= 2 * _seconds_per_pixel(widget) * 1000
    assert stack.count() == 0


def test_regions_follow_document_changes(timeline):
    widget, _ = timeline
    doc = _many_cues(20)
    widget.set_document(doc)
    widget.set_visible_range_s(0.0, 10.0)
    SetTimes(doc, 1, 2600, 4300).redo()
    assert (widget.regions.active[1].start_ms, widget.regions.active[1].end_ms) == (2600, 4300)
    InsertCue(doc, 0, Cue(0, 400, "new")).redo()
    assert widget.regions.active[0].cue.text == "new" and widget.regions.active[2].start_ms == 2600


def test_select_row_scrolls_into_view(timeline):
    widget, _ = timeline
    doc = _many_cues()
    widget.set_document(doc)
    widget.set_visible_range_s(0.0, 20.0)
    widget.select_row(400)
    x0, x1 = widget.visible_range_s()
    assert x0 <= doc[400].start_ms / 1000 < x1 and abs((x1 - x0) - 20.0) < 1e-6
    assert widget.regions.active[400].selected


def test_wheel_zooms_time_only(timeline):
    widget, _ = timeline
    widget.set_document(_many_cues(40))
    widget.set_visible_range_s(10.0, 30.0)
    y_before = widget.view_box.viewRange()[1]
    viewport = widget.plot.viewport()
    pos = QPointF(_viewport_point(widget, 20.0))
    event = QWheelEvent(pos, QPointF(viewport.mapToGlobal(pos.toPoint())), QPoint(0, 0), QPoint(0, 240),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(viewport, event)
    x0, x1 = widget.visible_range_s()
    assert x1 - x0 < 19.0 and x0 < 20.0 < x1
    assert widget.view_box.viewRange()[1] == y_before


def test_scrollbar_scrolls_the_view(timeline):
    widget, _ = timeline
    widget.set_document(_many_cues(100))
    widget.set_visible_range_s(0.0, 20.0)
    assert widget.scrollbar.pageStep() == 20000
    widget.scrollbar.setValue(50000)
    x0, x1 = widget.visible_range_s()
    assert abs(x0 - 50.0) < 1e-3 and abs(x1 - 70.0) < 1e-3


def test_playhead_follows_the_clock_and_pages(qtbot, timeline, data_dir):
    from subtitler.gui.player.media_player import MediaPlayer

    widget, _ = timeline
    player = MediaPlayer()
    widget.set_player(player)
    with qtbot.waitSignal(player.duration_ms_changed, timeout=10000, check_params_cb=lambda d: d > 0):
        player.load(data_dir / "jfk.mp4")
    player.seek(5000)
    assert widget.playhead.value() == 5.0
    widget.set_visible_range_s(0.0, 2.0)
    player.seek(1800)
    player.play()
    qtbot.waitUntil(lambda: widget.visible_range_s()[0] > 1.5, timeout=3000)
    player.pause()
    x0, x1 = widget.visible_range_s()
    assert x0 <= widget.playhead.value() <= x1 and abs((x1 - x0) - 2.0) < 1e-6
    assert abs(widget.playhead.value() * 1000 - player.position_ms) < 1
    close_player(qtbot, player)


def test_load_media_draws_waveform_progressively_and_spectrogram(qtbot, timeline, data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    widget, _ = timeline
    sizes: list[int] = []
    original = widget.waveform.set_envelope
    monkeypatch.setattr(widget.waveform, "set_envelope", lambda env: (sizes.append(len(env.mins)), original(env)))
    widget.load_media(data_dir / "jfk.flac")
    qtbot.waitUntil(lambda: widget.waveform.duration_s > 10.9, timeout=10000)
    assert len(sizes) >= 2 and sizes == sorted(sizes), "drawn as it arrives"
    assert abs(widget.duration_s - 11.0) < 0.05
    widget.set_spectrogram_visible(True)
    qtbot.waitUntil(lambda: widget.spectrogram.layout is not None
                    and widget.spectrogram.filled_columns == widget.spectrogram.layout.total_columns, timeout=20000)
    assert widget.spectrogram.isVisible()
    loud, quiet = widget.spectrogram.column_at(1.9), widget.spectrogram.column_at(0.1)  # "fellow" vs. silence
    assert int(loud.astype(int).sum()) > int(quiet.astype(int).sum())


def test_overview_merges_cues_closer_than_a_pixel():
    import numpy as np

    from subtitler.gui.timeline.cue_overview import merged_spans

    starts, ends = merged_spans(np.array([0.0, 2.0, 2.5, 10.0]), np.array([1.5, 3.0, 6.0, 11.0]))
    assert starts.tolist() == [0.0, 10.0] and ends.tolist() == [6.0, 11.0]
    starts, ends = merged_spans(np.array([0.0, 5.0]), np.array([1.0, 6.0]))
    assert starts.tolist() == [0.0, 5.0] and ends.tolist() == [1.0, 6.0]


def test_zoomed_out_overview_paints_the_cues(timeline):
    from PySide6.QtGui import QColor

    widget, _ = timeline
    doc = Document([Cue(i * 10_000, i * 10_000 + 5_000, "x") for i in range(300)])
    widget.set_document(doc)
    widget.set_visible_range_s(0.0, widget.duration_s)
    assert widget.regions.overview.isVisible()
    image = widget.plot.grab().toImage()
    row = image.height() // 2
    background = QColor(24, 24, 28)
    painted = sum(1 for x in range(image.width()) if image.pixelColor(x, row) != background)
    assert 0.3 * image.width() < painted < 0.8 * image.width(), "about half the width is covered by cues"


def test_shutdown_stops_running_jobs_quickly(qtbot, data_dir, tmp_path, monkeypatch):
    import time

    import shiboken6

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    widget = TimelineWidget()
    qtbot.addWidget(widget)
    widget.set_spectrogram_visible(True)
    widget.load_media(data_dir / "aeneas_capitan_veneno_es.mp3")
    threads = [thread for _worker, thread in widget._jobs.values()]
    assert len(threads) == 3  # waveform, spectrogram, shot changes
    qtbot.wait(200)
    start = time.perf_counter()
    widget.shutdown()
    assert time.perf_counter() - start < 5.0
    assert all(not shiboken6.isValid(t) or not t.isRunning() for t in threads)


def test_a_jump_of_the_paused_clock_out_of_view_pages_to_it(timeline):
    from subtitler.gui.player.media_player import MediaPlayer

    widget, _ = timeline
    widget.set_document(_many_cues(100))
    player = MediaPlayer()
    widget.set_player(player)
    widget.set_visible_range_s(10.0, 30.0)
    player.position_ms_changed.emit(20_000)
    assert widget.visible_range_s() == (10.0, 30.0), "inside the view: no scrolling"
    player.position_ms_changed.emit(100_000)
    x0, x1 = widget.visible_range_s()
    assert x0 < 100.0 < x1 and abs((x1 - x0) - 20.0) < 1e-6
    widget.set_follow_playhead(False)
    player.position_ms_changed.emit(200_000)
    assert widget.visible_range_s() == (x0, x1)


def test_a_new_document_clears_the_selection(timeline):
    widget, _ = timeline
    widget.set_document(_many_cues(10))
    widget.set_visible_range_s(0.0, 20.0)
    widget.select_row(2)
    widget.set_document(_many_cues(10))
    assert widget.regions.selected_row is None
    assert not any(item.selected for item in widget.regions.active.values())


def test_results_of_a_replaced_job_are_dropped(qtbot, timeline, data_dir, tmp_path, monkeypatch):
    import numpy as np

    from subtitler.gui.workers.envelope_worker import EnvelopeWorker
    from subtitler.media.envelope_data import Envelope

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    widget, _ = timeline
    stale = EnvelopeWorker(data_dir / "aeneas_capitan_veneno_es.mp3")  # stands for a cancelled job whose result was queued
    stale.envelope_updated.connect(widget._on_envelope_worker_envelope_updated)
    widget.load_media(data_dir / "jfk.flac")
    qtbot.waitUntil(lambda: not widget._jobs, timeout=10000)
    stale.envelope_updated.emit(Envelope(80, 8000, np.zeros(7000, np.float32), np.zeros(7000, np.float32)))
    assert abs(widget.waveform.duration_s - 11.0) < 0.05, "the stale 70-s envelope is not shown"
