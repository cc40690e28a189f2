"""Whisper checkpoints in three formats, read into one parameter naming, then into a model.

Formats: CTranslate2 `model.bin` (what faster-whisper and the installed weight packages
ship, possibly split into `model.bin.part1`, `.part2`, ...), openai-whisper `*.pt`, and
Hugging Face `model.safetensors` + `config.json`. Each reader maps every foreign name
explicitly to ours and `check_state_dict` verifies names and shapes before a model is
built, so a bad file raises ModelError and never yields a half-loaded model.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import stat
import types
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import Tensor

from subtitler.asr.model import ModelDimensions, Whisper
from subtitler.errors import ModelError


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint read from disk: dimensions, tensors under our names, and decoding metadata."""

    dims: ModelDimensions
    state_dict: dict[str, Tensor]
    alignment_heads: tuple[tuple[int, int], ...]
    source: Path
    format: str  # "ctranslate2" | "openai" | "huggingface"
    tokenizer_json: Path | None = None
    suppress_ids: tuple[int, ...] | None = None
    suppress_ids_begin: tuple[int, ...] | None = None
    lang_ids: tuple[int, ...] | None = None


def require_regular_file(path: Path) -> None:
    """Model files are regular files: a FIFO would block the reader, a device would never end."""
    try:
        mode = path.stat().st_mode
    except OSError as error:
        raise ModelError(f"{path}: cannot be read ({error.strerror or error}); download the model again") from None
    if not stat.S_ISREG(mode):
        raise ModelError(f"{path}: is not a regular file (a folder, pipe or device); a model file must be a plain file")


def read_json_object(path: Path) -> dict:
    """A model's JSON side file (config, index) as a dict; anything else is a ModelError naming the file."""
    require_regular_file(path)
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelError(f"{path}: not readable JSON ({error}); download the model again") from None
    except RecursionError:
        raise ModelError(f"{path}: JSON nested too deeply; download the model again") from None
    if not isinstance(value, dict):
        raise ModelError(f"{path}: expected a JSON object; download the model again")
    return value


def json_int(value: object, what: str, path: Path) -> int:
    """An integer from a JSON side file; anything else (text, inf, a list...) is a ModelError naming the entry."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or abs(value) == float("inf"):
        raise ModelError(f"{path}: {what} holds {value!r}, not a whole number; download the model again")
    if value != int(value):
        raise ModelError(f"{path}: {what} holds {value!r}, not a whole number; download the model again")
    return int(value)


def json_ids(value: object, what: str, path: Path) -> tuple[int, ...] | None:
    """A list of token ids (or the values of a {token: id} object); None when absent."""
    if value is None:
        return None
    if isinstance(value, dict):
        return tuple(sorted(json_int(v, what, path) for v in value.values()))
    if not isinstance(value, list):
        raise ModelError(f"{path}: {what} should be a list of token ids, not {type(value).__name__}; download the model again")
    return tuple(json_int(v, what, path) for v in value)


def json_pairs(value: object, what: str, path: Path) -> tuple[tuple[int, int], ...]:
    """[[layer, head], ...] pairs; absent or empty gives ()."""
    if not value:
        return ()
    if not isinstance(value, list) or not all(isinstance(p, list) and len(p) == 2 for p in value):
        raise ModelError(f"{path}: {what} should be a list of [layer, head] pairs; download the model again")
    return tuple((json_int(a, what, path), json_int(b, what, path)) for a, b in value)


@functools.lru_cache(maxsize=8)
def expected_shapes(dims: ModelDimensions) -> Mapping[str, tuple[int, ...]]:
    """Every parameter/buffer name of our model with its shape (built on the meta device: no memory).

    Kept per model size: a load checks the weights twice (when read and when assigned), and each check built
    the whole network on the meta device. Small: 5-20 ms per load on an idle machine (tiny.en, base).
    """
    with torch.device("meta"):
        model = Whisper(dims)
    return types.MappingProxyType({name: tuple(t.shape) for name, t in model.state_dict().items()})


# Far above every released Whisper (large: 32 layers, 20 heads, width 1280, 128 mels, 51866 tokens) yet
# small enough that building the model's shape table stays instant: a crafted config cannot hang the loader.
_MAX_DIMS = {"n_mels": 512, "n_audio_ctx": 100_000, "n_audio_state": 16_384, "n_audio_head": 256, "n_audio_layer": 256,
             "n_vocab": 1_000_000, "n_text_ctx": 100_000, "n_text_state": 16_384, "n_text_head": 256, "n_text_layer": 256}


def check_dims(dims: ModelDimensions, source: Path) -> None:
    """Sizes a Whisper network can have: positive, bounded, and states divisible into the heads."""
    if min(dataclasses.astuple(dims)) <= 0:
        raise ModelError(f"{source}: impossible model size {dims}; the file is corrupt")
    for name, limit in _MAX_DIMS.items():
        if getattr(dims, name) > limit:
            raise ModelError(f"{source}: model size {name}={getattr(dims, name)} is beyond any Whisper model; the file is corrupt")
    for state, heads, side in ((dims.n_audio_state, dims.n_audio_head, "encoder"), (dims.n_text_state, dims.n_text_head, "decoder")):
        if state % heads:
            raise ModelError(f"{source}: {side} width {state} does not split into {heads} heads; the file is corrupt")


def check_state_dict(state_dict: dict[str, Tensor], dims: ModelDimensions, source: Path) -> None:
    """Raise ModelError unless `state_dict` has exactly our names with exactly our shapes."""
    check_dims(dims, source)
    expected = expected_shapes(dims)
    missing = sorted(set(expected) - set(state_dict))
    if missing:
        raise ModelError(f"{source}: missing tensor(s) {', '.join(missing[:5])}; the model file is incomplete or not Whisper")
    extra = sorted(set(state_dict) - set(expected))
    if extra:
        raise ModelError(f"{source}: unexpected tensor(s) {', '.join(extra[:5])}; not a Whisper model this program knows")
    for name, shape in expected.items():
        if tuple(state_dict[name].shape) != shape:
            raise ModelError(
                f"{source}: tensor {name} has shape {tuple(state_dict[name].shape)}, expected {shape}; the model file is corrupt"
            )


def check_alignment_heads(heads: tuple[tuple[int, int], ...], dims: ModelDimensions, source: Path) -> None:
    for layer, head in heads:
        if not (0 <= layer < dims.n_text_layer and 0 <= head < dims.n_text_head):
            raise ModelError(f"{source}: alignment head ({layer}, {head}) is outside the decoder's {dims.n_text_layer}x{dims.n_text_head} heads")


def _detect_format(path: Path) -> tuple[str, Path]:
    """Which reader handles `path` (a model folder or a file) and the file it should open."""
    if path.is_dir():
        candidates = (
            ("model.bin", "ctranslate2"), ("model.bin.part1", "ctranslate2"),
            ("model.safetensors", "huggingface"), ("model.safetensors.index.json", "huggingface"),
        )
        for name, fmt in candidates:
            if (path / name).is_file():
                return fmt, path / name
        pts = sorted(path.glob("*.pt"))
        if len(pts) == 1:
            return "openai", pts[0]
        raise ModelError(f"{path}: no model.bin, model.bin.part1, model.safetensors or single *.pt file in this folder")
    if not path.is_file():
        if path.exists():
            require_regular_file(path)  # a pipe or device: says so
        raise ModelError(f"{path}: no such model file or folder")
    name = path.name
    if name == "model.bin" or name.startswith("model.bin.part"):
        return "ctranslate2", path
    if name.endswith(".safetensors") or name.endswith(".safetensors.index.json"):
        return "huggingface", path
    if name.endswith(".pt"):
        return "openai", path
    raise ModelError(f"{path}: unknown model file type; expected model.bin, model.bin.partN, *.safetensors or *.pt")


def read_checkpoint(path: str | Path) -> Checkpoint:
    """Read a model folder or file in any supported format into a validated Checkpoint."""
    fmt, file = _detect_format(Path(path))
    if fmt == "ctranslate2":
        from subtitler.asr.weights_ct2 import read_ct2

        checkpoint = read_ct2(file)
    elif fmt == "openai":
        from subtitler.asr.weights_openai import read_openai

        checkpoint = read_openai(file)
    else:
        from subtitler.asr.weights_hf import read_hf

        checkpoint = read_hf(file)
    check_state_dict(checkpoint.state_dict, checkpoint.dims, checkpoint.source)
    if not checkpoint.alignment_heads:  # no config/generation config beside the weights
        from subtitler.asr.weights_openai import default_alignment_heads

        heads = default_alignment_heads(checkpoint.dims, checkpoint.source)
        checkpoint = dataclasses.replace(checkpoint, alignment_heads=heads)
    check_alignment_heads(checkpoint.alignment_heads, checkpoint.dims, checkpoint.source)
    return checkpoint


def model_from_checkpoint(checkpoint: Checkpoint, device: str = "cpu", dtype: torch.dtype = torch.float32,
                          compute_type: str = "float32") -> Whisper:
    """An eval-mode, no-grad Whisper holding a copy of the checkpoint's tensors on `device`.

    With ``compute_type`` "float32" (the reference) every tensor is converted to `dtype`; any other
    type (see subtitler.asr.precision) sets the dtype itself. For int8 the matrices to be quantised
    are read straight from the checkpoint and quantised one by one, so a full float32 copy of the
    model never exists (peak memory stays near the int8 model's size).
    """
    from subtitler.asr.graphed_step import cuda_graphs_wanted
    from subtitler.asr.precision import float_dtype, prepare, quantised_parameters

    check_state_dict(checkpoint.state_dict, checkpoint.dims, checkpoint.source)
    if compute_type != "float32":
        dtype = float_dtype(compute_type)
    with torch.device("meta"):  # no memory and no random init: every tensor comes from the checkpoint
        model = Whisper(checkpoint.dims)
    as_is = quantised_parameters(model) if compute_type == "int8" else set()
    state = {
        name: tensor if name in as_is else
        tensor.to(device=device, dtype=dtype if tensor.is_floating_point() else tensor.dtype, copy=True)
        for name, tensor in checkpoint.state_dict.items()
    }
    model.load_state_dict(state, strict=True, assign=True)
    del state
    model.set_alignment_heads(checkpoint.alignment_heads)
    model.requires_grad_(False)
    model = prepare(model.eval(), compute_type)
    if cuda_graphs_wanted(model.device):
        model.step_mode = "graph"
    return model


def load_model(path: str | Path, device: str = "cpu", dtype: torch.dtype = torch.float32,
               compute_type: str = "float32") -> Whisper:
    """Build an eval-mode Whisper from a model folder or file; shapes are checked before anything is assigned."""
    return model_from_checkpoint(read_checkpoint(path), device=device, dtype=dtype, compute_type=compute_type)
