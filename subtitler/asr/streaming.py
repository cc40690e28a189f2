"""Live transcription: re-decode a rolling audio buffer and commit the words two decodes agree on.

Audio arrives in blocks of any size from any source (:meth:`StreamingTranscriber.feed`). Each
:meth:`~StreamingTranscriber.step` decodes the buffer once more through the engine's public
``transcribe`` (word timings on, the committed text before the buffer as prompt) and hands the
words to :class:`~subtitler.asr.local_agreement.LocalAgreement`. The result is a
:class:`StreamUpdate`: the words committed by this step (final, with their timings) and the
tentative rest (shown, never final).

The buffer stays short, so memory and the cost of a decode stay bounded however long the
stream runs: once it is longer than ``trim_s`` it is cut at the end of the last committed
sentence, and it is never allowed past ``max_buffer_s`` (under Whisper's 30-s window).

With voice activity on (the default), silence never reaches the buffer: a
:class:`~subtitler.asr.speech_gate.SpeechGate` holds it back, and when a pause ends an
utterance the buffer is decoded one last time and all of it is committed, as the audio of
that utterance is complete; the next utterance starts on an empty buffer with the committed
text as prompt (whisper_streaming's "VAC" mode).
"""

from __future__ import annotations

import dataclasses
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from subtitler.asr.alignment import SENTENCE_END_MARKS, WordTiming
from subtitler.asr.local_agreement import LocalAgreement
from subtitler.asr.speech_gate import GatedAudio, GateOptions, SpeechGate, UtteranceEnd
from subtitler.asr.transcribe import TranscribeOptions, TranscriptionInfo

SAMPLE_RATE = 16_000
LANGUAGE_SAMPLE_S = 3.0  # with no language given, detect it once a buffer holds this much speech


def live_transcribe_options() -> TranscribeOptions:
    """Greedy at temperature 0 only (not the offline default, beam search): every decode is on the clock, and a
    sampled retry rarely agrees with the next decode, so it only costs time."""
    return TranscribeOptions(temperature=(0.0,), beam_size=None, best_of=None, word_timestamps=True)


@dataclass(frozen=True)
class StreamingOptions:
    """How often to decode, how long the buffer may grow, and the engine options for each decode."""

    transcribe: TranscribeOptions = field(default_factory=live_transcribe_options)
    min_chunk_s: float = 1.0  # new audio between two decodes
    trim_s: float = 15.0  # a longer buffer is cut at the last committed sentence end
    max_buffer_s: float = 25.0  # a buffer never grows past this (Whisper sees 30 s at most)
    prompt_chars: int = 200  # committed text before the buffer given as prompt
    vad: bool = True
    gate: GateOptions = GateOptions()

    def __post_init__(self) -> None:
        if self.min_chunk_s <= 0 or self.trim_s <= 0 or not self.trim_s < self.max_buffer_s <= 30.0:
            raise ValueError("StreamingOptions: need min_chunk_s > 0 and 0 < trim_s < max_buffer_s <= 30")


@dataclass(frozen=True)
class StreamUpdate:
    """What one step changed. Times are seconds on the stream's clock (0 = its first sample)."""

    committed: tuple[WordTiming, ...]  # newly final words, in order; never taken back
    tentative: tuple[WordTiming, ...]  # the current guess after them; replaces the previous one
    position_s: float  # audio received so far when the step ran
    utterance_ended: bool = False  # the committed words close an utterance (a pause, or the end of the stream)
    language: str | None = None

    @property
    def committed_text(self) -> str:
        return "".join(w.word for w in self.committed)

    @property
    def tentative_text(self) -> str:
        return "".join(w.word for w in self.tentative)


class _Utterance:
    """Contiguous speech audio waiting for the buffer, and whether a pause has closed it.

    `start_s` is where its next untaken sample sits on the stream's clock.
    """

    def __init__(self, start_s: float) -> None:
        self.start_s = start_s
        self.parts: list[np.ndarray] = []
        self.samples = 0
        self.ended = False

    def append(self, samples: np.ndarray) -> None:
        self.parts.append(samples)
        self.samples += len(samples)

    def take(self, limit: int) -> np.ndarray:
        """Up to `limit` samples of the audio received so far; `start_s` moves on to where the rest starts."""
        audio = np.concatenate(self.parts) if self.parts else np.zeros(0, np.float32)
        out, rest = audio[:limit], audio[limit:]
        self.start_s += len(out) / SAMPLE_RATE
        self.parts, self.samples = ([rest] if len(rest) else []), len(rest)
        return out


class StreamingTranscriber:
    """One live stream through one engine (an object with the :class:`~subtitler.asr.engine.Engine` API)."""

    def __init__(self, engine, options: StreamingOptions = StreamingOptions()) -> None:
        self.engine = engine
        self.options = options
        self.language: str | None = options.transcribe.language if engine.multilingual else "en"
        self._agreement = LocalAgreement()
        self._gate = SpeechGate(options.gate) if options.vad else None
        self._queue: deque[_Utterance] = deque()  # audio received but not yet in the buffer, by utterance
        self._buffer = np.zeros(0, np.float32)
        self._buffer_start = 0.0
        self._prompt_words: deque[str] = deque()  # committed words before the buffer, newest last, bounded
        self._received = 0  # samples received
        self._new_samples = 0  # buffer samples not decoded yet
        self.decodes = 0

    # --- input ---------------------------------------------------------------------------
    @property
    def position_s(self) -> float:
        return self._received / SAMPLE_RATE

    @property
    def buffer_s(self) -> float:
        return len(self._buffer) / SAMPLE_RATE

    @property
    def speaking(self) -> bool:
        return self._gate.speaking if self._gate is not None else True

    def feed(self, samples: np.ndarray) -> None:
        """Take the next block of 16-kHz mono float32 audio (any length); cheap, no decoding here."""
        samples = np.asarray(samples, np.float32).reshape(-1)
        start = self.position_s
        self._received += len(samples)
        if self._gate is None:
            self._add_audio(GatedAudio(start, samples))
            return
        for event in self._gate.feed(samples):
            self._add_event(event)

    def _add_event(self, event: GatedAudio | UtteranceEnd) -> None:
        if isinstance(event, UtteranceEnd):
            if self._queue:
                self._queue[-1].ended = True
        else:
            self._add_audio(event)

    def _add_audio(self, audio: GatedAudio) -> None:
        if not self._queue or self._queue[-1].ended:
            self._queue.append(_Utterance(audio.start_s))
        self._queue[-1].append(audio.samples)

    # --- decoding ------------------------------------------------------------------------
    def step(self, force: bool = False) -> StreamUpdate | None:
        """Decode once if there is enough new audio (or an utterance ended); None when there is nothing to do.

        Call it until it returns None to catch up with everything fed so far. `force` decodes
        whatever new audio there is, however short.
        """
        self._pull_queued_audio()
        closing = bool(self._queue) and self._queue[0].ended and self._queue[0].samples == 0
        if closing:
            self._queue.popleft()
            return self._close_utterance()
        backlog = bool(self._queue) and self._queue[0].samples > 0  # more audio waits for room in the buffer
        if self._new_samples == 0 or (not force and not backlog and self._new_samples < self.options.min_chunk_s * SAMPLE_RATE):
            return None
        return self._decode_step()

    def finish(self, drain: bool = True) -> list[StreamUpdate]:
        """The stream ended: decode what is left and commit all of it (there is no more audio to wait for).

        `drain` False (the user stopped) decodes only the buffer once more: audio still queued
        behind a decoder that fell behind is dropped, so stopping takes one decode, not minutes.
        """
        if not drain:
            self._queue.clear()
            return [self._close_utterance()] if len(self._buffer) else []
        if self._gate is not None:
            for event in self._gate.flush():
                self._add_event(event)
        if self._queue:
            self._queue[-1].ended = True
        updates = []
        while (update := self.step()) is not None:
            updates.append(update)
        return updates

    def _pull_queued_audio(self) -> None:
        """Move the current utterance's queued audio into the buffer (the buffer always holds the head utterance)."""
        if not self._queue:
            return
        head = self._queue[0]
        if not len(self._buffer):
            self._buffer_start = head.start_s
        # A decoder that fell behind takes the backlog a window at a time, never past max_buffer_s.
        room = int(self.options.max_buffer_s * SAMPLE_RATE) - len(self._buffer)
        if head.samples and room > 0:
            taken = head.take(room)
            self._new_samples += len(taken)
            self._buffer = np.concatenate([self._buffer, taken])

    def _transcribe_buffer(self, final: bool = False) -> tuple[WordTiming, ...]:
        """One decode of the buffer; the words with times on the stream's clock.

        A step reads the buffer's one window only (`max_windows` 1): the engine would otherwise decode a
        second window for the piece after the last timed word, doubling the cost of every step. The
        `final` decode of a complete utterance reads to its end, so its last word is not lost.
        """
        options = dataclasses.replace(self.options.transcribe, language=self.language, initial_prompt=self._prompt() or None,
                                      max_windows=None if final else 1)
        infos: list[TranscriptionInfo] = []
        segments = list(self.engine.transcribe(self._buffer, options, on_info=infos.append))
        self.decodes += 1
        self._new_samples = 0
        if self.language is None and infos and self.buffer_s >= LANGUAGE_SAMPLE_S:
            self.language = infos[0].language  # one language per stream: short buffers would flip it
        offset = self._buffer_start
        return tuple(dataclasses.replace(w, start=w.start + offset, end=w.end + offset)
                     for s in segments for w in s.words if w.word.strip())

    def _decode_step(self) -> StreamUpdate:
        committed = self._agreement.insert(self._transcribe_buffer())
        committed += self._keep_buffer_bounded()
        return self._update(committed, utterance_ended=False)

    def _close_utterance(self) -> StreamUpdate:
        """The utterance's audio is complete: its last decode is final."""
        committed = self._agreement.commit_all(self._transcribe_buffer(final=True)) if len(self._buffer) else self._agreement.commit_all(())
        self._remember_for_prompt(list(self._agreement.committed_in_buffer))
        self._agreement.reset()
        self._buffer = np.zeros(0, np.float32)
        self._new_samples = 0
        return self._update(committed, utterance_ended=True)

    def _update(self, committed: list[WordTiming], utterance_ended: bool) -> StreamUpdate:
        return StreamUpdate(tuple(committed), self._agreement.tentative, self.position_s, utterance_ended, self.language)

    # --- keeping the buffer short -------------------------------------------------------------
    def _keep_buffer_bounded(self) -> list[WordTiming]:
        """Cut at a committed sentence end past trim_s; past max_buffer_s cut at any committed word, committing if need be."""
        if self.buffer_s <= self.options.trim_s:
            return []
        done = self._agreement.committed_in_buffer
        sentence_ends = [w.end for w in done if w.word.strip()[-1:] in SENTENCE_END_MARKS]
        if sentence_ends:
            self._cut_at(sentence_ends[-1])
            return []
        if self.buffer_s < self.options.max_buffer_s:  # a full buffer (a backlog fills it exactly) is cut
            return []
        forced: list[WordTiming] = []
        if not done:  # nothing agreed for a whole window: take the words of its first part as they stand
            forced = self._agreement.commit_before(self._buffer_start + self.buffer_s - self.options.trim_s)
            done = self._agreement.committed_in_buffer
        self._cut_at(done[-1].end if done else self._buffer_start + self.buffer_s - self.options.trim_s)
        return forced

    def _cut_at(self, time_s: float) -> None:
        cut = int(round((time_s - self._buffer_start) * SAMPLE_RATE))
        if cut <= 0:
            return
        self._remember_for_prompt([w for w in self._agreement.committed_in_buffer if w.end <= time_s])
        self._buffer = self._buffer[cut:]
        self._buffer_start = time_s
        self._agreement.forget_before(time_s)

    # --- prompt ------------------------------------------------------------------------------
    def _remember_for_prompt(self, words: list[WordTiming]) -> None:
        for w in words:
            self._prompt_words.append(w.word)
        while sum(len(w) for w in self._prompt_words) > self.options.prompt_chars and len(self._prompt_words) > 1:
            self._prompt_words.popleft()

    def _prompt(self) -> str:
        return "".join(self._prompt_words).strip()

