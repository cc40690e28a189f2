"""Kaldi-style log mel filter banks, the input the CAM++ speaker encoder was trained on.

Written in torch because torchaudio (whose ``compliance.kaldi.fbank`` computes the same thing)
would pull another large binary wheel pinned to one torch build. The recipe is Kaldi's
``compute-fbank-feats`` with its defaults as 3D-Speaker uses them: 25-ms frames every 10 ms
(edges snipped), DC offset removed per frame, pre-emphasis 0.97, Povey window, 512-point power
spectrum, 80 triangular mel bands from 20 Hz to Nyquist, natural log floored at float epsilon.
"""

from __future__ import annotations

import math
from functools import lru_cache

import torch

SAMPLE_RATE = 16_000
FRAME_LENGTH = 400  # 25 ms
FRAME_SHIFT = 160  # 10 ms
N_FFT = 512
N_MELS = 80
LOW_HZ = 20.0
PREEMPHASIS = 0.97


def frame_count(samples: int) -> int:
    """Frames Kaldi makes from ``samples`` samples (snip_edges: only whole frames)."""
    return 0 if samples < FRAME_LENGTH else 1 + (samples - FRAME_LENGTH) // FRAME_SHIFT


@lru_cache(maxsize=1)
def _mel_banks() -> torch.Tensor:
    """(N_MELS, N_FFT // 2 + 1) triangles on Kaldi's mel scale (1127 ln(1 + f/700)); the Nyquist bin gets no weight."""
    def mel(hz: float) -> float:
        return 1127.0 * math.log1p(hz / 700.0)

    low, high = mel(LOW_HZ), mel(SAMPLE_RATE / 2)
    step = (high - low) / (N_MELS + 1)
    bins = N_FFT // 2
    bin_mel = 1127.0 * torch.log1p(torch.arange(bins, dtype=torch.float64) * SAMPLE_RATE / N_FFT / 700.0)
    banks = torch.zeros(N_MELS, bins + 1, dtype=torch.float64)
    for band in range(N_MELS):
        left, centre, right = low + band * step, low + (band + 1) * step, low + (band + 2) * step
        rising = (bin_mel - left) / (centre - left)
        falling = (right - bin_mel) / (right - centre)
        banks[band, :bins] = torch.clamp(torch.minimum(rising, falling), min=0.0)
    return banks.float()


@lru_cache(maxsize=1)
def _povey_window() -> torch.Tensor:
    return torch.hann_window(FRAME_LENGTH, periodic=False, dtype=torch.float64).pow(0.85).float()


def fbank(samples: torch.Tensor) -> torch.Tensor:
    """(frames, 80) log mel energies of 16-kHz mono float samples in [-1, 1]."""
    n = frame_count(samples.numel())
    if n == 0:
        return torch.zeros(0, N_MELS)
    frames = samples.float().contiguous().as_strided((n, FRAME_LENGTH), (FRAME_SHIFT, 1))
    frames = frames - frames.mean(dim=1, keepdim=True)
    previous = torch.cat([frames[:, :1], frames[:, :-1]], dim=1)  # Kaldi repeats the first sample
    frames = (frames - PREEMPHASIS * previous) * _povey_window()
    power = torch.fft.rfft(frames, n=N_FFT).abs().pow(2)
    energies = power @ _mel_banks().T
    return torch.log(torch.clamp(energies, min=torch.finfo(torch.float32).eps))


def normalised_fbank(samples: torch.Tensor) -> torch.Tensor:
    """Filter banks with each band's mean over the piece removed (the encoder's input)."""
    features = fbank(samples)
    return features - features.mean(dim=0, keepdim=True) if len(features) else features
