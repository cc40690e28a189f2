"""Compute types: the choice per device, int8 layers against float ones, fused projections, and an
int8 model through the product's path (load_engine -> transcribe, word timestamps on)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from subtitler.asr.audio import log_mel_spectrogram, pad_or_trim
from subtitler.asr.precision import fuse_projections, resolve_compute_type
from subtitler.asr.quantize import Int8Linear, RescoredProjection, int8_supported, quantise_rows, top_indices
from subtitler.asr.weights import load_model
from subtitler.errors import ModelError
from tests.asr.clips import load_clip

needs_int8 = pytest.mark.skipif(not int8_supported(), reason="this torch build has no FBGEMM int8 kernels")


@pytest.fixture(scope="module")
def jfk_mel(data_dir: Path) -> torch.Tensor:
    """[1, 80, 3000]: the first window of jfk.flac."""
    return pad_or_trim(log_mel_spectrogram(load_clip(data_dir / "jfk.flac")), 3000).unsqueeze(0)


def test_auto_is_int8_on_the_cpu_and_float16_on_a_gpu(monkeypatch) -> None:
    """int8 is the CPU default (at float32's word error rate on the accuracy benchmark), float32 where
    torch lacks the int8 kernels; the reference (float32) is there when asked for."""
    assert resolve_compute_type("auto", "cpu") == ("int8" if int8_supported() else "float32")
    monkeypatch.setattr("subtitler.asr.quantize.int8_supported", lambda: False)
    assert resolve_compute_type("auto", "cpu") == "float32"
    assert resolve_compute_type("auto", "cuda") == "float16"
    assert resolve_compute_type("auto", "cuda:1") == "float16"
    assert resolve_compute_type("float32", "cpu") == "float32"


def test_the_dialog_s_hardware_line_names_what_auto_runs_on_the_cpu(monkeypatch) -> None:
    """The Transcribe dialog said "float32" under Automatic after the CPU default became int8."""
    from subtitler.asr.engine import hardware_summary

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert hardware_summary()[1].endswith(f"threads, {resolve_compute_type('auto', 'cpu')})")


@pytest.mark.parametrize("compute_type, device, needle", [
    ("int8", "cuda", "CPU only"),
    ("float16", "cpu", "GPU only"),
    ("int4", "cpu", "unknown"),
])
def test_pairs_that_cannot_run_are_the_users_error(compute_type: str, device: str, needle: str) -> None:
    with pytest.raises(ModelError, match=needle):
        resolve_compute_type(compute_type, device)


def test_rows_are_quantised_symmetrically_within_half_a_step() -> None:
    weight = torch.randn(300, 64) * torch.linspace(0.01, 3.0, 300)[:, None]  # very different row ranges
    q, scale = quantise_rows(weight.half(), block_rows=128)  # blocks and a float16 source, as at load
    assert q.dtype == torch.int8 and int(q.abs().max()) == 127
    error = (q.float() * scale[:, None] - weight.half().float()).abs()
    assert bool((error <= scale[:, None] / 2 + 1e-6).all())


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32])
def test_row_scales_found_in_the_checkpoint_s_dtype_give_float32_s_int8_values(dtype: torch.dtype) -> None:
    """The largest magnitude of each row is found in the checkpoint's own dtype (exact there, half the bytes read):
    the int8 values and scales must be those of the whole computation in float32, and a float32 checkpoint must
    not be changed in place."""
    torch.manual_seed(2)
    weight = (torch.randn(700, 96) * torch.linspace(1e-3, 2.0, 700)[:, None]).to(dtype)
    weight[5] = 0.0  # a row of zeros keeps its tiny scale
    original = weight.clone()
    q, scale = quantise_rows(weight, block_rows=256)
    wide = weight.float()
    expected_scale = wide.abs().amax(dim=1).clamp(min=1e-12) / 127.0
    assert torch.equal(scale, expected_scale)
    assert torch.equal(q, (wide / expected_scale[:, None]).round().to(torch.int8))
    assert torch.equal(weight, original)


@needs_int8
def test_int8_linear_is_close_to_the_float_product() -> None:
    torch.manual_seed(0)
    weight, bias = torch.randn(384, 512) / 20, torch.randn(384)
    x = torch.randn(3, 7, 512)
    expected = torch.nn.functional.linear(x, weight, bias)
    got = Int8Linear.from_float(weight, bias)(x)
    assert got.shape == expected.shape
    relative = (got - expected).norm() / expected.norm()
    assert relative < 0.02, relative


@needs_int8
def test_the_rescored_projection_gives_the_top_tokens_their_exact_logits() -> None:
    """The int8 vocabulary projection's highest logits are recomputed from the float16 matrix."""
    torch.manual_seed(2)
    embedding = (torch.randn(5000, 64) / 8).half()
    x = torch.randn(3, 2, 64)
    exact = x @ embedding.float().T
    projection = RescoredProjection(Int8Linear.from_float(embedding), embedding, top=16)
    got = projection(x)
    assert got.shape == exact.shape and got.dtype == torch.float32
    top = exact.topk(5, dim=-1).indices  # the int8 ranking finds the true top five among its top 16
    assert torch.allclose(got.gather(-1, top), exact.gather(-1, top), atol=1e-5)
    assert not torch.equal(got, exact)  # the rest stays int8's (approximate) product
    assert (got - exact).abs().max() < 0.05 * exact.abs().max()


def test_attention_over_bfloat16_keys_keeps_its_scores_in_float32() -> None:
    """An earlier attempt held the cross-attention keys/values in bfloat16 and multiplied them by plain products,
    whose scores came out rounded to bfloat16 (relative error 0.02 of the output), and base wrote jfk's "ask not
    what your" twice in programme 3 (commit 7f5841a took it back). The attention kernel accumulates the scores
    and the softmax in float32 and rounds only the probabilities: 0.002, what float32 scores with bfloat16
    probabilities give."""
    from subtitler.asr.model import Attention

    torch.manual_seed(0)
    attention = Attention(384, 6).eval()
    q = (torch.randn(2, 6, 1, 64) * 2).bfloat16().float()
    k, v = (torch.randn(1, 6, 1500, 64) * 2).bfloat16(), torch.randn(1, 6, 1500, 64).bfloat16()
    with torch.no_grad():
        got = attention.attend(q, k, v, None)  # two rows (beams) over one window's keys, as decoding calls it
        reference = attention.attend(q, k.float(), v.float(), None)
    assert got.dtype == torch.float32
    assert float((got - reference).norm() / reference.norm()) < 0.006


@pytest.mark.parametrize("packed", [True, False])
def test_a_bfloat16_layer_gives_the_plain_bfloat16_product_for_any_rows(monkeypatch, packed: bool) -> None:
    """Where oneDNN computes bfloat16, the layer holds its weights packed once for the rows it usually sees (a plain
    bfloat16 product repacked them on every call: 2-3x slower for a decoding step's single row). Packed for one row
    or for a window's 1,500, it must give the plain product for every shape the model passes: a step's row, five
    beams, a prompt, a whole window, and a column view; and otherwise fall back to the plain product."""
    import torch.nn.functional as F

    from subtitler.asr import quantize

    if packed and not quantize.onednn_bfloat16():
        pytest.skip("this torch build or CPU has no oneDNN bfloat16 linear (the plain product runs instead)")
    monkeypatch.setattr(quantize, "onednn_bfloat16", lambda: packed)
    torch.manual_seed(1)
    weight, bias = torch.randn(384, 1536) * 0.05, torch.randn(384)
    for rows in (1, 1500):
        layer = quantize.BFloat16Linear(weight, bias, rows)
        assert (layer._packed is not None, layer.weight is None) == (packed, packed)
        for x in (torch.randn(1, 1, 1536), torch.randn(5, 1, 1536), torch.randn(1, 225, 1536), torch.randn(1, 1500, 1536),
                  torch.randn(1536, 3).T):
            plain = F.linear(x.bfloat16(), weight.bfloat16(), bias.bfloat16()).float()
            got = layer(x)
            assert got.dtype == torch.float32 and got.shape == plain.shape
            assert torch.allclose(got, plain, rtol=2 ** -7, atol=1e-2)  # at most the last bit of a bfloat16 sum


def test_a_bfloat16_layer_that_onednn_declines_keeps_its_plain_weights(monkeypatch) -> None:
    """A packing oneDNN refuses (a shape or a build it does not handle) leaves the plain bfloat16 product."""
    from subtitler.asr import quantize

    def decline(*args):
        raise RuntimeError("unsupported")

    monkeypatch.setattr(quantize, "onednn_bfloat16", lambda: True)
    monkeypatch.setattr(torch.ops.mkldnn, "_reorder_linear_weight", decline)
    weight = torch.randn(8, 16)
    layer = quantize.BFloat16Linear(weight, None)
    assert layer._packed is None and layer.weight.dtype == torch.bfloat16
    x = torch.randn(2, 16)
    assert torch.equal(layer(x), (x.bfloat16() @ weight.bfloat16().T).float())


@pytest.mark.slow
@needs_int8
@pytest.mark.parametrize("native", [True, False])
def test_the_int8_encoder_computes_its_sublayers_in_bfloat16_where_its_products_are(
        tiny_en_dir: Path, tiny_en, jfk_mel, monkeypatch, native: bool) -> None:
    """On a CPU with native bfloat16 the encoder's products are bfloat16, and its attention and GELU run in it
    too (one conversion into each sublayer, one out); the residual stream stays float32, and the features stay
    as close to float32's as with only the products in bfloat16 (relative error 0.0074 either way on jfk)."""
    from subtitler.asr import quantize

    monkeypatch.setattr(quantize, "native_bfloat16", lambda: native)
    model = load_model(tiny_en_dir, compute_type="int8")
    expected = torch.bfloat16 if native else None
    assert [layer.inner_dtype for layer in model.encoder.layers] == [expected] * len(model.encoder.layers)
    with torch.no_grad():
        reference, got = tiny_en.embed_audio(jfk_mel), model.embed_audio(jfk_mel)
    assert got.dtype == torch.float32
    assert float((got - reference).norm() / reference.norm()) < (0.012 if native else 1e-5)


@pytest.mark.slow
@needs_int8
@pytest.mark.parametrize("native", [True, False])
def test_the_int8_decoder_attends_to_the_audio_in_bfloat16_where_its_keys_are(
        tiny_en_dir: Path, jfk_mel, monkeypatch, native: bool) -> None:
    """Where the cross-attention's k|v product is bfloat16 (native bfloat16), its keys/values are held and
    attended in bfloat16: they lose nothing in the holding, and each step's attention over the 1,500 frames is
    2-2.5x faster. Beam rows, the next-token distribution and the alignment scores stay float32's to within
    bfloat16 rounding of the query and of the attention's output."""
    from subtitler.asr import quantize

    monkeypatch.setattr(quantize, "native_bfloat16", lambda: native)
    model = load_model(tiny_en_dir, compute_type="int8")
    assert model.cross_dtype == (torch.bfloat16 if native else None)
    tokens = torch.tensor([[50257, 50362, 843, 523, 616, 3397], [50257, 50362, 843, 523, 616, 1400]])

    def steps(features: torch.Tensor) -> torch.Tensor:
        """A prompt, then token by token, two rows (beams) over one window's keys: as decoding calls it."""
        cache = model.new_kv_cache()
        rows = [model.logits(tokens[:, :3], features, cache)]
        rows += [model.logits(tokens[:, i:i + 1], features, cache) for i in range(3, tokens.shape[1])]
        return torch.cat(rows, dim=1).log_softmax(-1)

    with torch.no_grad():
        features = model.embed_audio(jfk_mel)
        got = steps(features)
        held = [(k.dtype, v.dtype, k.is_contiguous()) for k, v in model.cross_keys_values(features)]
        _, scores = model.logits_and_alignment_scores(tokens[:1], features)
        model.cross_dtype = None  # the same model holding them in float32
        model._cross_memo = type(model._cross_memo)()
        reference = steps(features)
        _, reference_scores = model.logits_and_alignment_scores(tokens[:1], features)
    dtype = torch.bfloat16 if native else torch.float32
    assert held == [(dtype, dtype, True)] * len(model.decoder.layers)
    assert got.dtype == torch.float32 and scores.dtype == torch.float32
    kl = (reference.exp() * (reference - got)).sum(-1)
    assert float(kl.max()) < (4e-3 if native else 1e-6), kl
    error = float((scores - reference_scores).norm() / reference_scores.norm())
    assert error < (0.02 if native else 1e-6), error


@pytest.mark.slow
@needs_int8
def test_int8_follows_float32_s_next_token_distribution_on_speech(tiny_en_dir: Path, tiny_en, tiny_en_tokenizer,
                                                                  data_dir: Path) -> None:
    """Step by step, as decoding runs, int8's next-token distribution stays close to float32's.

    Fails with every layer but fc2 in int8 and the vocabulary unrescored (mean KL 0.0026-0.0032 on
    these clips, at worst 0.022-0.029): that int8 lost whole phrases of long programmes that float32
    kept (benchmarks/README.md). Teacher-forced on float32's own greedy tokens.
    """
    from subtitler.asr.decoding import DecodingOptions, decode

    model = load_model(tiny_en_dir, compute_type="int8")
    for clip in ("LDC93S1.wav", "mfa_cold_corpus.wav"):
        mel = pad_or_trim(log_mel_spectrogram(load_clip(data_dir / clip)), 3000).unsqueeze(0)
        with torch.no_grad():
            tokens = decode(tiny_en, tiny_en_tokenizer, mel, DecodingOptions())[0].tokens
            sequence = torch.tensor([[50257, 50362, *tokens]])
            reference = tiny_en.logits(sequence, tiny_en.embed_audio(mel))[0, 1:-1].log_softmax(-1)
            cache, features = model.new_kv_cache(), model.embed_audio(mel)
            steps = [model.logits(sequence[:, :2], features, cache)[0, -1:]]
            steps += [model.logits(sequence[:, i:i + 1], features, cache)[0] for i in range(2, sequence.shape[1] - 1)]
            got = torch.cat(steps).log_softmax(-1)
        kl = (reference.exp() * (reference - got)).sum(-1)
        assert len(kl) >= 10
        assert kl.mean() < 0.0012 and kl.max() < 0.012, (clip, float(kl.mean()), float(kl.max()))


@pytest.mark.slow
def test_fused_projections_compute_the_same_logits(tiny_en_dir: Path, jfk_mel) -> None:
    """The fusing every non-reference type uses (int8, float16, bfloat16) changes no result, only the products."""
    plain, fused = load_model(tiny_en_dir), load_model(tiny_en_dir)
    fuse_projections(fused)
    assert fused.decoder.layers[0].attn.qkv is not None and not hasattr(fused.decoder.layers[0].attn, "q")
    tokens = torch.tensor([[50257, 50362, 843, 523]])
    with torch.no_grad():
        features = plain.embed_audio(jfk_mel)
        assert (fused.embed_audio(jfk_mel) - features).abs().max() < 1e-3
        expected = plain.logits(tokens, features)
        cache = fused.new_kv_cache()
        got = torch.cat([fused.logits(tokens[:, :3], features, cache), fused.logits(tokens[:, 3:], features, cache)], 1)
    assert (got - expected).abs().max() < 1e-3


def test_the_cpu_projection_matrix_is_stored_for_a_contiguous_product(tiny_en_dir: Path, jfk_mel) -> None:
    """x @ E.T, the vocabulary projection, runs on a contiguous E.T on the CPU (the BLAS's fast few-row
    product), with the lookups and the logits unchanged."""
    model = load_model(tiny_en_dir)
    weight = model.decoder.token_embedding.weight
    assert weight.shape == (model.dims.n_vocab, model.dims.n_text_state) and weight.T.is_contiguous()
    row_major = weight.detach().contiguous()
    tokens = torch.tensor([[50257, 50362, 843, 523]])
    with torch.no_grad():
        assert torch.equal(model.decoder.token_embedding(tokens), row_major[tokens])
        x = torch.randn(5, 1, model.dims.n_text_state)
        assert (model.decoder.project(x) - model.decoder.norm(x) @ row_major.T).abs().max() < 1e-4


@pytest.mark.slow
@pytest.mark.parametrize("compute_type", [pytest.param("int8", marks=needs_int8), "bfloat16"])
def test_low_precision_model_agrees_with_float32_on_the_next_token(tiny_en_dir: Path, tiny_en, jfk_mel,
                                                                   compute_type: str) -> None:
    """int8 (the CPU's fast type) and bfloat16 (the half-precision path a GPU's float16 also takes)."""
    model = load_model(tiny_en_dir, compute_type=compute_type)
    assert model.compute_type == compute_type
    assert (compute_type == "int8") == any(isinstance(m, Int8Linear) for m in model.modules())
    # " And so my fellow Americans" after the start sequence: the float32 top token at every position
    tokens = torch.tensor([[50257, 50362, 843, 523, 616, 5891, 7840]])
    with torch.no_grad():
        reference = tiny_en.logits(tokens, tiny_en.embed_audio(jfk_mel))
        cache = model.new_kv_cache()
        features = model.embed_audio(jfk_mel)
        got = torch.cat([model.logits(tokens[:, :4], features, cache), model.logits(tokens[:, 4:], features, cache)], 1)
    assert got.dtype == torch.float32
    assert torch.equal(got.argmax(-1), reference.argmax(-1))
    assert (got.softmax(-1) - reference.softmax(-1)).abs().max() < 0.05


@pytest.mark.slow
@needs_int8
def test_int8_engine_transcribes_with_word_timestamps(data_dir: Path) -> None:
    """The product's path: load_engine with --compute-type int8, default options (word timestamps on)."""
    from subtitler.asr.engine import load_engine
    from subtitler.media.decode import decode_audio

    engine = load_engine("tiny.en", device="cpu", compute_type="int8")
    assert engine.compute_type == "int8"
    segments = list(engine.transcribe(decode_audio(data_dir / "jfk.flac")))
    text = "".join(s.text for s in segments).lower()
    assert "ask not what your country can do for you" in text
    words = [w for s in segments for w in s.words]
    assert len(words) >= 20
    assert all(0 <= w.start <= w.end <= 11.1 for w in words)
    assert [w.start for w in words] == sorted(w.start for w in words)
    assert "".join(w.word for w in words) == "".join(s.text for s in segments)


@pytest.mark.parametrize("shape", [(1, 1, 51864), (5, 1, 51865), (3, 51865), (2, 4096), (1, 100), (2, 64 * 70 + 5)])
def test_top_indices_are_topk_s_set(shape: tuple[int, ...]) -> None:
    """The rescoring's candidates: the same set as topk's, whole blocks, a partial last block, rows too short to block."""
    generator = torch.Generator().manual_seed(sum(shape))
    for _ in range(20):
        values = torch.randn(*shape, generator=generator)
        values[..., -1] = values.max() + 1  # the partial last block holds the largest value
        k = min(64, shape[-1] // 2)
        got, expected = top_indices(values, k), values.topk(k, dim=-1).indices
        assert got.shape == expected.shape
        assert torch.equal(got.sort(dim=-1).values, expected.sort(dim=-1).values)
    peaked = torch.zeros(1, 51865)
    peaked[0, 4096:4096 + 64] = torch.arange(64, dtype=torch.float32) + 1  # all k in one block
    assert sorted(top_indices(peaked, 64)[0].tolist()) == list(range(4096, 4160))


@pytest.mark.slow
@pytest.mark.parametrize("compute_type", [pytest.param("int8", marks=needs_int8), "bfloat16"])
def test_a_decoding_step_takes_the_short_path_with_the_same_logits(tiny_en_dir: Path, jfk_mel, monkeypatch,
                                                                    compute_type: str) -> None:
    """One new token per row with a cache goes through DecoderLayer.step (fewer Python steps than forward): for one
    row, for five beams sharing one window's audio and for two rows each with its own audio, every step's logits
    must equal forward's exactly."""
    from subtitler.asr.model import DecoderLayer

    model = load_model(tiny_en_dir, compute_type=compute_type)
    with torch.no_grad():
        features = model.embed_audio(jfk_mel.to(model.dtype))
    start = [50257, 50362, 50363]  # start of transcript, transcribe, no timestamps
    steps = [[440], [2068], [7586], [21831], [11]]  # " And so my fellow Americans,"-like tokens
    calls = []
    short = DecoderLayer.step

    def counted(self, *args):
        calls.append(1)
        return short(self, *args)

    def run(rows: int, audio: torch.Tensor) -> list[torch.Tensor]:
        cache = model.new_kv_cache()
        with torch.no_grad():
            out = [model.logits(torch.tensor([start] * rows), audio, cache)[:, -1]]
            out += [model.logits(torch.tensor([token] * rows), audio, cache)[:, -1] for token in steps]
        return out

    cases = [(1, features), (5, features), (2, features.repeat(2, 1, 1))]
    monkeypatch.setattr(DecoderLayer, "step", counted)
    fast = [run(rows, audio) for rows, audio in cases]
    assert len(calls) == len(cases) * len(steps) * len(model.decoder.layers)
    monkeypatch.setattr(DecoderLayer, "step", lambda self, x, cross_kv, cache: DecoderLayer.forward(self, x, cross_kv, None, cache))
    slow = [run(rows, audio) for rows, audio in cases]
    for got, expected in zip(fast, slow):
        assert all(torch.equal(a, b) for a, b in zip(got, expected))
