"""Keeps cue region items only for the cues in view, recycling them as the view scrolls.

Past `max_regions` cues in view (zoomed far out) the items give way to one
overview path: a region per cue would cost more than a frame to draw and is
too small to drag anyway.
"""

from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtGui import QColor

from subtitler.core.document import Document, DocumentChange
from subtitler.core.cue_index import CueIndex
from subtitler.gui.timeline.cue_overview import CueOverviewItem
from subtitler.gui.speakers.colours import speaker_colour
from subtitler.gui.timeline.cue_regions import Constrain, CueRegionItem, RegionEdit

MAX_REGIONS = 120  # ~8 px per cue on a 1,000-px timeline: below that nothing is draggable anyway


class RegionLayer:
    """Owns the region items of one ViewBox and maps document rows to them."""

    def __init__(
        self,
        view_box: pg.ViewBox,
        on_clicked: Callable[[int, float], None],
        on_drag_finished: Callable[[RegionEdit], None],
        max_regions: int = MAX_REGIONS,
        constrain: Constrain | None = None,
    ) -> None:
        self._view_box = view_box
        self._on_clicked = on_clicked
        self._on_drag_finished = on_drag_finished
        self._constrain = constrain
        self.max_regions = max_regions
        self.document: Document | None = None
        self.index = CueIndex()
        self._speaker_colours: dict[str, QColor] = {}
        self.active: dict[int, CueRegionItem] = {}
        self._pool: list[CueRegionItem] = []
        self.items_created = 0
        self.selected_row: int | None = None
        self.visible_rows: list[int] = []
        self._range_s = (0.0, 0.0)
        self.overview = CueOverviewItem()
        self.overview.hide()
        view_box.addItem(self.overview, ignoreBounds=True)

    # --- inputs -----------------------------------------------------------
    def set_document(self, document: Document | None) -> None:
        if self.document is not None:
            self.document.changed.disconnect(self._on_document_changed)
        self.document = document
        self.selected_row = None  # a row of the previous document means nothing here
        if document is not None:
            document.changed.connect(self._on_document_changed)
        self._reindex()
        self._release_all()
        self.update_view(*self._range_s)

    def set_selected_row(self, row: int | None) -> None:
        old = self.active.get(self.selected_row) if self.selected_row is not None else None
        if old is not None:
            old.set_selected(False)
        self.selected_row = row
        new = self.active.get(row) if row is not None else None
        if new is not None:
            new.set_selected(True)

    def update_view(self, x0_s: float, x1_s: float) -> None:
        """Show regions for the cues overlapping [x0_s, x1_s] (or the overview when too many)."""
        self._range_s = (x0_s, x1_s)
        rows = self.index.rows_in(x0_s * 1000.0, x1_s * 1000.0)
        self.visible_rows = rows
        if len(rows) > self.max_regions:
            self._release_all()
            self.overview.show()
            return
        self.overview.hide()
        wanted = set(rows)
        for row in [r for r, item in self.active.items() if r not in wanted and not item.dragging]:
            self._release(row)
        for row in rows:
            if row not in self.active:
                self._acquire(row)

    # --- document ---------------------------------------------------------
    def _on_document_changed(self, change: DocumentChange) -> None:
        self._reindex()
        if change.kind == "changed":
            for row in change.rows:
                item = self.active.get(row)
                if item is not None:
                    item.assign(row, self.index.cues[row], row == self.selected_row, self._band(self.index.cues[row]))
        else:
            self._release_all()
        self.update_view(*self._range_s)

    def _reindex(self) -> None:
        self.index = self.document.time_index() if self.document is not None else CueIndex()
        self.overview.set_cues(self.index.cues)
        names = list(dict.fromkeys(c.speaker for c in self.index.cues if c.speaker))
        self._speaker_colours = {n: QColor(speaker_colour(self.document, n, names)) for n in names} if names else {}

    def _band(self, cue) -> QColor | None:
        """The speaker's colour, drawn as a band along the region's foot."""
        return self._speaker_colours.get(cue.speaker) if cue.speaker else None

    # --- pool -------------------------------------------------------------
    def _acquire(self, row: int) -> None:
        if self._pool:
            item = self._pool.pop()
        else:
            item = CueRegionItem(self._on_clicked, self._on_drag_finished, self._constrain)
            self._view_box.addItem(item, ignoreBounds=True)
            self.items_created += 1
        item.assign(row, self.index.cues[row], row == self.selected_row, self._band(self.index.cues[row]))
        item.show()
        self.active[row] = item

    def _release(self, row: int) -> None:
        item = self.active.pop(row)
        item.cancel_drag()
        item.hide()
        self._pool.append(item)

    def _release_all(self) -> None:
        for row in list(self.active):
            self._release(row)
