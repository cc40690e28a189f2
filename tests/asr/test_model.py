"""Our Whisper against openai-whisper's on the same weights, with and without the cache."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
import torch

from subtitler.asr.model import KVCache, Whisper, causal_mask, sinusoids
from subtitler.asr.weights_openai import name_map

pytestmark = pytest.mark.slow
TOL = 1e-3


def _decode_16k(path) -> np.ndarray:
    import imageio_ffmpeg

    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-v", "error", "-i", str(path),
           "-f", "f32le", "-ac", "1", "-ar", "16000", "-"]
    return np.frombuffer(subprocess.run(cmd, capture_output=True, check=True).stdout, np.float32)


@pytest.fixture(scope="module")
def jfk_mel(data_dir):
    """Reference features from openai-whisper's own log-mel (test-only), padded to 30 s."""
    from whisper.audio import N_SAMPLES, log_mel_spectrogram, pad_or_trim

    audio = torch.from_numpy(pad_or_trim(_decode_16k(data_dir / "jfk.flac").copy(), N_SAMPLES))
    return log_mel_spectrogram(audio)[None]


def _openai_twin(model: Whisper):
    """openai-whisper's model holding exactly our weights (strict load: every name must exist there)."""
    import whisper.model as ow

    dims = ow.ModelDimensions(**vars(model.dims))
    twin = ow.Whisper(dims)
    ours = model.state_dict()
    twin.load_state_dict({theirs: ours[name] for name, theirs in name_map(model.dims).items()}, strict=True)
    return twin.eval()


# "<|startoftranscript|>" (+ language, task for multilingual), then a few ordinary text tokens.
def _prompt(model: Whisper) -> torch.Tensor:
    start = [50257, 50362] if not model.is_multilingual else [50258, 50259, 50359, 50363]
    return torch.tensor([start + [843, 523, 11, 616, 7953, 3884]])


@pytest.mark.parametrize("fixture", ["tiny_en", "base"])
def test_logits_match_openai_whisper(fixture, request, jfk_mel):
    model = request.getfixturevalue(fixture)
    twin = _openai_twin(model)
    tokens = _prompt(model)
    with torch.no_grad():
        ours_audio = model.embed_audio(jfk_mel)
        theirs_audio = twin.embed_audio(jfk_mel)
        assert ours_audio.shape == (1, 1500, model.dims.n_audio_state)
        assert (ours_audio - theirs_audio).abs().max() < TOL
        ours = model.logits(tokens, ours_audio)
        theirs = twin.logits(tokens, theirs_audio)
    assert ours.dtype == torch.float32 and ours.shape == (1, tokens.shape[1], model.dims.n_vocab)
    assert (ours - theirs).abs().max() < TOL


@pytest.mark.parametrize("fixture", ["tiny_en", "base"])
def test_incremental_decoding_equals_full_pass(fixture, request, jfk_mel):
    model = request.getfixturevalue(fixture)
    tokens = _prompt(model)
    with torch.no_grad():
        audio = model.embed_audio(jfk_mel)
        full = model.logits(tokens, audio)
        cache = model.new_kv_cache()
        parts = [model.logits(tokens[:, :3], audio, cache)]  # a prompt of several tokens, then one by one
        assert cache.offset == 3
        parts += [model.logits(tokens[:, i : i + 1], audio, cache) for i in range(3, 6)]
        parts.append(model.logits(tokens[:, 6:], audio, cache))  # several tokens at an offset
    assert cache.offset == tokens.shape[1]
    assert (torch.cat(parts, dim=1) - full).abs().max() < TOL


def test_cross_attention_is_computed_once_per_audio(tiny_en, jfk_mel):
    with torch.no_grad():
        audio = tiny_en.embed_audio(jfk_mel)
        cache = tiny_en.new_kv_cache()
        tiny_en.logits(_prompt(tiny_en)[:, :2], audio, cache)
        first = cache.layers[0].cross_k
        tiny_en.logits(_prompt(tiny_en)[:, 2:3], audio, cache)
    assert cache.layers[0].cross_k is first
    assert cache.layers[0].self_k.shape[2] == 3


def test_reorder_selects_beams(tiny_en, jfk_mel):
    tokens = _prompt(tiny_en)
    with torch.no_grad():
        audio = tiny_en.embed_audio(jfk_mel).repeat(2, 1, 1)
        rows = torch.stack([tokens[0], tokens[0].roll(1)])
        full = tiny_en.logits(rows[[1, 1]], audio)
        cache = tiny_en.new_kv_cache()
        tiny_en.logits(rows[:, :-1], audio, cache)
        cache.reorder(torch.tensor([1, 1]))
        last = tiny_en.logits(rows[[1, 1], -1:], audio, cache)
    assert (last[:, 0] - full[:, -1]).abs().max() < TOL


def test_one_audio_shared_by_several_rows(tiny_en, jfk_mel):
    tokens = _prompt(tiny_en)
    rows = torch.stack([tokens[0], tokens[0].roll(1), tokens[0].roll(2)])
    with torch.no_grad():
        audio = tiny_en.embed_audio(jfk_mel)
        expected = tiny_en.logits(rows, audio.repeat(3, 1, 1))
        cache = tiny_en.new_kv_cache()
        head = tiny_en.logits(rows[:, :-1], audio, cache)
        cache.reorder(torch.tensor([0, 1, 2]))
        last = tiny_en.logits(rows[:, -1:], audio, cache)
        weights = tiny_en.cross_attention_weights(rows, audio)
    assert (torch.cat([head, last], 1) - expected).abs().max() < TOL
    assert weights[0].shape == (3, 6, tokens.shape[1], 1500)


def test_cross_attention_weights_shape_and_normalised(tiny_en, jfk_mel):
    tokens = _prompt(tiny_en)
    with torch.no_grad():
        weights = tiny_en.cross_attention_weights(tokens, tiny_en.embed_audio(jfk_mel))
    assert len(weights) == tiny_en.dims.n_text_layer
    for w in weights:
        assert w.shape == (1, tiny_en.dims.n_text_head, tokens.shape[1], 1500)
        assert torch.allclose(w.sum(-1), torch.ones(()), atol=1e-4)


def test_cross_attention_weights_match_openai(tiny_en, jfk_mel):
    twin = _openai_twin(tiny_en)
    tokens = _prompt(tiny_en)
    captured = []
    hooks = [b.cross_attn.register_forward_hook(lambda m, i, o: captured.append(o[1])) for b in twin.decoder.blocks]
    import whisper.model as ow

    with torch.no_grad(), ow.disable_sdpa():
        audio = tiny_en.embed_audio(jfk_mel)
        twin.logits(tokens, audio)
        ours = tiny_en.cross_attention_weights(tokens, audio)
    for hook in hooks:
        hook.remove()
    for mine, qk in zip(ours, captured):
        assert (mine - qk.float().softmax(-1)).abs().max() < 1e-4


def test_model_properties(tiny_en, base):
    assert not tiny_en.is_multilingual and tiny_en.num_languages == 99
    assert base.is_multilingual and base.num_languages == 99
    assert tiny_en.alignment_heads.shape == (4, 6) and tiny_en.alignment_heads.dtype == torch.bool
    assert tiny_en.alignment_heads.sum() == 8 and bool(tiny_en.alignment_heads[1, 0])
    assert tiny_en.device == torch.device("cpu") and tiny_en.dtype == torch.float32
    assert not any(p.requires_grad for p in tiny_en.parameters()) and not tiny_en.training


def test_causal_mask_with_offset():
    mask = causal_mask(2, 3, torch.device("cpu"))
    assert mask.tolist() == [[True] * 4 + [False], [True] * 5]
    assert causal_mask(1, 7, torch.device("cpu")) is None


def test_sinusoids_layout():
    table = sinusoids(1500, 384)
    assert table.shape == (1500, 384)
    assert torch.allclose(table[0], torch.cat([torch.zeros(192), torch.ones(192)]))


def test_new_cache_is_empty(tiny_en):
    cache = tiny_en.new_kv_cache()
    assert isinstance(cache, KVCache) and cache.offset == 0 and len(cache.layers) == 4


def test_shorter_audio_gives_fewer_positions(tiny_en, jfk_mel):
    with torch.no_grad():
        features = tiny_en.embed_audio(jfk_mel[:, :, :1000])
        full = tiny_en.embed_audio(jfk_mel)
        weights = tiny_en.cross_attention_weights(_prompt(tiny_en), features)
    assert features.shape == (1, 500, 384) and weights[0].shape[-1] == 500
    assert not torch.allclose(features, full[:, :500])  # attention sees the whole (shorter) window
    with pytest.raises(ValueError, match="30 s"):
        tiny_en.embed_audio(torch.zeros(1, 80, 3002))


def test_cross_keys_values_are_kept_per_features_tensor(tiny_en, jfk_mel):
    """Every temperature and the word-timing pass of a window reuse its keys/values; a new window never gets stale ones."""
    with torch.no_grad():
        features = tiny_en.embed_audio(jfk_mel)
        first = tiny_en.cross_keys_values(features)
        assert tiny_en.cross_keys_values(features) is first
        other = features.clone()  # equal values, another window: computed afresh
        assert tiny_en.cross_keys_values(other) is not first
        assert tiny_en.cross_keys_values(features) is not first  # only the latest tensor is kept


def test_the_cache_is_written_in_place_and_refuses_wrong_rows(tiny_en, jfk_mel):
    tokens = _prompt(tiny_en)
    with torch.no_grad():
        audio = tiny_en.embed_audio(jfk_mel)
        cache = tiny_en.new_kv_cache()
        tiny_en.logits(tokens[:, :2], audio, cache)
        buffer = cache.layers[0].keys
        tiny_en.logits(tokens[:, 2:3], audio, cache)
        assert cache.layers[0].keys is buffer and buffer.shape[2] == tiny_en.dims.n_text_ctx
        with pytest.raises(ValueError, match="reorder the cache first"):
            tiny_en.logits(tokens[:, 3:4].repeat(2, 1), audio, cache)


def test_reordering_beams_leaves_the_shared_start_sequence_in_place(tiny_en, jfk_mel):
    """Beam search only exchanges rows of one window, whose start sequence (prompt included) is one copy: those
    positions are not moved, the rest are; the next step's logits are those of the reordered rows."""
    tokens = _prompt(tiny_en)
    rows = torch.stack([tokens[0], tokens[0].clone()])
    rows[1, -2] = rows[0, -3]  # the rows part after the shared start
    shared = tokens.shape[1] - 2
    with torch.no_grad():
        audio = tiny_en.embed_audio(jfk_mel)
        expected = tiny_en.logits(rows[[1, 1]], audio)[:, -1]
        cache = tiny_en.new_kv_cache()
        tiny_en.logits(rows[:, :-1], audio, cache)
        cache.shared = shared
        layer = cache.layers[0]
        start_before = layer.keys[0, :, :shared].clone()
        layer.keys[1, :, :shared] = float("nan")  # would reach row 0 if the shared positions were copied
        cache.reorder(torch.tensor([1, 1]))
        assert torch.equal(layer.keys[0, :, :shared], start_before)
        layer.keys[1, :, :shared] = start_before  # put back: the positions are truly equal in a real search
        last = tiny_en.logits(rows[[1, 1], -1:], audio, cache)[:, -1]
    assert (last - expected).abs().max() < TOL


def test_the_encoder_s_residual_stream_is_contiguous(tiny_en, jfk_mel):
    """The convolutions' output is [B, state, frames]; read transposed, every residual add kept that strided
    layout and ran 10x slower than on a contiguous tensor (base: 5 ms an add, the encoder 259 -> 192 ms a
    window in int8) while the values are the same."""
    seen = []
    hooks = [layer.register_forward_pre_hook(lambda module, args: seen.append(args[0].is_contiguous()))
             for layer in tiny_en.encoder.layers]
    try:
        with torch.no_grad():
            tiny_en.embed_audio(jfk_mel)
    finally:
        for hook in hooks:
            hook.remove()
    assert seen == [True] * len(tiny_en.encoder.layers)
