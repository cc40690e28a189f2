"""Compute types: how a loaded Whisper does its arithmetic, and the default per device.

- ``float32``: the reference; token for token openai-whisper's output (asked for by name).
- ``int8``: int8 weights and int8 matrix products for the decoder's linear layers and the
  vocabulary projection (subtitler.asr.quantize), the encoder in bfloat16 where the CPU has it,
  float32 elsewhere. The CPU default ("auto") wherever torch has the int8 kernels: a quarter of
  float32's memory traffic per decoding step, at float32's word error rate on the accuracy
  benchmark's long programmes (figures in benchmarks/README.md).
- ``float16``: the GPU default (Whisper was trained in it; openai-whisper's GPU default too).
  Not offered on the CPU, where half-precision matrix products are emulated and slow.
- ``bfloat16``: GPUs with bfloat16 (Ampere and later), and CPUs (fast only with AVX-512 BF16 or AMX).

``prepare`` turns a float model into the chosen type in place (on the CPU the vocabulary matrix is
stored transposed for a faster projection, the same values): the q/k/v projections are
fused into one matrix (one product per attention instead of three) for every type but
float32, which stays exactly the reference network.
"""

from __future__ import annotations

import torch
from torch import nn

from subtitler.asr import quantize
from subtitler.errors import ModelError

COMPUTE_TYPES = ("auto", "int8", "float32", "float16", "bfloat16")
_FLOAT_DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16, "int8": torch.float32}


def resolve_compute_type(compute_type: str, device: str) -> str:
    """The concrete compute type for ``device`` ('cpu' or 'cuda[:N]'); ModelError for a pair that cannot run."""
    if compute_type not in COMPUTE_TYPES:
        raise ModelError(f"--compute-type {compute_type}: unknown; use one of {', '.join(COMPUTE_TYPES)}")
    cuda = device.startswith("cuda")
    if compute_type == "auto":
        if cuda:
            return "float16"
        return "int8" if quantize.int8_supported() else "float32"
    if compute_type == "int8":
        if cuda:
            raise ModelError("--compute-type int8 runs on the CPU only; on a GPU use float16 or bfloat16 (or auto)")
        if not quantize.int8_supported():
            raise ModelError("--compute-type int8: this torch build has no int8 matrix products (FBGEMM); use float32")
    if compute_type == "float16" and not cuda:
        raise ModelError("--compute-type float16 runs on a GPU only; on the CPU use int8, bfloat16 or float32 (or auto)")
    if compute_type == "bfloat16" and cuda and not torch.cuda.is_bf16_supported():
        raise ModelError("--compute-type bfloat16: this GPU has no bfloat16; use float16 (or auto)")
    return compute_type


def float_dtype(compute_type: str) -> torch.dtype:
    """The dtype of activations and of the parameters that stay floating point."""
    return _FLOAT_DTYPES[compute_type]


def quantised_parameters(model: nn.Module) -> set[str]:
    """Names of the parameters an int8 model replaces (linear weights, the embedding/projection)."""
    names = {f"{name}.weight" for name, module in model.named_modules() if isinstance(module, nn.Linear)}
    return names | {"decoder.token_embedding.weight"}


def fuse_projections(model: nn.Module) -> None:
    """One q|k|v product per self-attention and one k|v product per cross-attention."""
    for layer in model.encoder.layers:
        layer.attn.fuse(cross=False)
    for layer in model.decoder.layers:
        layer.attn.fuse(cross=False)
        layer.cross.fuse(cross=True)


def _reads_the_audio(name: str) -> bool:
    """Linear layers that run once per window over its audio frames (not once per decoding step)."""
    return name.startswith("encoder.") or name.endswith("cross.kv")


def _kept_from_int8(name: str) -> bool:
    """Linear layers an int8 model computes in bfloat16 (or float32): see subtitler.asr.quantize's rules."""
    return name.endswith("mlp.fc2") or _reads_the_audio(name)


def prepare(model: nn.Module, compute_type: str) -> nn.Module:
    """Make ``model`` (float, any dtype) run as ``compute_type``, in place; returns it."""
    if compute_type != "float32":
        fuse_projections(model)
    embedding = model.decoder.token_embedding
    if compute_type != "int8" and embedding.weight.device.type == "cpu":
        # The vocabulary projection x @ E.T is the largest product of a decoding step. With E stored
        # transposed (the same [n_vocab, n_state] tensor, column-major) E.T is contiguous, and the CPU's
        # BLAS runs the few-row product 1.1-2.5x faster (tiny.en, base) at no extra memory; the lookups
        # read the same values. Token for token still openai-whisper's (tests/asr/test_reference_equality.py).
        embedding.weight = nn.Parameter(embedding.weight.detach().T.contiguous().T, requires_grad=False)
    if compute_type == "int8":
        output = nn.Linear(embedding.weight.shape[1], embedding.weight.shape[0], bias=False, device="meta")
        output.weight = embedding.weight  # the tied projection, quantised with the other linear layers
        model.decoder.output = output
        audio_frames = model.dims.n_audio_ctx
        quantize.quantise_linears(model, keep=_kept_from_int8,
                                  rows=lambda name: audio_frames if _reads_the_audio(name) else 1)
        for layer in model.encoder.layers:
            if isinstance(layer.attn.qkv, quantize.BFloat16Linear):
                # Where the encoder's products are bfloat16 (a CPU that has it natively), its attention and GELU
                # run in it too, the residual stream staying float32: one conversion into each sublayer and one
                # out, instead of around every product, and attention over the 1,500 frames 2.5x faster
                # (tiny.en: 185 -> 98 ms a window on one thread, the same error against float32).
                layer.inner_dtype = torch.bfloat16
        if all(isinstance(layer.cross.kv, quantize.BFloat16Linear) for layer in model.decoder.layers):
            # The cross-attention keys/values come out of a bfloat16 product, so holding them in bfloat16 loses
            # nothing, and every decoding step reads them: attention over the 1,500 frames in bfloat16 is
            # 2-2.5x faster (one thread; tiny.en 0.18 -> 0.07 ms a layer a step, beam 5 0.87 -> 0.47 ms). The attention
            # kernel keeps the scores and the softmax in float32 and rounds only the probabilities (relative error
            # 0.002); commit 7f5841a took back plain bfloat16 products, whose rounded scores (0.012) repeated a phrase.
            model.cross_dtype = torch.bfloat16
        # Lookups and the rescoring of the top tokens only from now on: half precision is exact for the
        # float16 weights the packages ship (and far finer than the int8 arithmetic for a float32 checkpoint).
        embedding.weight = nn.Parameter(embedding.weight.detach().to(torch.float16, copy=True), requires_grad=False)
        model.decoder.output = quantize.RescoredProjection(model.decoder.output, embedding.weight.detach())  # shares the storage
    model.compute_type = compute_type
    return model
