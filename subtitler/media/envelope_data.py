"""The waveform envelope value (re-exported by envelope.py)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Envelope:
    """Min and max of the mono signal per bin of `samples_per_bin` samples at `sample_rate`.

    The arrays are read-only: a partial envelope handed to the GUI never
    changes under it.
    """

    samples_per_bin: int
    sample_rate: int
    mins: np.ndarray  # float32, one value per bin
    maxs: np.ndarray

    @property
    def bin_seconds(self) -> float:
        return self.samples_per_bin / self.sample_rate

    @property
    def duration_s(self) -> float:
        return len(self.mins) * self.bin_seconds
