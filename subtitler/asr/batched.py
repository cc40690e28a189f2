"""Batched long-form mode: cut the speech at pauses into chunks of up to 30 s and decode many chunks at once.

The sequential mode (subtitler.asr.transcribe) decodes one window after another because each window is
prompted with the text before it and starts where the last one's words ended. Here every chunk stands
alone, as in faster-whisper's ``BatchedInferencePipeline``: the voice-activity model finds the pauses
(subtitler.asr.vad), the speech regions are joined into chunks of at most one window that end in a pause
(subtitler.asr.spans.batch_chunks), and ``batch_size`` chunks go through the encoder as one batch and
through the decoder as one batch of rows sharing one KV cache. What is per window stays the sequential
mode's own code: the temperature fallback (a chunk whose text fails the checks is decoded again alone,
hotter), the silence check, the split at timestamp pairs, word timing by cross-attention alignment and
the guards against invented text, so the segments look the same and carry times in the file.

A chunk has no next window to pick up what its decode leaves out, so a stretch of clear speech between (or
around) a chunk's texts, at least 1.5 s long with 1 s of it speech, is decoded once more as a chunk of its own in
the chunk's language (``redecode_skipped``; subtitler.asr.hallucination.WindowGuards.left_out).

What differs: no previous text as prompt (the initial prompt and the hotwords prime every chunk); the
silence between chunks is not decoded; with the language on auto, a multilingual model detects it on the
first chunk and, with ``language_per_window``, re-detects it per chunk. ``prefix`` and openai-whisper's
``hallucination_silence_threshold`` (which decodes a window again from inside it) are sequential-only
(subtitler.asr.option_specs.check_options refuses them with a batch size).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import numpy as np
import torch

from subtitler.asr.audio import FRAMES_PER_SECOND, N_FRAMES, N_SAMPLES, SAMPLE_RATE, LogMelWindows, pad_or_trim
from subtitler.asr.decoding import DecodingResult, decode
from subtitler.asr.hallucination import Dropped, SpeechGate, WindowGuards
from subtitler.asr.language import language_probabilities
from subtitler.asr.spans import Span, batch_chunks
from subtitler.asr.tokenizer import Tokenizer
from subtitler.asr.transcribe import (
    INPUT_STRIDE, Segment, TranscribeOptions, TranscriptionInfo, _choose_language, _guard_window, _new_history,
    _segments_of_window, _window_options, _Window, _WordTimer, as_asked, decode_with_fallback, judge, window_of,
)
from subtitler.asr.vad import SpeechActivity, regions_from_probabilities
from subtitler.asr.word_refine import SpeechMap
from subtitler.errors import Cancelled

CHUNK_PAUSE_MS = 160  # shortest pause a chunk may end in (faster-whisper's batched pipeline uses the same)


def closed_tokens(tokens: tuple[int, ...], timestamp_begin: int, size: int) -> tuple[int, ...]:
    """A chunk's tokens ending in one timestamp, so that every piece of text becomes a segment.

    The sequential mode decodes text after the last timestamp pair again in the next window; a chunk has
    no next window, so text left open ends at the chunk's end, and a dangling start timestamp goes.
    """
    stamps = [t >= timestamp_begin for t in tokens]
    if not any(stamps):
        return tokens  # decoded without timestamps: one segment over the chunk
    if len(tokens) >= 2 and stamps[-1] and stamps[-2]:
        return tokens[:-1]
    if not stamps[-1]:
        return tokens + (timestamp_begin + size // INPUT_STRIDE,)
    return tokens


def transcribe_batched(
    model,
    tokenizer: Tokenizer,
    audio: np.ndarray,
    options: TranscribeOptions,
    on_progress: Callable[[float, float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_info: Callable[[TranscriptionInfo], None] | None = None,
    on_dropped: Callable[[Dropped], None] | None = None,
) -> Iterator[Segment]:
    """Transcribe 16-kHz mono ``audio`` in chunks of speech, ``options.batch_size`` at a time; segments in order.

    The callbacks are those of subtitler.asr.transcribe.transcribe; progress comes after every batch.
    """
    batch_size = options.batch_size or 1
    mel = LogMelWindows(audio, model.dims.n_mels, padding=N_SAMPLES)
    content_frames = mel.shape[-1] - N_FRAMES
    total = content_frames / FRAMES_PER_SECOND
    # One voice-activity pass serves the chunking, the refined word edges and the speech gate.
    activity = SpeechActivity(audio, should_stop)
    probabilities = activity.probabilities(0.0, len(audio) / SAMPLE_RATE)
    vad = dataclasses.replace(options.vad, min_silence_ms=CHUNK_PAUSE_MS, max_speech_s=N_FRAMES / FRAMES_PER_SECOND)
    chunks = batch_chunks(content_frames, regions_from_probabilities(probabilities, len(audio), vad), options.clip_timestamps)
    refine = options.words_timed and options.word_timing == "refined" and content_frames > 0
    speech = SpeechMap.from_audio(audio, probabilities, options.refine) if refine else None
    info, _ = _choose_language(model, tokenizer, mel, options, chunks[0][0] if chunks else 0)
    if on_info is not None:
        on_info(info)
    tokenizer = tokenizer.with_options(language=info.language if tokenizer.multilingual else None, task=options.task)
    prompt = _new_history(tokenizer, options, model.dims.n_text_ctx).prompt()  # initial prompt and hotwords only
    guards = WindowGuards(options, SpeechGate.for_options(audio, options, should_stop, activity), on_dropped)
    timing = _WordTimer(model, tokenizer, options, speech) if options.words_timed else None
    next_id = 0
    for first in range(0, len(chunks), batch_size):
        if should_stop is not None and should_stop():
            raise Cancelled("transcription stopped")
        batch = [c for c in chunks[first: first + batch_size]
                 if guards.window_has_speech(c[0] / FRAMES_PER_SECOND, c[1] / FRAMES_PER_SECOND)]
        segments: list[Segment] = []
        if batch:
            with torch.no_grad():  # not held across a yield: the caller's own torch work keeps its grad mode
                per_chunk, languages = _transcribe_chunks(model, tokenizer, mel, options, info, prompt, guards, timing,
                                                          batch, should_stop, on_dropped)
                left_out, their_languages = _left_out(guards, batch, per_chunk, languages)
                if left_out:  # decoded once more, as chunks of their own; the word timer resumes where each starts
                    resume = timing.last_speech_timestamp if timing is not None else 0.0
                    per_chunk += _transcribe_chunks(model, tokenizer, mel, options, info, prompt, guards, timing, left_out,
                                                    should_stop, on_dropped, their_languages)[0]
                    if timing is not None:
                        timing.last_speech_timestamp = resume
            found = sorted((s for chunk in per_chunk for s in chunk), key=lambda s: s.start)
            segments = [dataclasses.replace(s, id=next_id + i) for i, s in enumerate(found)]
        next_id += len(segments)
        yield from as_asked(segments, options)
        if on_progress is not None:
            done = chunks[min(first + batch_size, len(chunks)) - 1][1] / FRAMES_PER_SECOND
            on_progress(min(done, total), total)
    if on_progress is not None:
        on_progress(total, total)  # the silence after the last chunk


def _transcribe_chunks(model, tokenizer: Tokenizer, mel: LogMelWindows, options: TranscribeOptions,
                       info: TranscriptionInfo, prompt: list[int], guards: WindowGuards, timing: _WordTimer | None,
                       batch: list[Span], should_stop, on_dropped, languages: list[str] | None = None
                       ) -> tuple[list[list[Segment]], list[str]]:
    """Each chunk's guarded segments (numbered from 0: the caller numbers them in time order) and its language
    (detected per chunk where ``languages`` does not give them)."""
    features = _encode(model, mel, batch)
    if languages is None:
        languages = _chunk_languages(model, tokenizer, features, options, info.language)
    decoded = _decode_batch(model, tokenizer, features, options, languages, prompt, batch, should_stop)
    out = []
    for index, ((seek, end), window) in enumerate(zip(batch, decoded)):
        if timing is not None and seek / FRAMES_PER_SECOND < timing.last_speech_timestamp:
            timing.last_speech_timestamp = seek / FRAMES_PER_SECOND  # a left-out stretch before the chunks just timed
        guarded = _guard_window(guards, window, tokenizer, timing, languages[index], features[index: index + 1],
                                seek, end - seek, info.duration)
        out.append(_segments_of_window(guarded.pieces, guarded.texts, window.result, seek, info.duration, 0, on_dropped))
    return out, languages


def _left_out(guards: WindowGuards, batch: list[Span], per_chunk: list[list[Segment]],
              languages: list[str]) -> tuple[list[Span], list[str]]:
    """The stretches of clear speech the chunks' texts left out (WindowGuards.left_out), as spans, each with its
    chunk's language (a stretch of a second or two is too short to detect one on).

    Only where the segments have word timings: decoder timestamps are too coarse to tell a stretch left out (base
    stamped "...words words words" to end 1.7 s before the next line, over the words themselves, and decoding
    that stretch again wrote "Tom..." in German).
    """
    spans, their_languages = [], []
    for (seek, end), found, language in zip(batch, per_chunk, languages):
        if not found or not all(s.words for s in found):
            continue
        texts = [(s.words[0].start, s.words[-1].end) for s in found]
        for a, b in guards.left_out(texts, seek / FRAMES_PER_SECOND, end / FRAMES_PER_SECOND):
            spans.append((round(a * FRAMES_PER_SECOND), round(b * FRAMES_PER_SECOND)))
            their_languages.append(language)
    return spans, their_languages


def _encode(model, mel: LogMelWindows, batch: list[Span]) -> torch.Tensor:
    """The chunks' audio features [B, n_audio_ctx, n_audio_state], padded to 30 s as the encoder needs.

    A GPU encodes the whole batch at once. A CPU gains nothing from that (the encoder's products are
    large enough alone: 0.77 and 0.73 s a window at batch 1 and 8 for tiny.en on one core) while the
    attention scores of a batch of 8 took half a gigabyte, so it encodes one chunk at a time.
    """
    step = len(batch) if model.device.type == "cuda" else 1
    parts = []
    for first in range(0, len(batch), step):
        windows = torch.stack([pad_or_trim(mel[:, a:b], N_FRAMES) for a, b in batch[first: first + step]])
        parts.append(model.embed_audio(windows.to(model.device)))
    return parts[0] if len(parts) == 1 else torch.cat(parts)


def _chunk_languages(model, tokenizer: Tokenizer, features: torch.Tensor, options: TranscribeOptions,
                     language: str) -> list[str]:
    """Each chunk's language: the file's, or with ``language_per_window`` the one detected on it when sure enough."""
    if options.language is not None or not options.language_per_window or not tokenizer.multilingual:
        return [language] * features.shape[0]
    _, per_chunk = language_probabilities(model, tokenizer, features)
    out = []
    for probs in per_chunk:
        code, probability = next(iter(probs.items()))
        out.append(code if probability >= options.language_switch_probability else language)
    return out


def _decode_batch(model, tokenizer: Tokenizer, features: torch.Tensor, options: TranscribeOptions, languages: list[str],
                  prompt: list[int], batch: list[Span], should_stop) -> list[_Window]:
    """Every chunk at the first temperature in one decoder batch per language; those that fail the checks alone, hotter."""
    results: list[DecodingResult | None] = [None] * len(batch)
    for language in dict.fromkeys(languages):
        rows = [i for i, code in enumerate(languages) if code == language]
        group = features if len(rows) == len(batch) else features[rows]
        decoding = _window_options(options, language, options.temperature[0], prompt, batch[rows[0]][0])
        for row, result in zip(rows, decode(model, tokenizer, group, decoding, should_stop)):
            results[row] = result
    hotter = dataclasses.replace(options, temperature=options.temperature[1:])
    windows = []
    for index, ((seek, end), result) in enumerate(zip(batch, results)):
        final, repetitive = judge(result, options)
        if not final and hotter.temperature:
            result, repetitive = decode_with_fallback(model, tokenizer, features[index: index + 1], hotter, languages[index],
                                                      prompt, should_stop, seek)
        result = dataclasses.replace(result, tokens=closed_tokens(result.tokens, tokenizer.timestamp_begin, end - seek))
        windows.append(window_of(result, repetitive, tokenizer, options, seek, end - seek))
    return windows
