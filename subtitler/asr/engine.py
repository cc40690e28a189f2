"""One loaded Whisper (model + tokenizer) and the calls the CLI and the GUI make on it.

This is the ASR boundary: media decoding, model lookup and the transcription
generator meet here so that both shells run exactly the same path.
"""

from __future__ import annotations

import atexit
import gc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from subtitler.asr.hallucination import Dropped
from subtitler.asr.option_specs import check_batched
from subtitler.asr.transcribe import Segment, TranscribeOptions, TranscriptionInfo, transcribe
from subtitler.asr.user_options import MAX_BATCH_SIZE, MAX_BEAM_SIZE
from subtitler.errors import ModelError

ProgressCallback = Callable[[float, float], None]

# A process that has run torch holds hundreds of thousands of Python objects, and the interpreter's last
# garbage collection at exit walks them all: 0.4 s after importing torch or after a tiny.en transcription
# (2.45 s -> 2.04 s for a load-and-transcribe process on an idle 2-core machine), a sixth of a short job.
# Freezing them at exit skips that walk; files, Qt objects and atexit handlers are closed as before (Python
# never promised finalisers for objects alive at exit, and nothing of ours relies on one).
atexit.register(gc.freeze)


def pick_device(device: str = "auto") -> str:
    """'auto' means the GPU when torch sees one; asking for cuda without one is the user's error."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ModelError("--device cuda: no CUDA GPU is visible to torch; use --device cpu or auto")
    if device not in ("cpu",) and not device.startswith("cuda"):
        raise ModelError(f"--device {device}: unknown device; use auto, cpu or cuda")
    return device


def hardware_summary() -> tuple[bool, str]:
    """Whether torch sees a CUDA GPU, and what was found, in words (for the Transcribe dialog).

    The compute types named are what "auto" picks on each device (subtitler.asr.precision).
    """
    from subtitler.asr.precision import resolve_compute_type

    on_cpu = resolve_compute_type("auto", "cpu")
    if torch.cuda.is_available():
        names = ", ".join(torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count()))
        return True, f"Found: {names} (CUDA {torch.version.cuda}); float16 there, {on_cpu} on the CPU"
    return False, f"Found: no CUDA GPU; runs on the CPU ({torch.get_num_threads()} threads, {on_cpu})"


@dataclass
class Engine:
    """A model ready to run; create with :func:`load_engine`."""

    model: torch.nn.Module
    tokenizer: object  # subtitler.asr.tokenizer.Tokenizer (language/task unset)
    source: Path

    @property
    def compute_type(self) -> str:
        """How the model computes (subtitler.asr.precision): float32, int8, float16 or bfloat16."""
        return str(self.model.compute_type)

    @property
    def multilingual(self) -> bool:
        return bool(self.model.is_multilingual)

    def transcribe(
        self,
        audio: np.ndarray,
        options: TranscribeOptions = TranscribeOptions(),
        on_progress: ProgressCallback | None = None,
        should_stop: Callable[[], bool] | None = None,
        on_info: Callable[[TranscriptionInfo], None] | None = None,
        on_dropped: Callable[[Dropped], None] | None = None,
    ) -> Iterator[Segment]:
        """Segments of 16-kHz mono ``audio`` as they are final: window by window, or chunk batch by chunk batch
        with ``options.batch_size`` (subtitler.asr.batched)."""
        self.check_options(options)
        if options.batch_size is not None:
            from subtitler.asr.batched import transcribe_batched

            return transcribe_batched(self.model, self.tokenizer, audio, options, on_progress=on_progress,
                                      should_stop=should_stop, on_info=on_info, on_dropped=on_dropped)
        return transcribe(self.model, self.tokenizer, audio, options, on_progress=on_progress,
                          should_stop=should_stop, on_info=on_info, on_dropped=on_dropped)

    def detect_language(self, audio: np.ndarray) -> dict[str, float]:
        """Probabilities over every language the model knows, highest first (first 30 s), exactly as transcribe detects."""
        from subtitler.asr.audio import N_SAMPLES, log_mel_spectrogram
        from subtitler.asr.transcribe import detect_on_first_window

        if not self.multilingual:
            return {"en": 1.0}
        mel = log_mel_spectrogram(audio, self.model.dims.n_mels, padding=N_SAMPLES)
        with torch.no_grad():
            return detect_on_first_window(self.model, self.tokenizer, mel)[0]

    def check_options(self, options: TranscribeOptions) -> None:
        """ModelError when this model cannot honour the options (a language it lacks, translating with .en)."""
        for name, value in (("beam size", options.beam_size), ("best-of", options.best_of)):
            if value is not None and not 1 <= value <= MAX_BEAM_SIZE:
                raise ModelError(f"{name} {value}: use a number from 1 to {MAX_BEAM_SIZE} (5 is usual)")
        if options.batch_size is not None and not 1 <= options.batch_size <= MAX_BATCH_SIZE:
            raise ModelError(f"batch size {options.batch_size}: use a number from 1 to {MAX_BATCH_SIZE} (8 is usual)")
        check_batched(options)
        if self.multilingual:
            if options.language is not None and options.language not in self.tokenizer.all_language_codes:
                raise ModelError(f"--language {options.language}: not a language this model knows; "
                                 f"use a code such as en, de, es, or auto")
            return
        if options.language not in (None, "en"):
            raise ModelError(f"{self.source}: this English-only model cannot transcribe '{options.language}'; "
                             "use a multilingual model such as 'base'")
        if options.task == "translate":
            raise ModelError(f"{self.source}: this English-only model cannot translate; use a multilingual model such as 'base'")


def load_engine(name_or_path: str, device: str = "auto", compute_type: str = "auto", threads: int | None = None,
                allow_download: bool = False, on_download_progress: Callable[[int, int], None] | None = None) -> Engine:
    """Find the model (path, user folder, installed packages, optional download), load it and its tokenizer.

    ``compute_type`` is one of subtitler.asr.precision.COMPUTE_TYPES ("auto": int8 on the CPU,
    float16 on a GPU; "float32" is token for token openai-whisper); ``threads`` sets torch's intra-op threads
    (None leaves torch's choice, one per core).
    """
    from subtitler.asr.models import resolve_model
    from subtitler.asr.precision import resolve_compute_type
    from subtitler.asr.tokenizer import Tokenizer
    from subtitler.asr.weights import model_from_checkpoint, read_checkpoint

    device = pick_device(device)
    compute_type = resolve_compute_type(compute_type, device)  # before the model is read: wrong pairs fail fast
    if threads is not None:
        if threads < 1:
            raise ModelError(f"--threads {threads}: use 1 or more")
        torch.set_num_threads(threads)
    path = resolve_model(name_or_path, allow_download=allow_download, on_progress=on_download_progress)
    checkpoint = read_checkpoint(path)
    if checkpoint.tokenizer_json is None:
        raise ModelError(f"{path}: no tokenizer.json beside the model; put the model's tokenizer.json in its folder")
    model = model_from_checkpoint(checkpoint, device=device, compute_type=compute_type)
    tokenizer = Tokenizer.from_file(checkpoint.tokenizer_json, multilingual=model.is_multilingual,
                                    num_languages=model.num_languages)
    return Engine(model=model, tokenizer=tokenizer, source=Path(path))
