"""Long-form transcription: slide a 30-s window over the audio and yield segments as they become final.

Per window: decode (retrying at higher temperatures when the text is repetitive or
unsure), skip it if it is silence, split the tokens at timestamp pairs into
segments, cut repetition loops, then seek to the last complete segment's end.
The previous windows' text conditions the next one unless a hot temperature was needed.

``transcribe`` is a generator so the GUI can show segments while the job runs;
``on_info`` is called once with the language and duration before the first segment;
``should_stop`` is polled between windows (and between decoding steps) and raises
:class:`~subtitler.errors.Cancelled`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
import torch

from subtitler.asr import defaults
from subtitler.asr.alignment import AlignmentOptions, WordTiming, align_window, words_end
from subtitler.asr.audio import FRAMES_PER_SECOND, HOP_LENGTH, N_FRAMES, N_SAMPLES, SAMPLE_RATE, LogMelWindows, pad_or_trim
from subtitler.asr.spans import decode_spans
from subtitler.asr.decoding import DecodingOptions, DecodingResult, decode
from subtitler.asr.hallucination import Dropped, GuardedWindow, SpeechGate, WindowGuards, is_filler
from subtitler.asr.language import detect_language, language_probabilities
from subtitler.asr.tokenizer import Tokenizer
from subtitler.asr.vad import FrameFeatures, SpeechActivity, VadOptions, regions_from_probabilities, speech_probabilities
from subtitler.asr.word_refine import RefineOptions, SpeechMap, refine_window
from subtitler.errors import Cancelled


WORD_TIMINGS = ("refined", "reference")


@dataclass(frozen=True)
class TranscribeOptions:
    """Options for a whole file; the decoding ones apply to every window. Defaults: subtitler.asr.defaults."""

    task: str = "transcribe"
    language: str | None = None  # None: detect on the first 30 s
    temperature: tuple[float, ...] = defaults.TEMPERATURES  # tried in turn until a result passes
    beam_size: int | None = defaults.BEAM_SIZE  # used at temperature 0
    best_of: int | None = defaults.BEST_OF  # used above temperature 0
    patience: float | None = defaults.PATIENCE
    length_penalty: float | None = defaults.LENGTH_PENALTY
    compression_ratio_threshold: float | None = defaults.COMPRESSION_RATIO_THRESHOLD  # above: too repetitive, retry hotter
    logprob_threshold: float | None = defaults.LOGPROB_THRESHOLD  # below: too unsure, retry hotter
    no_speech_threshold: float | None = defaults.NO_SPEECH_THRESHOLD  # above (and unsure): silence, skip the window
    condition_on_previous_text: bool = defaults.CONDITION_ON_PREVIOUS_TEXT
    prompt_reset_on_temperature: float = defaults.PROMPT_RESET_ON_TEMPERATURE  # a window decoded hotter does not feed the next
    # Where sampling starts: each window's draws come from this seed, its position and its temperature, so a rerun gives
    # the same transcript and a window's samples do not depend on how many were drawn before it. None: torch's global draws.
    sampling_seed: int | None = defaults.SAMPLING_SEED
    initial_prompt: str | None = None  # primes the first window (style, spelling); later windows see the previous text
    hotwords: str | None = None  # names and terms to spell right: in every window's prompt (faster-whisper's hotwords); not with prefix
    prefix: str | None = None
    suppress_tokens: str | tuple[int, ...] | None = defaults.SUPPRESS_TOKENS
    suppress_blank: bool = defaults.SUPPRESS_BLANK
    without_timestamps: bool = False
    max_initial_timestamp: float | None = defaults.MAX_INITIAL_TIMESTAMP
    word_timestamps: bool = defaults.WORD_TIMESTAMPS  # words timed by cross-attention DTW (subtitler.asr.alignment); openai's default is off
    alignment: AlignmentOptions = AlignmentOptions()
    # "refined": word edges moved out of pauses by the audio (subtitler.asr.word_refine); "reference": openai-whisper's exactly.
    # Both give the same text: the next window starts where the reference timing says the last word ended.
    word_timing: str = defaults.WORD_TIMING
    refine: RefineOptions = RefineOptions()
    vad_filter: bool = defaults.VAD_FILTER  # decode only where the voice-activity model hears speech (stretches of up to 30 s)
    vad: VadOptions = VadOptions(min_speech_ms=0, min_silence_ms=2000, speech_pad_ms=400)  # regions for vad_filter
    clip_timestamps: tuple[tuple[float, float], ...] = ()  # decode only these (start, end) seconds; () is the whole audio
    # Batched long-form mode (subtitler.asr.batched): cut the speech at pauses into chunks of up to 30 s and decode this
    # many at once, each without the previous text. None: the sequential window-by-window mode.
    batch_size: int | None = defaults.BATCH_SIZE
    # Ours, not openai-whisper's (set them off to reproduce it token for token):
    language_per_window: bool = defaults.LANGUAGE_PER_WINDOW  # with language=None, re-detect per window (mixed-language media)
    language_switch_probability: float = 0.5  # a window switches language only this sure
    # The guards against invented text (subtitler.asr.hallucination); without_guards() turns them all off.
    max_repeats: int | None = defaults.MAX_REPEATS  # a segment text may occur this often in a row ("Hello? Hello? Hello?")
    repeat_lookback: int = defaults.REPEAT_LOOKBACK  # a segment of repeat_min_words+ words replaying the last N segments is suspect
    repeat_min_words: int = defaults.REPEAT_MIN_WORDS
    drop_repetitive: bool = defaults.DROP_REPETITIVE  # drop segments that stay too repetitive after every temperature
    retry_replays: bool = defaults.RETRY_REPLAYS  # a replaying window (or stock phrases or nothing over speech) again without the previous text
    speech_threshold: float | None = defaults.SPEECH_THRESHOLD  # voice-activity probability under which no word is kept
    drop_fillers: bool = defaults.DROP_FILLERS  # "Thank you.", "Subtitles by ..." on non-speech are dropped
    hallucination_silence_threshold: float | None = defaults.HALLUCINATION_SILENCE_THRESHOLD  # reads the words' times
    repair_word_times: bool = defaults.REPAIR_WORD_TIMES  # words timed outside their segment are put back; seek by timestamps
    redecode_skipped: bool = defaults.REDECODE_SKIPPED  # speech skipped at a window's start is decoded as a shorter window

    # Decode at most this many 30-s windows in the sequential mode (None: all). Live captions decode a buffer shorter
    # than one window; a second window would only re-read the half-spoken word after the last timed one, at the cost
    # of a whole encoder pass and decode, and the next step hears that word anyway.
    max_windows: int | None = None

    @property
    def words_timed(self) -> bool:
        """Whether words are timed: asked for, or read by a guard. A window's timestamp tokens can be seconds off
        (base put a call's first six lines in the 6.7 s of silence before it): the speech gate and the silence skip
        judge text by where the alignment puts its words. Without word_timestamps they are left out of the result."""
        return (self.word_timestamps or self.speech_threshold is not None or self.hallucination_silence_threshold is not None
                or self.repair_word_times or self.redecode_skipped)

    def without_guards(self) -> TranscribeOptions:
        """These options with every guard against invented text off (openai-whisper's behaviour for its settings,
        apart from ``language_per_window``)."""
        return dataclasses.replace(self, max_repeats=None, repeat_lookback=0,
                                   drop_repetitive=False, retry_replays=False, speech_threshold=None,
                                   drop_fillers=False, hallucination_silence_threshold=None, repair_word_times=False,
                                   redecode_skipped=False)

    def __post_init__(self) -> None:
        if self.word_timing not in WORD_TIMINGS:
            raise ValueError(f"TranscribeOptions.word_timing must be one of {', '.join(WORD_TIMINGS)}, not {self.word_timing!r}")
        if any(not 0 <= start < end for start, end in self.clip_timestamps):
            raise ValueError("TranscribeOptions.clip_timestamps must be (start, end) pairs with 0 <= start < end")
        if self.max_windows is not None and self.max_windows < 1:
            raise ValueError("TranscribeOptions.max_windows must be 1 or more (or None for all)")


@dataclass(frozen=True)
class Segment:
    """One timed piece of transcript. Times are float seconds from the start of the audio."""

    id: int
    seek: int  # mel frame where its window started
    start: float
    end: float
    text: str
    tokens: tuple[int, ...]  # including its timestamp tokens, kept for word timing
    temperature: float
    avg_logprob: float
    compression_ratio: float
    no_speech_prob: float
    language: str
    words: tuple[WordTiming, ...] = ()  # with word_timestamps: the words, times in seconds from the start of the audio


@dataclass(frozen=True)
class TranscriptionInfo:
    """What is known before the first segment: the language (given or detected) and the duration."""

    language: str
    language_probability: float
    duration: float
    language_probs: dict[str, float] | None = field(default=None, repr=False)


ProgressCallback = Callable[[float, float], None]

INPUT_STRIDE = 2  # mel frames per audio-encoder position (and per timestamp step)
TIME_PRECISION = INPUT_STRIDE * HOP_LENGTH / SAMPLE_RATE  # 0.02 s per timestamp token


@dataclass(frozen=True)
class _Piece:
    """A segment before guards and numbering: times and tokens from one window."""

    start: float
    end: float
    tokens: tuple[int, ...]
    words: tuple[WordTiming, ...] = ()


def ends_with_single_timestamp(tokens: tuple[int, ...], timestamp_begin: int) -> bool:
    """A window whose last two tokens are text then one timestamp had no speech after it (it was complete)."""
    return [t >= timestamp_begin for t in tokens[-2:]] == [False, True]


def split_window(tokens: tuple[int, ...], timestamp_begin: int, seek: int, size: int) -> tuple[list[_Piece], int]:
    """Cut one window's tokens at timestamp pairs; also return the frames to advance.

    A window ending in an unpaired timestamp was complete: advance the whole window.
    Otherwise the text after the last pair is unfinished and is decoded again from
    the last pair's time. Without any pair, the window is one segment.
    """
    offset = seek * HOP_LENGTH / SAMPLE_RATE
    is_stamp = [t >= timestamp_begin for t in tokens]
    complete = ends_with_single_timestamp(tokens, timestamp_begin)
    cuts = [i + 1 for i in range(len(tokens) - 1) if is_stamp[i] and is_stamp[i + 1]]
    if not cuts:
        duration = size * HOP_LENGTH / SAMPLE_RATE
        stamps = [t for t in tokens if t >= timestamp_begin]
        if stamps and stamps[-1] != timestamp_begin:
            duration = (stamps[-1] - timestamp_begin) * TIME_PRECISION
        return [_Piece(offset, offset + duration, tokens)], size
    if complete:
        cuts.append(len(tokens))
    pieces, last = [], 0
    for cut in cuts:
        chunk = tokens[last:cut]
        start = offset + (chunk[0] - timestamp_begin) * TIME_PRECISION
        pieces.append(_Piece(start, offset + (chunk[-1] - timestamp_begin) * TIME_PRECISION, chunk))
        last = cut
    advance = size if complete else (tokens[last - 1] - timestamp_begin) * INPUT_STRIDE
    return pieces, advance


def window_seed(seed: int | None, seek: int, temperature: float) -> int | None:
    """The seed of one window's sampling at one temperature (None where ``seed`` is None)."""
    if seed is None:
        return None
    return (seed * 1_000_003 + seek * 1_009 + round(temperature * 1_000)) % 2 ** 63


def _window_options(options: TranscribeOptions, language: str | None, temperature: float,
                    prompt: list[int], seek: int) -> DecodingOptions:
    hot = temperature > 0  # beam search at 0, best-of sampling above
    return DecodingOptions(
        task=options.task, language=language, temperature=temperature,
        seed=window_seed(options.sampling_seed, seek, temperature) if hot else None,
        beam_size=None if hot else options.beam_size, patience=None if hot else options.patience,
        best_of=options.best_of if hot else None, length_penalty=options.length_penalty,
        prompt=tuple(prompt) if prompt else None, prefix=options.prefix,
        suppress_tokens=options.suppress_tokens, suppress_blank=options.suppress_blank,
        without_timestamps=options.without_timestamps, max_initial_timestamp=options.max_initial_timestamp,
    )


def decode_with_fallback(model, tokenizer: Tokenizer, mel: torch.Tensor, options: TranscribeOptions,
                         language: str | None, prompt: list[int], should_stop=None, seek: int = 0
                         ) -> tuple[DecodingResult, bool]:
    """Decode at each temperature in turn until the text is neither repetitive nor unsure (or is silence).

    Returns the last result and whether it is still too repetitive (a loop no temperature escaped).
    """
    result, repetitive = None, False
    for temperature in options.temperature:
        window_options = _window_options(options, language, temperature, prompt, seek)
        result = decode(model, tokenizer, mel, window_options, should_stop)[0]
        final, repetitive = judge(result, options)
        if final:
            break
    if result is None:
        raise ValueError("TranscribeOptions.temperature must name at least one temperature")
    return result, repetitive


def judge(result: DecodingResult, options: TranscribeOptions) -> tuple[bool, bool]:
    """(final, repetitive): whether a window's result stands (neither repetitive nor unsure, or silence),
    and whether its text is too repetitive."""
    repetitive = options.compression_ratio_threshold is not None and result.compression_ratio > options.compression_ratio_threshold
    unsure = options.logprob_threshold is not None and result.avg_logprob < options.logprob_threshold
    silent = options.no_speech_threshold is not None and result.no_speech_prob > options.no_speech_threshold and unsure
    return silent or not (repetitive or unsure), repetitive


def is_silence(result: DecodingResult, options: TranscribeOptions) -> bool:
    """No speech is likely and the text is not confident enough to overrule that."""
    if options.no_speech_threshold is None or result.no_speech_prob <= options.no_speech_threshold:
        return False
    return not (options.logprob_threshold is not None and result.avg_logprob > options.logprob_threshold)


@dataclass
class _History:
    """Tokens of earlier segments, from where on they may prompt the next window, and the hotwords every prompt starts with."""

    tokens: list[int]
    hotwords: list[int] = field(default_factory=list)
    room: int = 223  # prompt tokens the decoder takes (half its text context, less the start-of-previous token)
    reset_at: int = 0

    def prompt(self, with_context: bool = True) -> list[int]:
        """The hotwords, then as much of the previous text as fits (none with ``with_context=False``)."""
        context = self.tokens[self.reset_at:] if with_context else []
        if not self.hotwords:
            return context
        hotwords = self.hotwords[: self.room]
        room = self.room - len(hotwords)
        return hotwords + (context[-room:] if room and context else [])

    def has_context(self) -> bool:
        return self.reset_at < len(self.tokens)

    def forget(self) -> None:
        self.reset_at = len(self.tokens)

    def add(self, tokens: list[int], keep_as_prompt: bool) -> None:
        self.tokens.extend(tokens)
        if not keep_as_prompt:
            self.reset_at = len(self.tokens)


def _choose_language(model, tokenizer: Tokenizer, mel: LogMelWindows, options: TranscribeOptions,
                     first: int = 0) -> tuple[TranscriptionInfo, torch.Tensor | None]:
    """The given language, "en" for English-only models, or the one detected on the 30 s from frame ``first``.

    Also returns the encoded 30 s when detection needed them, so a full first window is not encoded twice.
    """
    duration = (mel.shape[-1] - N_FRAMES) * HOP_LENGTH / SAMPLE_RATE
    if options.language is not None or not tokenizer.multilingual:
        return TranscriptionInfo(options.language or "en", 1.0, duration), None
    probs, features = detect_on_first_window(model, tokenizer, mel, first)
    language = next(iter(probs))
    return TranscriptionInfo(language, probs[language], duration, probs), features


def detect_on_first_window(model, tokenizer: Tokenizer, mel: "torch.Tensor | LogMelWindows",
                           first: int = 0) -> tuple[dict[str, float], torch.Tensor]:
    """Language probabilities (highest first) on 30 s of a recording's log-mel from frame `first`, and that window encoded.

    The one detection path: `subtitler detect` (Engine.detect_language) and transcription
    both call it on the mel of the whole recording (its level normalisation depends on
    the loudest part anywhere), so they agree to the last digit. Transcription with the
    voice-activity filter starts at the first speech (`first`).
    """
    # only the window's own frames: on per-window features, mel[:, first:] would compute the rest of the file
    features = model.embed_audio(pad_or_trim(mel[:, first:first + N_FRAMES], N_FRAMES).to(model.device).unsqueeze(0))
    return detect_language(model, tokenizer, features), features


def _listen(audio: np.ndarray, options: TranscribeOptions, content_frames: int,
            should_stop: Callable[[], bool] | None,
            features: FrameFeatures | None = None) -> tuple[list[tuple[int, int]], SpeechMap | None]:
    """The frame spans to decode and, for refined word timings, where the speech is.

    The voice-activity model runs once for both (about 0.08 s a minute of audio on one core), on the frame
    ``features`` of the speech gate's rating when given (computed once for all three ratings).
    """
    refine = options.words_timed and options.word_timing == "refined"
    if not (refine or options.vad_filter) or content_frames == 0:
        return decode_spans(content_frames, options.clip_timestamps), None
    probabilities = speech_probabilities(audio, should_stop, shared=features)
    regions = regions_from_probabilities(probabilities, len(audio), options.vad) if options.vad_filter else None
    speech = SpeechMap.from_audio(audio, probabilities, options.refine) if refine else None
    return decode_spans(content_frames, options.clip_timestamps, regions), speech


def as_asked(segments: list[Segment], options: TranscribeOptions) -> list[Segment]:
    """The segments with their words only where word timestamps were asked for (a guard may have timed them)."""
    return segments if options.word_timestamps else [dataclasses.replace(s, words=()) for s in segments]


def _segments_of_window(pieces: list[_Piece], texts: list[str], result: DecodingResult,
                        seek: int, duration: float, first_id: int,
                        on_dropped: Callable[[Dropped], None] | None = None) -> list[Segment]:
    """Number the pieces, clip them (and their words) to the audio, and leave out empty or instantaneous ones.

    Text timed past the end of the audio (the last window is padded with silence, where Whisper may go on) is
    left out and reported to ``on_dropped`` as "past-end".
    """
    segments: list[Segment] = []
    for piece, text in zip(pieces, texts):
        start, end = min(piece.start, duration), min(piece.end, duration)
        late = [w for w in piece.words if w.start >= duration]
        if start >= end or not text.strip():
            if text.strip() and piece.start >= duration and on_dropped is not None:
                on_dropped(Dropped("past-end", piece.start, piece.end, text))
            continue
        if late and on_dropped is not None:
            on_dropped(Dropped("past-end", late[0].start, late[-1].end, "".join(w.word for w in late)))
        words = tuple(w if w.end <= duration else dataclasses.replace(w, end=duration) for w in piece.words if w.start < duration)
        if late and words:
            text = "".join(w.word for w in words)
        segments.append(Segment(
            id=first_id + len(segments), seek=seek, start=start, end=end, text=text, tokens=piece.tokens,
            temperature=result.temperature, avg_logprob=result.avg_logprob,
            compression_ratio=result.compression_ratio, no_speech_prob=result.no_speech_prob, language=result.language,
            words=words,
        ))
    return segments


@dataclass(frozen=True)
class _Window:
    """One decoded window split into pieces (empty when it is silence)."""

    result: DecodingResult
    repetitive: bool
    pieces: list[_Piece]
    texts: list[str]
    advance: int


def _decode_window(model, tokenizer: Tokenizer, features: torch.Tensor, options: TranscribeOptions, language: str,
                   prompt: list[int], seek: int, size: int, should_stop) -> _Window:
    result, repetitive = decode_with_fallback(model, tokenizer, features, options, language, prompt, should_stop, seek)
    return window_of(result, repetitive, tokenizer, options, seek, size)


def window_of(result: DecodingResult, repetitive: bool, tokenizer: Tokenizer, options: TranscribeOptions,
              seek: int, size: int) -> _Window:
    """A decoded window split into pieces at its timestamps (none when it is silence)."""
    if is_silence(result, options):
        return _Window(result, repetitive, [], [], size)
    pieces, advance = _pieces(result, tokenizer, seek, size)
    return _Window(result, repetitive, pieces, [tokenizer.decode_text_only(list(p.tokens)) for p in pieces], advance)


def transcribe(
    model,
    tokenizer: Tokenizer,
    audio: np.ndarray,
    options: TranscribeOptions = TranscribeOptions(),
    on_progress: ProgressCallback | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_info: Callable[[TranscriptionInfo], None] | None = None,
    on_dropped: Callable[[Dropped], None] | None = None,
) -> Iterator[Segment]:
    """Transcribe (or translate) 16-kHz mono float32 ``audio``, yielding segments window by window.

    ``on_info(TranscriptionInfo)`` is called once, before the first segment. ``on_progress(done_s, total_s)``
    is called after every window and ends at (total, total). ``on_dropped(Dropped)`` hears of every text a
    guard removed. Segment text keeps Whisper's leading space.
    """
    # One window of silence is appended so that the last window is sliced like every other; frames are
    # computed per window as they are needed (memory flat with the length of the file).
    mel = LogMelWindows(audio, model.dims.n_mels, padding=N_SAMPLES)
    content_frames = mel.shape[-1] - N_FRAMES
    activity = SpeechActivity(audio, should_stop)  # rated lazily; its frame features also serve _listen's pass
    spans, speech = _listen(audio, options, content_frames, should_stop, activity.features)
    first = spans[0][0] if spans else 0
    info, first_features = _choose_language(model, tokenizer, mel, options, first)
    if on_info is not None:
        on_info(info)
    tokenizer = tokenizer.with_options(language=info.language if tokenizer.multilingual else None, task=options.task)
    history, language = _new_history(tokenizer, options, model.dims.n_text_ctx), info.language
    guards = WindowGuards(options, SpeechGate.for_options(audio, options, should_stop, activity), on_dropped)
    timing = _WordTimer(model, tokenizer, options, speech) if options.words_timed else None
    next_id, seek, span, windows = 0, first, 0, 0
    shorter, shortened_at = None, -1  # a window decoded again as a shorter one: its length and seek
    held = 0  # the end (mel frames) of the audio the last decoded window held
    while span < len(spans) and (options.max_windows is None or windows < options.max_windows):  # openai-whisper's clip loop: each span is decoded window by window
        seek = max(seek, spans[span][0])
        if seek >= spans[span][1]:
            span += 1
            continue
        if should_stop is not None and should_stop():
            raise Cancelled("transcription stopped")
        size = min(N_FRAMES, spans[span][1] - seek, shorter or N_FRAMES)
        shorter = None
        segments, advance = [], size
        if guards.window_has_speech(seek / FRAMES_PER_SECOND, (seek + size) / FRAMES_PER_SECOND,
                                    held / FRAMES_PER_SECOND):  # else not decoded
            if seek == first and size == N_FRAMES and first_features is not None:
                features = first_features  # language detection encoded exactly this window
            else:
                window = pad_or_trim(mel[:, seek: seek + size], N_FRAMES).to(model.device)
                features = model.embed_audio(window.unsqueeze(0))  # encoded once, shared by every temperature
            detected = _window_language(model, tokenizer, features, options, language) if seek > first else language
            if detected != language:
                language = detected
                history.forget()  # text in the old language would pull the decoder back to it
            decoded = _decode_window(model, tokenizer, features, options, language, history.prompt(), seek, size, should_stop)
            if options.retry_replays and history.has_context():
                turn = guards.repetition.loop_after_new_text(decoded.texts)
                if turn is not None:
                    decoded = _cut_before(decoded, turn, tokenizer, options, seek, size)
                decoded = _unless_pulled_by_the_prompt(
                    decoded, lambda: _decode_window(model, tokenizer, features, options, language, history.prompt(False),
                                                    seek, size, should_stop),
                    guards, seek / FRAMES_PER_SECOND, (seek + size) / FRAMES_PER_SECOND)
            guarded = _guard_window(guards, decoded, tokenizer, timing, language, features, seek, size, info.duration,
                                    may_shorten=seek != shortened_at, resumes_after=True)
            if guarded.redo and guarded.size is not None:  # speech skipped at the start: decode up to where the text starts
                shorter, shortened_at = guarded.size, seek
                continue
            if guarded.redo:  # a suspicious segment after silence: decode again from where it starts
                seek += guarded.advance
                continue
            held = max(held, seek + size)
            segments = _segments_of_window(guarded.pieces, guarded.texts, decoded.result, seek, info.duration, next_id,
                                          on_dropped)
            squeezed = guards.squeeze_stretched_tail(segments[-1].words) if segments else None
            if squeezed is not None:  # the words it stands for are heard by the next window, which starts after it
                segments[-1] = dataclasses.replace(segments[-1], words=squeezed, end=squeezed[-1].end)
            advance = guards.resume_before_heard_tail([s.end for s in segments], seek, guarded.advance)
            history.add([t for s in segments for t in s.tokens],
                        guarded.clean and _keeps_prompt(decoded.result, decoded.repetitive, options))
        next_id += len(segments)
        seek += advance
        windows += 1
        yield from as_asked(segments, options)
        if on_progress is not None:
            on_progress(min(seek, content_frames) / FRAMES_PER_SECOND, content_frames / FRAMES_PER_SECOND)
    if on_progress is not None and (seek < content_frames or content_frames == 0):
        on_progress(content_frames / FRAMES_PER_SECOND, content_frames / FRAMES_PER_SECOND)  # the rest was skipped


def _unless_pulled_by_the_prompt(decoded: _Window, without_prompt: Callable[[], _Window], guards: WindowGuards,
                                 start: float, end: float) -> _Window:
    """The window's prompted decode, or its decode without the previous text where the prompt pulled it.

    A window that replays the recent text mostly took it from the prompt: hear it without. Where it still
    replays without the prompt, the text is heard, not remembered (a programme that plays jfk.flac again), and
    the prompted decode stays unless it jumps over speech that the unprompted one writes
    (WindowGuards.jumps_over_speech): base without the prompt wrote jfk's line only to "ask what you" and the
    next window began after the rest of it. The same remedy where the prompt pulled the window into stock
    phrases over speech (WindowGuards.only_filler_over_speech) or into nothing at all
    (WindowGuards.silent_over_speech); the unprompted decode is kept only where it writes more than stock
    phrases and nothing it replays.
    """
    if guards.repetition.replays(decoded.texts):
        unprompted = without_prompt()
        better = (not guards.repetition.replays(unprompted.texts)
                  or guards.jumps_over_speech(decoded.pieces, unprompted.pieces))
    elif guards.only_filler_over_speech(decoded.texts, start, end) or guards.silent_over_speech(decoded.texts, start, end):
        unprompted = without_prompt()
        better = (not all(is_filler(text) for text in unprompted.texts)
                  and not guards.repetition.replays(unprompted.texts))
    else:
        return decoded
    return unprompted if better else decoded


def _cut_before(decoded: _Window, index: int, tokenizer: Tokenizer, options: TranscribeOptions, seek: int,
                size: int) -> _Window:
    """The window's pieces before ``index``, left unfinished: the next window starts after their last word.

    The piece at ``index`` keeps its opening timestamp, so the tokens end in a pair, as a window that ran out
    of room does; the word timer then moves the seek to the last kept word's end (the looping decode's own
    timestamps can be seconds early) and the next window hears what follows.
    """
    tokens = tuple(token for piece in decoded.pieces[:index] for token in piece.tokens) + decoded.pieces[index].tokens[:1]
    result = dataclasses.replace(decoded.result, tokens=tokens, text="".join(decoded.texts[:index]))
    return window_of(result, decoded.repetitive, tokenizer, options, seek, size)


def _new_history(tokenizer: Tokenizer, options: TranscribeOptions, n_text_ctx: int) -> _History:
    initial = tokenizer.encode(" " + options.initial_prompt.strip()) if options.initial_prompt else []
    hotwords = tokenizer.encode(" " + options.hotwords.strip()) if options.hotwords and not options.prefix else []
    return _History(list(initial), hotwords, n_text_ctx // 2 - 1)


def _guard_window(guards: WindowGuards, decoded: _Window, tokenizer: Tokenizer, timing: _WordTimer | None, language: str,
                  features: torch.Tensor, seek: int, size: int, duration: float, may_shorten: bool = False,
                  resumes_after: bool = False) -> GuardedWindow:
    """The guards on one decoded window; word timing runs in between, on the pieces the repetition guard left.
    A window to be decoded again as a shorter one leaves the word timer as it found it."""
    last_speech = timing.last_speech_timestamp if timing is not None else 0.0
    def add_words(keep: list[bool]) -> tuple[list[_Piece], int]:
        return timing.add_words(decoded.pieces, keep, decoded.result, language, features, seek, size, decoded.advance)

    complete = ends_with_single_timestamp(decoded.result.tokens, tokenizer.timestamp_begin)
    guarded = guards.apply(decoded.pieces, decoded.texts, decoded.repetitive, decoded.advance, seek, size, complete, duration,
                           tokenizer.timestamp_begin, add_words if timing is not None else None,
                           last_speech, may_shorten, resumes_after)
    if timing is not None and guarded.size is not None:
        timing.last_speech_timestamp = last_speech
    elif timing is not None and guarded.last_speech is not None:
        timing.last_speech_timestamp = guarded.last_speech
    return guarded


class _WordTimer:
    """Adds word timings to each window's kept pieces and moves the seek to the last word's end, as openai-whisper does.

    Holds the end of the last word so far: the recipe shortens a first word stretched over the pause before it.
    With a speech map the words are then refined (subtitler.asr.word_refine); the seek and that end stay the
    recipe's, so refined and reference timings come with the same text.
    """

    def __init__(self, model, tokenizer: Tokenizer, options: TranscribeOptions, speech: SpeechMap | None = None) -> None:
        self.model, self.tokenizer, self.options, self.speech = model, tokenizer, options, speech
        self.last_speech_timestamp = 0.0

    def add_words(self, pieces: list[_Piece], keep: list[bool], result: DecodingResult, language: str,
                  features: torch.Tensor, seek: int, size: int, advance: int) -> tuple[list[_Piece], int]:
        kept = [i for i, k in enumerate(keep) if k]
        if not kept:
            return pieces, advance
        tokenizer = self.tokenizer.with_options(language=language if self.tokenizer.multilingual else None,
                                                task=self.options.task)
        time_offset = seek * HOP_LENGTH / SAMPLE_RATE
        # Every decoded piece goes through the DTW, the dropped ones too: the path is found for the text the
        # decoder wrote. Aligning only the kept text to the whole window's audio (a repeated line dropped by the
        # guard) let three words slide over ten seconds they were never spoken in.
        every = align_window(self.model, tokenizer, [p.tokens for p in pieces], [(p.start, p.end) for p in pieces],
                             features, size, time_offset, self.last_speech_timestamp, self.options.alignment)
        aligned = [every[i] for i in kept]
        timed = aligned if self.speech is None else refine_window(aligned, self.speech, self.options.refine)
        pieces = list(pieces)
        for i, words in zip(kept, timed):
            pieces[i] = _Piece(words.start, words.end, pieces[i].tokens, words.words)
        last_end = words_end(aligned, aligned[-1].end)
        if not ends_with_single_timestamp(result.tokens, tokenizer.timestamp_begin) and keep[-1] and last_end > time_offset:
            advance = round(last_end * FRAMES_PER_SECOND) - seek  # the next window starts where the last word ended
        self.last_speech_timestamp = last_end
        return pieces, advance


def _window_language(model, tokenizer: Tokenizer, features: torch.Tensor, options: TranscribeOptions, current: str) -> str:
    """The language of a later window: re-detected when asked for and the detection is sure enough."""
    if options.language is not None or not options.language_per_window or not tokenizer.multilingual:
        return current
    _, per_clip = language_probabilities(model, tokenizer, features)
    code, probability = next(iter(per_clip[0].items()))
    return code if probability >= options.language_switch_probability else current


def _pieces(result: DecodingResult, tokenizer: Tokenizer, seek: int, size: int) -> tuple[list[_Piece], int]:
    if not result.tokens:
        return [], size
    return split_window(result.tokens, tokenizer.timestamp_begin, seek, size)


def _keeps_prompt(result: DecodingResult, repetitive: bool, options: TranscribeOptions) -> bool:
    """Whether this window's text may prompt the next: not after a hot or still-looping decode."""
    if not options.condition_on_previous_text or result.temperature > options.prompt_reset_on_temperature:
        return False
    return not (repetitive and options.drop_repetitive)
