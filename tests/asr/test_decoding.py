"""Decoding parts in isolation (filters, search, ranking, options) and one batch on real weights."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch

from subtitler.asr.audio import log_mel_spectrogram, pad_or_trim
from subtitler.asr.decoding import DecodingOptions, compression_ratio, decode, suppressed_tokens
from subtitler.asr.logit_filters import ApplyTimestampRules, SuppressBlank, SuppressTokens
from subtitler.asr.search import BeamSearchDecoder, GreedyDecoder, MaximumLikelihoodRanker, sorted_top
from subtitler.asr.tokenizer import Tokenizer
from subtitler.errors import Cancelled
from tests.asr.clips import load_clip

JFK = "and so my fellow americans ask not what your country can do for you ask what you can do for your country"


@pytest.fixture(scope="module")
def tok(tiny_en_dir: Path) -> Tokenizer:
    return Tokenizer.from_file(tiny_en_dir / "tokenizer.json", multilingual=False)


def words(text: str) -> str:
    return " ".join("".join(c for c in text.lower() if c.isalnum() or c.isspace()).split())


def fresh_logits(tok: Tokenizer, rows: int = 1) -> torch.Tensor:
    return torch.zeros(rows, tok.timestamp_begin + 1501)


def test_suppress_blank_only_at_the_first_sampled_token(tok: Tokenizer) -> None:
    rule = SuppressBlank(tok, sample_begin=1)
    logits = fresh_logits(tok)
    rule.apply(logits, torch.tensor([[tok.sot]]))
    assert math.isinf(logits[0, tok.eot]) and math.isinf(logits[0, tok.encode(" ")[0]])
    later = fresh_logits(tok)
    rule.apply(later, torch.tensor([[tok.sot, 400]]))
    assert torch.isfinite(later).all()


def test_suppress_tokens_masks_the_non_speech_set_and_control_tokens(tok: Tokenizer) -> None:
    ids = suppressed_tokens(tok, "-1")
    assert set(tok.non_speech_tokens) < set(ids)
    assert {tok.sot, tok.sot_prev, tok.sot_lm, tok.no_speech, tok.translate, tok.transcribe} < set(ids)
    assert suppressed_tokens(tok, "5,7") == tuple(sorted({5, 7, tok.sot, tok.sot_prev, tok.sot_lm, tok.no_speech,
                                                          tok.translate, tok.transcribe}))
    logits = fresh_logits(tok)
    SuppressTokens(ids).apply(logits, torch.tensor([[tok.sot]]))
    assert torch.isinf(logits[0, list(ids)]).all() and torch.isfinite(logits[0, 220])


def test_timestamp_rules_follow_whisper_grammar(tok: Tokenizer) -> None:
    ts = tok.timestamp_begin
    rule = ApplyTimestampRules(tok, sample_begin=1, max_initial_timestamp_index=50)

    first = fresh_logits(tok)
    rule.apply(first, torch.tensor([[tok.sot]]))
    assert torch.isinf(first[0, :ts]).all() and torch.isfinite(first[0, ts:ts + 51]).all()
    assert torch.isinf(first[0, ts + 51:]).all(), "initial timestamp after 1 s"

    after_pair = fresh_logits(tok)
    rule.apply(after_pair, torch.tensor([[tok.sot, ts + 10, 400, ts + 20, ts + 20]]))
    assert torch.isinf(after_pair[0, ts:]).all() and torch.isfinite(after_pair[0, 400])

    after_end = fresh_logits(tok)
    rule.apply(after_end, torch.tensor([[tok.sot, ts + 10, 400, ts + 20]]))
    assert torch.isinf(after_end[0, :tok.eot]).all(), "after an end stamp: no text"
    assert torch.isinf(after_end[0, ts:ts + 20]).all() and torch.isfinite(after_end[0, ts + 20:]).all()

    in_text = fresh_logits(tok)
    rule.apply(in_text, torch.tensor([[tok.sot, ts + 10, 400]]))
    assert torch.isinf(in_text[0, ts:ts + 11]).all(), "an end must be later than its start"
    assert torch.isinf(in_text[0, tok.no_timestamps])


def test_timestamps_are_forced_when_together_likelier_than_any_text(tok: Tokenizer) -> None:
    rule = ApplyTimestampRules(tok, sample_begin=1, max_initial_timestamp_index=None)
    logits = fresh_logits(tok, rows=2)
    logits[0, 400] = 8.0  # row 0: one text token dominates
    logits[1, 400] = 5.0  # row 1: 1500 timestamps at 0 together outweigh it
    rule.apply(logits, torch.tensor([[tok.sot, tok.timestamp_begin, 300]] * 2))
    assert torch.isfinite(logits[0, 400])
    assert torch.isinf(logits[1, :tok.timestamp_begin]).all()


def _reference_preference(rule: ApplyTimestampRules, logits: torch.Tensor) -> torch.Tensor:
    """openai-whisper's comparison: in log-probabilities from a log-softmax over the whole vocabulary."""
    logprobs = torch.log_softmax(logits.float(), dim=-1)
    return logprobs[:, rule.ts_begin:].logsumexp(dim=-1) > logprobs[:, : rule.ts_begin].max(dim=-1).values


def test_the_timestamp_preference_decides_as_the_log_softmax_does_even_at_a_tie(tok: Tokenizer) -> None:
    """The logits decide without the log-softmax, except within rounding of a tie, where the reference's way decides."""
    rule = ApplyTimestampRules(tok, sample_begin=1, max_initial_timestamp_index=None)
    generator = torch.Generator().manual_seed(3)
    logits = torch.randn(64, tok.timestamp_begin + 1501, generator=generator) * 4
    logits[::2, 500] += 12.0  # half the rows with one text token far ahead
    assert torch.equal(rule._timestamps_likelier(logits), _reference_preference(rule, logits))
    steps = torch.linspace(-3e-6, 3e-6, 41)  # a text token at the 1501 timestamps' mass, give or take a few float32 steps
    tied = fresh_logits(tok, rows=len(steps))
    tied[:, 400] = torch.zeros(1501).logsumexp(dim=0) + steps
    assert torch.equal(rule._timestamps_likelier(tied), _reference_preference(rule, tied))
    assert _reference_preference(rule, tied).any() and not _reference_preference(rule, tied).all()


def test_beam_candidates_are_topk_s_even_where_values_tie() -> None:
    generator = torch.Generator().manual_seed(4)
    values = torch.log_softmax(torch.randn(10, 51864, generator=generator) * 3, dim=-1)
    for got, expected in zip(sorted_top(values, 6), values.topk(6, dim=-1)):
        assert torch.equal(got, expected)
    masked = torch.full((2, 51864), -math.inf)  # a segment's end near 30 s: three tokens left, the rest masked
    masked[:, [50256, 51862, 51863]] = torch.tensor([-0.5, -1.0, -2.0])
    masked[1, 100] = masked[1, 200] = -3.0  # and two equal values among the best
    for got, expected in zip(sorted_top(masked, 6), masked.topk(6, dim=-1)):
        assert torch.equal(got, expected)


def test_greedy_keeps_finished_rows_finished(tok: Tokenizer) -> None:
    greedy = GreedyDecoder(0.0, tok.eot)
    tokens = torch.tensor([[tok.sot, tok.eot], [tok.sot, 400]])
    logits = torch.full((2, 51864), -5.0)
    logits[:, 500] = 5.0
    sums = torch.zeros(2)
    tokens, done = greedy.update(tokens, logits, sums)
    assert tokens[:, -1].tolist() == [tok.eot, 500] and not done
    assert sums[0] == 0 and sums[1] < 0


def test_beam_search_collects_finished_candidates_and_reorders_the_cache(tok: Tokenizer) -> None:
    orders: list[list[int]] = []
    beam = BeamSearchDecoder(2, tok.eot, lambda index: orders.append(index.tolist()))
    tokens = torch.tensor([[tok.sot], [tok.sot]])
    logits = torch.full((2, 51864), -20.0)
    logits[:, 10], logits[:, 11], logits[:, tok.eot] = 0.0, -0.5, -0.2
    sums = torch.zeros(2)
    tokens, done = beam.update(tokens, logits, sums)
    assert orders and sorted(tokens[:, -1].tolist()) == [10, 11]
    assert not done and len(beam.finished[0]) == 1  # <sot><eot> finished; patience 1 needs 2
    tokens, done = beam.update(tokens, logits, sums)
    assert done
    candidates, scores = beam.finalize(tokens.reshape(1, 2, -1), sums.reshape(1, 2))
    assert all(c[-1] == tok.eot for c in candidates[0]) and len(scores[0]) == 2


def test_ranker_uses_length_or_nmt_penalty() -> None:
    short, long = torch.zeros(2), torch.zeros(10)
    assert MaximumLikelihoodRanker(None).rank([[short, long]], [[-1.0, -3.0]]) == [1]  # -0.5 vs -0.3 per token
    assert MaximumLikelihoodRanker(0.0).rank([[short, long]], [[-1.0, -3.0]]) == [0]  # raw sum


def test_options_reject_contradictions() -> None:
    with pytest.raises(ValueError):
        DecodingOptions(beam_size=5, best_of=5, temperature=0.5)
    with pytest.raises(ValueError):
        DecodingOptions(best_of=5)
    with pytest.raises(ValueError):
        DecodingOptions(patience=2.0)
    with pytest.raises(ValueError):
        DecodingOptions(length_penalty=2.0)
    options = DecodingOptions()
    with pytest.raises(AttributeError):
        options.temperature = 1.0  # type: ignore[misc]


def test_compression_ratio_flags_repetition() -> None:
    assert compression_ratio("Hello there, how are you?") < 1.5
    assert compression_ratio("Thank you. " * 40) > 2.4
    assert compression_ratio("") == 0.0


@pytest.fixture(scope="module")
def jfk_mel(data_dir: Path) -> torch.Tensor:
    return pad_or_trim(log_mel_spectrogram(load_clip(data_dir / "jfk.flac")), 3000)


@pytest.mark.slow
def test_jfk_decodes_greedy_and_beam(tiny_en, tok: Tokenizer, jfk_mel: torch.Tensor) -> None:
    greedy = decode(tiny_en, tok, jfk_mel)[0]
    assert words(greedy.text) == JFK
    assert greedy.tokens[0] == tok.timestamp_begin and greedy.tokens[-1] >= tok.timestamp_begin
    assert greedy.language == "en" and greedy.temperature == 0.0
    assert -1.0 < greedy.avg_logprob < 0 and greedy.no_speech_prob < 0.2 and greedy.compression_ratio < 2.4
    beam = decode(tiny_en, tok, jfk_mel, DecodingOptions(beam_size=3, without_timestamps=True))[0]
    assert words(beam.text) == JFK and all(t < tok.eot for t in beam.tokens)


@pytest.mark.slow
def test_a_batch_decodes_like_its_windows_one_by_one(tiny_en, tok: Tokenizer, jfk_mel, data_dir: Path) -> None:
    """Greedy rows that end early leave the batch (the batched mode's chunks differ in length): every window still
    gets its own tokens, score and no-speech probability back, in its place."""
    other = pad_or_trim(log_mel_spectrogram(load_clip(data_dir / "LDC93S1.wav")), 3000)
    silence = pad_or_trim(log_mel_spectrogram(torch.zeros(16000 * 5)), 3000)
    mels = (other, jfk_mel, silence, other)
    batch = decode(tiny_en, tok, torch.stack(mels))
    alone = [decode(tiny_en, tok, m)[0] for m in mels]
    assert [r.tokens for r in batch] == [r.tokens for r in alone]
    assert [r.avg_logprob for r in batch] == pytest.approx([r.avg_logprob for r in alone], abs=1e-3)
    assert [r.no_speech_prob for r in batch] == pytest.approx([r.no_speech_prob for r in alone], abs=1e-3)
    assert "greasy wash water" in batch[0].text and "fellow americans" in batch[1].text.lower()
    assert len(batch[0].tokens) < len(batch[1].tokens)  # the short window ended first and left the batch


@pytest.mark.slow
def test_prompt_prefix_and_cancel(tiny_en, tok: Tokenizer, jfk_mel) -> None:
    prefixed = decode(tiny_en, tok, jfk_mel, DecodingOptions(prefix="And so, my fellow", without_timestamps=True))[0]
    assert prefixed.text.startswith("Americans ask not")  # the forced prefix is context, not output
    prompted = decode(tiny_en, tok, jfk_mel, DecodingOptions(prompt="Kennedy's inaugural address, 1961."))[0]
    assert "country" in prompted.text
    steps = iter(range(100))
    with pytest.raises(Cancelled):
        decode(tiny_en, tok, jfk_mel, should_stop=lambda: next(steps) >= 3)
