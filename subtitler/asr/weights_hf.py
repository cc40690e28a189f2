"""Hugging Face Whisper checkpoints: `model.safetensors` (or shards + index) with config.json.

safetensors is read here directly rather than through the `safetensors` package: the format
is an 8-byte little-endian header length, a JSON header of {name: {dtype, shape,
data_offsets}}, then raw bytes, which a memory map and numpy read without copying, and the
package (a compiled wheel) would be a dependency for this one file type.
"""

from __future__ import annotations

import json
import mmap
import struct
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from subtitler.asr.model import ModelDimensions
from subtitler.asr.weights import Checkpoint, expected_shapes, read_json_object
from subtitler.errors import ModelError

_DTYPES = {"F32": np.float32, "F16": np.float16, "BF16": np.int16, "F64": np.float64,
           "I8": np.int8, "I16": np.int16, "I32": np.int32, "I64": np.int64, "U8": np.uint8, "BOOL": np.bool_}
_MAX_HEADER = 100 * 1024 * 1024


def _header(data: mmap.mmap, file: Path) -> tuple[dict, int]:
    if len(data) < 8:
        raise ModelError(f"{file}: too short to be a safetensors file; download it again")
    (length,) = struct.unpack("<Q", data[:8])
    if length > min(_MAX_HEADER, len(data) - 8):
        raise ModelError(f"{file}: not a safetensors file (header length {length} is impossible)")
    try:
        header = json.loads(bytes(data[8 : 8 + length]).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise ModelError(f"{file}: safetensors header is not JSON ({error})") from error
    if not isinstance(header, dict):
        raise ModelError(f"{file}: safetensors header is not a JSON object")
    return header, 8 + length


def _tensor(data: mmap.mmap, start: int, name: str, entry: dict, file: Path) -> Tensor:
    try:
        dtype = np.dtype(_DTYPES[entry["dtype"]]).newbyteorder("<")
        shape = tuple(int(n) for n in entry["shape"])
        begin, end = (start + int(n) for n in entry["data_offsets"])
    except (KeyError, TypeError, ValueError) as error:
        raise ModelError(f"{file}: tensor {name} has a bad header entry ({error})") from error
    count = int(np.prod(shape, dtype=np.int64))
    if end > len(data) or end - begin != count * dtype.itemsize or begin < start:
        raise ModelError(f"{file}: tensor {name} lies outside the file or does not fit {list(shape)}; the file is truncated or corrupt")
    array = np.frombuffer(data, dtype=dtype, count=count, offset=begin).reshape(shape)
    if not array.flags.aligned:
        array = np.require(array, requirements=["A"])
    tensor = torch.from_numpy(array)
    return tensor.view(torch.bfloat16) if entry["dtype"] == "BF16" else tensor


def read_safetensors(file: Path) -> dict[str, Tensor]:
    """All tensors of one safetensors file as views of a private memory map."""
    try:
        with open(file, "rb") as handle:
            data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_COPY)
    except (OSError, ValueError) as error:
        raise ModelError(f"{file}: cannot read ({error})") from error
    header, start = _header(data, file)
    return {name: _tensor(data, start, name, entry, file) for name, entry in header.items() if name != "__metadata__"}


def _read_all(file: Path) -> dict[str, Tensor]:
    """One file, or every shard listed in a `*.safetensors.index.json` weight map."""
    if not file.name.endswith(".index.json"):
        return read_safetensors(file)
    weight_map = read_json_object(file).get("weight_map")
    if not isinstance(weight_map, dict):
        raise ModelError(f"{file}: no 'weight_map' object; not a safetensors index")
    shards = sorted(set(weight_map.values()))
    tensors: dict[str, Tensor] = {}
    for shard in shards:
        tensors.update(read_safetensors(file.parent / shard))
    return tensors



def _dims(config: dict, path: Path) -> ModelDimensions:
    try:
        return ModelDimensions(
            n_mels=int(config["num_mel_bins"]), n_audio_ctx=int(config["max_source_positions"]),
            n_audio_state=int(config["d_model"]), n_audio_head=int(config["encoder_attention_heads"]),
            n_audio_layer=int(config["encoder_layers"]), n_vocab=int(config["vocab_size"]),
            n_text_ctx=int(config["max_target_positions"]), n_text_state=int(config["d_model"]),
            n_text_head=int(config["decoder_attention_heads"]), n_text_layer=int(config["decoder_layers"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ModelError(f"{path}: missing or bad model size entry {error}; not a Whisper config") from error


# Our name component -> Hugging Face's, per dotted component; whole-name cases first.
_WHOLE = {
    "encoder.positions": "encoder.embed_positions.weight",
    "decoder.positions": "decoder.embed_positions.weight",
    "decoder.token_embedding.weight": "decoder.embed_tokens.weight",
}
_COMPONENTS = {
    "attn_norm": "self_attn_layer_norm", "attn": "self_attn", "cross_norm": "encoder_attn_layer_norm",
    "cross": "encoder_attn", "mlp_norm": "final_layer_norm", "q": "q_proj", "k": "k_proj", "v": "v_proj",
    "out": "out_proj", "norm": "layer_norm",
}


def hf_name(ours: str, prefix: str = "model.") -> str:
    if ours in _WHOLE:
        return prefix + _WHOLE[ours]
    parts = [p for p in ours.split(".") if p != "mlp"]  # fc1/fc2 sit directly in the layer
    return prefix + ".".join(_COMPONENTS.get(p, p) for p in parts)


def name_map(dims: ModelDimensions, prefix: str = "model.") -> dict[str, str]:
    """Our name -> Hugging Face's, for every tensor of a model of these dimensions."""
    return {ours: hf_name(ours, prefix) for ours in expected_shapes(dims)}


def _generation(folder: Path) -> dict:
    path = folder / "generation_config.json"
    return read_json_object(path) if path.is_file() else {}


def _ids(value: object) -> tuple[int, ...] | None:
    if isinstance(value, dict):
        return tuple(sorted(int(v) for v in value.values()))
    return tuple(int(v) for v in value) if isinstance(value, list) else None


def read_hf(file: Path) -> Checkpoint:
    config_path = file.parent / "config.json"
    if not config_path.is_file():
        raise ModelError(f"{config_path}: missing; a Hugging Face model needs its config.json beside {file.name}")
    dims = _dims(read_json_object(config_path), config_path)
    tensors = _read_all(file)
    prefix = "model." if "model.encoder.conv1.weight" in tensors else ""
    state: dict[str, Tensor] = {}
    for ours, theirs in name_map(dims, prefix).items():
        if theirs not in tensors:
            raise ModelError(f"{file}: tensor {theirs} is missing; the checkpoint is incomplete")
        state[ours] = tensors[theirs]
    generation = _generation(file.parent)
    tokenizer = file.parent / "tokenizer.json"
    return Checkpoint(
        dims=dims,
        state_dict=state,
        alignment_heads=tuple((int(l), int(h)) for l, h in generation.get("alignment_heads") or ()),
        source=file,
        format="huggingface",
        tokenizer_json=tokenizer if tokenizer.is_file() else None,
        suppress_ids=_ids(generation.get("suppress_tokens")),
        suppress_ids_begin=_ids(generation.get("begin_suppress_tokens")),
        lang_ids=_ids(generation.get("lang_to_id")),
    )
