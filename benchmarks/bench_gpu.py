"""Decoding throughput at the large models' shapes: ours (CUDA graphs, and without) beside openai-whisper and transformers.

Issue 12 asks for figures on a GPU at large-v3 and large-v3-turbo shapes, whose weights cannot travel to a lent
GPU machine (a 64 MiB transfer limit): every engine here gets randomly initialised weights of the real shapes,
in the same dtype, and does the same work per batch of windows: the encoder over ``--batch`` 30-s windows of
random log-mel input, the start sequence, then exactly ``--tokens`` greedy steps (argmax, end-of-text ignored,
so random weights cannot end a window early). Realtime factor = batch x 30 s / wall seconds, best of ``--runs``
after one warm-up run; the encoder alone is timed too.

Engines:
  subtitler        our model as the product decodes on that device (a CUDA device: the steps replayed as CUDA
                   graphs, subtitler.asr.graphed_step; elsewhere the ordinary step)
  subtitler-eager  ours with every step launched from Python (SUBTITLER_CUDA_GRAPHS=0)
  openai-whisper   whisper.model.Whisper with its key/value cache hooks (installed --no-deps, as the tests use it)
  transformers     WhisperForConditionalGeneration, SDPA attention, its own cache (only where transformers is installed)

``--check-logits`` loads the same random weights into our model on the CPU in float32 and compares the logits
of the first steps with the device's: the largest difference and whether the top token agrees.

    .venv/bin/python benchmarks/bench_gpu.py --device cuda --shapes large-v3 --batch 16 --tokens 100
    .venv/bin/python benchmarks/bench_gpu.py --device cuda --shapes large-v3-turbo --batch 64 --tokens 100
    .venv/bin/python benchmarks/bench_gpu.py --device cpu --dtype float32 --shapes tiny --batch 2 --tokens 8   # a check of the script
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from subtitler.asr.model import ModelDimensions, Whisper, sinusoids  # noqa: E402

# The released models' sizes (openai-whisper's checkpoints; turbo is large-v3 with four decoder layers).
SHAPES = {
    "tiny": ModelDimensions(80, 1500, 384, 6, 4, 51865, 448, 384, 6, 4),
    "base": ModelDimensions(80, 1500, 512, 8, 6, 51865, 448, 512, 8, 6),
    "large-v3": ModelDimensions(128, 1500, 1280, 20, 32, 51866, 448, 1280, 20, 32),
    "large-v3-turbo": ModelDimensions(128, 1500, 1280, 20, 32, 51866, 448, 1280, 20, 4),
}
ENGINES = ("subtitler", "subtitler-eager", "openai-whisper", "transformers")
START = (50258, 50259, 50360, 50364)  # <|startoftranscript|><|en|><|transcribe|><|notimestamps|> (large-v3's ids)
WINDOW_S = 30.0


def random_state(dims: ModelDimensions, seed: int = 0) -> dict[str, torch.Tensor]:
    """Weights of the real shapes in our names, drawn once (float32 on the CPU) and shared by every engine."""
    with torch.device("meta"):
        shapes = {name: tensor.shape for name, tensor in Whisper(dims).state_dict().items()}
    generator = torch.Generator().manual_seed(seed)
    state = {}
    for name, shape in shapes.items():
        if name == "encoder.positions":
            state[name] = sinusoids(*shape)
        elif name.endswith("norm.weight"):
            state[name] = torch.ones(shape)
        elif name.endswith("bias"):
            state[name] = torch.zeros(shape)
        else:
            state[name] = torch.randn(shape, generator=generator) * 0.02
    return state


def ours(dims: ModelDimensions, state: dict, device: str, dtype: torch.dtype, graphs: bool):
    """Our Whisper as the loader prepares it on ``device`` (fused projections), steps as the product runs them."""
    from subtitler.asr.graphed_step import cuda_graphs_wanted, decoding_steps
    from subtitler.asr.precision import prepare

    with torch.device("meta"):
        model = Whisper(dims)
    model.load_state_dict({k: v.to(device=device, dtype=dtype) for k, v in state.items()}, assign=True)
    model = prepare(model.eval().requires_grad_(False), {torch.float16: "float16", torch.bfloat16: "bfloat16"}.get(dtype, "float32"))
    model.step_mode = "graph" if graphs and cuda_graphs_wanted(model.device) else "eager"

    def run(mel: torch.Tensor, tokens: int) -> torch.Tensor:
        features = model.embed_audio(mel)
        cache = model.new_kv_cache()
        start = torch.tensor([START], device=mel.device).repeat(mel.shape[0], 1)
        logits = model.logits(start, features, cache, positions=(start.shape[1] - 1,))
        steps = decoding_steps(model)
        out = [logits[:, -1]]
        for _ in range(tokens):
            logits = steps(logits[:, -1].argmax(-1, keepdim=True), features, cache)
            out.append(logits[:, -1])
        return torch.stack(out, 1)
    return run, model.embed_audio


def openai_whisper(dims: ModelDimensions, state: dict, device: str, dtype: torch.dtype):
    import whisper.model as openai

    model = openai.Whisper(openai.ModelDimensions(**dims.__dict__))
    from subtitler.asr.weights_openai import openai_name

    model.load_state_dict({openai_name(name): tensor for name, tensor in state.items()}, strict=True)
    model = model.to(device=device, dtype=dtype).eval().requires_grad_(False)

    def run(mel: torch.Tensor, tokens: int) -> torch.Tensor:
        features = model.embed_audio(mel)
        cache, hooks = model.install_kv_cache_hooks()
        try:
            row = torch.tensor([START], device=mel.device).repeat(mel.shape[0], 1)
            logits = model.decoder(row, features, kv_cache=cache)
            out = [logits[:, -1]]
            for _ in range(tokens):
                logits = model.decoder(logits[:, -1].argmax(-1, keepdim=True), features, kv_cache=cache)
                out.append(logits[:, -1])
            return torch.stack(out, 1).float()
        finally:
            for hook in hooks:
                hook.remove()
    return run, model.embed_audio


def transformers_whisper(dims: ModelDimensions, state: dict, device: str, dtype: torch.dtype):
    from transformers import WhisperConfig, WhisperForConditionalGeneration

    config = WhisperConfig(vocab_size=dims.n_vocab, num_mel_bins=dims.n_mels, d_model=dims.n_audio_state,
                           encoder_layers=dims.n_audio_layer, encoder_attention_heads=dims.n_audio_head,
                           decoder_layers=dims.n_text_layer, decoder_attention_heads=dims.n_text_head,
                           encoder_ffn_dim=4 * dims.n_audio_state, decoder_ffn_dim=4 * dims.n_text_state,
                           max_source_positions=dims.n_audio_ctx, max_target_positions=dims.n_text_ctx)
    model = WhisperForConditionalGeneration._from_config(config, attn_implementation="sdpa")
    model = model.to(device=device, dtype=dtype).eval().requires_grad_(False)  # its own random weights: the same work

    def run(mel: torch.Tensor, tokens: int) -> torch.Tensor:
        encoded = model.model.encoder(mel.to(dtype))
        row = torch.tensor([START], device=mel.device).repeat(mel.shape[0], 1)
        output = model(encoder_outputs=encoded, decoder_input_ids=row, use_cache=True)
        out = [output.logits[:, -1]]
        for _ in range(tokens):
            output = model(encoder_outputs=encoded, decoder_input_ids=output.logits[:, -1].argmax(-1, keepdim=True),
                           past_key_values=output.past_key_values, use_cache=True)
            out.append(output.logits[:, -1])
        return torch.stack(out, 1).float()
    return run, lambda mel: model.model.encoder(mel.to(dtype)).last_hidden_state


def _timed(fn: Callable[[], object], device: str) -> float:
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    started = time.perf_counter()
    fn()
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return time.perf_counter() - started


def measure(engine: str, dims: ModelDimensions, state: dict, args) -> dict:
    dtype = getattr(torch, args.dtype)
    if engine == "subtitler":
        run, encode = ours(dims, state, args.device, dtype, graphs=True)
    elif engine == "subtitler-eager":
        run, encode = ours(dims, state, args.device, dtype, graphs=False)
    elif engine == "openai-whisper":
        run, encode = openai_whisper(dims, state, args.device, dtype)
    else:
        run, encode = transformers_whisper(dims, state, args.device, dtype)
    mel = torch.randn(args.batch, dims.n_mels, 2 * dims.n_audio_ctx, generator=torch.Generator().manual_seed(1))
    mel = mel.to(device=args.device, dtype=dtype)
    with torch.no_grad():
        run(mel, args.tokens)  # warm-up: kernels chosen, memory pools filled
        whole = min(_timed(lambda: run(mel, args.tokens), args.device) for _ in range(args.runs))
        encoder = min(_timed(lambda: encode(mel), args.device) for _ in range(args.runs))
    audio_s = args.batch * WINDOW_S
    return {"engine": engine, "seconds": whole, "rtf": audio_s / whole, "encoder_ms_per_window": 1000 * encoder / args.batch,
            "ms_per_step": 1000 * (whole - encoder) / (args.tokens + 1)}


def check_logits(dims: ModelDimensions, state: dict, args) -> dict:
    """The device's logits against our float32 model on the CPU, same weights, same input, first steps."""
    tokens = min(args.tokens, 8)
    mel = torch.randn(1, dims.n_mels, 2 * dims.n_audio_ctx, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        device_run, _ = ours(dims, state, args.device, getattr(torch, args.dtype), graphs=True)
        cpu_run, _ = ours(dims, state, "cpu", torch.float32, graphs=False)
        on_device = device_run(mel.to(device=args.device, dtype=getattr(torch, args.dtype)), tokens).float().cpu()
        on_cpu = cpu_run(mel, tokens)
    return {"max_abs_diff": float((on_device - on_cpu).abs().max()), "logit_scale": float(on_cpu.abs().max()),
            "top_token_agrees": float((on_device.argmax(-1) == on_cpu.argmax(-1)).float().mean())}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--dtype", default="float16", choices=("float16", "bfloat16", "float32"))
    parser.add_argument("--shapes", nargs="+", default=["large-v3", "large-v3-turbo"], choices=list(SHAPES))
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--tokens", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engines", nargs="+", default=list(ENGINES), choices=ENGINES)
    parser.add_argument("--check-logits", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if args.device == "cpu" and args.dtype == "float16":
        parser.error("--dtype float16 needs --device cuda; use float32 or bfloat16 on the CPU")
    results: dict = {"argv": sys.argv[1:] if argv is None else argv, "device": _device_name(args.device), "rows": []}
    print(f"{results['device']}, {args.dtype}, batch {args.batch}, {args.tokens} tokens a window, best of {args.runs}")
    print("| shapes | engine | RTF | s a batch | encoder ms a window | ms a step (batch) |")
    print("|---|---|---|---|---|---|")
    for shapes in args.shapes:
        dims = SHAPES[shapes]
        state = random_state(dims)
        for engine in args.engines:
            try:
                row = measure(engine, dims, state, args)
            except ImportError as error:
                print(f"| {shapes} | {engine} | not installed ({error.name}) | | | |")
                continue
            except RuntimeError as error:  # an engine that cannot run this dtype here (openai-whisper: bfloat16 on a CPU)
                print(f"| {shapes} | {engine} | failed: {str(error).splitlines()[0]} | | | |")
                continue
            row["shapes"] = shapes
            results["rows"].append(row)
            print(f"| {shapes} | {engine} | {row['rtf']:.0f} | {row['seconds']:.3f} | {row['encoder_ms_per_window']:.1f} | "
                  f"{row['ms_per_step']:.2f} |", flush=True)
        if args.check_logits:
            check = check_logits(dims, state, args)
            results.setdefault("logits", {})[shapes] = check
            print(f"{shapes}: {args.device} {args.dtype} against the CPU in float32: largest logit difference "
                  f"{check['max_abs_diff']:.4f} (logits up to {check['logit_scale']:.2f}), top token agrees on "
                  f"{100 * check['top_token_agrees']:.0f} % of steps")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return results


def _device_name(device: str) -> str:
    if device.startswith("cuda"):
        return f"{torch.cuda.get_device_name(torch.device(device))} (CUDA {torch.version.cuda}, torch {torch.__version__})"
    return f"CPU ({torch.get_num_threads()} threads, torch {torch.__version__})"


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    main()
