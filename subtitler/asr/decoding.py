"""Decoding one batch of 30-s windows: options in, token sequences and their scores out.

:class:`DecodingTask` assembles small parts — the initial tokens (prompt, start
sequence, prefix), the logit filters, a token decoder (greedy or beam search) and a
ranker — and runs the loop over the model with its KV cache.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Literal

import torch
from torch import Tensor

from subtitler.asr.audio import CHUNK_LENGTH
from subtitler.asr.graphed_step import decoding_steps
from subtitler.asr.language import language_probabilities
from subtitler.asr.logit_filters import ApplyTimestampRules, LogitFilter, SuppressBlank, SuppressTokens
from subtitler.asr.search import BeamSearchDecoder, GreedyDecoder, MaximumLikelihoodRanker
from subtitler.asr.tokenizer import Tokenizer
from subtitler.errors import Cancelled


@dataclass(frozen=True)
class DecodingOptions:
    """How to decode one window. ``language=None`` detects it; ``suppress_tokens="-1"`` means the non-speech set."""

    task: Literal["transcribe", "translate"] = "transcribe"
    language: str | None = None
    temperature: float = 0.0
    sample_len: int | None = None  # most tokens to sample; default half the text context
    best_of: int | None = None  # independent samples when temperature > 0
    beam_size: int | None = None  # beams when temperature == 0 (None: greedy)
    patience: float | None = None
    length_penalty: float | None = None  # None: rank by logprob per token
    prompt: str | tuple[int, ...] | None = None  # previous text, as context
    prefix: str | tuple[int, ...] | None = None  # forced start of this window's text
    suppress_tokens: str | tuple[int, ...] | None = "-1"
    suppress_blank: bool = True
    without_timestamps: bool = False
    max_initial_timestamp: float | None = 1.0
    seed: int | None = None  # sampling draws from a generator seeded with this (None: torch's global generator)

    def __post_init__(self) -> None:
        if self.beam_size is not None and self.best_of is not None:
            raise ValueError("beam_size and best_of cannot be given together")
        if self.temperature == 0 and self.best_of is not None:
            raise ValueError("best_of needs a temperature above 0")
        if self.patience is not None and self.beam_size is None:
            raise ValueError("patience needs beam_size")
        if self.length_penalty is not None and not 0 <= self.length_penalty <= 1:
            raise ValueError("length_penalty must be between 0 and 1")


@dataclass(frozen=True)
class DecodingResult:
    """One window's best transcript with the scores the fallback and no-speech checks need."""

    audio_features: Tensor = field(repr=False)
    language: str
    language_probs: dict[str, float] | None = None
    tokens: tuple[int, ...] = ()
    text: str = ""
    avg_logprob: float = float("nan")
    no_speech_prob: float = float("nan")
    temperature: float = float("nan")
    compression_ratio: float = float("nan")


def compression_ratio(text: str) -> float:
    """Bytes over zlib-compressed bytes: high (> 2.4) means the text repeats itself."""
    raw = text.encode("utf-8")
    return len(raw) / len(zlib.compress(raw)) if raw else 0.0


def _as_tokens(tokenizer: Tokenizer, value: str | tuple[int, ...]) -> list[int]:
    return tokenizer.encode(" " + value.strip()) if isinstance(value, str) else list(value)


def suppressed_tokens(tokenizer: Tokenizer, spec: str | tuple[int, ...] | None) -> tuple[int, ...]:
    """Parse ``suppress_tokens`` ("-1" = the non-speech set, "1,2" = ids) and add the control tokens."""
    ids = [int(t) for t in spec.split(",") if t.strip()] if isinstance(spec, str) else list(spec or ())
    if -1 in ids:
        ids = [t for t in ids if t >= 0] + list(tokenizer.non_speech_tokens)
    ids += [tokenizer.transcribe, tokenizer.translate, tokenizer.sot, tokenizer.sot_prev, tokenizer.sot_lm,
            tokenizer.no_speech]  # no-speech is read off separately, never emitted
    return tuple(sorted(set(ids)))


class DecodingTask:
    """One decoding configuration for a model; :meth:`run` decodes a batch of mel windows."""

    def __init__(self, model, tokenizer: Tokenizer, options: DecodingOptions) -> None:
        self.model = model
        self.options = options
        # A multilingual model needs a language slot in its start sequence; "en" holds it until detection fills it.
        language = options.language or ("en" if tokenizer.multilingual else None)
        self.tokenizer = tokenizer.with_options(language=language, task=options.task)
        self.n_ctx: int = model.dims.n_text_ctx
        self.sample_len: int = options.sample_len or self.n_ctx // 2
        self.sot_sequence = self.tokenizer.sot_sequence + ((self.tokenizer.no_timestamps,) if options.without_timestamps else ())
        self.initial_tokens = self._initial_tokens()
        self.sample_begin = len(self.initial_tokens)
        self.sot_index = self.initial_tokens.index(self.tokenizer.sot)
        self.n_group = options.beam_size or options.best_of or 1
        self.logit_filters = self._logit_filters()
        self.ranker = MaximumLikelihoodRanker(options.length_penalty)

    def _initial_tokens(self) -> tuple[int, ...]:
        tokens = list(self.sot_sequence)
        if self.options.prefix:
            prefix = _as_tokens(self.tokenizer, self.options.prefix)
            room = self.n_ctx // 2 - self.sample_len
            tokens += prefix[-room:] if room > 0 else prefix
        if self.options.prompt:
            prompt = _as_tokens(self.tokenizer, self.options.prompt)
            tokens = [self.tokenizer.sot_prev] + prompt[-(self.n_ctx // 2 - 1):] + tokens
        return tuple(tokens)

    def _logit_filters(self) -> list[LogitFilter]:
        filters: list[LogitFilter] = []
        if self.options.suppress_blank:
            filters.append(SuppressBlank(self.tokenizer, self.sample_begin))
        if self.options.suppress_tokens is not None:
            filters.append(SuppressTokens(suppressed_tokens(self.tokenizer, self.options.suppress_tokens)))
        if not self.options.without_timestamps:
            max_initial = None
            if self.options.max_initial_timestamp:
                precision = CHUNK_LENGTH / self.model.dims.n_audio_ctx  # 0.02 s per timestamp step
                max_initial = round(self.options.max_initial_timestamp / precision)
            filters.append(ApplyTimestampRules(self.tokenizer, self.sample_begin, max_initial))
        return filters

    def _token_decoder(self, kv_cache) -> GreedyDecoder | BeamSearchDecoder:
        if self.options.beam_size is not None:
            return BeamSearchDecoder(self.options.beam_size, self.tokenizer.eot, kv_cache.reorder, self.options.patience)
        generator = None
        if self.options.temperature > 0 and self.options.seed is not None:
            generator = torch.Generator(device=self.model.device).manual_seed(self.options.seed)
        return GreedyDecoder(self.options.temperature, self.tokenizer.eot, generator)

    def _languages(self, features: Tensor, tokens: Tensor) -> tuple[list[str], list[dict[str, float]] | None]:
        """The language per clip: the option, "en" on English-only models, else detected (written into tokens)."""
        n_audio = features.shape[0]
        if self.options.language is not None or not self.tokenizer.multilingual:
            return [self.tokenizer.language or "en"] * n_audio, None
        best, probs = language_probabilities(self.model, self.tokenizer, features)
        tokens[:, self.sot_index + 1] = best.to(tokens.device)
        return [next(iter(p)) for p in probs], probs

    def _sample(self, features: Tensor, tokens: Tensor, should_stop
                ) -> tuple[Tensor, Tensor, list[float], GreedyDecoder | BeamSearchDecoder]:
        """The token loop: extend ``tokens`` until every row ended or the budget is spent."""
        kv_cache = self.model.new_kv_cache()
        steps = decoding_steps(self.model)  # one new token per row; CUDA graphs on a GPU
        decoder = self._token_decoder(kv_cache)
        sum_logprobs = torch.zeros(tokens.shape[0], device=features.device)
        no_speech_probs = [float("nan")] * tokens.shape[0]
        rows = _RunningRows(tokens.shape[0]) if self.n_group == 1 and tokens.shape[0] > 1 else None
        for step in range(self.sample_len):
            if should_stop is not None and should_stop():
                raise Cancelled("decoding stopped")
            if step == 0:  # the whole start sequence; only two of its rows are projected onto the vocabulary
                logits = self._start(tokens, features, kv_cache)
                at_sot = logits[:, 0].float().softmax(dim=-1)
                no_speech_probs = at_sot[:, self.tokenizer.no_speech].tolist()
            else:
                logits = steps(tokens[:, -1:], features, kv_cache)
            logits = logits[:, -1]
            for logit_filter in self.logit_filters:
                logit_filter.apply(logits, tokens)
            tokens, completed = decoder.update(tokens, logits, sum_logprobs)
            if completed or tokens.shape[-1] > self.n_ctx:
                break
            if rows is not None:
                tokens, sum_logprobs = rows.drop_finished(tokens, sum_logprobs, kv_cache, self.tokenizer.eot)
        if rows is not None:
            tokens, sum_logprobs = rows.whole(tokens, sum_logprobs, self.tokenizer.eot)
        return tokens, sum_logprobs, no_speech_probs, decoder

    def _start(self, tokens: Tensor, features: Tensor, kv_cache) -> Tensor:
        """Logits at <|startoftranscript|> and at the last start token, for every row, with the cache filled.

        The n_group rows of a window (beams, samples) begin with the same start sequence, up to 224 tokens of
        prompt: it goes through the decoder once per window and the cache is copied to the other rows
        (base, beam 5, long form: the start sequences were 16% of the decoder's time).
        """
        positions = (self.sot_index, tokens.shape[1] - 1)
        if self.n_group == 1:
            return self.model.logits(tokens, features, kv_cache, positions=positions)
        logits = self.model.logits(tokens[:: self.n_group], features, kv_cache, positions=positions)
        rows = torch.arange(logits.shape[0], device=logits.device).repeat_interleave(self.n_group)
        kv_cache.reorder(rows)
        kv_cache.shared = tokens.shape[1]  # beam search reorders within a window: the start sequence stays
        return logits.index_select(0, rows)

    @torch.no_grad()
    def run(self, mel: Tensor, should_stop=None) -> list[DecodingResult]:
        """Decode ``mel`` [B, n_mels, 3000] (or encoded features [B, n_audio_ctx, state])."""
        model, eot = self.model, self.tokenizer.eot
        encoded = mel.shape[-2:] == (model.dims.n_audio_ctx, model.dims.n_audio_state)
        features = mel if encoded else model.embed_audio(mel.to(model.device))
        n_audio = features.shape[0]
        tokens = torch.tensor([self.initial_tokens], device=features.device).repeat(n_audio, 1)
        languages, language_probs = self._languages(features, tokens)
        tokens = tokens.repeat_interleave(self.n_group, dim=0)
        # The n_group rows of a window (beams, samples) share its features: the model lets adjacent rows
        # attend to one copy, so cross-attention keys/values are computed, read and kept once per window.
        tokens, sum_logprobs, no_speech, decoder = self._sample(features, tokens, should_stop)
        candidates, scores = decoder.finalize(tokens.reshape(n_audio, self.n_group, -1),
                                              sum_logprobs.reshape(n_audio, self.n_group))
        candidates = [[seq[self.sample_begin: int((seq == eot).nonzero()[0, 0])] for seq in group] for group in candidates]
        chosen = self.ranker.rank(candidates, scores)
        results = []
        for clip, pick in enumerate(chosen):
            clip_tokens = tuple(candidates[clip][pick].tolist())
            text = self.tokenizer.decode(list(clip_tokens)).strip()
            results.append(DecodingResult(
                audio_features=features[clip], language=languages[clip],
                language_probs=language_probs[clip] if language_probs else None,
                tokens=clip_tokens, text=text, avg_logprob=scores[clip][pick] / (len(clip_tokens) + 1),
                no_speech_prob=no_speech[clip * self.n_group], temperature=self.options.temperature,
                compression_ratio=compression_ratio(text),
            ))
        return results


class _RunningRows:
    """Greedy decoding of a batch of windows goes on only with the windows that have not ended.

    A finished row would otherwise be carried through every layer and the vocabulary projection until
    the longest window ends (the batched mode's chunks differ several-fold in length); its tokens and
    score are set aside and put back in place at the end.
    """

    def __init__(self, n_rows: int) -> None:
        self.active = torch.arange(n_rows)  # the batch rows the current tensors hold, in order
        self.finished: dict[int, tuple[Tensor, Tensor]] = {}

    def drop_finished(self, tokens: Tensor, sum_logprobs: Tensor, kv_cache, eot: int) -> tuple[Tensor, Tensor]:
        running = (tokens[:, -1] != eot).cpu()
        if int((~running).sum()) < max(1, len(running) // 4):
            return tokens, sum_logprobs  # wait for a quarter of the rows: each drop copies the audio's cached keys/values
        for position in (~running).nonzero()[:, 0].tolist():
            self.finished[int(self.active[position])] = (tokens[position], sum_logprobs[position])
        keep = running.nonzero()[:, 0]
        self.active = self.active[keep]
        kv_cache.keep_rows(keep)
        keep = keep.to(tokens.device)
        return tokens.index_select(0, keep), sum_logprobs.index_select(0, keep)

    def whole(self, tokens: Tensor, sum_logprobs: Tensor, eot: int) -> tuple[Tensor, Tensor]:
        """Every row back in its place, the shorter ones padded with end-of-text."""
        n_rows = len(self.active) + len(self.finished)
        out = torch.full((n_rows, tokens.shape[1]), eot, dtype=tokens.dtype, device=tokens.device)
        scores = torch.zeros(n_rows, dtype=sum_logprobs.dtype, device=sum_logprobs.device)
        out[self.active.to(tokens.device)] = tokens
        scores[self.active.to(tokens.device)] = sum_logprobs
        for row, (row_tokens, score) in self.finished.items():
            out[row, : row_tokens.shape[0]] = row_tokens
            scores[row] = score
        return out, scores


def decode(model, tokenizer: Tokenizer, mel: Tensor, options: DecodingOptions = DecodingOptions(),
           should_stop=None) -> list[DecodingResult]:
    """Decode a batch of 30-s mel windows [B, n_mels, 3000] (a single [n_mels, 3000] counts as B=1).

    ``should_stop`` is polled before every token step; when it returns True, :class:`Cancelled` is raised.
    """
    if mel.ndim == 2:
        mel = mel.unsqueeze(0)
    return DecodingTask(model, tokenizer, options).run(mel, should_stop)
