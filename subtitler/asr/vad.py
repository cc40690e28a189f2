"""Voice activity: where in the audio someone speaks, from the Silero VAD model (``silero-vad`` on PyPI).

One place for it, with its parameters in one frozen dataclass, because several parts use it:
word-timing refinement (move word edges to speech onsets and offsets), the optional
``--vad`` filter that skips non-speech before decoding, hallucination guards, the batched
long-form mode that cuts audio at pauses, diarization and live captions.

The model is Silero's TorchScript network shipped inside the wheel (no download). It is a
small recurrent network that reads 32-ms frames (512 samples at 16 kHz) one after another; its
weights run here a whole sequence at a time (:mod:`subtitler.asr.silero_net`). The recurrent layer
still steps frame by frame, so long audio is cut into up to ``MAX_STREAMS`` pieces that run side by
side as one batch, each piece starting two seconds early so that its recurrent state has warmed up
by the time its own frames begin; the result matches a single pass over the whole file to within a
few thousandths of probability.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch

from subtitler.asr.silero_net import CONTEXT_SAMPLES, FRAME_SAMPLES, SLICE_FRAMES, SileroSequence
from subtitler.errors import Cancelled

SAMPLE_RATE = 16_000
FRAME_SECONDS = FRAME_SAMPLES / SAMPLE_RATE  # 0.032 s
MAX_STREAMS = 32  # pieces decoded side by side (a batch of 32 costs ~3x one stream per step)
WARMUP_FRAMES = 64  # ~2 s of audio before a piece's own frames, for the recurrent state
MIN_STREAM_FRAMES = 1875  # pieces of at least 60 s: shorter audio is one exact pass


@dataclass(frozen=True)
class VadOptions:
    """How frame probabilities become speech regions (Silero's own parameters and defaults).

    A region starts where the probability rises above ``threshold`` and ends where it stays below
    ``neg_threshold`` (default ``threshold - 0.15``) for ``min_silence_ms``; regions shorter than
    ``min_speech_ms`` are dropped, and each region is padded by ``speech_pad_ms`` on both sides.
    """

    threshold: float = 0.5
    neg_threshold: float | None = None
    min_speech_ms: int = 250
    min_silence_ms: int = 100
    speech_pad_ms: int = 30
    max_speech_s: float = math.inf

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold < 1.0:
            raise ValueError("VadOptions.threshold must be between 0 and 1")
        if self.min_speech_ms < 0 or self.min_silence_ms < 0 or self.speech_pad_ms < 0:
            raise ValueError("VadOptions durations must not be negative")


@dataclass(frozen=True)
class SpeechRegion:
    """A stretch of speech, in float seconds from the start of the audio."""

    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


_model = None
_sequence: SileroSequence | None = None
_model_lock = threading.Lock()  # one user at a time: one_thread() sets a process-wide thread count


def _load_model():
    """The TorchScript model from the installed wheel, loaded once.

    Importing silero_vad calls ``torch.set_num_threads(1)`` as a side effect, which would slow
    every later Whisper run in this process to one core; the thread count is put back.
    """
    global _model
    if _model is None:
        _model = _silero().load_silero_vad()
    return _model


def _sequence_model() -> SileroSequence:
    """Silero's weights evaluated a whole sequence at a time (see :mod:`subtitler.asr.silero_net`), built once."""
    global _sequence
    if _sequence is None:
        _sequence = SileroSequence(_load_model())
    return _sequence


def new_stream_model():
    """A Silero model of its own for one live stream: it keeps its recurrent state between calls.

    The shared model behind :func:`speech_probabilities` is reset on every call; a stream fed a
    frame at a time needs the state carried from one frame to the next instead.
    """
    return _silero().load_silero_vad()


def _silero():
    """The silero_vad package, imported without its side effect on torch's thread count."""
    threads = torch.get_num_threads()
    try:
        import silero_vad
        import silero_vad.utils_vad  # noqa: F401  (the hysteresis used by regions_from_probabilities)
    finally:
        torch.set_num_threads(threads)
    return silero_vad


def frame_count(samples: int) -> int:
    """Frames the model produces for ``samples`` samples (the last partial frame is zero-padded)."""
    return -(-samples // FRAME_SAMPLES)


def _stream_layout(n_frames: int, min_piece_frames: int = MIN_STREAM_FRAMES) -> tuple[int, int]:
    """(number of side-by-side pieces, frames per piece) for ``n_frames`` frames of audio."""
    streams = max(1, min(MAX_STREAMS, n_frames // min_piece_frames))
    return streams, -(-n_frames // streams)


def speech_probabilities(audio: np.ndarray, should_stop: Callable[[], bool] | None = None,
                         min_piece_frames: int = MIN_STREAM_FRAMES, shared: FrameFeatures | None = None,
                         first_frame: int = 0) -> np.ndarray:
    """Probability of speech per 32-ms frame of 16-kHz mono ``audio`` (float32, ``frame_count(len(audio))`` values).

    ``should_stop`` is polled between slices of a few thousand frames and raises :class:`Cancelled`. Audio of at least
    two ``min_piece_frames`` runs as side-by-side pieces of at least that length. With ``shared``, ``audio`` is the
    stretch of ``shared.audio`` that begins at frame ``first_frame``, and the frames' features come from there.
    """
    n_frames = frame_count(len(audio))
    if n_frames == 0:
        return np.zeros(0, np.float32)
    streams, per_stream = _stream_layout(n_frames, min_piece_frames)
    warmup = WARMUP_FRAMES if streams > 1 else 0

    def check() -> None:
        if should_stop is not None and should_stop():
            raise Cancelled("voice activity detection stopped")

    if shared is None:
        shared, first_frame = FrameFeatures(audio), 0
    with _model_lock:
        network = _sequence_model()
        features = shared.pieces(network, first_frame, n_frames, streams, per_stream, warmup, check)
        with one_thread():
            out = network.recurrent(features).numpy()
    return out[:, warmup:].reshape(-1)[:n_frames]


class FrameFeatures:
    """Silero's per-frame features of one recording, computed once and shared by every rating of it.

    The network's convolutions see one frame and the 64 samples before it, so a frame's features are the same in
    every piece that holds it; only a piece's first frame, which sees zeros before it, is computed again. A
    transcription rates a file three times (whole for the word edges; in 30-s and in 8-s pieces for the speech
    gate), and the convolutions were most of each pass (tiny.en, 10 minutes: about 0.4 s of convolutions and 0.1 s
    of recurrent steps a pass, on one core). Kept: 0.5 KB a frame (10 MB for 10 minutes).
    """

    def __init__(self, audio: np.ndarray) -> None:
        self.audio = audio
        self.n_frames = frame_count(len(audio))
        self._chunks: dict[int, torch.Tensor] = {}

    def _windows(self, first: int, last: int) -> torch.Tensor:
        """Frames [first, last) with the 64 samples before each (zeros before the start, after the end): (n, 576)."""
        begin = first * FRAME_SAMPLES - CONTEXT_SAMPLES
        samples = np.zeros((last - first) * FRAME_SAMPLES + CONTEXT_SAMPLES, np.float32)
        source = self.audio[max(0, begin): last * FRAME_SAMPLES]
        samples[max(0, -begin): max(0, -begin) + len(source)] = source
        return torch.from_numpy(samples).unfold(0, CONTEXT_SAMPLES + FRAME_SAMPLES, FRAME_SAMPLES)

    def frames(self, network: SileroSequence, first: int, last: int, check: Callable[[], None]) -> torch.Tensor:
        """Features of frames [first, last), each seeing the samples before it: (last - first, 128)."""
        size = SLICE_FRAMES
        parts = []
        for chunk in range(first // size, (last - 1) // size + 1):
            if chunk not in self._chunks:
                check()
                with torch.no_grad():
                    self._chunks[chunk] = network.frame_features(
                        self._windows(chunk * size, min(self.n_frames, (chunk + 1) * size)))
            parts.append(self._chunks[chunk])
        offset = (first // size) * size
        return torch.cat(parts)[first - offset: last - offset]

    def pieces(self, network: SileroSequence, first_frame: int, n_frames: int, streams: int, per_stream: int,
               warmup: int, check: Callable[[], None]) -> torch.Tensor:
        """What :meth:`SileroSequence.features` gives for the pieces speech_probabilities lays out over the
        ``n_frames`` frames from ``first_frame``: (warmup + per_stream, streams, 128)."""
        steps = warmup + per_stream
        at = np.arange(streams)[:, None] * per_stream - warmup + np.arange(steps)[None, :]  # frame of each step
        inside = (at >= 0) & (at < n_frames)
        with torch.no_grad():
            silent = network.frame_features(torch.zeros(1, CONTEXT_SAMPLES + FRAME_SAMPLES))[0]
            out = silent.expand(streams, steps, -1).clone()  # outside the stretch a piece reads zeros
            out[torch.from_numpy(inside)] = self.frames(network, first_frame, first_frame + n_frames, check)[torch.from_numpy(at[inside])]
            # The first frame of the stretch in each piece has zeros before it, not the audio's samples.
            rows = np.arange(streams)
            first = np.argmax(inside, axis=1)
            rows, first = rows[inside[rows, first]], first[inside[rows, first]]
            windows = torch.stack([self._windows(f, f + 1)[0] for f in first_frame + at[rows, first]])
            windows[:, :CONTEXT_SAMPLES] = 0.0
            out[rows, first] = network.frame_features(windows)
        return out.transpose(0, 1).contiguous()


@contextmanager
def one_thread():
    """Run the model's thousands of tiny recurrent steps on one thread.

    Splitting each small step across threads only adds synchronisation: on a busy 2-core machine,
    30 s of audio took 45 s with two threads and 1.9 s with one; the live gate's frame-by-frame steps
    took 60 ms a frame with two (twice real time), under 1 ms with one. (The thread count is
    process-wide; the transcription that asks for voice activity, or the live session that feeds the
    gate between two decodes, waits for it, so nothing of ours runs meanwhile.)
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def regions_from_probabilities(probs: np.ndarray, n_samples: int, options: VadOptions = VadOptions()) -> list[SpeechRegion]:
    """Speech regions from frame probabilities, by Silero's own hysteresis (``get_speech_timestamps_from_probs``)."""
    if len(probs) == 0:
        return []
    stamps = _silero().utils_vad.get_speech_timestamps_from_probs(
        [float(p) for p in probs], sampling_rate=SAMPLE_RATE, threshold=options.threshold,
        neg_threshold=options.neg_threshold, min_speech_duration_ms=options.min_speech_ms,
        min_silence_duration_ms=options.min_silence_ms, speech_pad_ms=options.speech_pad_ms,
        max_speech_duration_s=options.max_speech_s, audio_length_samples=n_samples,
    )
    return [SpeechRegion(s["start"] / SAMPLE_RATE, s["end"] / SAMPLE_RATE) for s in stamps]


def speech_regions(audio: np.ndarray, options: VadOptions = VadOptions(),
                   should_stop: Callable[[], bool] | None = None) -> list[SpeechRegion]:
    """Where someone speaks in 16-kHz mono ``audio``."""
    return regions_from_probabilities(speech_probabilities(audio, should_stop), len(audio), options)


def probability_at(probs: np.ndarray, seconds: float) -> float:
    """The frame probability at a time (0 outside the audio)."""
    index = int(seconds / FRAME_SECONDS)
    return float(probs[index]) if 0 <= index < len(probs) else 0.0


PIECE_FRAMES = 938  # ~30 s: pieces run from a fresh state (see SpeechActivity)
SHORT_PIECE_FRAMES = 250  # ~8 s: the second rating's pieces (see SpeechActivity)
SHORT_PIECE_TRUST = 0.6  # the second rating counts from here; on non-speech it stayed at or below 0.4
FRESH_LEAD_S = 0.25  # a fresh rating of a doubted stretch starts this long before it (word times run a little late)
FRESH_MAX_S = 30.0  # the longest stretch rated afresh


def _short_piece_probabilities(audio: np.ndarray, should_stop: Callable[[], bool] | None,
                               shared: FrameFeatures | None = None, first_frame: int = 0) -> np.ndarray:
    """Speech probabilities rated in ~8-s pieces from a fresh state (``MAX_STREAMS`` pieces side by side)."""
    step = SHORT_PIECE_FRAMES * MAX_STREAMS * FRAME_SAMPLES
    return np.concatenate([speech_probabilities(audio[i: i + step], should_stop, SHORT_PIECE_FRAMES, shared,
                                                first_frame + i // FRAME_SAMPLES)
                           for i in range(0, len(audio), step)] or [np.zeros(0, np.float32)])


class SpeechActivity:
    """The speech probability anywhere in one file, computed on demand a block at a time.

    Silero's recurrent state drifts over long stretches: after half a minute of mains hum, a whole
    minute-long single pass rated 26 s of clear speech at 0.01 (``get_speech_timestamps`` found nothing
    there either), while the same speech after a fresh start is rated 0.6–0.9. So the audio is rated in
    independent ~30-s pieces (each warmed up on the 2 s before it), up to ``MAX_STREAMS`` pieces a block,
    and a block is only rated when a time inside it is asked for: the first window does not wait for
    a long file's last minutes.

    Half a minute is still long enough to go deaf: after 22 s of test tones the 30-s pieces rated a congested
    voice 0.00-0.03 where a fresh start heard it at 0.98-1.0, and the gate dropped its words. So the audio is
    rated a second time in ~8-s pieces, and that rating counts where it is at least SHORT_PIECE_TRUST. (Under
    a continuous 15-dB noise bed even the 8-s pieces average 0.43 over the same voice: much of it stays
    unheard.) On their own the 8-s pieces are too eager: the accuracy benchmark's non-speech files peaked at
    0.15-0.4 in them (below 0.08 in the 30-s pieces).
    Both ratings read one :class:`FrameFeatures` (as does the transcription's whole-file pass), so the second
    costs only its recurrent steps: about 0.1 s per 10 minutes of audio on one core, against 0.4 s for the first.
    """

    def __init__(self, audio: np.ndarray, should_stop: Callable[[], bool] | None = None,
                 piece_frames: int = PIECE_FRAMES) -> None:
        self.audio = audio
        self.should_stop = should_stop
        self.piece_frames = piece_frames
        self.block_frames = piece_frames * MAX_STREAMS
        self.n_frames = frame_count(len(audio))
        self._probs = np.zeros(self.n_frames, np.float32)
        self.features = FrameFeatures(audio)  # shared by both ratings (and by the caller's whole-file pass)
        self._done: set[int] = set()
        self._fresh: dict[tuple[float, float, float], float] = {}  # fresh_share's answers: the gate asks twice a segment

    def _ensure(self, first: int, last: int) -> None:
        for block in range(first // self.block_frames, last // self.block_frames + 1):
            if block in self._done:
                continue
            start = block * self.block_frames
            end = min(self.n_frames, start + self.block_frames)
            if start < end:
                audio = self.audio[start * FRAME_SAMPLES: end * FRAME_SAMPLES]
                probs = speech_probabilities(audio, self.should_stop, self.piece_frames, self.features, start)[: end - start]
                short = _short_piece_probabilities(audio, self.should_stop, self.features, start)[: end - start]
                self._probs[start:end] = np.maximum(probs, np.where(short >= SHORT_PIECE_TRUST, short, 0.0))
            self._done.add(block)

    def probabilities(self, start_s: float, end_s: float) -> np.ndarray:
        """Frame probabilities of the frames that overlap [start_s, end_s) (empty outside the audio)."""
        first = max(0, math.floor(start_s / FRAME_SECONDS + 1e-9))  # 1e-9: 60.032 / 0.032 is 1875.9999...
        last = min(self.n_frames, math.ceil(end_s / FRAME_SECONDS - 1e-9))
        if first >= last:
            return np.zeros(0, np.float32)
        self._ensure(first, last - 1)
        return self._probs[first:last]

    def peak(self, start_s: float, end_s: float) -> float:
        """The highest speech probability in [start_s, end_s) (0 outside the audio)."""
        probs = self.probabilities(start_s, end_s)
        return float(probs.max()) if len(probs) else 0.0

    def fresh_share(self, start_s: float, end_s: float, lead_s: float = FRESH_LEAD_S) -> float:
        """The share of [start_s, end_s) that Silero, started afresh ``lead_s`` before it, rates as speech (>= 0.5).

        A second opinion for a stretch the pieces did not hear. After 18 s of music-like tones the piece that started
        in them rated the opening of a congested voice ("So this is the sick corpus. I have a cold") at 0.00-0.003;
        started 0.25 s before the words, Silero heard 78 % of them. A fresh start is eager on music (single frames up
        to 0.94), but the share of frames it hears there stays low: at most 0.19 of 1 s and 0.07 of 3 s on the
        accuracy benchmark's music-like tones, none on noise, hum or test tones. Rated on demand, at most
        FRESH_MAX_S, once per stretch.
        """
        key = (start_s, end_s, lead_s)
        if key not in self._fresh:
            self._fresh[key] = self._rate_afresh(start_s, min(end_s, start_s + FRESH_MAX_S, len(self.audio) / SAMPLE_RATE),
                                                 max(0.0, start_s - lead_s))
        return self._fresh[key]

    def _rate_afresh(self, start_s: float, end_s: float, first: float) -> float:
        if end_s <= start_s:
            return 0.0
        probs = speech_probabilities(self.audio[round(first * SAMPLE_RATE): round(end_s * SAMPLE_RATE)], self.should_stop)
        own = probs[round((start_s - first) / FRAME_SECONDS):]
        return float((own >= 0.5).mean()) if len(own) else 0.0
