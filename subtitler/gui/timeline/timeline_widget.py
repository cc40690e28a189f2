"""TimelineWidget: waveform, optional spectrogram, cue regions and the playhead on one time axis.

It edits only through the undo stack (one command per finished drag), follows
the one clock for the playhead, and computes waveform and spectrogram in
workers on their own threads.
"""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QPoint, Qt, QThread, Signal
from PySide6.QtGui import QCloseEvent, QUndoStack
from PySide6.QtWidgets import QScrollBar, QVBoxLayout, QWidget

from subtitler.core.commands import Composite, MoveCues, SetTimes
from subtitler.core.document import Document, DocumentChange
from subtitler.core.snapping import SnapOptions, snap
from subtitler.gui.player.media_player import MediaPlayer
from subtitler.gui.timeline.cue_regions import DragMode, RegionEdit
from subtitler.gui.timeline.playhead import Playhead
from subtitler.gui.timeline.region_layer import RegionLayer
from subtitler.gui.timeline.shot_change_item import ShotChangeItem
from subtitler.gui.timeline.spectrogram_item import SpectrogramItem
from subtitler.gui.timeline.time_axis import TimeAxisItem
from subtitler.gui.timeline.view_box import TimelineViewBox
from subtitler.gui.timeline.waveform_item import WaveformItem
from subtitler.gui.timeline.word_marks import WordMarkLayer
from subtitler.gui.undo import push_command
from subtitler.gui.workers.envelope_worker import EnvelopeWorker
from subtitler.gui.workers.job import JobWorker, start_worker
from subtitler.gui.workers.shot_change_worker import ShotChangeWorker
from subtitler.gui.workers.spectrogram_worker import SpectrogramWorker

DEFAULT_SPAN_S = 20.0
MIN_SPAN_S = 0.2
TAIL_S = 5.0  # room after the last cue
FOLLOW_MARGIN = 0.05  # when paging, the playhead lands this fraction into the new page
SNAP_PX = 8  # a dragged edge snaps to a target this close on screen


MAX_SCROLL_MS = 2**31 - 1 - 3_600_000  # QScrollBar values are C ints; an hour of room for the view span


class TimelineWidget(QWidget):
    """The audio timeline; see the module docstring."""

    current_row_changed = Signal(int)
    seek_requested = Signal("qint64")  # ms
    media_failed = Signal(str)
    shot_changes_found = Signal(object)  # tuple of cut times in ms (empty: none, or no video)
    shot_progress_changed = Signal(float, float)  # seconds analysed, seconds in all
    context_menu_requested = Signal(float, QPoint)  # seconds, global position

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._player: MediaPlayer | None = None
        self._document: Document | None = None
        self._undo_stack: QUndoStack | None = None
        self._jobs: dict[str, tuple[JobWorker, QThread]] = {}
        self._media_path: Path | None = None
        self._media_duration_s = 0.0
        self._spectrogram_visible = False
        self.follow_playhead = True
        self.shot_changes_ms: tuple[int, ...] = ()
        self.min_gap_ms = 83  # the reading profile's minimum gap, kept when snapping to a neighbour
        self._syncing_scrollbar = False
        self._init_plot()
        self._init_items()
        self._init_scrollbar()
        self._init_layout()
        self._update_duration()
        self.set_visible_range_s(0.0, DEFAULT_SPAN_S)

    # --- construction -----------------------------------------------------
    def _init_plot(self) -> None:
        self.view_box = TimelineViewBox()
        self.plot = pg.PlotWidget(viewBox=self.view_box, axisItems={"bottom": TimeAxisItem("bottom")})
        self.plot.hideAxis("left")
        self.plot.setBackground((24, 24, 28))
        self.plot.setMenuEnabled(False)
        self.view_box.sigXRangeChanged.connect(self._on_view_box_x_range_changed)
        self.view_box.clicked_at_s.connect(self._on_view_box_clicked_at_s)
        self.view_box.context_menu_requested.connect(
            lambda at_s, pos: self.context_menu_requested.emit(max(0.0, at_s), pos))

    def _init_items(self) -> None:
        self.spectrogram = SpectrogramItem()
        self.spectrogram.setZValue(-10)
        self.spectrogram.hide()
        self.view_box.addItem(self.spectrogram, ignoreBounds=True)
        self.waveform = WaveformItem()
        self.view_box.addItem(self.waveform, ignoreBounds=True)
        self.shots = ShotChangeItem()
        self.view_box.addItem(self.shots, ignoreBounds=True)
        self.regions = RegionLayer(self.view_box, self._on_region_clicked, self._on_region_drag_finished,
                                   constrain=self._constrain_drag)
        self.word_marks = WordMarkLayer.attach(self.view_box)
        self.playhead = Playhead()
        self.view_box.addItem(self.playhead, ignoreBounds=True)

    def _init_scrollbar(self) -> None:
        self.scrollbar = QScrollBar(Qt.Orientation.Horizontal, self)
        self.scrollbar.valueChanged.connect(self._on_scrollbar_value_changed)

    def _init_layout(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.plot)
        layout.addWidget(self.scrollbar)

    # --- public API -------------------------------------------------------
    def set_player(self, player: MediaPlayer) -> None:
        self._player = player
        player.position_ms_changed.connect(self._on_player_position_ms_changed)
        player.position_ms_changed.connect(self.word_marks.set_position_ms)
        player.duration_ms_changed.connect(self._on_player_duration_ms_changed)
        self.playhead.set_position_ms(player.position_ms)

    def set_document(self, document: Document | None) -> None:
        """Show `document`; another document than before is another file, so the view starts unzoomed."""
        replaced = document is not self._document
        if self._document is not None:
            self._document.changed.disconnect(self._on_document_changed)
        self._document = document
        if document is not None:
            document.changed.connect(self._on_document_changed)
        self.regions.set_document(document)
        self.word_marks.set_document(document)
        self._update_duration()
        if replaced:
            self.set_visible_range_s(0.0, DEFAULT_SPAN_S)

    def set_undo_stack(self, stack: QUndoStack) -> None:
        self._undo_stack = stack

    def load_media(self, path: str | Path) -> None:
        """Start computing the waveform (and the spectrogram when shown) of `path`."""
        self._cancel_jobs()
        self._media_path = Path(path)
        self._media_duration_s = 0.0
        self.waveform.clear_envelope()
        self.spectrogram.reset()
        self.set_shot_changes(())
        self._start_envelope_job()
        self._start_shot_change_job()
        if self._spectrogram_visible:
            self._start_spectrogram_job()

    def set_spectrogram_visible(self, visible: bool) -> None:
        self._spectrogram_visible = visible
        self.spectrogram.setVisible(visible)
        self.waveform.set_dimmed(visible)
        if visible and self._media_path is not None and self.spectrogram.layout is None and "spectrogram" not in self._jobs:
            self._start_spectrogram_job()

    def select_row(self, row: int) -> None:
        """Highlight the cue at `row` and scroll it into view (no current_row_changed: the caller knows)."""
        if self._document is None or not 0 <= row < len(self._document):
            self.regions.set_selected_row(None)
            return
        self.regions.set_selected_row(row)
        cue = self._document[row]
        x0, x1 = self.visible_range_s()
        start, end = cue.start_ms / 1000.0, cue.end_ms / 1000.0
        if end < x0 or start > x1:
            span = x1 - x0
            self.set_visible_range_s(start - span * 0.25, start + span * 0.75)

    def set_shot_changes(self, times_ms: tuple[int, ...]) -> None:
        """Draw these cuts and snap to them (the detection job calls this; tests may too)."""
        self.shot_changes_ms = tuple(sorted(times_ms))
        self.shots.set_times_ms(self.shot_changes_ms)
        self.shot_changes_found.emit(self.shot_changes_ms)

    def snap_options(self, snapping: bool = True) -> SnapOptions:
        """What a drag snaps to now: SNAP_PX on screen, the playhead, cuts, the profile's gap, the video's frames."""
        pixel_ms = (self.view_box.viewPixelSize()[0] or 0.0) * 1000.0
        frame_rate = self._player.frame_rate if self._player is not None else None
        if frame_rate is None and self._document is not None:
            frame_rate = self._document.frame_rate
        playhead = self._player.position_ms if self._player is not None else None
        return SnapOptions(SNAP_PX * pixel_ms, self.min_gap_ms, frame_rate, playhead, self.shot_changes_ms, snapping)

    def _constrain_drag(self, row: int, mode: DragMode, start_ms: int, end_ms: int, snapping: bool) -> tuple[int, int]:
        if self._document is None or not 0 <= row < len(self._document):
            return start_ms, end_ms
        return snap(self._document.cues_list, row, mode, start_ms, end_ms, self.snap_options(snapping))

    def set_follow_playhead(self, follow: bool) -> None:
        self.follow_playhead = follow

    def visible_range_s(self) -> tuple[float, float]:
        x0, x1 = self.view_box.viewRange()[0]
        return float(x0), float(x1)

    def set_visible_range_s(self, x0: float, x1: float) -> None:
        span = max(MIN_SPAN_S, x1 - x0)
        x0 = max(0.0, min(x0, self.duration_s - span))
        self.view_box.setXRange(x0, x0 + span, padding=0)

    def zoom(self, factor: float) -> None:
        """Zoom in (factor < 1) or out (> 1) around the centre of the view."""
        x0, x1 = self.visible_range_s()
        centre, half = (x0 + x1) / 2, (x1 - x0) * factor / 2
        self.set_visible_range_s(centre - half, centre + half)

    @property
    def duration_s(self) -> float:
        cues_end = self.regions.index.max_ends[-1] / 1000.0 + TAIL_S if len(self.regions.index) else 0.0
        return max(self._media_duration_s, cues_end) or DEFAULT_SPAN_S

    def shutdown(self) -> None:
        """Stop the background jobs and wait for their threads (call before the app quits)."""
        self._cancel_jobs(wait=True)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    # --- clock --------------------------------------------------------------
    def _on_player_position_ms_changed(self, ms: int) -> None:
        self.playhead.set_position_ms(ms)
        if self.follow_playhead:
            self._page_to(ms / 1000.0)  # playing past the view, or a jump (next cue, seek) out of it

    def _page_to(self, at_s: float) -> None:
        x0, x1 = self.visible_range_s()
        if x0 <= at_s <= x1:
            return
        span = x1 - x0
        self.set_visible_range_s(at_s - span * FOLLOW_MARGIN, at_s + span * (1 - FOLLOW_MARGIN))

    def _on_player_duration_ms_changed(self, duration_ms: int) -> None:
        # The scrollbar counts milliseconds in a C int: a header announcing more than ~596 h (damaged or
        # crafted; the audio is far shorter) is shown as that long rather than overflowing.
        duration_ms = min(duration_ms, MAX_SCROLL_MS)
        self._media_duration_s = max(self._media_duration_s, duration_ms / 1000.0)
        self._update_duration()

    # --- view -------------------------------------------------------------
    def _on_view_box_x_range_changed(self, _view_box: object, x_range: tuple[float, float]) -> None:
        self.regions.update_view(*x_range)
        self._sync_scrollbar()

    def _on_view_box_clicked_at_s(self, at_s: float) -> None:
        """The owner connects seek_requested to MediaPlayer.seek (one seek per click)."""
        self.seek_requested.emit(max(0, round(at_s * 1000)))

    def _on_scrollbar_value_changed(self, value_ms: int) -> None:
        if self._syncing_scrollbar:
            return
        x0, x1 = self.visible_range_s()
        self.set_visible_range_s(value_ms / 1000.0, value_ms / 1000.0 + (x1 - x0))

    def _sync_scrollbar(self) -> None:
        x0, x1 = self.visible_range_s()
        span_ms = round((x1 - x0) * 1000)
        self._syncing_scrollbar = True
        try:
            self.scrollbar.setRange(0, max(0, round(self.duration_s * 1000) - span_ms))
            self.scrollbar.setPageStep(max(1, span_ms))
            self.scrollbar.setSingleStep(max(1, span_ms // 10))
            self.scrollbar.setValue(round(x0 * 1000))
        finally:
            self._syncing_scrollbar = False

    def _update_duration(self) -> None:
        duration = self.duration_s
        self.view_box.setLimits(xMin=0.0, xMax=duration, minXRange=MIN_SPAN_S, maxXRange=duration)
        self._sync_scrollbar()

    # --- regions and document ---------------------------------------------
    def _on_region_clicked(self, row: int, at_s: float | None = None) -> None:
        """Select the cue; a click (not the end of a drag) also puts the playhead at the point clicked."""
        self.regions.set_selected_row(row)
        self.current_row_changed.emit(row)
        if at_s is not None:
            self.seek_requested.emit(max(0, round(at_s * 1000)))

    def _on_region_drag_finished(self, edit: RegionEdit) -> None:
        doc = self._document
        if doc is None or self._undo_stack is None or not edit.changed or not 0 <= edit.row < len(doc):
            return
        if (doc[edit.row].start_ms, doc[edit.row].end_ms) != (edit.old_start_ms, edit.old_end_ms):
            return  # the document changed under the drag: drop the stale edit
        if edit.mode is DragMode.MOVE:
            command = MoveCues(doc, [edit.row], edit.offset_ms)
        else:
            command = SetTimes(doc, edit.row, edit.new_start_ms, edit.new_end_ms)
        # Wrapped so that two separate drags stay two undo steps (the bare commands merge by row).
        push_command(self._undo_stack, Composite(command.text, [command]))
        if self.regions.selected_row != edit.row:
            self._on_region_clicked(edit.row)

    def _on_document_changed(self, change: DocumentChange) -> None:
        self._update_duration()

    # --- background jobs --------------------------------------------------
    def _start_envelope_job(self) -> None:
        worker = EnvelopeWorker(self._media_path)
        worker.envelope_updated.connect(self._on_envelope_worker_envelope_updated)
        worker.failed.connect(self.media_failed)
        self._start_job("envelope", worker)

    def _start_spectrogram_job(self) -> None:
        worker = SpectrogramWorker(self._media_path)
        worker.layout_decided.connect(self._on_spectrogram_worker_layout_decided)
        worker.chunk_ready.connect(self._on_spectrogram_worker_chunk_ready)
        worker.failed.connect(self.media_failed)
        self._start_job("spectrogram", worker)

    def _start_shot_change_job(self) -> None:
        worker = ShotChangeWorker(self._media_path)
        worker.progress.connect(self._on_shot_change_worker_progress)
        worker.completed.connect(self._on_shot_change_worker_completed)
        worker.failed.connect(self._on_shot_change_worker_failed)
        self._start_job("shot_changes", worker)

    def _on_shot_change_worker_progress(self, done_s: float, total_s: float) -> None:
        if self._is_current("shot_changes"):
            self.shot_progress_changed.emit(done_s, total_s)

    def _on_shot_change_worker_completed(self, times_ms: object) -> None:
        if self._is_current("shot_changes"):
            self.set_shot_changes(tuple(times_ms))

    def _on_shot_change_worker_failed(self, message: str) -> None:
        if self._is_current("shot_changes"):
            self.media_failed.emit(f"No shot changes: {message}")

    def _start_job(self, name: str, worker: JobWorker) -> None:
        worker.done.connect(self._on_job_worker_done)
        self._jobs[name] = (worker, start_worker(worker))

    def _on_job_worker_done(self) -> None:
        finished = self.sender()
        for name, (worker, _thread) in list(self._jobs.items()):
            if worker is finished:
                del self._jobs[name]

    def _cancel_jobs(self, wait: bool = False) -> None:
        for worker, thread in list(self._jobs.values()):
            worker.cancel()
            if wait and shiboken6.isValid(thread):
                thread.wait(10000)  # the worker stops at its next step; `done` quits its thread directly
        self._jobs.clear()

    def _is_current(self, name: str) -> bool:
        """Results of a cancelled job may still be queued after a new load: only the current job's count."""
        job = self._jobs.get(name)
        return job is not None and job[0] is self.sender()

    def _on_envelope_worker_envelope_updated(self, envelope: object) -> None:
        if not self._is_current("envelope"):
            return
        self.waveform.set_envelope(envelope)
        if envelope.duration_s > self._media_duration_s:
            self._media_duration_s = envelope.duration_s
            self._update_duration()

    def _on_spectrogram_worker_layout_decided(self, layout: object) -> None:
        if self._is_current("spectrogram"):
            self.spectrogram.set_layout(layout)

    def _on_spectrogram_worker_chunk_ready(self, chunk: object) -> None:
        if self._is_current("spectrogram") and self.spectrogram.layout is not None:
            self.spectrogram.add_chunk(chunk)
