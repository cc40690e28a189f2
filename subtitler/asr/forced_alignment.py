"""Forced alignment: word times for a text the user already has (a transcript, a script, subtitles to retime).

No sampling: the decoder is fed the user's tokens (teacher forcing) in one pass per 30-s window,
and the cross-attention of its alignment heads is turned into a token-to-frame path by the same
DTW as word timestamps (:func:`subtitler.asr.alignment.attention_path`). Every word of the text
gets a place, in order, with times that never go back.

Audio longer than one window is first transcribed by a fast recognition pass
(:mod:`subtitler.asr.quick_recognition`: fixed windows, greedy, batched, with word times); its
words anchor the text to the audio (:mod:`subtitler.asr.alignment_plan`) and each chunk of text
is then aligned inside its own window, so an hour of audio never holds more than a few windows'
features and one window's DTW matrix.

The forced pass also says how likely the model finds each token given the audio. A text that
is not what is spoken (another language, another recording) scores far lower than a real
transcript, and such input is refused with a message rather than aligned into nonsense.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import torch

from subtitler.asr.alignment import WordTiming, attention_path, token_start_times
from subtitler.asr.alignment_plan import (
    MAX_TEXT_TOKENS, WINDOW_S, Anchoring, Chunk, anchor_words, normalise, plan_chunks,
)
from subtitler.asr.audio import HOP_LENGTH, N_FRAMES, N_SAMPLES, SAMPLE_RATE, log_mel_spectrogram, pad_or_trim
from subtitler.asr.quick_recognition import heard_words
from subtitler.asr.tokenizer import LANGUAGES, NO_SPACE_LANGUAGES, Tokenizer
from subtitler.core.segmentation import SENTENCE_END
from subtitler.errors import Cancelled, UserError

ProgressCallback = Callable[[float, float], None]
SQUEEZED_S = 0.02  # one audio-encoder frame: a word shorter than this got no audio of its own


class AlignmentError(UserError):
    """The text cannot be aligned to the audio; ``about`` says which input is at fault: 'text', 'audio' or 'both'."""

    def __init__(self, message: str, about: str) -> None:
        super().__init__(message)
        self.about = about


@dataclass(frozen=True)
class ForcedAlignmentOptions:
    """How to align; the checks' thresholds are set well apart from what real transcripts score (see the tests)."""

    language: str | None = None  # None: English for English-only models, else detected on the first 30 s
    window_s: float = WINDOW_S
    margin_s: float = 1.0  # audio kept around a chunk's first and last anchored word
    min_probability: float = 0.2  # median probability of the text's tokens in a window below this: not this speech
    min_match_ratio: float = 0.4  # share of the text's words the recognition pass must also hear (long audio)
    max_chars_per_second: float = 40.0  # about twice the fastest speech: more text than that cannot be in the audio
    max_squeezed_share: float = 0.2  # more words than this share without a frame of their own: the text outruns the speech
    min_squeezed_words: int = 5


@dataclass(frozen=True)
class TextUnit:
    """One word to place: its text (Whisper style: a leading space in languages written with spaces) and its tokens."""

    text: str
    tokens: tuple[int, ...]


@dataclass(frozen=True)
class ForcedAlignment:
    """The words of the text with times (seconds from the start of the audio), and what is worth telling the user."""

    words: tuple[WordTiming, ...]
    language: str
    warnings: tuple[str, ...] = ()
    match_ratio: float | None = None  # long audio: share of the text the recognition pass heard


# --- text -------------------------------------------------------------------------------------------

def spaced(language: str | None) -> bool:
    return language not in NO_SPACE_LANGUAGES


def split_words(tokenizer: Tokenizer, text: str, language: str | None) -> list[str]:
    """The words of a plain text: by spaces, or per character group in languages written without spaces."""
    if spaced(language):
        return text.split()
    words: list[str] = []
    for chunk in text.split():
        words += [w for w in tokenizer.split_tokens_on_unicode(tokenizer.encode(chunk))[0] if w.strip()]
    return words


def text_units(tokenizer: Tokenizer, words: Sequence[str], language: str | None) -> list[TextUnit]:
    """Tokens for each word, as the model would write it (after a space in spaced languages)."""
    lead = " " if spaced(language) else ""
    units = []
    for word in words:
        core = word.strip()
        units.append(TextUnit(lead + core, tuple(tokenizer.encode(lead + core)) if core else ()))
    return units


# --- one window ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _WindowResult:
    words: list[WordTiming]
    median_probability: float


def align_in_window(model, tokenizer: Tokenizer, samples: np.ndarray, units: Sequence[TextUnit],
                    offset_s: float) -> _WindowResult:
    """Force ``units`` through the decoder over ``samples`` (at most one window) and time every unit.

    ``tokenizer`` carries the language; ``offset_s`` is where ``samples`` start in the whole audio.
    A unit without tokens (nothing to say) gets the time of the next unit's start, zero long.
    """
    flat = [t for unit in units for t in unit.tokens]
    if not flat:
        return _WindowResult([WordTiming(u.text, offset_s, offset_s, 0.0) for u in units], 0.0)
    num_frames = min(N_FRAMES, max(2, len(samples) // HOP_LENGTH))
    mel = log_mel_spectrogram(samples, model.dims.n_mels, padding=N_SAMPLES)
    window = pad_or_trim(mel[:, :num_frames], N_FRAMES).to(model.device, model.dtype)
    with torch.no_grad():
        features = model.embed_audio(window.unsqueeze(0))
    rows, cols, probs = attention_path(model, tokenizer, flat, features, num_frames)
    times = token_start_times(rows, cols)
    spans, position = [], 0
    for unit in units:
        first, position = position, position + len(unit.tokens)
        spans.append([float(times[first]), float(times[position])])
    clip_stretched_words([u.text for u in units], spans)
    words = [WordTiming(unit.text, round(offset_s + start, 3), round(offset_s + end, 3),
                        float(np.mean(probs[i:i + len(unit.tokens)])) if unit.tokens else 0.0, unit.tokens)
             for unit, (start, end), i in zip(units, spans, np.cumsum([0] + [len(u.tokens) for u in units[:-1]]))]
    return _WindowResult(words, float(np.median(probs)))


def clip_stretched_words(texts: Sequence[str], spans: list[list[float]]) -> None:
    """The published recipe's guard against words stretched over a pause, at a window's edges and sentence ends (in place).

    Cross-attention DTW gives a pause to a neighbouring word: the first word of a window takes the silence
    before it, the last the silence after, and a sentence's last word the pause that follows. A word longer
    than twice the median word (at most 1.4 s) is cut to that length on the side of the pause, as
    openai-whisper does at segment and sentence edges.
    """
    durations = np.array([end - start for start, end in spans])
    durations = durations[durations > 0]
    if not len(durations):
        return
    longest = 2 * min(0.7, float(np.median(durations)))
    ends_sentence = [t.strip().rstrip("\"'»”’)").endswith(SENTENCE_END) for t in texts]
    for i, span in enumerate(spans):
        if span[1] - span[0] <= longest:
            continue
        if i == 0 or ends_sentence[i - 1]:
            span[0] = span[1] - longest
        if i == len(spans) - 1 or ends_sentence[i]:
            span[1] = span[0] + longest


# --- the whole audio ----------------------------------------------------------------------------------

def force_align(model, tokenizer: Tokenizer, audio: np.ndarray, words: Sequence[str],
                options: ForcedAlignmentOptions = ForcedAlignmentOptions(),
                should_stop: Callable[[], bool] | None = None,
                on_progress: ProgressCallback | None = None) -> ForcedAlignment:
    """Times for exactly ``words`` (in order) over 16-kHz mono ``audio``; raises :class:`AlignmentError` on bad input.

    ``on_progress(done, total)`` is called after each step; ``should_stop`` is polled between windows.
    """
    duration = len(audio) / SAMPLE_RATE
    if duration <= 0:
        raise AlignmentError("there is no audio to align the text to", about="audio")
    language = choose_language(model, tokenizer, audio, options)
    tokenizer = tokenizer.with_options(language=language if tokenizer.multilingual else None)
    units = text_units(tokenizer, words, language)
    _check_text(units, duration, options)
    total_tokens = sum(len(u.tokens) for u in units)
    if duration <= options.window_s and total_tokens <= MAX_TEXT_TOKENS:
        result = _align_short(model, tokenizer, audio, units, language, options)
    else:
        result = _align_long(model, tokenizer, audio, units, language, options, should_stop, on_progress)
    _check_squeezed(result.words, options)
    return result


def align_groups(model, tokenizer: Tokenizer, audio: np.ndarray, groups: Sequence[Sequence[str]],
                 options: ForcedAlignmentOptions = ForcedAlignmentOptions(), should_stop: Callable[[], bool] | None = None,
                 on_progress: ProgressCallback | None = None) -> tuple[ForcedAlignment, list[tuple[WordTiming, ...]]]:
    """Align groups of words (the words of each cue, or of each line) as one text; the timed words come back per group."""
    alignment = force_align(model, tokenizer, audio, [w for group in groups for w in group], options, should_stop, on_progress)
    out, position = [], 0
    for group in groups:
        out.append(alignment.words[position: position + len(group)])
        position += len(group)
    return alignment, out


def align_texts(model, tokenizer: Tokenizer, audio: np.ndarray, texts: Sequence[str],
                options: ForcedAlignmentOptions = ForcedAlignmentOptions(), should_stop: Callable[[], bool] | None = None,
                on_progress: ProgressCallback | None = None) -> tuple[ForcedAlignment, list[tuple[WordTiming, ...]]]:
    """Align several texts (cue texts, lines) as one, split into words the way their language writes them."""
    language = choose_language(model, tokenizer, audio, options)
    groups = [split_words(tokenizer, text, language) for text in texts]
    return align_groups(model, tokenizer, audio, groups, replace(options, language=language), should_stop, on_progress)


def choose_language(model, tokenizer: Tokenizer, audio: np.ndarray, options: ForcedAlignmentOptions) -> str:
    """The given language; English for English-only models; else the language spoken in the first 30 s."""
    if not tokenizer.multilingual:
        if options.language not in (None, "en"):
            raise AlignmentError(f"this English-only model cannot align '{options.language}' text; "
                                 "use a multilingual model such as 'base'", about="text")
        return "en"
    if options.language is not None:
        if options.language not in tokenizer.all_language_codes:
            raise AlignmentError(f"'{options.language}' is not a language this model knows; use a code such as en, de, es",
                                 about="text")
        return options.language
    from subtitler.asr.language import detect_language

    mel = log_mel_spectrogram(audio[:N_SAMPLES], model.dims.n_mels, padding=N_SAMPLES)
    window = pad_or_trim(mel[:, : min(N_FRAMES, len(audio) // HOP_LENGTH)], N_FRAMES).to(model.device, model.dtype)
    return next(iter(detect_language(model, tokenizer, window)))


def _check_text(units: Sequence[TextUnit], duration: float, options: ForcedAlignmentOptions) -> None:
    if not any(u.tokens for u in units):
        raise AlignmentError("the text has no words to align; give the transcript of the speech", about="text")
    characters = sum(len(u.text.strip()) for u in units)
    most = options.max_chars_per_second * duration + 40
    if characters > most:
        raise AlignmentError(
            f"the text is far longer than the audio: {len(units)} words ({characters} characters) for "
            f"{_clock(duration)} of audio, which holds at most about {int(most)} characters of speech; "
            "check that the text is the transcript of this file", about="both")


def _check_squeezed(words: Sequence[WordTiming], options: ForcedAlignmentOptions) -> None:
    """Refuse when many words found no audio of their own: text beyond the speech is squeezed into single frames."""
    squeezed = [w for w in words if w.end - w.start < SQUEEZED_S]
    if len(squeezed) >= max(options.min_squeezed_words, options.max_squeezed_share * len(words)):
        start = " ".join(w.word.strip() for w in squeezed[:5])
        raise AlignmentError(
            f"the text is longer than the speech: {len(squeezed)} of its {len(words)} words found no time of their own "
            f"in the audio (\"{start} …\"); check that the text is the transcript of this file and of nothing else",
            about="both")


def _align_short(model, tokenizer: Tokenizer, audio: np.ndarray, units: Sequence[TextUnit], language: str,
                 options: ForcedAlignmentOptions) -> ForcedAlignment:
    """Audio of one window: no recognition pass; the forced pass's own probabilities check the text."""
    result = align_in_window(model, tokenizer, audio, units, 0.0)
    if result.median_probability < options.min_probability:
        _refuse_mismatch(audio, language, f"the model gives its words a median probability of {result.median_probability:.2f}")
    return ForcedAlignment(tuple(_ordered(result.words)), language)


def _align_long(model, tokenizer: Tokenizer, audio: np.ndarray, units: Sequence[TextUnit], language: str,
                options: ForcedAlignmentOptions, should_stop, on_progress: ProgressCallback | None) -> ForcedAlignment:
    duration = len(audio) / SAMPLE_RATE
    progress = on_progress or (lambda done, total: None)
    heard = heard_words(model, tokenizer, audio, language, should_stop, lambda done, total: progress(done, 2 * total))
    anchoring = anchor_words([u.text for u in units], heard, duration)
    if not heard or anchoring.match_ratio < options.min_match_ratio:
        detail = (f"the recognition pass heard only {anchoring.matched} of the text's {anchoring.comparable} words"
                  if heard else "the recognition pass heard no words")
        _refuse_mismatch(audio, language, detail)
    chunks = plan_chunks(anchoring, [len(u.tokens) for u in units], duration, options.window_s,
                         margin_s=options.margin_s)
    words: list[WordTiming] = []
    warnings: list[str] = []
    for chunk in chunks:
        if should_stop is not None and should_stop():
            raise Cancelled("alignment stopped")
        samples = audio[int(chunk.start * SAMPLE_RATE): int(math.ceil(chunk.end * SAMPLE_RATE))]
        result = align_in_window(model, tokenizer, samples, units[chunk.first: chunk.last], chunk.start)
        words += result.words
        if result.median_probability < options.min_probability:
            warnings.append(_doubtful(chunk, units, result.median_probability))
        progress(duration + chunk.end, 2 * duration)
    progress(2 * duration, 2 * duration)
    return ForcedAlignment(tuple(_ordered(words)), language, tuple(warnings), anchoring.match_ratio)


def _ordered(words: Sequence[WordTiming]) -> list[WordTiming]:
    """Times that never go back (chunks meet at a pause, but a rounding could still overlap them)."""
    out: list[WordTiming] = []
    floor = 0.0
    for w in words:
        start = max(w.start, floor)
        end = max(w.end, start)
        out.append(w if (start, end) == (w.start, w.end) else WordTiming(w.word, start, end, w.probability, w.tokens))
        floor = start
    return out


def _refuse_mismatch(audio: np.ndarray, language: str, detail: str) -> None:
    """Say why the text cannot be aligned: no speech at all, or speech that is not this text."""
    from subtitler.asr.vad import speech_regions

    if not speech_regions(audio):
        raise AlignmentError("no speech was found in the audio (voice activity detection heard none); "
                             "check that this is the right file and audio track", about="audio")
    name = LANGUAGES.get(language, language)
    raise AlignmentError(
        f"the text does not match the speech ({detail}); check that it is the transcript of this file, "
        f"written in the spoken language ({name}), or name the language with --language", about="both")


def _doubtful(chunk: Chunk, units: Sequence[TextUnit], median: float) -> str:
    first = " ".join(u.text.strip() for u in units[chunk.first: chunk.first + 4])
    return (f"{_clock(chunk.start)}–{_clock(chunk.end)}: the text there (\"{first} …\") may not be what is spoken "
            f"(median token probability {median:.2f}); its words may be misplaced")


def _clock(seconds: float) -> str:
    whole = int(round(seconds))
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}" if whole >= 3600 else f"{whole // 60}:{whole % 60:02d}"


__all__ = [
    "AlignmentError", "Anchoring", "ForcedAlignment", "ForcedAlignmentOptions", "TextUnit", "align_groups",
    "align_in_window", "align_texts", "choose_language", "force_align", "normalise", "split_words", "text_units",
]
