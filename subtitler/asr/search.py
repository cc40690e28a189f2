"""How the next token is chosen: greedy/sampling or beam search, and how finished candidates are ranked.

A decoder sees ``tokens`` [B, T] and filtered ``logits`` [B, vocab] each step and
returns the extended tokens. With beam search B = audio clips x beam size, rows of one
clip are adjacent, and the decoder asks ``reorder`` to keep the KV cache in step.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

from subtitler.asr.quantize import top_indices


def sorted_top(values: Tensor, k: int) -> tuple[Tensor, Tensor]:
    """``values.topk(k, dim=-1)``: the k largest values per row, in descending order, and their indices.

    ``topk`` over a vocabulary row keeps a heap (five beams: 0.37 ms a step); the candidates by block maxima
    (:func:`subtitler.asr.quantize.top_indices`) and a sort of them take 0.10 ms. The two agree wherever the
    order is unique; where two of the k + 1 largest values tie (masked tokens at -inf, say), which of them
    comes first is ``topk``'s own choice, so ``topk`` answers.
    """
    candidates = top_indices(values, k + 1)
    ordered, order = values.gather(-1, candidates).sort(dim=-1, descending=True)
    if bool((ordered[..., :-1] == ordered[..., 1:]).any()):
        return values.topk(k, dim=-1)
    return ordered[..., :k], candidates.gather(-1, order[..., :k])


class GreedyDecoder:
    """Argmax at temperature 0, otherwise sampling from softmax(logits / temperature)."""

    def __init__(self, temperature: float, eot: int, generator: torch.Generator | None = None) -> None:
        self.temperature = temperature
        self.eot = eot
        self.generator = generator  # where the samples are drawn (None: torch's global generator)

    def reset(self) -> None:
        """Stateless: nothing to reset."""

    def update(self, tokens: Tensor, logits: Tensor, sum_logprobs: Tensor) -> tuple[Tensor, bool]:
        if self.temperature == 0:
            chosen = logits.argmax(dim=-1)
        else:
            probs = torch.softmax(logits.float() / self.temperature, dim=-1)
            chosen = torch.multinomial(probs, 1, generator=self.generator).squeeze(-1)
        logprobs = F.log_softmax(logits.float(), dim=-1)
        running = tokens[:, -1] != self.eot
        sum_logprobs += logprobs.gather(1, chosen[:, None]).squeeze(1) * running
        chosen = torch.where(running, chosen, torch.full_like(chosen, self.eot))  # finished rows stay finished
        tokens = torch.cat([tokens, chosen[:, None]], dim=-1)
        return tokens, bool((chosen == self.eot).all())

    def finalize(self, tokens: Tensor, sum_logprobs: Tensor) -> tuple[list[list[Tensor]], list[list[float]]]:
        """``tokens`` [n_audio, n_group, T] -> per clip its candidates, each ending in end-of-text."""
        tokens = F.pad(tokens, (0, 1), value=self.eot)
        return [list(group) for group in tokens], sum_logprobs.tolist()


class BeamSearchDecoder:
    """Beam search that stops once ``round(beam_size * patience)`` candidates per clip have finished."""

    def __init__(self, beam_size: int, eot: int, reorder: Callable[[Tensor], None], patience: float | None = None) -> None:
        self.beam_size = beam_size
        self.eot = eot
        self.reorder = reorder
        self.max_candidates = round(beam_size * (patience or 1.0))
        if self.max_candidates <= 0:
            raise ValueError(f"beam size {beam_size} with patience {patience} keeps no candidate")
        self.finished: list[dict[tuple[int, ...], float]] = []

    def reset(self) -> None:
        self.finished = []

    def update(self, tokens: Tensor, logits: Tensor, sum_logprobs: Tensor) -> tuple[Tensor, bool]:
        n_audio = tokens.shape[0] // self.beam_size
        if not self.finished:
            self.finished = [{} for _ in range(n_audio)]
        logprobs = F.log_softmax(logits.float(), dim=-1)
        # Every row's beam_size + 1 best tokens (one extra in case one is end-of-text), in one call for all rows.
        top_logprobs, top_tokens = sorted_top(logprobs, self.beam_size + 1)
        top = (top_logprobs.tolist(), top_tokens.tolist(), sum_logprobs.tolist(), tokens.tolist())
        kept: list[tuple[int, ...]] = []
        sources: list[int] = []
        for clip in range(n_audio):
            scores = self._candidates(*top, clip)
            newly_finished: dict[tuple[int, ...], float] = {}
            for sequence, (score, source) in sorted(scores.items(), key=lambda kv: kv[1][0], reverse=True):
                if sequence[-1] == self.eot:
                    newly_finished[sequence] = score
                    continue
                sum_logprobs[len(kept)] = score
                kept.append(sequence)
                sources.append(source)
                if len(kept) == (clip + 1) * self.beam_size:
                    break
            self._collect(clip, newly_finished)
        self.reorder(torch.tensor(sources, device=tokens.device))
        done = all(len(found) >= self.max_candidates for found in self.finished)
        return torch.tensor(kept, device=tokens.device), done

    def _candidates(self, top_logprobs: list[list[float]], top_tokens: list[list[int]], sum_logprobs: list[float],
                    tokens: list[list[int]], clip: int) -> dict[tuple[int, ...], tuple[float, int]]:
        """Every beam of ``clip`` extended by each of its best tokens: sequence -> (score, source row)."""
        scores: dict[tuple[int, ...], tuple[float, int]] = {}
        for row in range(clip * self.beam_size, (clip + 1) * self.beam_size):
            prefix = tuple(tokens[row])
            for logprob, token in zip(top_logprobs[row], top_tokens[row]):
                scores[prefix + (token,)] = (sum_logprobs[row] + logprob, row)
        return scores

    def _collect(self, clip: int, newly_finished: dict[tuple[int, ...], float]) -> None:
        found = self.finished[clip]
        for sequence in sorted(newly_finished, key=newly_finished.get, reverse=True):
            if len(found) >= self.max_candidates:
                return
            found[sequence] = newly_finished[sequence]

    def finalize(self, tokens: Tensor, sum_logprobs: Tensor) -> tuple[list[list[Tensor]], list[list[float]]]:
        """Finished candidates per clip, topped up with the best unfinished beams if too few finished."""
        sum_logprobs = sum_logprobs.cpu()
        if not self.finished:  # no step ran
            self.finished = [{} for _ in range(tokens.shape[0])]
        for clip, found in enumerate(self.finished):
            for beam in torch.argsort(sum_logprobs[clip], descending=True).tolist():
                if len(found) >= self.beam_size:
                    break
                found[tuple(tokens[clip, beam].tolist()) + (self.eot,)] = float(sum_logprobs[clip, beam])
        candidates = [[torch.tensor(seq) for seq in found] for found in self.finished]
        scores = [list(found.values()) for found in self.finished]
        return candidates, scores


class MaximumLikelihoodRanker:
    """Pick the candidate with the best log probability per length (or per Google-NMT length penalty)."""

    def __init__(self, length_penalty: float | None) -> None:
        self.length_penalty = length_penalty

    def _penalty(self, length: int) -> float:
        if self.length_penalty is None:
            return float(length)
        return ((5 + length) / 6) ** self.length_penalty

    def rank(self, tokens: list[list[Tensor]], sum_logprobs: list[list[float]]) -> list[int]:
        best: list[int] = []
        for candidates, logprobs in zip(tokens, sum_logprobs):
            scores = [lp / self._penalty(len(t)) for t, lp in zip(candidates, logprobs)]
            best.append(max(range(len(scores)), key=scores.__getitem__))
        return best
