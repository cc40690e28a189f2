"""The fast recognition pass that anchors forced alignment: which words are heard roughly when.

Anchoring needs most words with a rough time, not a polished transcript, so this pass skips
what makes transcription careful and slow: fixed 30-s windows (no seeking back to the last
complete segment) with no previous text as prompt, so each window is independent; greedy
decoding at temperature 0 only; several windows decoded side by side as one batch. Timestamp
tokens stay on: without them Whisper tends to stop after the first sentence of a window. Each window's words get times from
the same cross-attention DTW as word timestamps. A window that is probably silence, or that
loops (Whisper's typical hallucination), contributes no words: it simply anchors nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from subtitler.asr.alignment import find_alignment
from subtitler.asr.alignment_plan import HeardWord
from subtitler.asr.audio import HOP_LENGTH, N_FRAMES, N_SAMPLES, SAMPLE_RATE, log_mel_spectrogram, pad_or_trim
from subtitler.asr.decoding import DecodingOptions, DecodingResult, decode
from subtitler.asr.tokenizer import Tokenizer
from subtitler.errors import Cancelled

BATCH_WINDOWS = 4  # windows decoded side by side (the decoder's per-step cost is shared)
MAX_COMPRESSION = 2.4  # above: the window's text loops
NO_SPEECH = 0.6  # above, with an unsure text: silence
UNSURE_LOGPROB = -1.0


def heard_words(model, tokenizer: Tokenizer, audio: np.ndarray, language: str | None,
                should_stop: Callable[[], bool] | None = None,
                on_progress: Callable[[float, float], None] | None = None) -> list[HeardWord]:
    """Every word the model hears in 16-kHz ``audio``, with times in seconds, window by window."""
    duration = len(audio) / SAMPLE_RATE
    options = DecodingOptions(language=language if tokenizer.multilingual else None)
    tokenizer = tokenizer.with_options(language=language if tokenizer.multilingual else None)
    starts = list(range(0, len(audio), N_SAMPLES))
    heard: list[HeardWord] = []
    for first in range(0, len(starts), BATCH_WINDOWS):
        if should_stop is not None and should_stop():
            raise Cancelled("recognition stopped")
        batch = starts[first: first + BATCH_WINDOWS]
        pieces = [audio[s: s + N_SAMPLES] for s in batch]
        mel = torch.stack([pad_or_trim(log_mel_spectrogram(p, model.dims.n_mels), N_FRAMES) for p in pieces])
        results = decode(model, tokenizer, mel.to(model.device, model.dtype), options, should_stop)
        for start, piece, result in zip(batch, pieces, results):
            heard += _window_words(model, tokenizer, result, start / SAMPLE_RATE, len(piece) // HOP_LENGTH)
        if on_progress is not None:
            on_progress(min(duration, (batch[-1] + N_SAMPLES) / SAMPLE_RATE), duration)
    return heard


def _window_words(model, tokenizer: Tokenizer, result: DecodingResult, offset_s: float, num_frames: int) -> list[HeardWord]:
    unsure = result.avg_logprob < UNSURE_LOGPROB
    if (result.no_speech_prob > NO_SPEECH and unsure) or result.compression_ratio > MAX_COMPRESSION:
        return []
    tokens = [t for t in result.tokens if t < tokenizer.eot]
    if not tokens or num_frames < 2:
        return []
    words = find_alignment(model, tokenizer, tokens, result.audio_features, num_frames)
    return [HeardWord(w.word, offset_s + w.start, offset_s + w.end) for w in words if w.word.strip()]
