"""Rules applied to the next-token logits before a token is chosen.

Each filter masks logits in place (sets them to -inf). They encode what Whisper's
output grammar requires (timestamps in non-decreasing pairs) and what a subtitle
should not contain (speaker tags, a blank first token).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import torch
from torch import Tensor

from subtitler.asr.tokenizer import Tokenizer

NEG_INF = float("-inf")


class LogitFilter(Protocol):
    def apply(self, logits: Tensor, tokens: Tensor) -> None:
        """Mask ``logits`` [B, vocab] in place, given all tokens so far ``tokens`` [B, T]."""


class SuppressBlank:
    """No space-only or empty transcript: forbid a blank and end-of-text as the first sampled token."""

    def __init__(self, tokenizer: Tokenizer, sample_begin: int) -> None:
        self.blocked = list(tokenizer.blank_tokens)
        self.sample_begin = sample_begin

    def apply(self, logits: Tensor, tokens: Tensor) -> None:
        if tokens.shape[1] == self.sample_begin:
            logits[:, self.blocked] = NEG_INF


class SuppressTokens:
    """Never emit these tokens (non-speech annotations, control tokens)."""

    def __init__(self, suppress: Sequence[int]) -> None:
        self.suppress = list(suppress)

    def apply(self, logits: Tensor, tokens: Tensor) -> None:
        logits[:, self.suppress] = NEG_INF


class ApplyTimestampRules:
    """Keep the timestamp grammar: <|t0|> text <|t1|><|t1'|> text <|t2|> ... with times never going back.

    - the first sampled token is a timestamp, at most ``max_initial_timestamp_index`` steps in;
    - timestamps come in pairs (start, end) except right before end-of-text;
    - a timestamp may not be smaller than the previous one, and an end must be later than its start;
    - when timestamps together are likelier than any single text token, a timestamp is forced
      (otherwise greedy search rarely closes a segment).
    """

    def __init__(self, tokenizer: Tokenizer, sample_begin: int, max_initial_timestamp_index: int | None) -> None:
        self.ts_begin = tokenizer.timestamp_begin
        self.eot = tokenizer.eot
        self.no_timestamps = tokenizer.no_timestamps
        self.sample_begin = sample_begin
        self.max_initial_timestamp_index = max_initial_timestamp_index

    def apply(self, logits: Tensor, tokens: Tensor) -> None:
        logits[:, self.no_timestamps] = NEG_INF  # chosen by options, never sampled
        for row in range(tokens.shape[0]):
            self._pairing_rules(logits[row], tokens[row, self.sample_begin:].tolist())
        if tokens.shape[1] == self.sample_begin:
            self._initial_rules(logits)
        self._prefer_timestamps(logits)

    def _pairing_rules(self, row_logits: Tensor, sampled: list[int]) -> None:
        last_is_ts = len(sampled) >= 1 and sampled[-1] >= self.ts_begin
        before_last_is_ts = len(sampled) < 2 or sampled[-2] >= self.ts_begin
        if last_is_ts:
            if before_last_is_ts:  # a pair just closed: text must follow
                row_logits[self.ts_begin:] = NEG_INF
            else:  # a segment end: only its partner timestamp or end-of-text
                row_logits[: self.eot] = NEG_INF
        stamps = [t for t in sampled if t >= self.ts_begin]
        if stamps:
            # after a lone end timestamp the partner may repeat it; otherwise time must move forward
            floor = stamps[-1] if last_is_ts and not before_last_is_ts else stamps[-1] + 1
            row_logits[self.ts_begin: floor] = NEG_INF

    def _initial_rules(self, logits: Tensor) -> None:
        logits[:, : self.ts_begin] = NEG_INF
        if self.max_initial_timestamp_index is not None:
            logits[:, self.ts_begin + self.max_initial_timestamp_index + 1:] = NEG_INF

    def _prefer_timestamps(self, logits: Tensor) -> None:
        force = self._timestamps_likelier(logits.float())
        if force.any():  # index_fill_ on the rows: indexing by the boolean mask took 3x as long
            logits[:, : self.ts_begin].index_fill_(0, force.nonzero()[:, 0], NEG_INF)

    def _timestamps_likelier(self, logits: Tensor) -> Tensor:
        """Per row: the timestamps' summed probability above the likeliest text token's.

        openai-whisper compares the two in log-probabilities from a log-softmax over the whole vocabulary; the
        softmax's denominator is common to both sides, so the logits decide the same (a step of beam search 5
        spent 0.6 ms on that log-softmax, 0.1 ms here). Only where the two sides lie within rounding of each other
        can float32's two roundings decide differently: those rows are decided the reference's way.
        """
        timestamp_mass = logits[:, self.ts_begin:].logsumexp(dim=-1)
        best_text = logits[:, : self.ts_begin].amax(dim=-1)  # amax: max(dim) also finds the indices (6x slower)
        force = timestamp_mass > best_text
        close = (timestamp_mass - best_text).abs() <= _TIE_MARGIN
        if close.any():
            logprobs = torch.log_softmax(logits[close], dim=-1)
            force[close] = logprobs[:, self.ts_begin:].logsumexp(dim=-1) > logprobs[:, : self.ts_begin].max(dim=-1).values
        return force


# Far above float32's rounding of a log-softmax (logits of Whisper stay within a few hundred: ~1e-5 there), so
# rows further apart than this are decided alike by logits and by log-probabilities.
_TIE_MARGIN = 1e-3
