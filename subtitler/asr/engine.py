"""One loaded Whisper (model + tokenizer) and the calls the CLI and the GUI make on it.

This is the ASR boundary: media decoding, model lookup and the transcription
generator meet here so that both shells run exactly the same path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from subtitler.asr.hallucination import Dropped
from subtitler.asr.transcribe import Segment, TranscribeOptions, TranscriptionInfo, transcribe
from subtitler.errors import ModelError

ProgressCallback = Callable[[float, float], None]


def pick_device(device: str = "auto") -> str:
    """'auto' means the GPU when torch sees one; asking for cuda without one is the user's error."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ModelError("--device cuda: no CUDA GPU is visible to torch; use --device cpu or auto")
    if device not in ("cpu",) and not device.startswith("cuda"):
        raise ModelError(f"--device {device}: unknown device; use auto, cpu or cuda")
    return device


@dataclass
class Engine:
    """A model ready to run; create with :func:`load_engine`."""

    model: torch.nn.Module
    tokenizer: object  # subtitler.asr.tokenizer.Tokenizer (language/task unset)
    source: Path

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
        self.check_options(options)
        return transcribe(self.model, self.tokenizer, audio, options, on_progress=on_progress,
                          should_stop=should_stop, on_info=on_info, on_dropped=on_dropped)

    def detect_language(self, audio: np.ndarray) -> dict[str, float]:
        """Probabilities over every language the model knows, highest first (first 30 s)."""
        from subtitler.asr.audio import N_SAMPLES, log_mel_spectrogram, pad_or_trim
        from subtitler.asr.language import detect_language

        if not self.multilingual:
            return {"en": 1.0}
        mel = log_mel_spectrogram(pad_or_trim(audio[:N_SAMPLES]), n_mels=self.model.dims.n_mels)
        return detect_language(self.model, self.tokenizer, mel.to(self.model.device, self.model.dtype))

    def check_options(self, options: TranscribeOptions) -> None:
        """ModelError when this model cannot honour the options (a language it lacks, translating with .en)."""
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


def load_engine(name_or_path: str, device: str = "auto", dtype: torch.dtype | None = None,
                allow_download: bool = False, on_download_progress: Callable[[int, int], None] | None = None) -> Engine:
    """Find the model (path, user folder, installed packages, optional download), load it and its tokenizer."""
    from subtitler.asr.models import resolve_model
    from subtitler.asr.tokenizer import Tokenizer
    from subtitler.asr.weights import model_from_checkpoint, read_checkpoint

    path = resolve_model(name_or_path, allow_download=allow_download, on_progress=on_download_progress)
    device = pick_device(device)
    if dtype is None:
        dtype = torch.float16 if device.startswith("cuda") else torch.float32
    checkpoint = read_checkpoint(path)
    if checkpoint.tokenizer_json is None:
        raise ModelError(f"{path}: no tokenizer.json beside the model; put the model's tokenizer.json in its folder")
    model = model_from_checkpoint(checkpoint, device=device, dtype=dtype)
    tokenizer = Tokenizer.from_file(checkpoint.tokenizer_json, multilingual=model.is_multilingual,
                                    num_languages=model.num_languages)
    return Engine(model=model, tokenizer=tokenizer, source=Path(path))
