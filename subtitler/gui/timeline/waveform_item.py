"""The waveform: a min/max envelope drawn as one curve, progressively, with pyqtgraph's peak downsampling.

Each bin becomes two points (its min, then its max) at the bin's centre, so a
single connected curve draws the filled envelope; pyqtgraph's 'peak'
downsampling keeps the extremes when zoomed out and clip-to-view draws only the
visible bins.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from subtitler.media.envelope_data import Envelope

WAVEFORM_COLOR = (90, 200, 120)
WAVEFORM_OVER_SPECTROGRAM = (255, 255, 255, 110)


def interleave(envelope: Envelope, start_bin: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """x (seconds, each bin centre twice) and y (min, max per bin) from `start_bin` on."""
    n = len(envelope.mins)
    centres = (np.arange(start_bin, n, dtype=np.float64) + 0.5) * envelope.bin_seconds
    x = np.repeat(centres, 2)
    y = np.empty(2 * (n - start_bin), dtype=np.float32)
    y[0::2] = envelope.mins[start_bin:]
    y[1::2] = envelope.maxs[start_bin:]
    return x, y


class WaveformItem(pg.PlotDataItem):
    """Shows the latest Envelope; growing envelopes only convert their new bins."""

    def __init__(self) -> None:
        super().__init__(pen=pg.mkPen(WAVEFORM_COLOR, width=1), connect="all", skipFiniteCheck=True)
        self.setDownsampling(auto=True, method="peak")
        self.setClipToView(True)
        self._x = np.zeros(0, dtype=np.float64)
        self._y = np.zeros(0, dtype=np.float32)
        self._bin_seconds = 0.0
        self.envelope: Envelope | None = None

    @property
    def duration_s(self) -> float:
        return self.envelope.duration_s if self.envelope is not None else 0.0

    def set_envelope(self, envelope: Envelope) -> None:
        """Show `envelope`; when it extends the one shown, only the new bins are converted."""
        have = len(self._x) // 2
        grows = envelope.bin_seconds == self._bin_seconds and len(envelope.mins) >= have > 0
        start = have if grows else 0
        x, y = interleave(envelope, start)
        self._x = np.concatenate([self._x, x]) if grows else x
        self._y = np.concatenate([self._y, y]) if grows else y
        self._bin_seconds = envelope.bin_seconds
        self.envelope = envelope
        self.setData(self._x, self._y)

    def set_dimmed(self, dimmed: bool) -> None:
        """A faint outline over the spectrogram, the full colour on its own."""
        self.setPen(pg.mkPen(WAVEFORM_OVER_SPECTROGRAM if dimmed else WAVEFORM_COLOR, width=1))

    def clear_envelope(self) -> None:
        self._x = np.zeros(0, dtype=np.float64)
        self._y = np.zeros(0, dtype=np.float32)
        self.envelope = None
        self.setData([], [])
