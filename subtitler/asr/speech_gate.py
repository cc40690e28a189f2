"""Voice activity for a live stream: pass speech on, hold back silence, and say where an utterance ended.

The offline functions in :mod:`subtitler.asr.vad` score a whole file; a live stream arrives a
block at a time. :class:`SpeechGate` owns a Silero model (:func:`~subtitler.asr.vad.new_stream_model`)
whose recurrent state runs on from frame to frame across blocks, so every frame is scored once
and the block size does not change any decision (what Silero's own ``VADIterator`` does), and
applies Silero's hysteresis frame by frame: speech starts above
``threshold`` and ends after ``end_silence_ms`` below ``threshold - 0.15``. A short pre-roll before
each onset is kept, since the first phoneme often scores low.

Why not :func:`~subtitler.asr.vad.regions_from_probabilities`: it needs the whole probability
list to place region ends; a live decision has to be made from the frames seen so far.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import torch

from subtitler.asr.vad import FRAME_SAMPLES, SAMPLE_RATE, new_stream_model, one_thread


@dataclass(frozen=True)
class GateOptions:
    """When the gate opens and closes; the defaults suit conversational speech."""

    threshold: float = 0.5
    end_silence_ms: int = 600  # this long below the lower threshold ends an utterance
    pre_roll_ms: int = 300  # audio kept before an onset
    min_speech_ms: int = 100  # an onset needs this much speech before the gate opens (clicks stay out)

    @property
    def neg_threshold(self) -> float:
        return max(0.01, self.threshold - 0.15)


@dataclass(frozen=True)
class GatedAudio:
    """Speech audio that starts at `start_s` on the stream's clock (continuing the current utterance)."""

    start_s: float
    samples: np.ndarray


@dataclass(frozen=True)
class UtteranceEnd:
    """The current utterance ended at `time_s` (its trailing silence has been passed on)."""

    time_s: float


def _frames(ms: int) -> int:
    return max(1, round(ms / 1000 * SAMPLE_RATE / FRAME_SAMPLES))


class SpeechGate:
    """Feed 16-kHz mono blocks in order; get back the speech parts and the utterance ends, in order."""

    def __init__(self, options: GateOptions = GateOptions()) -> None:
        self.options = options
        self._pending = np.zeros(0, np.float32)  # samples not yet a whole frame
        self._model = new_stream_model()
        self._frames_seen = 0
        self._speaking = False
        self._silent_run = 0
        self._onset_run = 0
        self._pre_roll: deque[np.ndarray] = deque(maxlen=_frames(options.pre_roll_ms) + _frames(options.min_speech_ms))
        self.last_probability = 0.0

    @property
    def speaking(self) -> bool:
        return self._speaking

    def feed(self, samples: np.ndarray) -> list[GatedAudio | UtteranceEnd]:
        """Score the new samples; whole frames are decided now, a partial frame waits for the next block."""
        audio = np.concatenate([self._pending, np.asarray(samples, np.float32)])
        whole = len(audio) // FRAME_SAMPLES * FRAME_SAMPLES
        self._pending = audio[whole:]
        if whole == 0:
            return []
        block = audio[:whole]
        frames = torch.from_numpy(np.ascontiguousarray(block)).reshape(-1, FRAME_SAMPLES)
        with torch.no_grad(), one_thread():  # 31 tiny steps a second: two threads only add synchronisation
            probs = [float(self._model(frame[None], SAMPLE_RATE)[0, 0]) for frame in frames]
        events: list[GatedAudio | UtteranceEnd] = []
        for i, p in enumerate(probs):
            self._decide(p, block[i * FRAME_SAMPLES:(i + 1) * FRAME_SAMPLES], events)
        self.last_probability = float(probs[-1])
        return _merged(events)

    def flush(self) -> list[GatedAudio | UtteranceEnd]:
        """The stream ended: pass on the partial frame and close an open utterance."""
        events: list[GatedAudio | UtteranceEnd] = []
        end = (self._frames_seen * FRAME_SAMPLES + len(self._pending)) / SAMPLE_RATE
        if self._speaking:
            if len(self._pending):
                events.append(GatedAudio(self._frames_seen * FRAME_SAMPLES / SAMPLE_RATE, self._pending))
            events.append(UtteranceEnd(end))
        self._pending = np.zeros(0, np.float32)
        self._speaking = False
        return events

    def _decide(self, p: float, frame: np.ndarray, events: list[GatedAudio | UtteranceEnd]) -> None:
        start = self._frames_seen * FRAME_SAMPLES / SAMPLE_RATE
        self._frames_seen += 1
        if self._speaking:
            events.append(GatedAudio(start, frame))
            self._silent_run = self._silent_run + 1 if p < self.options.neg_threshold else 0
            if self._silent_run >= _frames(self.options.end_silence_ms):
                self._speaking = False
                self._pre_roll.clear()
                events.append(UtteranceEnd(self._frames_seen * FRAME_SAMPLES / SAMPLE_RATE))
            return
        self._pre_roll.append(frame)
        self._onset_run = self._onset_run + 1 if p >= self.options.threshold else 0
        if self._onset_run >= _frames(self.options.min_speech_ms):
            self._speaking, self._silent_run, self._onset_run = True, 0, 0
            held = list(self._pre_roll)
            self._pre_roll.clear()
            events.append(GatedAudio(self._frames_seen * FRAME_SAMPLES / SAMPLE_RATE - len(held) * FRAME_SAMPLES / SAMPLE_RATE,
                                     np.concatenate(held)))


def _merged(events: list[GatedAudio | UtteranceEnd]) -> list[GatedAudio | UtteranceEnd]:
    """Consecutive frames of one utterance as one array (fewer, larger appends)."""
    out: list[GatedAudio | UtteranceEnd] = []
    run: list[GatedAudio] = []
    for event in events + [None]:  # type: ignore[list-item]
        if isinstance(event, GatedAudio):
            run.append(event)
            continue
        if run:
            out.append(GatedAudio(run[0].start_s, np.concatenate([r.samples for r in run])))
            run = []
        if event is not None:
            out.append(event)
    return out
