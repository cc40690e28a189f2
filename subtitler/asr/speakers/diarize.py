"""Who speaks when: voice activity, voice embeddings of short overlapping windows, clustering.

1. Silero's voice activity gives the speech regions (``subtitler.asr.vad``).
2. Each region is cut into 1.5-s windows every 0.75 s (a shorter region is one window), and
   the CAM++ encoder turns each into a voice embedding.
3. The embeddings are clustered; the number of speakers is estimated, or given exactly or as a range.
4. Every 10-ms frame of speech takes the speaker whose centre is closest to the windows covering it
   (their similarities averaged), and runs of frames become speaker turns.

:func:`diarize` is a generator like transcription: ``on_progress(done_s, total_s)`` while it works,
``should_stop`` polled between steps (raises :class:`~subtitler.errors.Cancelled`), then the turns in
time order. Overlapping speech gets one speaker (the stronger voice), as with any clustering of single
embeddings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from subtitler.asr.speakers.clustering import ClusterOptions, SpeakerCount, cluster
from subtitler.asr.vad import SAMPLE_RATE, SpeechRegion, VadOptions, regions_from_probabilities, speech_probabilities
from subtitler.errors import Cancelled

FRAME_S = 0.01
VAD_SHARE = 0.15  # of the progress bar: voice activity; the rest is embedding


@dataclass(frozen=True)
class DiarizationOptions:
    """Window sizes, the speaker count and the stages' own options."""

    count: SpeakerCount = SpeakerCount()
    window_s: float = 1.5
    hop_s: float = 0.75
    min_window_s: float = 0.4  # shorter regions are too little voice to embed; they take their neighbours' speaker
    min_turn_s: float = 0.5  # a shorter turn between two of the same speaker's inside one region is theirs
    vad: VadOptions = VadOptions()
    clustering: ClusterOptions = ClusterOptions()

    def __post_init__(self) -> None:
        if not 0 < self.hop_s <= self.window_s:
            raise ValueError("DiarizationOptions: hop_s must be positive and at most window_s")


@dataclass(frozen=True)
class SpeakerTurn:
    """One speaker speaking without interruption, float seconds from the start of the audio."""

    start: float
    end: float
    speaker: str

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class SpeechWindows:
    """The windows embedded: where each starts and ends and which speech region holds it."""

    starts: np.ndarray  # seconds
    ends: np.ndarray
    region: np.ndarray  # index of the region each window belongs to
    regions: tuple[SpeechRegion, ...] = field(default=())


def speaker_name(index: int) -> str:
    """The label of the ``index``-th speaker heard (0-based): "Speaker 1", "Speaker 2", ..."""
    return f"Speaker {index + 1}"


def diarize(audio: np.ndarray, options: DiarizationOptions = DiarizationOptions(),
            on_progress: Callable[[float, float], None] | None = None,
            should_stop: Callable[[], bool] | None = None) -> Iterator[SpeakerTurn]:
    """Speaker turns of 16-kHz mono ``audio`` (see the module docstring)."""
    from subtitler.asr.speakers.encoder import embed

    total = len(audio) / SAMPLE_RATE
    progress = on_progress or (lambda done, whole: None)
    probabilities = speech_probabilities(audio, should_stop)
    regions = tuple(regions_from_probabilities(probabilities, len(audio), options.vad))
    progress(total * VAD_SHARE, total)
    windows = speech_windows(regions, options, total)
    if len(windows.starts) == 0:
        progress(total, total)
        return
    pieces = [audio[int(s * SAMPLE_RATE): int(e * SAMPLE_RATE)] for s, e in zip(windows.starts, windows.ends)]
    count = len(pieces)
    embeddings = embed(pieces, should_stop,
                       on_batch=lambda done: progress(total * (VAD_SHARE + (1 - VAD_SHARE) * done / count), total))
    if should_stop is not None and should_stop():
        raise Cancelled("speaker labelling stopped")
    progress(total, total)
    yield from turns_from_embeddings(embeddings, windows, options)


def turns_from_embeddings(embeddings: np.ndarray, windows: "SpeechWindows", options: DiarizationOptions) -> list[SpeakerTurn]:
    """Cluster the windows' embeddings and turn them into speaker turns (the last, cheap step)."""
    labels = cluster(embeddings, windows.ends - windows.starts, options.count, options.clustering)
    return list(_turns(embeddings, labels, windows, options))


def speech_windows(regions: tuple[SpeechRegion, ...], options: DiarizationOptions, total: float) -> SpeechWindows:
    starts, ends, owner = [], [], []
    for k, region in enumerate(regions):
        start, end = max(0.0, region.start), min(total, region.end)
        if end - start < options.min_window_s:
            continue
        if end - start <= options.window_s:
            starts.append(start), ends.append(end), owner.append(k)
            continue
        position = start
        while True:
            last = position + options.window_s >= end - 1e-6
            begin = end - options.window_s if last else position
            starts.append(begin), ends.append(begin + options.window_s), owner.append(k)
            if last:
                break
            position += options.hop_s
    return SpeechWindows(np.array(starts), np.array(ends), np.array(owner, int), regions)


def _turns(embeddings: np.ndarray, labels: np.ndarray, windows: SpeechWindows, options: DiarizationOptions) -> Iterator[SpeakerTurn]:
    speakers = labels.max() + 1
    centres = np.stack([embeddings[labels == k].mean(axis=0) for k in range(speakers)])
    centres /= np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-8)
    scores = embeddings @ centres.T  # (windows, speakers)
    for k, region in enumerate(windows.regions):
        frame_labels = _region_frames(region, k, scores, windows)
        if frame_labels is None:
            continue
        frame_labels = _absorb_short(frame_labels, int(round(options.min_turn_s / FRAME_S)))
        change = np.flatnonzero(np.diff(frame_labels)) + 1
        bounds = np.concatenate([[0], change, [len(frame_labels)]])
        for a, b in zip(bounds[:-1], bounds[1:]):
            start = float(region.start + a * FRAME_S)
            end = float(min(region.end, region.start + b * FRAME_S))
            yield SpeakerTurn(round(start, 3), round(end, 3), speaker_name(int(frame_labels[a])))


def _region_frames(region: SpeechRegion, k: int, scores: np.ndarray, windows: SpeechWindows) -> np.ndarray | None:
    """Speaker per 10-ms frame of one region: best mean score over the windows covering each frame.

    A region without windows of its own (too short) takes the scores of the nearest windows in time.
    """
    n = max(1, int(round((region.end - region.start) / FRAME_S)))
    times = region.start + (np.arange(n) + 0.5) * FRAME_S
    mine = np.flatnonzero(windows.region == k)
    if len(mine) == 0:
        centres = (windows.starts + windows.ends) / 2
        nearest = np.argsort(np.abs(centres - (region.start + region.end) / 2))[:2]
        return np.full(n, int(np.argmax(scores[nearest].mean(axis=0))))
    covers = (windows.starts[mine][None, :] <= times[:, None]) & (times[:, None] < windows.ends[mine][None, :])
    weight = covers.astype(float)
    empty = weight.sum(axis=1) == 0  # frames at the region's padded edges: the nearest window
    if empty.any():
        centres = (windows.starts[mine] + windows.ends[mine]) / 2
        weight[np.flatnonzero(empty), np.argmin(np.abs(times[empty][:, None] - centres[None, :]), axis=1)] = 1.0
    mean = (weight @ scores[mine]) / weight.sum(axis=1, keepdims=True)
    return np.argmax(mean, axis=1)


def _absorb_short(labels: np.ndarray, min_frames: int) -> np.ndarray:
    """A run shorter than ``min_frames`` between two runs of one speaker becomes theirs."""
    labels = labels.copy()
    change = np.flatnonzero(np.diff(labels)) + 1
    bounds = np.concatenate([[0], change, [len(labels)]])
    for r in range(1, len(bounds) - 2):
        a, b = bounds[r], bounds[r + 1]
        if b - a < min_frames and labels[a - 1] == labels[b]:
            labels[a:b] = labels[a - 1]
    return labels
