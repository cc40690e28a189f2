"""Timeline faults from the first-hour review (issue 11, items 4 and 8), reproduced in the real window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from tests.gui.test_timeline import _drag, _seconds_per_pixel, _viewport_point
from tests.gui.window_helpers import JFK_SRT, dialogs, jfk_srt, open_with_media, window  # noqa: F401 - fixtures


def _open(window, qtbot, jfk_srt: Path, data_dir: Path) -> None:
    open_with_media(window, qtbot, jfk_srt, data_dir / "jfk.mp4")
    window.timeline.set_visible_range_s(0.0, 12.0)
    qtbot.wait(50)


def _paused_at(window, qtbot, ms: int) -> None:
    window.player.pause()
    with qtbot.waitSignal(window.player.position_ms_changed, timeout=5000, check_params_cb=lambda p: p == ms):
        window.player.seek(ms)


def test_clicking_inside_a_cue_selects_it_and_seeks_to_the_point_clicked(window, jfk_srt, data_dir, qtbot):
    _open(window, qtbot, jfk_srt, data_dir)
    _paused_at(window, qtbot, 1000)
    viewport = window.timeline.plot.viewport()
    QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, _viewport_point(window.timeline, 9.0, 0.3))
    qtbot.wait(50)
    assert window.table.current_row() == 2
    tolerance = 2 * _seconds_per_pixel(window.timeline) * 1000
    assert abs(window.player.position_ms - 9000) <= tolerance, window.player.position_ms


def test_dragging_an_unselected_cue_leaves_the_playhead_where_it_was(window, jfk_srt, data_dir, qtbot):
    _open(window, qtbot, jfk_srt, data_dir)
    window.table.select_row(0)
    _paused_at(window, qtbot, 5000)
    _drag(window.timeline, _viewport_point(window.timeline, 9.0, 0.3), 12, steps=4)
    assert window.document[2].start_ms != 7800, "the drag moved the cue"
    assert window.table.current_row() == 2, "the dragged cue is selected"
    qtbot.wait(100)
    assert window.player.position_ms == 5000


def test_an_edge_cannot_be_dragged_through_the_next_cue(window, jfk_srt, data_dir, qtbot):
    _open(window, qtbot, jfk_srt, data_dir)
    spp = _seconds_per_pixel(window.timeline)
    _drag(window.timeline, _viewport_point(window.timeline, 3.0) - QPoint(2, 0), round(3.0 / spp), steps=6)
    first, second = window.document[0], window.document[1]
    assert first.end_ms > 3000, "the edge moved"
    assert first.end_ms <= second.start_ms == 3200


def test_zoom_resets_for_the_next_file(window, jfk_srt, data_dir, tmp_path, qtbot):
    _open(window, qtbot, jfk_srt, data_dir)
    window.timeline.set_visible_range_s(2.0, 3.0)
    other = tmp_path / "other.srt"
    other.write_text(JFK_SRT, encoding="utf-8")
    assert window.files.open_subtitles(other)
    x0, x1 = window.timeline.visible_range_s()
    assert x0 == 0.0 and x1 - x0 > 10.0, (x0, x1)
