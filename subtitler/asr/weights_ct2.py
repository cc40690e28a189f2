"""CTranslate2 `model.bin` reader (the format faster-whisper and the weight packages use).

Layout, little-endian: u32 binary version; spec name (u16 length incl. NUL + bytes); u32
spec revision; u32 variable count; per variable: name, u8 rank, u32 dims, u8 dtype, u32
byte count, raw bytes; then u32 alias count and (alias, target) name pairs. There is no
ctranslate2 Python API for reading variables without building its own model, so we parse
the file ourselves with memory maps and numpy views: tensor bytes are not copied until
the model converts them to its dtype (tensors at odd offsets are unaligned views, which torch reads as they are).
"""

from __future__ import annotations

import mmap
import re
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from subtitler.asr.model import ModelDimensions
from subtitler.asr.weights import Checkpoint, json_ids, json_pairs, read_json_object, require_regular_file
from subtitler.errors import ModelError

SUPPORTED_VERSIONS = (6,)  # the version current CTranslate2 writes; older layouts are untested
HEAD_DIM = 64  # every released Whisper size uses 64-dimensional attention heads
# CTranslate2 dtype codes; bfloat16 is read as raw 16-bit words and reinterpreted by torch.
_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16, 5: np.uint16}


class _Parts:
    """Several files read as one byte string, each memory-mapped; spans across files are copied."""

    def __init__(self, files: list[Path]) -> None:
        self.files = files
        self.maps: list[mmap.mmap] = []
        self.starts: list[int] = []
        total = 0
        for file in files:
            require_regular_file(file)
            with open(file, "rb") as handle:
                size = file.stat().st_size
                if size == 0:
                    raise ModelError(f"{file}: the model file is empty; download it again")
                # ACCESS_COPY: private pages, so numpy arrays are writable without touching the file.
                self.maps.append(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_COPY))
            self.starts.append(total)
            total += size
        self.size = total

    def view(self, offset: int, length: int) -> memoryview | bytes:
        if offset < 0 or offset + length > self.size:
            raise EOFError
        for data, start in zip(self.maps, self.starts):
            if start <= offset and offset + length <= start + len(data):
                return memoryview(data)[offset - start : offset - start + length]
        chunks = []  # the span crosses a part boundary: copy just this span
        for data, start in zip(self.maps, self.starts):
            lo, hi = max(offset, start), min(offset + length, start + len(data))
            if lo < hi:
                chunks.append(data[lo - start : hi - start])
        return b"".join(chunks)


class _Cursor:
    def __init__(self, parts: _Parts) -> None:
        self.parts = parts
        self.offset = 0

    def take(self, length: int) -> memoryview | bytes:
        data = self.parts.view(self.offset, length)
        self.offset += length
        return data

    def unpack(self, fmt: str) -> tuple:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))

    def string(self) -> str:
        (length,) = self.unpack("H")
        raw = bytes(self.take(length))
        if not raw.endswith(b"\0"):
            raise ValueError("string without terminating NUL")
        return raw[:-1].decode("utf-8")


@dataclass(frozen=True)
class _Variable:
    array: np.ndarray  # a view into the memory map (unaligned where the file offset is odd)
    code: int  # CTranslate2 dtype code


def _read_variable(cursor: _Cursor) -> tuple[str, _Variable]:
    name = cursor.string()
    (rank,) = cursor.unpack("B")
    shape = cursor.unpack(f"{rank}I") if rank else ()
    code, nbytes = cursor.unpack("BI")
    if code not in _DTYPES:
        raise ValueError(f"variable {name} has unknown dtype code {code}")
    dtype = np.dtype(_DTYPES[code]).newbyteorder("<")
    count = int(np.prod(shape, dtype=np.int64))
    if count * dtype.itemsize != nbytes:
        raise ValueError(f"variable {name}: {nbytes} bytes do not fit shape {list(shape)}")
    array = np.frombuffer(cursor.take(nbytes), dtype=dtype).reshape(shape)
    if not array.flags.writeable:  # a span across two part files (joined bytes): copies only this tensor
        array = np.require(array, requirements=["W"])
    # At an odd file offset the array is unaligned and stays a view: torch reads it as it is, and the loader
    # copies every tensor once anyway, into the model's dtype. Copying each one here first took 0.10 s of base's load.
    return name, _Variable(array, code)


def _parse(parts: _Parts) -> tuple[dict[str, _Variable], dict[str, str]]:
    """All variables and aliases of a model.bin; ValueError/EOFError on anything malformed."""
    cursor = _Cursor(parts)
    (version,) = cursor.unpack("I")
    if version not in SUPPORTED_VERSIONS:
        raise ValueError(f"binary version {version} is not supported (expected one of {SUPPORTED_VERSIONS})")
    spec = cursor.string()
    cursor.unpack("I")  # spec revision
    if spec != "WhisperSpec":
        raise ValueError(f"it holds a {spec or 'unnamed'} model, not Whisper")
    (count,) = cursor.unpack("I")
    variables = dict(_read_variable(cursor) for _ in range(count))
    (n_alias,) = cursor.unpack("I")
    aliases = {}
    for _ in range(n_alias):
        alias = cursor.string()
        aliases[alias] = cursor.string()
    if cursor.offset != parts.size:
        raise ValueError(f"{parts.size - cursor.offset} unexpected bytes after the last entry")
    return variables, aliases


def _tensor(variable: _Variable) -> Tensor:
    if variable.code == 5:  # bfloat16: reinterpret the 16-bit words
        return torch.from_numpy(variable.array.view(np.int16)).view(torch.bfloat16)
    return torch.from_numpy(variable.array)


class _Store:
    """Name lookup with aliases and int8/int16 dequantization (`<name>_scale` holds the scales)."""

    def __init__(self, variables: dict[str, _Variable], aliases: dict[str, str]) -> None:
        self.variables = variables
        self.aliases = aliases

    def has(self, name: str) -> bool:
        return self.aliases.get(name, name) in self.variables

    def get(self, name: str) -> Tensor:
        name = self.aliases.get(name, name)
        if name not in self.variables:
            raise KeyError(name)
        tensor = _tensor(self.variables[name])
        scale_name = f"{name}_scale"
        if self.has(scale_name) and not tensor.is_floating_point():
            scale = self.get(scale_name).float()
            tensor = tensor.float() / (scale[:, None] if scale.ndim == 1 and tensor.ndim == 2 else scale)
        return tensor

    def scalar(self, name: str) -> int | None:
        return int(self.get(name).item()) if self.has(name) else None


def _layer_count(store: _Store, prefix: str) -> int:
    pattern = re.compile(rf"{prefix}/layer_(\d+)/")
    indices = {int(m.group(1)) for name in store.variables if (m := pattern.match(name))}
    if indices != set(range(len(indices))):
        raise ValueError(f"{prefix} layers are not numbered 0..N-1")
    return len(indices)


def _heads(store: _Store, prefix: str, n_state: int) -> int:
    """Head count from the file's `<prefix>/num_heads` scalar, else from the 64-dim head size."""
    return store.scalar(f"{prefix}/num_heads") or n_state // HEAD_DIM


def _dims(store: _Store) -> ModelDimensions:
    conv1 = store.get("encoder/conv1/weight")
    embedding = store.get("decoder/embeddings/weight")
    audio_state, text_state = conv1.shape[0], embedding.shape[1]
    return ModelDimensions(
        n_mels=conv1.shape[1],
        n_audio_ctx=store.get("encoder/position_encodings/encodings").shape[0],
        n_audio_state=audio_state,
        n_audio_head=_heads(store, "encoder", audio_state),
        n_audio_layer=_layer_count(store, "encoder"),
        n_vocab=embedding.shape[0],
        n_text_ctx=store.get("decoder/position_encodings/encodings").shape[0],
        n_text_state=text_state,
        n_text_head=_heads(store, "decoder", text_state),
        n_text_layer=_layer_count(store, "decoder"),
    )


# (our name, CTranslate2 name, part index, number of parts) — fused q|k|v and k|v are split.
_Source = tuple[str, str, int, int]


def _norm(ours: str, theirs: str) -> list[_Source]:
    return [(f"{ours}.weight", f"{theirs}/gamma", 0, 1), (f"{ours}.bias", f"{theirs}/beta", 0, 1)]


def _linear(ours: str, theirs: str, index: int = 0, parts: int = 1, bias: bool = True) -> list[_Source]:
    sources = [(f"{ours}.weight", f"{theirs}/weight", index, parts)]
    return sources + ([(f"{ours}.bias", f"{theirs}/bias", index, parts)] if bias else [])


def _fused(ours: str, theirs: str, names: tuple[str, ...]) -> list[_Source]:
    """Projections stored as one matrix; the key bias (all zeros) is dropped, our key has none."""
    sources: list[_Source] = []
    for index, name in enumerate(names):
        sources += _linear(f"{ours}.{name}", theirs, index, len(names), bias=name != "k")
    return sources


def _block(ours: str, theirs: str, cross: bool) -> list[_Source]:
    sources = _norm(f"{ours}.attn_norm", f"{theirs}/self_attention/layer_norm")
    sources += _fused(f"{ours}.attn", f"{theirs}/self_attention/linear_0", ("q", "k", "v"))
    sources += _linear(f"{ours}.attn.out", f"{theirs}/self_attention/linear_1")
    if cross:
        sources += _norm(f"{ours}.cross_norm", f"{theirs}/attention/layer_norm")
        sources += _linear(f"{ours}.cross.q", f"{theirs}/attention/linear_0")
        sources += _fused(f"{ours}.cross", f"{theirs}/attention/linear_1", ("k", "v"))
        sources += _linear(f"{ours}.cross.out", f"{theirs}/attention/linear_2")
    sources += _norm(f"{ours}.mlp_norm", f"{theirs}/ffn/layer_norm")
    sources += _linear(f"{ours}.mlp.fc1", f"{theirs}/ffn/linear_0")
    sources += _linear(f"{ours}.mlp.fc2", f"{theirs}/ffn/linear_1")
    return sources


def name_map(dims: ModelDimensions) -> list[_Source]:
    """Where each of our tensors lives in a CTranslate2 Whisper model."""
    sources = _linear("encoder.conv1", "encoder/conv1") + _linear("encoder.conv2", "encoder/conv2")
    sources.append(("encoder.positions", "encoder/position_encodings/encodings", 0, 1))
    for i in range(dims.n_audio_layer):
        sources += _block(f"encoder.layers.{i}", f"encoder/layer_{i}", cross=False)
    sources += _norm("encoder.norm", "encoder/layer_norm")
    sources.append(("decoder.token_embedding.weight", "decoder/embeddings/weight", 0, 1))
    sources.append(("decoder.positions", "decoder/position_encodings/encodings", 0, 1))
    for i in range(dims.n_text_layer):
        sources += _block(f"decoder.layers.{i}", f"decoder/layer_{i}", cross=True)
    return sources + _norm("decoder.norm", "decoder/layer_norm")


def _state_dict(store: _Store, dims: ModelDimensions, file: Path) -> dict[str, Tensor]:
    state: dict[str, Tensor] = {}
    for ours, theirs, index, parts in name_map(dims):
        if not store.has(theirs):
            raise ModelError(f"{file}: tensor {theirs} is missing; the model file is incomplete, download it again")
        tensor = store.get(theirs)
        if parts > 1:
            if tensor.shape[0] % parts:
                raise ModelError(f"{file}: tensor {theirs} of shape {list(tensor.shape)} cannot be split in {parts}")
            tensor = tensor.chunk(parts, dim=0)[index]
        state[ours] = tensor
    return state


def part_files(first: Path) -> list[Path]:
    """`model.bin`, or `model.bin.part1..N` found beside part 1 or in a sibling package's folder."""
    if not first.name.startswith("model.bin.part"):
        return [first]
    if first.name != "model.bin.part1":
        raise ModelError(f"{first}: this is not the first part of a split model; open model.bin.part1 or its folder")
    files = [first]
    while True:
        nxt = _find_part(first.parent, len(files) + 1)
        if nxt is None:
            return files
        files.append(nxt)


def _find_part(folder: Path, number: int) -> Path | None:
    name = f"model.bin.part{number}"
    if (folder / name).is_file():
        return folder / name
    # Packages split over several wheels (pkg_part1/data, pkg_part2/data) install side by side.
    base = folder.parent.name.rsplit("part", 1)[0] if "part" in folder.parent.name else None
    if base is None:
        return None
    root = folder.parent.parent
    for candidate in sorted(root.glob(f"{base}*/{folder.name}/{name}")):
        if candidate.is_file():
            return candidate
    return None


def _config(folder: Path) -> dict:
    path = folder / "config.json"
    return read_json_object(path) if path.exists() else {}  # a pipe or folder there is refused, not skipped


def read_ct2(file: Path) -> Checkpoint:
    """Read a CTranslate2 Whisper model.bin (or the first of its parts) and its config.json."""
    files = part_files(file)
    label = file if len(files) == 1 else f"{file} (+{len(files) - 1} more part(s))"
    try:
        variables, aliases = _parse(_Parts(files))
    except (ValueError, EOFError, UnicodeDecodeError, struct.error) as error:
        detail = "the file is truncated" if isinstance(error, (EOFError, struct.error)) else str(error)
        raise ModelError(f"{label}: not a readable CTranslate2 Whisper model: {detail}; download it again") from error
    store = _Store(variables, aliases)
    try:
        dims = _dims(store)
    except (KeyError, ValueError, IndexError) as error:
        raise ModelError(f"{label}: cannot determine the model size ({error}); the file is incomplete") from error
    config = _config(file.parent)
    config_path = file.parent / "config.json"
    heads = json_pairs(config.get("alignment_heads"), "alignment_heads", config_path)
    tokenizer = file.parent / "tokenizer.json"
    return Checkpoint(
        dims=dims,
        state_dict=_state_dict(store, dims, file),
        alignment_heads=heads,
        source=file,
        format="ctranslate2",
        tokenizer_json=tokenizer if tokenizer.is_file() else None,
        suppress_ids=json_ids(config.get("suppress_ids"), "suppress_ids", config_path),
        suppress_ids_begin=json_ids(config.get("suppress_ids_begin"), "suppress_ids_begin", config_path),
        lang_ids=json_ids(config.get("lang_ids"), "lang_ids", config_path),
    )
