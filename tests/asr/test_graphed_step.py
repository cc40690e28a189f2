"""The fixed-shape decoding step that CUDA graphs replay (subtitler.asr.graphed_step).

No GPU here: the step is run eagerly ("static") and held to the ordinary step, on a small random model
(every cache operation a decode uses in between) and on real speech through the product's transcription.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from subtitler.asr.graphed_step import StaticSteps, cuda_graphs_wanted, decoding_steps
from subtitler.asr.model import ModelDimensions, Whisper
from subtitler.asr.precision import fuse_projections
from subtitler.asr.transcribe import TranscribeOptions
from tests.asr.clips import load_clip

DIMS = ModelDimensions(n_mels=80, n_audio_ctx=30, n_audio_state=64, n_audio_head=4, n_audio_layer=2,
                       n_vocab=51864, n_text_ctx=24, n_text_state=64, n_text_head=4, n_text_layer=2)


def _random_model(fused: bool) -> Whisper:
    torch.manual_seed(0)
    model = Whisper(DIMS).eval().requires_grad_(False)
    for parameter in model.parameters():
        torch.nn.init.normal_(parameter, std=0.1)
    if fused:
        fuse_projections(model)
    return model


@pytest.mark.parametrize("fused", [False, True], ids=["separate-qkv", "fused-qkv"])
def test_the_fixed_shape_step_gives_the_ordinary_step_s_logits(fused: bool) -> None:
    """Three beams over one audio: steps, a beam reorder, then the batch shrinking to two rows (new buffers)."""
    model = _random_model(fused)
    features = torch.randn(1, DIMS.n_audio_ctx, DIMS.n_audio_state)
    start = torch.randint(0, 50000, (3, 5))
    ordinary, static = model.new_kv_cache(), model.new_kv_cache()
    with torch.no_grad():
        model.logits(start, features, ordinary)
        model.logits(start, features, static)
        for layer in static.layers:  # whatever the unfilled buffer holds is masked and must not leak in
            layer.keys[:, :, layer.length:] = float("nan")
            layer.values[:, :, layer.length:] = float("nan")
        steps = StaticSteps(model, record_graphs=False)
        for step in range(8):
            tokens = torch.randint(0, 50000, (static.layers[0].keys.shape[0], 1))
            expected = model.logits(tokens, features, ordinary)
            got = steps(tokens, features, static)
            assert torch.allclose(got, expected, atol=1e-5), step
            assert (static.offset, static.layers[-1].length) == (ordinary.offset, ordinary.layers[-1].length)
            if step == 2:
                for cache in (ordinary, static):
                    cache.reorder(torch.tensor([2, 0, 0]))
            if step == 5:
                for cache in (ordinary, static):
                    cache.reorder(torch.tensor([1, 2]))


def test_the_fixed_shape_step_refuses_what_it_cannot_do() -> None:
    model = _random_model(fused=True)
    features = torch.randn(1, DIMS.n_audio_ctx, DIMS.n_audio_state)
    cache = model.new_kv_cache()
    steps = StaticSteps(model, record_graphs=False)
    with torch.no_grad():
        with pytest.raises(ValueError, match="start sequence"):
            steps(torch.zeros(1, 1, dtype=torch.long), features, cache)
        model.logits(torch.zeros(1, DIMS.n_text_ctx - 1, dtype=torch.long), features, cache)
        with pytest.raises(ValueError, match="one new token"):
            steps(torch.zeros(1, 2, dtype=torch.long), features, cache)
        steps(torch.zeros(1, 1, dtype=torch.long), features, cache)  # the last position
        with pytest.raises(ValueError, match="too long"):
            steps(torch.zeros(1, 1, dtype=torch.long), features, cache)


def test_cuda_graphs_are_recorded_only_on_a_gpu(monkeypatch) -> None:
    assert not cuda_graphs_wanted(torch.device("cpu"))
    assert cuda_graphs_wanted(torch.device("cuda"))
    monkeypatch.setenv("SUBTITLER_CUDA_GRAPHS", "0")
    assert not cuda_graphs_wanted(torch.device("cuda"))
    model = _random_model(fused=True)
    assert model.step_mode == "eager" and decoding_steps(model) == model.logits
    model.step_mode = "graph"
    assert isinstance(decoding_steps(model), StaticSteps) and decoding_steps(model).record_graphs


@pytest.mark.slow
@pytest.mark.parametrize("beam_size", [None, 5], ids=["greedy", "beam5"])
def test_a_transcription_with_fixed_shape_steps_is_the_ordinary_one(tiny_en_engine, data_dir: Path, monkeypatch,
                                                                  beam_size: int | None) -> None:
    """The product's transcription (int8 on this CPU, guards on, every window's steps through the static step)."""
    model = tiny_en_engine.model
    options = TranscribeOptions(beam_size=beam_size, best_of=None if beam_size is None else 5)
    for clip in ("jfk.flac", "pyannote_sample.wav"):
        audio = load_clip(data_dir / clip)
        ordinary = list(tiny_en_engine.transcribe(audio, options))
        monkeypatch.setattr(model, "step_mode", "static")
        static = list(tiny_en_engine.transcribe(audio, options))
        monkeypatch.setattr(model, "step_mode", "eager")
        assert [s.tokens for s in static] == [s.tokens for s in ordinary], clip
        assert [s.text for s in static] == [s.text for s in ordinary]
