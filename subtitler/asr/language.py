"""Spoken-language identification: the decoder's first prediction after <|startoftranscript|>.

Only the language tokens compete; the answer is a probability per language of the
checkpoint. It runs without the decoding KV cache so it can precede any decoding.
"""

from __future__ import annotations

import torch
from torch import Tensor

from subtitler.asr.audio import N_FRAMES, pad_or_trim
from subtitler.asr.tokenizer import Tokenizer


def _features(model, mel_or_features: Tensor) -> Tensor:
    """Encode a mel window [B, n_mels, frames] unless audio features [B, ctx, state] were given."""
    x = mel_or_features if mel_or_features.ndim == 3 else mel_or_features.unsqueeze(0)
    if x.shape[-2:] == (model.dims.n_audio_ctx, model.dims.n_audio_state):
        return x
    return model.embed_audio(pad_or_trim(x, N_FRAMES).to(model.device))


@torch.no_grad()
def language_probabilities(model, tokenizer: Tokenizer, mel_or_features: Tensor) -> tuple[Tensor, list[dict[str, float]]]:
    """Per clip of a batch: the likeliest language token and the probability of every language."""
    if not tokenizer.multilingual or not tokenizer.all_language_tokens:
        raise ValueError("this model is English-only: it has no language tokens to detect a language with")
    features = _features(model, mel_or_features)
    start = torch.full((features.shape[0], 1), tokenizer.sot, dtype=torch.long, device=features.device)
    logits = model.logits(start, features)[:, 0]
    language_tokens = torch.tensor(tokenizer.all_language_tokens, device=logits.device)
    probs = logits.index_select(1, language_tokens).float().softmax(dim=-1).cpu()
    best = language_tokens[probs.argmax(dim=-1).to(language_tokens.device)]
    codes = tokenizer.all_language_codes
    per_clip = [
        dict(sorted(zip(codes, row.tolist()), key=lambda item: item[1], reverse=True)) for row in probs
    ]
    return best, per_clip


def detect_language(model, tokenizer: Tokenizer, mel: Tensor) -> dict[str, float]:
    """Probabilities of every language of the checkpoint for one 30-s mel window, likeliest first."""
    if mel.ndim == 3 and mel.shape[0] != 1:
        raise ValueError("detect_language takes one window; use language_probabilities for a batch")
    return language_probabilities(model, tokenizer, mel)[1][0]
