"""Transcription inside the editor: the job description and the engine cache (no Qt).

The worker (worker.py) runs a job on a QThread, the controller (controller.py)
places its cues in the document through subtitler.core.commands_transcription,
whose ApplyTranscription makes a whole job one undo step.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the ASR imports torch: the window must open without it
    from subtitler.asr.transcribe import TranscribeOptions

EngineFactory = Callable[[str, str, str], Any]  # (model name or path, device, precision) -> Engine-like object


class Placement(str, Enum):
    """Where a job's cues go."""

    FILL = "fill"  # among the cues already there, only in the stretches without cues (all of an empty document)
    REPLACE_ALL = "replace_all"  # instead of every cue
    SELECTION = "selection"  # instead of the selected cues, in the span they cover


@dataclass(frozen=True)
class TranscriptionJob:
    """Everything one transcription needs; `options` are the engine's own (None: its defaults)."""

    media_path: Path
    model_name: str
    options: TranscribeOptions | None = None
    device: str = "auto"
    audio_stream: int = 0
    precision: str = "auto"
    span_ms: tuple[int, int] | None = None  # transcribe only this part of the audio
    profile: str | None = None  # reading profile name for the cues; None: the spoken language's


def load_engine_by_name(model_name: str, device: str, precision: str = "auto") -> Any:
    """The default factory: an installed model or a model folder (downloads happen in the dialog, not here).

    ``precision`` is a compute type of subtitler.asr.precision (auto: float16 on a GPU, int8 on the
    CPU, as the CLI); a wrong one for the device is a UserError the window shows.
    """
    from subtitler.asr.engine import load_engine  # torch loads here, in the worker thread

    return load_engine(model_name, device=device, compute_type=precision)


class EngineCache:
    """Keeps the most recently loaded engines so the next job on the same model and device starts at once.

    One engine by default: a large model holds gigabytes, and switching models
    is rare next to re-running the same one. Called from worker threads, hence the lock
    (held while loading, so two jobs never load the same model twice).
    """

    def __init__(self, factory: EngineFactory = load_engine_by_name, capacity: int = 1) -> None:
        self.factory = factory
        self.capacity = max(1, capacity)
        self._engines: OrderedDict[tuple[str, str, str], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, model_name: str, device: str, precision: str = "auto") -> Any:
        """The engine for this model and device; with precision "auto" a loaded one of any precision will do."""
        key = (model_name, device, precision)
        with self._lock:
            if precision == "auto":  # word alignment asks this way: it reuses the engine that transcribed
                key = next((k for k in reversed(self._engines) if k[:2] == key[:2]), key)
            if key in self._engines:
                self._engines.move_to_end(key)
                return self._engines[key]
            engine = self.factory(model_name, device, precision)
            self._engines[key] = engine
            while len(self._engines) > self.capacity:
                self._engines.popitem(last=False)
            return engine

    def recent(self) -> tuple[str, str] | None:
        """(model name, device) of the engine used last, if one is loaded: re-alignment reuses it."""
        with self._lock:
            key = next(reversed(self._engines), None)
            return None if key is None else (key[0], key[1])

    def __contains__(self, key: tuple[str, str, str]) -> bool:
        with self._lock:
            return key in self._engines

    def clear(self) -> None:
        """Let the loaded models go (memory back when the user is done transcribing)."""
        with self._lock:
            self._engines.clear()
