"""Whisper's input features: 16 kHz audio -> log-mel spectrogram in 30-s windows.

The numbers must match what the model was trained on (openai-whisper's
``log_mel_spectrogram``): a Hann-400 STFT with hop 160, power spectrum, a
Slaney-style mel filter bank (librosa's default), log10, a floor 8 decades
below the peak, then ``(x + 4) / 4``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F

SAMPLE_RATE = 16000
N_FFT = 400
HOP_LENGTH = 160
CHUNK_LENGTH = 30
N_SAMPLES = CHUNK_LENGTH * SAMPLE_RATE  # samples in one 30-s window
N_FRAMES = N_SAMPLES // HOP_LENGTH  # 3000 mel frames in one window
FRAMES_PER_SECOND = SAMPLE_RATE // HOP_LENGTH  # 100: one frame is 10 ms


def _hz_to_mel(freq: np.ndarray) -> np.ndarray:
    """Slaney's mel scale: linear below 1 kHz, logarithmic above."""
    freq = np.asarray(freq, dtype=np.float64)
    f_sp = 200.0 / 3
    mels = freq / f_sp
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, np.log(6.4) / 27.0
    log_part = freq >= min_log_hz
    mels[log_part] = min_log_mel + np.log(freq[log_part] / min_log_hz) / logstep
    return mels


def _mel_to_hz(mels: np.ndarray) -> np.ndarray:
    """Inverse of :func:`_hz_to_mel`."""
    mels = np.asarray(mels, dtype=np.float64)
    f_sp = 200.0 / 3
    freqs = f_sp * mels
    min_log_hz, min_log_mel, logstep = 1000.0, 1000.0 / f_sp, np.log(6.4) / 27.0
    log_part = mels >= min_log_mel
    freqs[log_part] = min_log_hz * np.exp(logstep * (mels[log_part] - min_log_mel))
    return freqs


@lru_cache(maxsize=None)
def mel_filter_bank(n_mels: int, sample_rate: int = SAMPLE_RATE, n_fft: int = N_FFT) -> np.ndarray:
    """Triangular Slaney-normalised mel filters [n_mels, 1 + n_fft // 2], float32.

    Computed here rather than read from openai's ``mel_filters.npz`` so that the
    package carries no opaque asset and librosa is not a dependency; the result
    equals ``librosa.filters.mel(sr, n_fft, n_mels)`` (norm="slaney", htk=False).
    """
    fft_freqs = np.linspace(0.0, sample_rate / 2, 1 + n_fft // 2)
    mel_edges = np.linspace(_hz_to_mel(np.array([0.0]))[0], _hz_to_mel(np.array([sample_rate / 2]))[0], n_mels + 2)
    hz_edges = _mel_to_hz(mel_edges)
    widths = np.diff(hz_edges)
    ramps = hz_edges[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    weights *= (2.0 / (hz_edges[2:] - hz_edges[:-2]))[:, None]  # equal area per filter
    weights = weights.astype(np.float32)
    weights.flags.writeable = False
    return weights


def pad_or_trim(array: torch.Tensor | np.ndarray, length: int = N_SAMPLES, *, axis: int = -1):
    """Cut or zero-pad ``array`` along ``axis`` to exactly ``length`` (the encoder's fixed input)."""
    size = array.shape[axis]
    if torch.is_tensor(array):
        if size > length:
            return array.narrow(axis, 0, length)
        if size < length:
            pads = [0, 0] * array.ndim
            pads[2 * (array.ndim - 1 - (axis % array.ndim)) + 1] = length - size
            return F.pad(array, pads)
        return array
    if size > length:
        return np.take(array, np.arange(length), axis=axis)
    if size < length:
        widths = [(0, 0)] * array.ndim
        widths[axis] = (0, length - size)
        return np.pad(array, widths)
    return array


def _mel_power(samples: torch.Tensor, filters: torch.Tensor) -> torch.Tensor:
    """Mel-filtered power spectrum of whole clips [..., samples] -> [..., n_mels, frames + 1]."""
    window = torch.hann_window(N_FFT, device=samples.device)
    spectrum = torch.stft(samples, N_FFT, HOP_LENGTH, window=window, return_complex=True)
    return filters @ (spectrum.abs() ** 2)


def _mel_power_chunked(samples: torch.Tensor, filters: torch.Tensor, chunk_frames: int) -> torch.Tensor:
    """As :func:`_mel_power` for one long 1-D signal, a block of frames at a time.

    The complex STFT of an hour of audio would need ~0.6 GB; this keeps only one
    block of it. Padding the whole signal like ``torch.stft(center=True)`` does and
    slicing whole frames gives the same frames as one big transform.
    """
    half = N_FFT // 2
    padded = F.pad(samples[None, None], (half, half), mode="reflect")[0, 0]
    window = torch.hann_window(N_FFT, device=samples.device)
    n_frames = samples.shape[-1] // HOP_LENGTH + 1
    blocks = []
    for first in range(0, n_frames, chunk_frames):
        last = min(first + chunk_frames, n_frames)
        piece = padded[first * HOP_LENGTH: (last - 1) * HOP_LENGTH + N_FFT]
        spectrum = torch.stft(piece, N_FFT, HOP_LENGTH, window=window, center=False, return_complex=True)
        blocks.append(filters @ (spectrum.abs() ** 2))
    return torch.cat(blocks, dim=-1)


def log_mel_spectrogram(
    audio: np.ndarray | torch.Tensor,
    n_mels: int = 80,
    padding: int = 0,
    device: str | torch.device | None = None,
    chunk_frames: int = 60_000,
) -> torch.Tensor:
    """Log-mel features [n_mels, frames] (or [B, n_mels, frames] for a batch of equal-length clips).

    ``padding`` zero samples are appended first; transcription pads one window so
    that the last window can be sliced like every other. The peak floor is taken
    per clip, so a batch gives the same features as its clips one by one. A single
    clip longer than ``chunk_frames`` frames (10 min) is transformed block by block.
    """
    samples = audio if torch.is_tensor(audio) else torch.from_numpy(np.ascontiguousarray(audio, dtype=np.float32))
    if device is not None:
        samples = samples.to(device)
    if padding > 0:
        samples = F.pad(samples, (0, padding))
    filters = torch.from_numpy(mel_filter_bank(n_mels).copy()).to(samples.device)
    if samples.ndim == 1 and samples.shape[-1] // HOP_LENGTH >= chunk_frames:
        mel = _mel_power_chunked(samples, filters, chunk_frames)
    else:
        mel = _mel_power(samples, filters)
    mel = mel[..., :-1]  # drop the last frame, as the model was trained
    log_spec = torch.clamp(mel, min=1e-10).log10()
    peak = log_spec.amax(dim=(-2, -1), keepdim=True)
    log_spec = torch.maximum(log_spec, peak - 8.0)
    return (log_spec + 4.0) / 4.0


class LogMelWindows:
    """Whisper's log-mel of ``audio`` followed by ``padding`` zero samples, computed a window at a time.

    Gives the frames ``log_mel_spectrogram(audio, n_mels, padding)`` would give, without ever holding
    the whole spectrogram: ``mel[:, a:b]`` computes frames a..b-1 from the samples they cover (each
    frame is the 400-sample window centred on its hop, reflected at the start of the signal as
    ``torch.stft(center=True)`` does). Its log floor needs the loudest frame of the whole file, found
    in one block-wise pass when the object is made. Memory stays flat with the file's length: a
    2-hour file's spectrogram (230 MB) was held for the whole transcription before.
    """

    def __init__(self, audio: np.ndarray | torch.Tensor, n_mels: int = 80, padding: int = 0,
                 block_frames: int = N_FRAMES) -> None:
        samples = audio if torch.is_tensor(audio) else torch.from_numpy(np.ascontiguousarray(audio, dtype=np.float32))
        if samples.ndim != 1:
            raise ValueError("LogMelWindows takes one mono clip")
        self.samples = samples
        self.n_mels = n_mels
        self.length = samples.shape[-1] + padding  # samples of the padded signal
        self.n_frames = self.length // HOP_LENGTH  # stft frames minus the last one, as the model was trained
        self.filters = torch.from_numpy(mel_filter_bank(n_mels).copy()).to(samples.device)
        self.window = torch.hann_window(N_FFT, device=samples.device)
        self.block_frames = block_frames
        self.floor = self._peak() - 8.0  # float32 arithmetic, as on the whole spectrogram

    @property
    def shape(self) -> tuple[int, int]:
        return (self.n_mels, self.n_frames)

    def __getitem__(self, key: tuple[slice, slice]) -> torch.Tensor:
        """``mel[:, a:b]`` only: the frames a..b-1 (clipped to the spectrogram, like slicing a tensor)."""
        rows, columns = key
        if rows != slice(None) or not isinstance(columns, slice) or columns.step not in (None, 1):
            raise TypeError("LogMelWindows supports mel[:, a:b] only")
        start, stop, _ = columns.indices(self.n_frames)
        return self.frames(start, max(0, stop - start))

    def frames(self, start: int, count: int) -> torch.Tensor:
        """Normalised log-mel frames [n_mels, count] from frame ``start``."""
        log_spec = torch.clamp(self._mel_power(start, count), min=1e-10).log10()
        return (torch.maximum(log_spec, self.floor.to(log_spec.device)) + 4.0) / 4.0

    def _peak(self) -> torch.Tensor:
        """The largest log10 mel power of any frame, a float32 scalar (the floor sits 8 decades below it)."""
        peak = torch.tensor(-10.0)  # log10 of the clamp: frames of pure padding
        for first in range(0, self.n_frames, self.block_frames):
            count = min(self.block_frames, self.n_frames - first)
            if (first * HOP_LENGTH - N_FFT // 2) >= self.samples.shape[-1]:
                break  # only padding from here on: silent frames
            block = torch.clamp(self._mel_power(first, count), min=1e-10).log10()
            peak = torch.maximum(peak, block.max().cpu())
        return peak

    def _mel_power(self, start: int, count: int) -> torch.Tensor:
        if count <= 0:
            return torch.zeros(self.n_mels, 0, dtype=torch.float32, device=self.samples.device)
        half = N_FFT // 2
        piece = self._padded(start * HOP_LENGTH - half, (start + count - 1) * HOP_LENGTH + half)
        spectrum = torch.stft(piece, N_FFT, HOP_LENGTH, window=self.window, center=False, return_complex=True)
        return self.filters @ (spectrum.abs() ** 2)

    def _padded(self, begin: int, end: int) -> torch.Tensor:
        """Samples begin..end-1 of the padded signal, reflected at both ends like torch.stft(center=True)."""
        have = self.samples.shape[-1]
        if begin >= 0 and end <= have:
            return self.samples[begin:end]
        index = torch.arange(begin, end, device=self.samples.device)
        index = torch.where(index < 0, -index, index)
        index = torch.where(index >= self.length, 2 * (self.length - 1) - index, index)
        inside = index < have
        out = torch.zeros(end - begin, dtype=self.samples.dtype, device=self.samples.device)
        out[inside] = self.samples[index[inside]]
        return out
