"""Shot changes in the real window: detected on a worker with progress, drawn, snapped to, checked by QC."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt

from tests.cut_clip import CUTS_MS
from tests.gui.test_timeline import _drag, _seconds_per_pixel, _viewport_point
from tests.gui.window_helpers import dialogs, window  # noqa: F401 - fixtures

CUTS_SRT = (
    "1\n00:00:00,500 --> 00:00:03,000\nBefore the first cut.\n\n"
    "2\n00:00:04,150 --> 00:00:06,000\nStarts a little after it.\n\n"
    "3\n00:00:06,500 --> 00:00:07,500\nEnds well before the second.\n\n"
)


@pytest.fixture
def opened(window, cut_clip: Path, tmp_path: Path, qtbot, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    subtitles = tmp_path / "cuts.srt"
    subtitles.write_text(CUTS_SRT, encoding="utf-8")
    progress = []
    window.timeline.shot_progress_changed.connect(lambda done, total: progress.append((done, total)))
    with qtbot.waitSignal(window.timeline.shot_changes_found, timeout=20_000, check_params_cb=bool):
        assert window.files.open_paths([subtitles, cut_clip])
    window.timeline.set_visible_range_s(0.0, 11.0)
    return window, progress


def test_cuts_are_detected_drawn_and_reported(opened, qtbot):
    window, progress = opened
    cuts = window.timeline.shot_changes_ms
    assert len(cuts) == 2 and all(abs(c - e) <= 40 for c, e in zip(cuts, CUTS_MS))
    assert progress and progress[-1][1] > 10.0, "progress on the way"
    assert window.timeline.shots.times_ms == cuts
    x, _y = window.timeline.shots.getData()
    assert list(x) == [c / 1000 for c in cuts for _ in (0, 1)], "one line per cut"
    assert window.tools.shot_label.text() == "2 shot changes"


def test_qc_flags_an_edge_near_a_cut_and_fixes_it(opened, qtbot):
    window, _ = opened
    qtbot.waitUntil(lambda: any(f.rule == "shot_change" for f in window.qc.findings), timeout=3000)
    finding = next(f for f in window.qc.findings if f.rule == "shot_change")
    assert finding.row == 1 and "starts 150 ms after a shot change" in finding.message
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_F8, Qt.KeyboardModifier.ControlModifier)
    panel = window.tools.qc
    while panel.current().rule != "shot_change":
        qtbot.keyClick(window.table, Qt.Key.Key_F8)
    qtbot.keyClick(window.table, Qt.Key.Key_F8, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.document[1].start_ms == window.timeline.shot_changes_ms[0]


def test_a_dragged_edge_snaps_to_a_cut_unless_shift_is_held(opened, qtbot):
    window, _ = opened
    timeline = window.timeline
    cut = timeline.shot_changes_ms[1]
    spp = _seconds_per_pixel(timeline)
    window.player.seek(1000)  # keep the playhead out of the way
    end = window.document[2].end_ms / 1000
    target_px = round((cut - 83 - 60) / 1000 / spp - end / spp)  # 60 ms short of "the gap before the cut"
    _drag(timeline, _viewport_point(timeline, end) - QPoint(2, 0), target_px, steps=4)
    assert window.document[2].end_ms == cut - 83, "snapped to the gap before the cut"
    window.undo_stack.undo()
    viewport = timeline.plot.viewport()
    from PySide6.QtTest import QTest

    start = _viewport_point(timeline, end) - QPoint(2, 0)
    QTest.mouseMove(viewport, start)
    QTest.qWait(20)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, start)
    for i in range(1, 5):
        QTest.qWait(20)
        QTest.mouseMove(viewport, start + QPoint(round(target_px * i / 4), 0))
    QTest.qWait(20)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, start + QPoint(target_px, 0))
    assert abs(window.document[2].end_ms - (cut - 143)) <= 2 * spp * 1000, "Shift: exactly where the mouse went"
