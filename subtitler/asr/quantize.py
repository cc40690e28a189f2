"""Low-precision linear layers for the CPU: int8 weights with int8 arithmetic, and bfloat16.

Every linear layer of Whisper (and the vocabulary projection, the largest matrix a
decoding step touches) can run as an int8 matrix product: the weights are quantised
once, symmetrically per output channel (as CTranslate2 stores its int8 models), and
each input is quantised on the fly with one affine scale from its own range. The
product is FBGEMM's dynamic quantised linear (``torch.ops.quantized.linear_dynamic``),
which uses the CPU's int8 dot-product instructions. We call the operator directly rather
than ``torch.ao.quantization``'s module swap so that only the layers we choose are touched
and no observer machinery is imported.

Four accuracy rules, each measured (benchmarks/README.md):

- the second MLP layer (``fc2``) reads GELU outputs, whose long tail leaves most values
  in the bottom one or two of 256 input levels, so int8 inputs lose most of their
  information there. It runs in bfloat16 where the CPU computes it natively
  (AVX-512 BF16, AMX), else in float32 (:func:`sensitive_layer`);
- the encoder and the cross-attention keys and values also take :func:`sensitive_layer`
  (keys and values computed in bfloat16 are held in it: ``Whisper.cross_dtype``).
  FBGEMM quantises a product's whole input with one scale, which over a window's 1,500
  audio frames is set by the loudest frame, and every token of the window then reads
  that error. They run once per window, so their precision costs little of a decode;
- the vocabulary projection stays int8 (the largest product of every step), but the
  tokens it ranks highest are scored again from the float16 matrix
  (:class:`RescoredProjection`): the choice between the top tokens is what int8's error
  would change;
- 8-bit inputs halve the error of 7-bit ones, but without VNNI FBGEMM adds products in
  saturating 16-bit pairs, which 8-bit inputs can overflow. :func:`reduce_range_needed`
  probes the kernels once with inputs that would overflow and keeps 7 bits only where
  they do.

The word error rates of int8 beside float32 are in benchmarks/README.md.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def int8_supported() -> bool:
    """Whether this torch build has FBGEMM's quantised linear (x86 builds do; some ARM builds do not)."""
    try:
        return "fbgemm" in torch.backends.quantized.supported_engines and hasattr(torch.ops.quantized, "linear_dynamic")
    except (AttributeError, RuntimeError):
        return False


def quantise_rows(weight: Tensor, block_rows: int = 8192) -> tuple[Tensor, Tensor]:
    """Symmetric int8 per output row: (int8 weight, float32 scale per row), weight ~ int8 * scale.

    Done a block of rows at a time so that converting a float16 vocabulary matrix never holds
    more than one block in float32 (peak memory at load stays near the int8 model's size).
    """
    rows = weight.shape[0]
    q = torch.empty(weight.shape, dtype=torch.int8)
    scale = torch.empty(rows, dtype=torch.float32)
    for first in range(0, rows, block_rows):
        rows_in = weight[first: first + block_rows].detach()
        # The largest magnitude is exact in the checkpoint's own dtype, and finding it there reads half the bytes
        # (a float16 vocabulary block of 13k rows: 17.5 -> 6 ms with the division below, the same int8 values).
        block_scale = rows_in.abs().amax(dim=1).float().clamp_(min=1e-12).div_(127.0)
        q[first: first + block_rows] = rows_in.to(torch.float32, copy=True).div_(block_scale[:, None]).round_()
        scale[first: first + block_rows] = block_scale
    return q, scale


def _pack(weight: Tensor, bias: Tensor | None) -> torch.ScriptObject:
    q, scale = quantise_rows(weight)
    zero_points = torch.zeros(q.shape[0], dtype=torch.long)
    with warnings.catch_warnings():  # torch 2.13 marks quantised-tensor constructors as deprecated
        warnings.simplefilter("ignore", UserWarning)
        qweight = torch._make_per_channel_quantized_tensor(q, scale.double(), zero_points, 0)
        return torch.ops.quantized.linear_prepack(qweight, None if bias is None else bias.detach().float())


@functools.lru_cache(maxsize=1)
def reduce_range_needed() -> bool:
    """Whether FBGEMM's kernels here saturate with 8-bit inputs (CPUs without VNNI): probed once.

    Inputs at the top of the 8-bit range times weights at the top of theirs make every pair of
    products 2 x 255 x 127, past the 16-bit limit; an exact kernel returns the true sum.
    """
    weight = torch.ones(64, 512)
    packed = _pack(weight, None)
    for rows in (1, 32):
        x = torch.ones(rows, 512)
        y = torch.ops.quantized.linear_dynamic(x, packed, False)
        if not torch.allclose(y, torch.full_like(y, 512.0), rtol=0.02):
            return True
    return False


class Int8Linear(nn.Module):
    """``y = x @ W.T + b`` with W stored as int8 (per-row scales) and the product done in int8.

    Holds FBGEMM's packed weights (an opaque object, so it is not part of ``state_dict``: build it from a float
    layer with :meth:`from_float`). The vocabulary projection is packed as one matrix. Packed in 16k-row blocks it
    loaded faster (tiny.en 0.33 against 0.39 s for the whole engine, base the same 0.71 s) but every step paid
    for the blocks: one decoding row through tiny.en's vocabulary took 1.23 against 1.02 ms, base's 1.55 against
    1.34 ms, with the caches cold as they are between steps (the 10-min long form decodes ~2,400 such steps).
    """

    def __init__(self, packed: torch.ScriptObject, in_features: int, out_features: int,
                 reduce_range: bool) -> None:
        super().__init__()
        self._packed = packed
        self.in_features = in_features
        self.out_features = out_features
        self.reduce_range = reduce_range

    @classmethod
    def from_float(cls, weight: Tensor, bias: Tensor | None = None) -> Int8Linear:
        return cls(_pack(weight, bias), weight.shape[1], weight.shape[0], reduce_range_needed())

    def forward(self, x: Tensor) -> Tensor:
        return torch.ops.quantized.linear_dynamic(x, self._packed, self.reduce_range)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, int8"


class RescoredProjection(nn.Module):
    """The int8 vocabulary projection, with each row's ``top`` highest logits computed again exactly.

    Greedy and beam search choose among the few tokens at the top, and int8's error there is what
    changes a transcript; the thousands of unlikely tokens only add to the softmax's denominator,
    where it averages out. The top logits are recomputed from the float16 embedding rows (the
    checkpoint's own values) and written over the int8 ones: a gather of ``top`` rows per step.
    """

    def __init__(self, int8: nn.Module, embedding: Tensor, top: int = 64) -> None:
        super().__init__()
        self.int8 = int8
        self.register_buffer("embedding", embedding, persistent=False)  # the lookup table itself, not a copy
        self.top = top

    def forward(self, x: Tensor) -> Tensor:
        logits = self.int8(x).float()
        best = top_indices(logits, self.top)
        exact = (self.embedding[best].float() @ x.float().unsqueeze(-1)).squeeze(-1)
        return logits.scatter_(-1, best, exact)


def top_indices(values: Tensor, k: int, block: int = 64) -> Tensor:
    """The indices of the ``k`` largest values along the last axis, in no particular order.

    ``topk`` over a 51,865-token row scans it with a heap per row (0.09 ms a row, 0.43 ms for five beams, on
    one thread). The ``k`` largest values lie in the ``k`` blocks with the largest maxima (each block's maximum
    is a distinct value, so the k-th largest value is at least the smallest of those k maxima), and one pass
    of maxima over the row plus two small ``topk`` finds them: 0.05 / 0.22 ms. The same set as ``topk``'s
    but for ties at the k-th value.
    """
    length = values.shape[-1]
    blocks = length // block
    if blocks <= k:
        return values.topk(k, dim=-1).indices
    whole = blocks * block
    maxima = values[..., :whole].unflatten(-1, (blocks, block)).amax(dim=-1)
    chosen = maxima.topk(k, dim=-1).indices  # [..., k] block numbers
    candidates = (chosen.unsqueeze(-1) * block + torch.arange(block, device=values.device)).flatten(-2)
    if whole < length:  # the last, partial block is always a candidate
        rest = torch.arange(whole, length, device=values.device).expand(*values.shape[:-1], length - whole)
        candidates = torch.cat([candidates, rest], dim=-1)
    return candidates.gather(-1, values.gather(-1, candidates).topk(k, dim=-1).indices)


class BFloat16Linear(nn.Module):
    """A linear layer computed in bfloat16 (weights stored in it), float32 in and out.

    Where oneDNN computes bfloat16 (:func:`onednn_bfloat16`), the weights are held in its blocked layout, reordered
    once here (``rows`` is the number of input rows the layer usually sees, which picks the blocking). A plain
    bfloat16 ``F.linear`` reorders them on every call: tiny.en's ``fc2`` took 82-165 us for one decoding row
    against 30-40 us packed, and the encoder's products at 1,500 rows are 10-30 % faster; the sums are the same.
    """

    def __init__(self, weight: Tensor, bias: Tensor | None, rows: int = 1) -> None:
        super().__init__()
        self.bias = None if bias is None else nn.Parameter(bias.detach().to(torch.bfloat16, copy=True), requires_grad=False)
        weight = weight.detach().to(torch.bfloat16, copy=True)
        self.in_features, self.out_features = weight.shape[1], weight.shape[0]
        self._packed: Tensor | None = None
        if onednn_bfloat16():
            try:  # an opaque oneDNN tensor: kept out of the parameters (it cannot be saved or moved), like Int8Linear's
                self._packed = torch.ops.mkldnn._reorder_linear_weight(weight, rows)
            except RuntimeError:  # a shape or build oneDNN declines: the plain product below
                self._packed = None
        self.weight = None if self._packed is not None else nn.Parameter(weight, requires_grad=False)

    def forward(self, x: Tensor) -> Tensor:
        if self._packed is not None:
            return torch.ops.mkldnn._linear_pointwise(x.to(torch.bfloat16), self._packed, self.bias, "none", [], "").to(x.dtype)
        return F.linear(x.to(torch.bfloat16), self.weight, self.bias).to(x.dtype)

    def extra_repr(self) -> str:
        packed = ", packed" if self._packed is not None else ""
        return f"in_features={self.in_features}, out_features={self.out_features}, bfloat16{packed}"


@functools.lru_cache(maxsize=1)
def onednn_bfloat16() -> bool:
    """Whether this torch build has oneDNN's prepacked bfloat16 linear (x86 builds with mkldnn) and the CPU runs it."""
    try:
        return (torch.backends.mkldnn.is_available() and hasattr(torch.ops.mkldnn, "_reorder_linear_weight")
                and bool(torch.ops.mkldnn._is_mkldnn_bf16_supported()))
    except (AttributeError, RuntimeError):
        return False


class Float32Linear(nn.Linear):
    """A float32 linear layer that int8 quantisation leaves alone (copied out of the checkpoint's dtype)."""

    def __init__(self, weight: Tensor, bias: Tensor | None) -> None:
        super().__init__(weight.shape[1], weight.shape[0], bias=bias is not None, device="meta")
        self.weight = nn.Parameter(weight.detach().to(torch.float32, copy=True), requires_grad=False)
        if bias is not None:
            self.bias = nn.Parameter(bias.detach().to(torch.float32, copy=True), requires_grad=False)


@functools.lru_cache(maxsize=1)
def native_bfloat16() -> bool:
    """Whether the CPU multiplies bfloat16 natively (AVX-512 BF16 or AMX); read from Linux's cpuinfo."""
    try:
        flags = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return False
    return any(flag in flags for flag in (" avx512_bf16", " amx_bf16"))


def sensitive_layer(weight: Tensor, bias: Tensor | None, rows: int = 1) -> nn.Module:
    """The layer int8 would hurt (fc2), in the cheapest precision that keeps it accurate here (``rows``: its usual input rows)."""
    return BFloat16Linear(weight, bias, rows) if native_bfloat16() else Float32Linear(weight, bias)


def quantise_linears(module: nn.Module, keep: Callable[[str], bool] = lambda name: False,
                     rows: Callable[[str], int] = lambda name: 1) -> int:
    """Replace every ``nn.Linear`` below ``module``: int8, or :func:`sensitive_layer` where ``keep(name)``.

    ``rows(name)`` is how many input rows the layer usually sees (a window's audio frames for the encoder, one
    per beam for the decoder): a bfloat16 layer's packing is chosen for it.

    Returns how many became int8. The layers are converted on a small thread pool (the work is in
    torch kernels that release the GIL), which roughly halves the load time on two cores.
    """
    targets = [(parent, name, child, f"{prefix}.{name}" if prefix else name)
               for prefix, parent in module.named_modules()
               for name, child in parent.named_children() if type(child) is nn.Linear]
    targets.sort(key=lambda target: -target[2].weight.numel())  # the largest first keeps the workers even

    def convert(target) -> nn.Module:
        layer, path = target[2], target[3]
        if keep(path):
            return sensitive_layer(layer.weight, layer.bias, rows(path))
        return Int8Linear.from_float(layer.weight, layer.bias)

    reduce_range_needed()  # probe once, before the workers
    workers = max(1, min(torch.get_num_threads(), 4))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        converted = list(pool.map(convert, targets))
    for (parent, name, _, _), layer in zip(targets, converted):
        setattr(parent, name, layer)
    return sum(isinstance(layer, Int8Linear) for layer in converted)
