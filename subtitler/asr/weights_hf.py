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
from subtitler.asr.weights import Checkpoint, check_dims, require_regular_file, expected_shapes, json_ids, json_int, json_pairs, read_json_object
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
    require_regular_file(file)
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
    if not isinstance(weight_map, dict) or not all(isinstance(v, str) for v in weight_map.values()):
        raise ModelError(f"{file}: no 'weight_map' object of file names; not a safetensors index")
    tensors: dict[str, Tensor] = {}
    for shard in sorted(set(weight_map.values())):
        tensors.update(read_safetensors(_shard_path(file, shard)))
    return tensors


def _shard_path(index: Path, shard: str) -> Path:
    """A shard named by the index: a plain file name in the index's own folder, never a path ('../x', '/etc/passwd')."""
    if not shard.endswith(".safetensors") or shard in ("", ".", "..") or any(c in shard for c in "/\\:\0"):
        raise ModelError(f"{index}: shard {shard!r} is not a .safetensors file in the model's folder; refusing to read it")
    return index.parent / shard



def _dims(config: dict, path: Path) -> ModelDimensions:
    def size(key: str) -> int:
        if key not in config:
            raise ModelError(f"{path}: no {key!r} entry; not a Whisper config")
        return json_int(config[key], key, path)

    dims = ModelDimensions(
        n_mels=size("num_mel_bins"), n_audio_ctx=size("max_source_positions"),
        n_audio_state=size("d_model"), n_audio_head=size("encoder_attention_heads"),
        n_audio_layer=size("encoder_layers"), n_vocab=size("vocab_size"),
        n_text_ctx=size("max_target_positions"), n_text_state=size("d_model"),
        n_text_head=size("decoder_attention_heads"), n_text_layer=size("decoder_layers"),
    )
    check_dims(dims, path)  # before the name table is built from them
    return dims


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
    return read_json_object(path) if path.exists() else {}  # a pipe or folder there is refused, not skipped


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
    gen_path = file.parent / "generation_config.json"
    tokenizer = file.parent / "tokenizer.json"
    return Checkpoint(
        dims=dims,
        state_dict=state,
        alignment_heads=json_pairs(generation.get("alignment_heads"), "alignment_heads", gen_path),
        source=file,
        format="huggingface",
        tokenizer_json=tokenizer if tokenizer.is_file() else None,
        suppress_ids=json_ids(generation.get("suppress_tokens"), "suppress_tokens", gen_path),
        suppress_ids_begin=json_ids(generation.get("begin_suppress_tokens"), "begin_suppress_tokens", gen_path),
        lang_ids=json_ids(generation.get("lang_to_id"), "lang_to_id", gen_path),
    )
