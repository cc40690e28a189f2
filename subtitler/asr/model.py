"""Whisper encoder-decoder in plain PyTorch: one class for every size.

The architecture follows the Whisper paper (pre-LayerNorm transformer, GELU MLP,
sinusoidal encoder positions, learned decoder positions, output projection tied to
the token embedding). Attention goes through `scaled_dot_product_attention`; the
decoder keeps a key/value cache so each decoding step only processes new tokens.
Weights come from `subtitler.asr.weights.load_model`; the parameter names here are
ours and every foreign format maps onto them explicitly.
"""

from __future__ import annotations

import math
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
        return F.layer_norm(
            x.float(), self.normalized_shape, self.weight.float(), self.bias.float(), self.eps
        ).to(x.dtype)


class _LayerCache:
    """Keys/values of one decoder layer: self-attention grows, cross-attention is fixed."""

    def __init__(self) -> None:
        self.self_k: Tensor | None = None
        self.self_v: Tensor | None = None
        self.cross_k: Tensor | None = None
        self.cross_v: Tensor | None = None

    def append(self, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor]:
        if self.self_k is None:
            self.self_k, self.self_v = k, v
        else:
            self.self_k = torch.cat([self.self_k, k], dim=2)
            self.self_v = torch.cat([self.self_v, v], dim=2)
        return self.self_k, self.self_v

    def reorder(self, index: Tensor) -> None:
        for name in ("self_k", "self_v", "cross_k", "cross_v"):
            value = getattr(self, name)
            shared = name.startswith("cross") and value is not None and value.shape[0] == 1
            if value is not None and not shared:  # batch-1 audio is shared by every row
                setattr(self, name, value.index_select(0, index.to(value.device)))


class KVCache:
    """Per-decoder-layer self-attention keys/values plus the cross-attention keys/values.

    `offset` counts the token positions already cached. Cross-attention keys/values are
    computed from the audio features on the first call and reused afterwards, so a
    cache belongs to one batch of audio features (reorder it together with the tokens).
    """

    def __init__(self, n_layer: int) -> None:
        self.layers = [_LayerCache() for _ in range(n_layer)]
        self.offset = 0

    def reorder(self, index: Tensor) -> None:
        """Select or reorder batch rows (beam search keeps the surviving beams)."""
        for layer in self.layers:
            layer.reorder(index)


class Attention(nn.Module):
    """Multi-head attention; the key projection has no bias (a key bias cannot change softmax)."""

    def __init__(self, n_state: int, n_head: int) -> None:
        super().__init__()
        self.n_head = n_head
        self.q = nn.Linear(n_state, n_state)
        self.k = nn.Linear(n_state, n_state, bias=False)
        self.v = nn.Linear(n_state, n_state)
        self.out = nn.Linear(n_state, n_state)

    def split_heads(self, x: Tensor) -> Tensor:
        batch, length, _ = x.shape
        return x.view(batch, length, self.n_head, -1).transpose(1, 2)

    def keys_values(self, x: Tensor) -> tuple[Tensor, Tensor]:
        return self.split_heads(self.k(x)), self.split_heads(self.v(x))

    def attend(self, x: Tensor, k: Tensor, v: Tensor, mask: Tensor | None) -> Tensor:
        q = self.split_heads(self.q(x))
        if k.shape[0] != q.shape[0]:  # one audio for several token rows (beams): a view, no copy
            k, v = k.expand(q.shape[0], -1, -1, -1), v.expand(q.shape[0], -1, -1, -1)
        a = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        return self.out(a.transpose(1, 2).flatten(2))

    def scores(self, x: Tensor, k: Tensor) -> Tensor:
        """Attention scores before the softmax [B, H, T, S] in float32 (no mask: used for cross-attention)."""
        q = self.split_heads(self.q(x))
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

    def forward(self, x: Tensor) -> Tensor:
        h = self.attn_norm(x)
        k, v = self.attn.keys_values(h)
        x = x + self.attn.attend(h, k, v, None)
        return x + self.mlp(self.mlp_norm(x))


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
        audio: Tensor,
        mask: Tensor | None,
        cache: _LayerCache | None,
        cross_weights: list[Tensor] | None = None,
    ) -> Tensor:
        """One decoder layer; when `cross_weights` is a list, the cross-attention scores (before softmax) are appended."""
        h = self.attn_norm(x)
        k, v = self.attn.keys_values(h)
        if cache is not None:
            k, v = cache.append(k, v)
        x = x + self.attn.attend(h, k, v, mask)
        h = self.cross_norm(x)
        ck, cv = self._cross_keys_values(audio, cache)
        if cross_weights is not None:
            cross_weights.append(self.cross.scores(h, ck))
        x = x + self.cross.attend(h, ck, cv, None)
        return x + self.mlp(self.mlp_norm(x))

    def _cross_keys_values(self, audio: Tensor, cache: _LayerCache | None) -> tuple[Tensor, Tensor]:
        if cache is None:
            return self.cross.keys_values(audio)
        if cache.cross_k is None:
            cache.cross_k, cache.cross_v = self.cross.keys_values(audio)
        return cache.cross_k, cache.cross_v


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
        x = F.gelu(self.conv2(x)).transpose(1, 2)
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
    def __init__(self, dims: ModelDimensions) -> None:
        super().__init__()
        state = dims.n_text_state
        self.token_embedding = TokenEmbedding(dims.n_vocab, state)
        self.positions = nn.Parameter(torch.empty(dims.n_text_ctx, state))
        self.layers = nn.ModuleList(
            DecoderLayer(state, dims.n_text_head) for _ in range(dims.n_text_layer)
        )
        self.norm = LayerNorm(state)

    def embed(self, tokens: Tensor, offset: int) -> Tensor:
        end = offset + tokens.shape[1]
        if end > self.positions.shape[0]:
            raise ValueError(f"token sequence too long: {end} > {self.positions.shape[0]}")
        return self.token_embedding(tokens) + self.positions[offset:end]

    def project(self, x: Tensor) -> Tensor:
        return (self.norm(x) @ self.token_embedding.weight.to(x.dtype).T).float()


def causal_mask(length: int, offset: int, device: torch.device) -> Tensor | None:
    """Boolean mask letting new token i (at position offset+i) see positions <= offset+i."""
    if length == 1:
        return None
    rows = torch.arange(length, device=device)[:, None] + offset
    cols = torch.arange(offset + length, device=device)[None, :]
    return cols <= rows


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
        return KVCache(self.dims.n_text_layer)

    def logits(self, tokens: Tensor, audio_features: Tensor, kv_cache: KVCache | None = None) -> Tensor:
        """Tokens [B, T] -> float32 logits [B, T, n_vocab]; with a cache pass only the new tokens.

        `audio_features` has batch B, or batch 1 shared by every token row (beams of one window).
        """
        offset = kv_cache.offset if kv_cache is not None else 0
        x = self.decoder.embed(tokens, offset).to(self.dtype)
        audio = audio_features.to(self.dtype)
        mask = causal_mask(tokens.shape[1], offset, x.device)
        for i, layer in enumerate(self.decoder.layers):
            x = layer(x, audio, mask, kv_cache.layers[i] if kv_cache is not None else None)
        if kv_cache is not None:
            kv_cache.offset += tokens.shape[1]
        return self.decoder.project(x)

    def cross_attention_weights(self, tokens: Tensor, audio_features: Tensor) -> list[Tensor]:
        """Per decoder layer the cross-attention probabilities [B, n_text_head, T, n_audio_ctx'] (float32)."""
        x = self.decoder.embed(tokens, 0).to(self.dtype)
        audio = audio_features.to(self.dtype)
        mask = causal_mask(tokens.shape[1], 0, x.device)
        scores: list[Tensor] = []
        for layer in self.decoder.layers:
            x = layer(x, audio, mask, None, scores)
        return [s.softmax(dim=-1) for s in scores]

    def logits_and_alignment_scores(self, tokens: Tensor, audio_features: Tensor) -> tuple[Tensor, Tensor]:
        """One pass over whole token rows [1, T]: float32 logits [1, T, n_vocab] and the cross-attention
        scores (before softmax) of the alignment heads [n_heads, T, n_audio_ctx'] — what word timing needs."""
        x = self.decoder.embed(tokens, 0).to(self.dtype)
        audio = audio_features.to(self.dtype)
        mask = causal_mask(tokens.shape[1], 0, x.device)
        wanted = self.alignment_heads.any(dim=1).tolist()
        scores: list[Tensor] = []
        for index, layer in enumerate(self.decoder.layers):
            collected: list[Tensor] | None = [] if wanted[index] else None
            x = layer(x, audio, mask, None, collected)
            scores.append(collected[0][0] if collected else None)
        heads = torch.stack([scores[layer][head] for layer, head in self.alignment_heads.nonzero().tolist()])
        return self.decoder.project(x), heads
