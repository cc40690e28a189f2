"""openai-whisper `*.pt` checkpoints: {'dims': {...}, 'model_state_dict': {...}} loaded with weights_only."""

from __future__ import annotations

import base64
import gzip
import pickle
import re
import zipfile
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from subtitler.asr.model import ModelDimensions, sinusoids
from subtitler.asr.weights import Checkpoint, check_dims, expected_shapes, require_regular_file
from subtitler.errors import ModelError

# Cross-attention heads that follow the speech, per released model, as (decoder layer, head).
# The facts come from openai-whisper's published per-model alignment-head constants.
DEFAULT_ALIGNMENT_HEADS: dict[str, tuple[tuple[int, int], ...]] = {
    "tiny.en": ((1, 0), (2, 0), (2, 5), (3, 0), (3, 1), (3, 2), (3, 3), (3, 4)),
    "tiny": ((2, 2), (3, 0), (3, 2), (3, 3), (3, 4), (3, 5)),
    "base.en": ((3, 3), (4, 7), (5, 1), (5, 5), (5, 7)),
    "base": ((3, 1), (4, 2), (4, 3), (4, 7), (5, 1), (5, 2), (5, 4), (5, 6)),
    "small.en": ((6, 6), (7, 0), (7, 3), (7, 8), (8, 2), (8, 5), (8, 7), (9, 0), (9, 4), (9, 8), (9, 10),
                 (10, 0), (10, 1), (10, 2), (10, 3), (10, 6), (10, 11), (11, 2), (11, 4)),
    "small": ((5, 3), (5, 9), (8, 0), (8, 4), (8, 7), (8, 8), (9, 0), (9, 7), (9, 9), (10, 5)),
    "medium.en": ((11, 4), (14, 1), (14, 12), (14, 14), (15, 4), (16, 0), (16, 4), (16, 9), (17, 12),
                  (17, 14), (18, 7), (18, 10), (18, 15), (20, 0), (20, 3), (20, 9), (20, 14), (21, 12)),
    "medium": ((13, 15), (15, 4), (15, 15), (16, 1), (20, 0), (23, 4)),
    "large-v1": ((9, 19), (11, 2), (11, 4), (11, 17), (22, 7), (22, 11), (22, 17), (23, 2), (23, 15)),
    "large-v2": ((10, 12), (13, 17), (16, 11), (16, 12), (16, 13), (17, 15), (17, 16), (18, 4), (18, 11),
                 (18, 19), (19, 11), (21, 2), (21, 3), (22, 3), (22, 9), (22, 12), (23, 5), (23, 7),
                 (23, 13), (25, 5), (26, 1), (26, 12), (27, 15)),
    "large-v3": ((7, 0), (10, 17), (12, 18), (13, 12), (16, 1), (17, 14), (19, 11), (21, 4), (24, 1), (25, 6)),
    "large-v3-turbo": ((2, 4), (2, 11), (3, 3), (3, 6), (3, 11), (3, 14)),
}

# (n_mels, n_vocab, n_text_layer, n_text_state) -> model names. large-v1 and large-v2 share every
# dimension: the file name decides between them, else large-v2 (the more common one).
_NAMES_BY_DIMS = {
    (80, 51864, 4, 384): ("tiny.en",), (80, 51865, 4, 384): ("tiny",),
    (80, 51864, 6, 512): ("base.en",), (80, 51865, 6, 512): ("base",),
    (80, 51864, 12, 768): ("small.en",), (80, 51865, 12, 768): ("small",),
    (80, 51864, 24, 1024): ("medium.en",), (80, 51865, 24, 1024): ("medium",),
    (80, 51865, 32, 1280): ("large-v2", "large-v1"), (128, 51866, 32, 1280): ("large-v3",),
    (128, 51866, 4, 1280): ("large-v3-turbo",),
}

# Our name component -> openai's, applied per dotted component (every name goes through it).
_COMPONENTS = {
    "layers": "blocks", "positions": "positional_embedding", "attn_norm": "attn_ln", "cross_norm": "cross_attn_ln",
    "mlp_norm": "mlp_ln", "cross": "cross_attn", "q": "query", "k": "key", "v": "value", "fc1": "0", "fc2": "2",
}
_TOP_NORM = {"encoder.norm": "encoder.ln_post", "decoder.norm": "decoder.ln"}


def openai_name(ours: str) -> str:
    for prefix, theirs in _TOP_NORM.items():
        if ours.startswith(prefix + "."):
            return theirs + ours[len(prefix):]
    return ".".join(_COMPONENTS.get(part, part) for part in ours.split("."))


def name_map(dims: ModelDimensions) -> dict[str, str]:
    """Our name -> openai-whisper's name, for every tensor of a model of these dimensions."""
    return {ours: openai_name(ours) for ours in expected_shapes(dims)}


def default_alignment_heads(dims: ModelDimensions, file: Path) -> tuple[tuple[int, int], ...]:
    """openai's published heads for the model these dimensions (and the file name) identify."""
    names = _NAMES_BY_DIMS.get((dims.n_mels, dims.n_vocab, dims.n_text_layer, dims.n_text_state))
    if names is None:  # an unknown size: every head of the upper half of the decoder
        upper = range(dims.n_text_layer // 2, dims.n_text_layer)
        return tuple((layer, head) for layer in upper for head in range(dims.n_text_head))
    hints = [h for h in (file.stem, file.parent.name) if h in names]  # "large-v1.pt" or "large-v1/model.bin"
    return DEFAULT_ALIGNMENT_HEADS[hints[0] if hints else names[0]]


def decode_alignment_heads(value: object, dims: ModelDimensions, file: Path) -> tuple[tuple[int, int], ...]:
    """Heads stored in a checkpoint: base85 text of a gzipped bool array, or a bool tensor."""
    try:
        if isinstance(value, (bytes, str)):
            raw = gzip.decompress(base64.b85decode(value))
            mask = np.frombuffer(raw, dtype=bool).reshape(dims.n_text_layer, dims.n_text_head)
        elif isinstance(value, Tensor):
            mask = value.to_dense().bool().numpy().reshape(dims.n_text_layer, dims.n_text_head)
        else:
            raise ValueError(f"unexpected type {type(value).__name__}")
    except (ValueError, OSError, EOFError) as error:
        raise ModelError(f"{file}: alignment_heads entry is unreadable ({error})") from error
    return tuple((int(layer), int(head)) for layer, head in np.argwhere(mask))


def _load(file: Path) -> dict:
    """torch.load with weights_only: a pickle that would build other objects (and could run code) is refused.

    torch's refusal explains over several lines how to load the file unsafely; that advice is not passed on.
    """
    require_regular_file(file)
    try:
        checkpoint = torch.load(file, map_location="cpu", weights_only=True, mmap=True)
    except pickle.UnpicklingError as error:
        if "weights only" in str(error).lower():
            blocked = re.search(r"GLOBAL ([\w.]+)", str(error))
            what = f" ({blocked.group(1)})" if blocked else ""
            raise ModelError(f"{file}: refused: it holds Python objects besides tensors{what}, which could run code "
                             "when loaded; use an official checkpoint") from None
        raise ModelError(f"{file}: not a readable PyTorch checkpoint; download it again") from None
    except (RuntimeError, zipfile.BadZipFile, EOFError, ValueError, OSError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ModelError(f"{file}: not a readable PyTorch checkpoint ({first}); download it again") from None
    if not isinstance(checkpoint, dict) or "dims" not in checkpoint or "model_state_dict" not in checkpoint:
        raise ModelError(f"{file}: not an openai-whisper checkpoint (needs 'dims' and 'model_state_dict')")
    return checkpoint


def _dims(raw: object, file: Path) -> ModelDimensions:
    try:
        dims = ModelDimensions(**{k: int(v) for k, v in dict(raw).items()})
    except (TypeError, ValueError, OverflowError) as error:
        raise ModelError(f"{file}: bad 'dims' entry ({error})") from None
    check_dims(dims, file)  # before the name table is built from them
    return dims


def read_openai(file: Path) -> Checkpoint:
    checkpoint = _load(file)
    dims = _dims(checkpoint["dims"], file)
    theirs = checkpoint["model_state_dict"]
    state: dict[str, Tensor] = {}
    for ours, name in name_map(dims).items():
        if name == "encoder.positional_embedding" and name not in theirs:
            state[ours] = sinusoids(dims.n_audio_ctx, dims.n_audio_state)  # a pure function of the size
            continue
        if name not in theirs:
            raise ModelError(f"{file}: tensor {name} is missing; the checkpoint is incomplete")
        state[ours] = theirs[name]
    heads = checkpoint.get("alignment_heads")
    return Checkpoint(
        dims=dims,
        state_dict=state,
        alignment_heads=decode_alignment_heads(heads, dims, file) if heads is not None else default_alignment_heads(dims, file),
        source=file,
        format="openai",
    )
