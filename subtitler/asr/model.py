"""Whisper encoder-decoder in plain PyTorch: one class for every size.

The architecture follows the Whisper paper (pre-LayerNorm transformer, GELU MLP,
sinusoidal encoder positions, learned decoder positions, output projection tied to
the token embedding). Attention goes through `scaled_dot_product_attention`; the
decoder keeps a preallocated key/value cache so each decoding step only processes
new tokens, and the cross-attention keys/values of a window are computed once
however often the window is decoded (temperature fallback, word alignment).
Weights come from `subtitler.asr.weights.load_model`; the parameter names here are
ours and every foreign format maps onto them explicitly. For speed the loader may
fuse the q/k/v projections and swap linear layers for int8 ones
(`subtitler.asr.precision`); the maths stays the same.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

MULTILINGUAL_VOCAB = 51865  # the smallest multilingual vocabulary (English-only models have 51864)


@dataclass(frozen=True)
class ModelDimensions:
    """Sizes that fully determine a Whisper network."""

    n_mels: int
    n_audio_ctx: int
    n_audio_state: int
    n_audio_head: int
    n_audio_layer: int
    n_vocab: int
    n_text_ctx: int
    n_text_state: int
    n_text_head: int
    n_text_layer: int


def sinusoids(length: int, channels: int, max_timescale: float = 10000.0) -> Tensor:
    """Sinusoidal position table of the encoder: sines in the first half, cosines in the second.

    Always computed on the CPU: under a meta-device context torch.arange would pull in the
    slow decomposition machinery, and the table is tiny.
    """
    half = channels // 2
    increment = math.log(max_timescale) / (half - 1)
    inv_timescales = torch.exp(-increment * torch.arange(half, dtype=torch.float32, device="cpu"))
    scaled = torch.arange(length, dtype=torch.float32, device="cpu")[:, None] * inv_timescales[None, :]
    return torch.cat([scaled.sin(), scaled.cos()], dim=1)


class LayerNorm(nn.LayerNorm):
    """LayerNorm computed in float32 so that half-precision models stay stable."""

    def forward(self, x: Tensor) -> Tensor:
        if x.dtype == torch.float32 and self.weight.dtype == torch.float32:  # the CPU path: no conversions
            return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        return F.layer_norm(
            x.float(), self.normalized_shape, self.weight.float(), self.bias.float(), self.eps
        ).to(x.dtype)


class _LayerCache:
    """Keys/values of one decoder layer: self-attention in a preallocated buffer, cross-attention fixed.

    The buffer holds ``capacity`` positions (the decoder's text context) so a step writes its
    new keys/values in place instead of concatenating a longer copy every token.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.length = 0
        self.keys: Tensor | None = None  # [B, H, capacity, D]
        self.values: Tensor | None = None
        self.cross_k: Tensor | None = None
        self.cross_v: Tensor | None = None

    @property
    def self_k(self) -> Tensor | None:
        return None if self.keys is None else self.keys[:, :, : self.length]

    @property
    def self_v(self) -> Tensor | None:
        return None if self.values is None else self.values[:, :, : self.length]

    def append(self, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor]:
        batch, heads, length, dim = k.shape
        end = self.length + length
        if end > self.capacity:
            raise ValueError(f"token sequence too long: {end} > {self.capacity}")
        if self.keys is None:
            self.keys = k.new_empty(batch, heads, self.capacity, dim)
            self.values = v.new_empty(batch, heads, self.capacity, dim)
        elif self.keys.shape[0] != batch:
            raise ValueError(f"{batch} token rows for a cache of {self.keys.shape[0]}: reorder the cache first")
        self.keys[:, :, self.length: end] = k
        self.values[:, :, self.length: end] = v
        self.length = end
        return self.keys[:, :, :end], self.values[:, :, :end]

    def reorder(self, index: Tensor, shared: int = 0) -> None:
        """Rows ``index`` in order; the first ``shared`` positions are equal in every row ``index`` exchanges."""
        if self.keys is None:
            return
        index = index.to(self.keys.device)
        if index.shape[0] != self.keys.shape[0]:  # a different batch size: new buffers, only the filled positions copied
            keys, values = self.keys.new_empty(index.shape[0], *self.keys.shape[1:]), self.values.new_empty(index.shape[0], *self.values.shape[1:])
            keys[:, :, : self.length] = self.keys[:, :, : self.length].index_select(0, index)
            values[:, :, : self.length] = self.values[:, :, : self.length].index_select(0, index)
            self.keys, self.values = keys, values
            return
        begin, end = min(shared, self.length), self.length
        self.keys[:, :, begin:end] = self.keys[:, :, begin:end].index_select(0, index)
        self.values[:, :, begin:end] = self.values[:, :, begin:end].index_select(0, index)
        # Cross-attention keys/values belong to the audio, not to a row: rows of one clip stay
        # together when beams are reordered, so they never need to move.


class KVCache:
    """Per-decoder-layer self-attention keys/values plus the cross-attention keys/values.

    `offset` counts the token positions already cached. Cross-attention keys/values are
    computed from the audio features on the first call and reused afterwards, so a
    cache belongs to one batch of audio features (reorder it together with the tokens).
    """

    def __init__(self, n_layer: int, capacity: int = 448) -> None:
        self.layers = [_LayerCache(capacity) for _ in range(n_layer)]
        self.offset = 0
        # Positions every row of a window holds alike (its start sequence, prompt included: the beams of a
        # window begin from one copy). Beam search only exchanges rows of one window, so it leaves them be.
        self.shared = 0

    def reorder(self, index: Tensor) -> None:
        """Select or reorder batch rows (beam search keeps the surviving beams)."""
        if index.shape[0] == self.batch_size() and bool((index.cpu() == torch.arange(index.shape[0])).all()):
            return  # nothing moves
        for layer in self.layers:
            layer.reorder(index, self.shared)

    def keep_rows(self, index: Tensor) -> None:
        """Keep only these rows, each its own audio (greedy decoding drops the windows that have finished):
        the self-attention keys/values and the cross-attention keys/values of their audio."""
        for layer in self.layers:
            layer.reorder(index)
            if layer.cross_k is not None:
                index = index.to(layer.cross_k.device)
                layer.cross_k, layer.cross_v = layer.cross_k.index_select(0, index), layer.cross_v.index_select(0, index)

    def batch_size(self) -> int:
        keys = self.layers[0].keys if self.layers else None
        return -1 if keys is None else keys.shape[0]


def group_queries(q: Tensor, batch: int) -> tuple[Tensor, int]:
    """Rows of queries [B*g, H, T, D] that share one audio laid side by side as [B, H, g*T, D].

    Cross-attention has no mask, so the g rows (beams) of one window can attend as one longer
    query: the window's keys/values are read once instead of once per row.
    """
    rows, heads, length, dim = q.shape
    group = rows // batch
    if group == 1:
        return q, 1
    return q.view(batch, group, heads, length, dim).transpose(1, 2).reshape(batch, heads, group * length, dim), group


def ungroup(a: Tensor, group: int) -> Tensor:
    """The inverse of :func:`group_queries` on the attention output."""
    if group == 1:
        return a
    batch, heads, total, dim = a.shape
    return a.view(batch, heads, group, total // group, dim).transpose(1, 2).reshape(batch * group, heads, total // group, dim)


class Attention(nn.Module):
    """Multi-head attention; the key projection has no bias (a key bias cannot change softmax).

    ``qkv`` (self-attention) and ``kv`` (cross-attention) are the fused projections that
    :meth:`fuse` builds for inference: one matrix product instead of three or two.
    """

    def __init__(self, n_state: int, n_head: int) -> None:
        super().__init__()
        self.n_head = n_head
        self.n_state = n_state
        self.q = nn.Linear(n_state, n_state)
        self.k = nn.Linear(n_state, n_state, bias=False)
        self.v = nn.Linear(n_state, n_state)
        self.out = nn.Linear(n_state, n_state)
        self.qkv: nn.Module | None = None
        self.kv: nn.Module | None = None

    def fuse(self, cross: bool) -> None:
        """Replace q|k|v (self-attention) or k|v (cross-attention) by one linear layer."""
        names = ("k", "v") if cross else ("q", "k", "v")
        layers = [getattr(self, name) for name in names]
        weight = torch.cat([layer.weight for layer in layers])
        bias = torch.cat([layer.bias if layer.bias is not None else torch.zeros_like(layer.weight[:, 0]) for layer in layers])
        fused = nn.Linear(weight.shape[1], weight.shape[0], device="meta")
        fused.weight, fused.bias = nn.Parameter(weight, requires_grad=False), nn.Parameter(bias, requires_grad=False)
        for name in names:
            delattr(self, name)
        setattr(self, "kv" if cross else "qkv", fused)

    def split_heads(self, x: Tensor) -> Tensor:
        batch, length, _ = x.shape
        return x.view(batch, length, self.n_head, -1).transpose(1, 2)

    def queries(self, x: Tensor) -> Tensor:
        return self.split_heads(self.q(x))

    def keys_values(self, x: Tensor) -> tuple[Tensor, Tensor]:
        if self.kv is not None:
            k, v = self.kv(x).split(self.n_state, dim=-1)
            return self.split_heads(k), self.split_heads(v)
        return self.split_heads(self.k(x)), self.split_heads(self.v(x))

    def queries_keys_values(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        if self.qkv is not None:
            q, k, v = self.qkv(x).split(self.n_state, dim=-1)
            return self.split_heads(q), self.split_heads(k), self.split_heads(v)
        k, v = self.keys_values(x)
        return self.queries(x), k, v

    def attend(self, q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None) -> Tensor:
        """Attention of queries [B, H, T, D] over keys/values; keys of batch B/g serve g adjacent query rows (no mask then)."""
        dtype = q.dtype  # keys/values may be held in a narrower dtype (Whisper.cross_dtype): the output comes back in q's
        q, group = group_queries(q, k.shape[0]) if k.shape[0] != q.shape[0] else (q, 1)
        a = ungroup(F.scaled_dot_product_attention(q.to(k.dtype), k, v, attn_mask=mask), group)
        return self.out(a.transpose(1, 2).flatten(2).to(dtype))

    def scores(self, x: Tensor, k: Tensor) -> Tensor:
        """Attention scores before the softmax [B, H, T, S] in float32 (no mask: used for cross-attention)."""
        q = self.queries(x)
        return (q.float() @ k.float().transpose(-1, -2)) / math.sqrt(q.shape[-1])  # broadcasts batch 1


class Mlp(nn.Module):
    def __init__(self, n_state: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(n_state, 4 * n_state)
        self.fc2 = nn.Linear(4 * n_state, n_state)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc2(F.gelu(self.fc1(x)))


class EncoderLayer(nn.Module):
    def __init__(self, n_state: int, n_head: int) -> None:
        super().__init__()
        self.attn_norm = LayerNorm(n_state)
        self.attn = Attention(n_state, n_head)
        self.mlp_norm = LayerNorm(n_state)
        self.mlp = Mlp(n_state)
        # The dtype of the sublayers' arithmetic when it differs from the residual stream's (set by
        # subtitler.asr.precision.prepare): the normalised input goes in once, the sublayer's output comes back once.
        self.inner_dtype: torch.dtype | None = None

    def forward(self, x: Tensor) -> Tensor:
        inner = self.inner_dtype or x.dtype
        q, k, v = self.attn.queries_keys_values(self.attn_norm(x).to(inner))
        x = x + self.attn.attend(q, k, v, None).to(x.dtype)
        return x + self.mlp(self.mlp_norm(x).to(inner)).to(x.dtype)


CrossKV = tuple[Tensor, Tensor]


class DecoderLayer(nn.Module):
    def __init__(self, n_state: int, n_head: int) -> None:
        super().__init__()
        self.attn_norm = LayerNorm(n_state)
        self.attn = Attention(n_state, n_head)
        self.cross_norm = LayerNorm(n_state)
        self.cross = Attention(n_state, n_head)
        self.mlp_norm = LayerNorm(n_state)
        self.mlp = Mlp(n_state)

    def forward(
        self,
        x: Tensor,
        cross_kv: CrossKV,
        mask: Tensor | None,
        cache: _LayerCache | None,
        cross_weights: list[Tensor] | None = None,
    ) -> Tensor:
        """One decoder layer; when `cross_weights` is a list, the cross-attention scores (before softmax) are appended."""
        q, k, v = self.attn.queries_keys_values(self.attn_norm(x))
        if cache is not None:
            k, v = cache.append(k, v)
        x = x + self.attn.attend(q, k, v, mask)
        h = self.cross_norm(x)
        ck, cv = cross_kv
        if cross_weights is not None:
            cross_weights.append(self.cross.scores(h, ck))
        x = x + self.cross.attend(self.cross.queries(h), ck, cv, None)
        return x + self.mlp(self.mlp_norm(x))

    def step(self, x: Tensor, cross_kv: CrossKV, cache: _LayerCache) -> Tensor:
        """:meth:`forward` for one new token per row ([B, 1, C]) with a cache and a fused q|k|v: the same kernels on
        the same values in fewer Python steps (no mask, no head transposes, the sublayers' own ``forward`` without
        nn.Module's dispatch). A tiny.en int8 step spent about a fifth of its 4 ms in Python."""
        attn, cross, mlp = self.attn, self.cross, self.mlp
        batch, heads = x.shape[0], attn.n_head
        q, k, v = attn.qkv.forward(self.attn_norm.forward(x)).view(batch, 3, heads, 1, -1).unbind(1)
        k, v = cache.append(k, v)
        x = x + attn.out.forward(F.scaled_dot_product_attention(q, k, v).reshape(batch, 1, -1))  # a view where it can be
        q = cross.q.forward(self.cross_norm.forward(x)).view(batch, heads, 1, -1)
        x = x + cross.attend(q, cross_kv[0], cross_kv[1], None)
        return x + mlp.fc2.forward(F.gelu(mlp.fc1.forward(self.mlp_norm.forward(x))))


class AudioEncoder(nn.Module):
    def __init__(self, dims: ModelDimensions) -> None:
        super().__init__()
        state = dims.n_audio_state
        self.conv1 = nn.Conv1d(dims.n_mels, state, kernel_size=3, padding=1)
        self.conv2 = nn.Conv1d(state, state, kernel_size=3, stride=2, padding=1)
        self.register_buffer("positions", sinusoids(dims.n_audio_ctx, state))
        self.layers = nn.ModuleList(
            EncoderLayer(state, dims.n_audio_head) for _ in range(dims.n_audio_layer)
        )
        self.norm = LayerNorm(state)

    def forward(self, mel: Tensor) -> Tensor:
        x = F.gelu(self.conv1(mel))
        x = F.gelu(self.conv2(x)).transpose(1, 2).contiguous()
        if x.shape[1] > self.positions.shape[0]:
            raise ValueError(
                f"audio too long: {x.shape[1]} positions > {self.positions.shape[0]} (30 s windows only)"
            )
        x = x + self.positions[: x.shape[1]].to(x.dtype)
        for layer in self.layers:
            x = layer(x)
        return self.norm(x)


class TokenEmbedding(nn.Module):
    """Token embedding whose matrix is also the output projection.

    Not nn.Embedding: its random init on the meta device imports torch._dynamo (~2 s), and
    these weights always come from a checkpoint.
    """

    def __init__(self, n_vocab: int, n_state: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_vocab, n_state))

    def forward(self, tokens: Tensor) -> Tensor:
        return F.embedding(tokens, self.weight)


class TextDecoder(nn.Module):
    """Token embedding, decoder layers and the output projection.

    ``output`` replaces the product with the embedding matrix when the loader made the
    projection cheaper (int8: a quarter of the memory traffic of float32 per step).
    """

    def __init__(self, dims: ModelDimensions) -> None:
        super().__init__()
        state = dims.n_text_state
        self.token_embedding = TokenEmbedding(dims.n_vocab, state)
        self.positions = nn.Parameter(torch.empty(dims.n_text_ctx, state))
        self.layers = nn.ModuleList(
            DecoderLayer(state, dims.n_text_head) for _ in range(dims.n_text_layer)
        )
        self.norm = LayerNorm(state)
        self.output: nn.Module | None = None

    def embed(self, tokens: Tensor, offset: int) -> Tensor:
        end = offset + tokens.shape[1]
        if end > self.positions.shape[0]:
            raise ValueError(f"token sequence too long: {end} > {self.positions.shape[0]}")
        return self.token_embedding(tokens).to(self.positions.dtype) + self.positions[offset:end]

    def project(self, x: Tensor) -> Tensor:
        x = self.norm(x)
        if self.output is not None:
            return self.output(x).float()
        return (x @ self.token_embedding.weight.to(x.dtype).T).float()


def causal_mask(length: int, offset: int, device: torch.device) -> Tensor | None:
    """Boolean mask letting new token i (at position offset+i) see positions <= offset+i."""
    if length == 1:
        return None
    rows = torch.arange(length, device=device)[:, None] + offset
    cols = torch.arange(offset + length, device=device)[None, :]
    return cols <= rows


class _CrossMemo:
    """The cross-attention keys/values of the last audio features seen, kept while those features live.

    A window is decoded once per fallback temperature and once more for word timing, always with
    the same features tensor; its keys/values (one matrix product per layer over 1500 positions)
    are computed the first time only. Holding a weak reference means a new window's features can
    never be served stale keys.
    """

    def __init__(self) -> None:
        self._entry: tuple[weakref.ref, list[CrossKV]] | None = None

    def get(self, features: Tensor) -> list[CrossKV] | None:
        entry = self._entry
        if entry is not None and entry[0]() is features:
            return entry[1]
        return None

    def put(self, features: Tensor, kv: list[CrossKV]) -> None:
        self._entry = (weakref.ref(features, self._forget), kv)

    def _forget(self, ref: weakref.ref) -> None:
        entry = self._entry
        if entry is not None and entry[0] is ref:
            self._entry = None


class Whisper(nn.Module):
    """The full model. Build it with `subtitler.asr.weights.load_model`."""

    def __init__(self, dims: ModelDimensions) -> None:
        super().__init__()
        self.dims = dims
        self.encoder = AudioEncoder(dims)
        self.decoder = TextDecoder(dims)
        heads = torch.zeros(dims.n_text_layer, dims.n_text_head, dtype=torch.bool)
        heads[dims.n_text_layer // 2 :] = True  # until the checkpoint says better: the upper half
        self.register_buffer("alignment_heads", heads, persistent=False)
        self.compute_type = "float32"  # set by subtitler.asr.precision.prepare
        # The dtype the cross-attention keys/values are held and attended in when it differs from the model's
        # (set by subtitler.asr.precision.prepare where their product is already bfloat16).
        self.cross_dtype: torch.dtype | None = None
        # How a decoding loop runs one-token steps (subtitler.asr.graphed_step.decoding_steps): "eager" through
        # :meth:`logits`, "graph" replays CUDA graphs (set where the model is loaded onto a GPU), "static" the
        # graphs' fixed-shape step without recording (how the tests hold it to the eager step on the CPU).
        self.step_mode = "eager"
        self._cross_memo = _CrossMemo()

    def set_alignment_heads(self, pairs: tuple[tuple[int, int], ...]) -> None:
        heads = torch.zeros(self.dims.n_text_layer, self.dims.n_text_head, dtype=torch.bool)
        for layer, head in pairs:
            heads[layer, head] = True
        self.alignment_heads = heads.to(self.device)

    @property
    def is_multilingual(self) -> bool:
        return self.dims.n_vocab >= MULTILINGUAL_VOCAB

    @property
    def num_languages(self) -> int:
        return self.dims.n_vocab - 51765 - int(self.is_multilingual)

    @property
    def device(self) -> torch.device:
        return self.decoder.positions.device

    @property
    def dtype(self) -> torch.dtype:
        return self.decoder.positions.dtype

    def embed_audio(self, mel: Tensor) -> Tensor:
        """Log-mel [B, n_mels, 3000] -> audio features [B, 1500, n_audio_state]."""
        return self.encoder(mel.to(self.dtype))

    def new_kv_cache(self) -> KVCache:
        return KVCache(self.dims.n_text_layer, self.dims.n_text_ctx)

    def cross_keys_values(self, audio_features: Tensor) -> list[CrossKV]:
        """Per decoder layer the cross-attention keys and values of ``audio_features`` (memoised per tensor)."""
        kv = self._cross_memo.get(audio_features)
        if kv is None:
            audio = audio_features.to(self.dtype)
            # Contiguous once per window: every decoding step reads them, and the attention kernel read the
            # fused k|v product's strided halves slower (tiny.en greedy: 0.57 against 0.32 ms a layer a step).
            dtype = self.cross_dtype or audio.dtype
            kv = [tuple(t.to(dtype).contiguous() for t in layer.cross.keys_values(audio)) for layer in self.decoder.layers]
            self._cross_memo.put(audio_features, kv)
        return kv

    def _cross(self, audio_features: Tensor, kv_cache: KVCache | None) -> list[CrossKV]:
        if kv_cache is None:
            return self.cross_keys_values(audio_features)
        first = kv_cache.layers[0]
        if first.cross_k is None:
            for layer, (k, v) in zip(kv_cache.layers, self.cross_keys_values(audio_features)):
                layer.cross_k, layer.cross_v = k, v
        return [(layer.cross_k, layer.cross_v) for layer in kv_cache.layers]

    def logits(self, tokens: Tensor, audio_features: Tensor, kv_cache: KVCache | None = None,
               positions: Sequence[int] | None = None) -> Tensor:
        """Tokens [B, T] -> float32 logits [B, T, n_vocab]; with a cache pass only the new tokens.

        `audio_features` has batch B, or B/g for g adjacent token rows each (beams of one window).
        `positions` limits the output to those of the T positions (the vocabulary projection is
        the costliest part of a step; a prompt of 200 tokens needs only its last row).
        """
        offset = kv_cache.offset if kv_cache is not None else 0
        x = self.decoder.embed(tokens, offset).to(self.dtype)
        cross = self._cross(audio_features, kv_cache)
        if tokens.shape[1] == 1 and kv_cache is not None and self.decoder.layers[0].attn.qkv is not None:
            for i, layer in enumerate(self.decoder.layers):  # a decoding step: the short path
                x = layer.step(x, cross[i], kv_cache.layers[i])
        else:
            mask = causal_mask(tokens.shape[1], offset, x.device)
            for i, layer in enumerate(self.decoder.layers):
                x = layer(x, cross[i], mask, kv_cache.layers[i] if kv_cache is not None else None)
        if kv_cache is not None:
            kv_cache.offset += tokens.shape[1]
        if positions is not None:
            x = x[:, list(positions)]
        return self.decoder.project(x)

    def cross_attention_weights(self, tokens: Tensor, audio_features: Tensor) -> list[Tensor]:
        """Per decoder layer the cross-attention probabilities [B, n_text_head, T, n_audio_ctx'] (float32)."""
        x = self.decoder.embed(tokens, 0).to(self.dtype)
        cross = self.cross_keys_values(audio_features)
        mask = causal_mask(tokens.shape[1], 0, x.device)
        scores: list[Tensor] = []
        for i, layer in enumerate(self.decoder.layers):
            x = layer(x, cross[i], mask, None, scores)
        return [s.softmax(dim=-1) for s in scores]

    def logits_and_alignment_scores(self, tokens: Tensor, audio_features: Tensor) -> tuple[Tensor, Tensor]:
        """One pass over whole token rows [1, T]: float32 logits [1, T, n_vocab] and the cross-attention
        scores (before softmax) of the alignment heads [n_heads, T, n_audio_ctx'] — what word timing needs."""
        x = self.decoder.embed(tokens, 0).to(self.dtype)
        cross = self.cross_keys_values(audio_features)
        mask = causal_mask(tokens.shape[1], 0, x.device)
        wanted = self.alignment_heads.any(dim=1).tolist()
        scores: list[Tensor] = []
        for index, layer in enumerate(self.decoder.layers):
            collected: list[Tensor] | None = [] if wanted[index] else None
            x = layer(x, cross[index], mask, None, collected)
            scores.append(collected[0][0] if collected else None)
        heads = torch.stack([scores[layer][head] for layer, head in self.alignment_heads.nonzero().tolist()])
        return self.decoder.project(x), heads
