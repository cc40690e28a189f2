"""The spectrogram: one ImageItem with fixed levels, filled column block by column block."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

from subtitler.gui.workers.spectrogram_worker import SpectrogramChunk, SpectrogramLayout

Y_RANGE = (-1.0, 1.0)  # the spectrogram fills the timeline's height, behind the waveform


class SpectrogramItem(pg.ImageItem):
    """uint8 image (columns x mels) already scaled by the worker; levels never change."""

    def __init__(self) -> None:
        super().__init__(axisOrder="col-major")
        self.setLookupTable(pg.colormap.get("inferno").getLookupTable(nPts=256))
        self.setLevels((0, 255))
        self.layout: SpectrogramLayout | None = None
        self._data = np.zeros((1, 1), dtype=np.uint8)
        self.filled_columns = 0

    def set_layout(self, layout: SpectrogramLayout) -> None:
        self.layout = layout
        self._data = np.zeros((layout.total_columns, layout.n_mels), dtype=np.uint8)
        self.filled_columns = 0
        self.setImage(self._data, autoLevels=False, levels=(0, 255))
        height = Y_RANGE[1] - Y_RANGE[0]
        self.setRect(QRectF(0.0, Y_RANGE[0], layout.total_columns * layout.seconds_per_column, height))

    def reset(self) -> None:
        """Forget the picture (another media file is coming)."""
        self.layout = None
        self._data = np.zeros((1, 1), dtype=np.uint8)
        self.filled_columns = 0
        self.clear()

    def add_chunk(self, chunk: SpectrogramChunk) -> None:
        end = min(len(self._data), chunk.first_column + len(chunk.columns))
        self._data[chunk.first_column : end] = chunk.columns[: end - chunk.first_column]
        self.filled_columns = max(self.filled_columns, end)
        self.setImage(self._data, autoLevels=False, levels=(0, 255))

    def column_at(self, seconds: float) -> np.ndarray | None:
        """The mel column shown at `seconds` (tests, tooltips)."""
        if self.layout is None:
            return None
        i = int(seconds / self.layout.seconds_per_column)
        return self._data[i] if 0 <= i < len(self._data) else None
