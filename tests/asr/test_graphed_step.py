"""The fixed-shape decoding step that CUDA graphs replay (subtitler.asr.graphed_step).

No GPU here: the step is run eagerly ("static") and held to the ordinary step, on a small random model
(every cache operation a decode uses in between) and on real speech through the product's transcription.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
import torch

from subtitler.asr.graphed_step import StaticSteps, cuda_graphs_wanted, decoding_steps
from subtitler.asr.model import KVCache, ModelDimensions, Whisper
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


def _two_started_caches(model: Whisper, rows: int) -> tuple[torch.Tensor, KVCache, KVCache]:
    """Audio features and two caches holding the same start sequence of ``rows`` rows (beams over one audio)."""
    features = torch.randn(1, DIMS.n_audio_ctx, DIMS.n_audio_state)
    start = torch.randint(0, 50000, (rows, 5))
    caches = model.new_kv_cache(), model.new_kv_cache()
    with torch.no_grad():
        for cache in caches:
            model.logits(start, features, cache)
    return features, *caches


@pytest.mark.parametrize("fused", [False, True], ids=["separate-qkv", "fused-qkv"])
def test_the_fixed_shape_step_gives_the_ordinary_step_s_logits(fused: bool) -> None:
    """Three beams over one audio: steps, a beam reorder, then the batch shrinking to two rows (new buffers)."""
    model = _random_model(fused)
    features, ordinary, static = _two_started_caches(model, rows=3)
    with torch.no_grad():
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


class _Recorder:
    """Stands in for torch.cuda's graph API on the CPU: a "recording" runs the step (as the warm-up before a real
    recording does), and a replay runs it again into the recorded output, which is what a CUDA graph's replay
    does. What it checks is StaticSteps' own bookkeeping: buffers filled before a replay, the output copied out,
    a new recording when the cache's buffers move, and the fallback when a recording fails."""

    def __init__(self, monkeypatch, fail: bool = False) -> None:
        self.recordings, self.replays, self.fail, self.steps = 0, 0, fail, None
        recorder = self

        class Graph:
            def replay(self) -> None:
                recorder.replays += 1
                steps = recorder.steps
                steps._logits.copy_(steps._step(steps._cache))

        class Stream:
            def wait_stream(self, other) -> None:
                """The CPU runs one stream: there is nothing to wait for."""

        @contextlib.contextmanager
        def graph(graph, capture_error_mode="global"):
            assert capture_error_mode == "thread_local"
            if recorder.fail:
                raise RuntimeError("operation not permitted when stream is capturing")
            recorder.recordings += 1
            yield

        monkeypatch.setattr(torch.cuda, "CUDAGraph", Graph)
        monkeypatch.setattr(torch.cuda, "Stream", Stream)
        monkeypatch.setattr(torch.cuda, "current_stream", Stream)
        monkeypatch.setattr(torch.cuda, "stream", lambda stream: contextlib.nullcontext())
        monkeypatch.setattr(torch.cuda, "graph", graph)


def test_recorded_steps_replay_the_ordinary_step_and_record_again_when_the_buffers_move(monkeypatch) -> None:
    recorder = _Recorder(monkeypatch)
    model = _random_model(fused=True)
    features, ordinary, recorded = _two_started_caches(model, rows=3)
    with torch.no_grad():
        recorder.steps = steps = StaticSteps(model, record_graphs=True)
        outputs = []
        for step in range(8):
            tokens = torch.randint(0, 50000, (recorded.layers[0].keys.shape[0], 1))
            expected = model.logits(tokens, features, ordinary)
            got = steps(tokens, features, recorded)
            outputs.append(got)
            assert torch.allclose(got, expected, atol=1e-5), step
            if step == 2:  # beams reordered in place: the same buffers, the same recording
                for cache in (ordinary, recorded):
                    cache.reorder(torch.tensor([2, 0, 0]))
            if step == 5:  # two rows left: new buffers, recorded again
                for cache in (ordinary, recorded):
                    cache.reorder(torch.tensor([1, 2]))
    assert (recorder.recordings, recorder.replays) == (2, 6)
    assert outputs[1].data_ptr() != outputs[2].data_ptr()  # each step's logits are its own, not the graph's buffer


def test_a_recording_the_runtime_refuses_falls_back_to_the_same_step(monkeypatch) -> None:
    recorder = _Recorder(monkeypatch, fail=True)
    model = _random_model(fused=True)
    features, ordinary, recorded = _two_started_caches(model, rows=1)
    with torch.no_grad():
        recorder.steps = steps = StaticSteps(model, record_graphs=True)
        for step in range(3):
            tokens = torch.randint(0, 50000, (1, 1))
            if step == 0:
                with pytest.warns(RuntimeWarning, match="CUDA graphs are off"):
                    got = steps(tokens, features, recorded)
            else:
                got = steps(tokens, features, recorded)
            assert torch.allclose(got, model.logits(tokens, features, ordinary), atol=1e-5)
    assert (recorder.recordings, recorder.replays) == (0, 0) and not steps.record_graphs
