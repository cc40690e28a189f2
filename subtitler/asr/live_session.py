"""One live-captioning run: a source, a streaming transcriber, and the cues built from committed words.

The CLI and the editor both drive this same loop (:meth:`LiveSession.pump` until the source ends
or the user stops, then :meth:`LiveSession.finish`), so they commit the same words and build the
same cues. Only committed words ever reach :attr:`LiveSession.cues` and the document: tentative
text is for display.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from subtitler.asr.alignment import WordTiming
from subtitler.asr.result import CueStream
from subtitler.asr.streaming import StreamingOptions, StreamingTranscriber, StreamUpdate
from subtitler.core.cue import Cue, Word
from subtitler.core.document import Document
from subtitler.core.timecode import seconds_to_ms
from subtitler.media.live_sources import AudioSource

READ_TIMEOUT_S = 0.1  # how long a pump waits for audio: short enough to notice a stop request at once


@dataclass
class LiveResult:
    """Everything committed so far: the words (seconds on the stream's clock) and the final cues."""

    words: list[WordTiming] = field(default_factory=list)
    cues: list[Cue] = field(default_factory=list)
    language: str = "en"

    @property
    def text(self) -> str:
        return "".join(w.word for w in self.words).strip()


def to_word(w: WordTiming) -> Word:
    start = seconds_to_ms(w.start)
    return Word(w.word, start, max(start, seconds_to_ms(w.end)), float(w.probability))


class LiveSession:
    """Pulls audio from `source`, decodes as it arrives, reports every update to `on_update`."""

    def __init__(self, engine, source: AudioSource, options: StreamingOptions = StreamingOptions(),
                 on_update: Callable[[StreamUpdate, list[Cue]], None] | None = None) -> None:
        self.source = source
        self.transcriber = StreamingTranscriber(engine, options)
        self.on_update = on_update
        self.result = LiveResult()
        self._cue_stream = CueStream()
        self._ended = False
        self._finished = False

    @property
    def ended(self) -> bool:
        """The source has no more audio (a file played to its end)."""
        return self._ended

    def start(self) -> None:
        self.source.start()

    def pump(self, timeout_s: float = READ_TIMEOUT_S) -> list[StreamUpdate]:
        """Read what the source captured, feed it, and decode until caught up; the updates, in order."""
        if self._ended:
            return []
        block = self.source.read(timeout_s)
        if block is None:
            self._ended = True
            return []
        if len(block):
            self.transcriber.feed(block)
        updates = []
        while (update := self.transcriber.step()) is not None:
            self._take(update)
            updates.append(update)
        return updates

    def finish(self, drain: bool = True) -> LiveResult:
        """Stop the source, commit what its last audio holds, close the last cue; safe to call twice.

        `drain` False (a user's stop) decodes the buffer once more and drops any backlog (see
        :meth:`StreamingTranscriber.finish`)."""
        if self._finished:
            return self.result
        self._finished = True
        self.source.close()
        try:
            for update in self.transcriber.finish(drain):
                self._take(update)
        finally:  # even if that last decode is interrupted, every cue of committed words is kept
            closing = self._cue_stream.finish()
            self.result.cues += closing
            if closing and self.on_update is not None:
                self.on_update(StreamUpdate((), (), self.transcriber.position_s, True, self.transcriber.language), closing)
        return self.result

    def run(self, should_stop: Callable[[], bool] = lambda: False) -> LiveResult:
        """Pump until the source ends or `should_stop()`; then finish."""
        self.start()
        try:
            while not self._ended and not should_stop():
                self.pump()
        finally:
            self.finish(drain=self._ended)
        return self.result

    def document(self, media_path: str | Path | None = None) -> Document:
        """The committed cues as a document (the recording, when there is one, as its media)."""
        document = Document(cues_list=list(self.result.cues), language=self.result.language)
        if media_path is not None:
            document.media_path = str(Path(media_path).resolve())
        return document

    def _take(self, update: StreamUpdate) -> None:
        if update.language:
            self.result.language = update.language
        self.result.words += update.committed
        cues = self._cue_stream.add_words([to_word(w) for w in update.committed], self.result.language,
                                          ends_segment=update.utterance_ended)
        self.result.cues += cues
        if self.on_update is not None:
            self.on_update(update, cues)
