"""TranscriptionWorker: decode, load the model, and stream recognised cues, off the GUI thread.

Runs on a QThread it is moved to (see TranscriptionController). Each job ends
with exactly one of `finished`, `failed(str)` or `cancelled`, then `done`.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal

from subtitler.core.cue import Cue
from subtitler.errors import Cancelled, UserError
from subtitler.gui.transcription.job import TranscriptionJob
from subtitler.gui.workers.job import JobWorker, Throttle

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000  # decode_audio's default, what Whisper expects

EngineGetter = Callable[[str, str, str], Any]  # (model name, device, precision) -> Engine-like object
FIRST_WINDOW = -1.0  # progress "done" while the first window runs: nothing finished yet, the bar shows busy


class TranscriptionWorker(JobWorker):
    """One transcription job; `cancel()` (any thread) stops it at the next decode step or window.

    JobWorker.run drives it (its @Slot is what makes the thread's `started` run the job in the
    worker thread; an override of run on a subclass ran on the GUI thread under PySide6 6.12).

    Partial results are immutable Cue values, batched and sent at most 10 times a
    second, as is progress; the last batch and the final (total, total) progress
    always arrive, before `finished`. Until the first 30-s window is done, progress
    is (FIRST_WINDOW, total): the job is working but nothing is finished yet (the bar
    showed a frozen 0 % for the whole first window, which on a large model is minutes).
    A job with `span_ms` decodes and transcribes only that stretch; its cues are in
    the recording's times.
    """

    progress_changed = Signal(float, float)  # done_s, total_s of the audio transcribed
    segments_ready = Signal(list)  # list[Cue], in time order
    info_ready = Signal(object)  # TranscriptionInfo: language and duration, before the first cues
    status_changed = Signal(str)  # the phase, for the status bar
    warned = Signal(str)  # something the user should know that did not stop the job (a truncated file)
    finished = Signal()

    def __init__(self, job: TranscriptionJob, get_engine: EngineGetter) -> None:
        super().__init__()
        self.job = job
        self.get_engine = get_engine
        self._pending: list[Cue] = []
        self._batch_throttle = Throttle()
        self._progress_throttle = Throttle()
        self._total_s = 0.0
        self._completed = False

    def should_stop(self) -> bool:
        """Once the job has completed, a late cancel changes nothing (JobWorker.run asks again after _work)."""
        return not self._completed and super().should_stop()

    def _work(self) -> None:
        try:
            self._transcribe()
        except (Cancelled, UserError):
            raise
        except Exception as exc:  # a bug: the user gets one line, the log gets the traceback
            log.exception("transcription of %s failed", self.job.media_path)
            raise UserError(f"{self.job.media_path.name}: transcription failed ({type(exc).__name__}: {exc}); "
                            "the details are in the log") from exc
        self._stop_if_asked()  # a cancel after the last window still counts as a cancel
        self._completed = True
        self.finished.emit()

    def _transcribe(self) -> None:
        from subtitler.asr.span import transcribe_span
        from subtitler.asr.transcribe import TranscribeOptions  # torch loads in this thread, not the GUI's

        name = self.job.media_path.name
        self.status_changed.emit(f"Decoding the audio of {name}…")
        audio = self._decode()
        self._total_s = len(audio) / SAMPLE_RATE
        self._stop_if_asked()
        self.status_changed.emit(f"Loading the model {Path(self.job.model_name).name}…")
        engine = self.get_engine(self.job.model_name, self.job.device, self.job.precision)
        self._stop_if_asked()
        self.status_changed.emit(f"Transcribing {name}: the first {min(30, round(self._total_s))} s…")
        self.progress_changed.emit(FIRST_WINDOW, self._total_s)
        options = self.job.options if self.job.options is not None else TranscribeOptions()
        offset_s = self.job.span_ms[0] / 1000 if self.job.span_ms else 0.0
        segments = transcribe_span(engine, audio, offset_s, options, on_progress=self._on_engine_progress,
                                   should_stop=self.should_stop, on_info=self.info_ready.emit)
        self._collect(segments)
        self._stop_if_asked()
        self._flush()
        self.progress_changed.emit(self._total_s, self._total_s)

    def _decode(self):
        """The whole track at 16 kHz; a MediaWarning (truncated file) becomes `warned`, the job goes on."""
        from subtitler.media.decode import MediaWarning, decode_audio, decode_span

        # catch_warnings is process-wide: what another thread warns meanwhile is re-issued, not lost or claimed.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", MediaWarning)
            if self.job.span_ms is not None:
                start_ms, end_ms = self.job.span_ms
                audio = decode_span(self.job.media_path, start_ms / 1000, (end_ms - start_ms) / 1000,
                                    self.job.audio_stream, should_stop=self.should_stop)
            else:
                audio = decode_audio(self.job.media_path, self.job.audio_stream, should_stop=self.should_stop)
        for warning in caught:
            if issubclass(warning.category, MediaWarning) and self.job.media_path.name in str(warning.message):
                self.warned.emit(str(warning.message))
            else:
                warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
        return audio

    def _collect(self, segments) -> None:
        """Cues by the reading rules across segments; the last cue waits for the next words (see CueStream)."""
        from subtitler.asr.result import CueStream
        from subtitler.core.reading_rules import get_profile

        offset_s = self.job.span_ms[0] / 1000 if self.job.span_ms else 0.0
        stream = CueStream(offset_s + self._total_s, profile=get_profile(self.job.profile) if self.job.profile else None)
        try:
            for segment in segments:  # a window's segments come in a burst; _on_engine_progress sends them
                self._pending.extend(stream.add([segment]))
        finally:  # on cancel too: every cue found so far reaches the document
            self._pending.extend(stream.finish())
            self._flush()

    def _on_engine_progress(self, done_s: float, total_s: float) -> None:
        """Called after each window, once its segments were yielded: the moment to send them."""
        self._total_s = total_s
        if self._batch_throttle.ready():
            self._flush()
        if self._progress_throttle.ready():
            self.progress_changed.emit(done_s, total_s)

    def _flush(self) -> None:
        if self._pending:
            batch, self._pending = self._pending, []
            self.segments_ready.emit(batch)

    def _stop_if_asked(self) -> None:
        if self.should_stop():
            raise Cancelled("transcription stopped")
