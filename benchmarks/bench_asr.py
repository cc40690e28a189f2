"""Speed, memory and accuracy of our Whisper beside openai-whisper and faster-whisper, from one run.

Every engine gets the same decoded audio (16-kHz float32 written once to a temporary folder),
the same model weights (the installed CTranslate2 packages; openai-whisper reads them converted
to its own .pt once), the same decoding settings (temperature 0 without fallback, greedy or beam
5, language given, previous text as prompt) and runs in a fresh process of its own, so that
start-up, import, model load and peak resident memory are its own. Runs alternate between the
engines (the order rotates every round) and the best of ``--runs`` rounds is kept.

Per (model, beam size, case, engine) the table gives
- RTF process: audio seconds per wall second of the whole process (interpreter start, imports,
  model load, transcription, exit); the figure a user waiting for a command sees;
- RTF decode: audio seconds per second of transcription alone (model loaded, audio in memory);
- load s: model load; import s: importing the engine; peak RSS MB: the process's peak;
- WER against the human references of ../shared/data (manifest.json; `kind` says which are human).

Cases: ``english`` (the five-clip English set of ../shared/PEERS.md), ``long`` (a ~10-minute file
built by joining every human-referenced English clip in shuffled rounds with pauses; its
reference is the joined references), ``words`` (the English set with word timestamps on) and
``long-words`` (the long file with word timestamps on: our default, and what a subtitle editor needs; our
speech gate times every window's words whether or not they are asked for, faster-whisper only when asked).
Engines: ``subtitler`` (our default: int8 on the CPU), ``subtitler-fp32`` (``--compute-type float32``,
openai-whisper's tokens), ``subtitler-int8`` (``--compute-type int8``), ``openai-whisper`` (float32), ``faster-whisper-int8``,
``faster-whisper-fp32``, ``faster-whisper-batched`` (its BatchedInferencePipeline, int8), and ours batched
(``subtitler-batched``, ``subtitler-int8-batched``: ``--batch-size``, subtitler.asr.batched), all batched
engines ``BATCH_SIZE`` chunks at once; "WER vs sequential" compares a batched engine's text with its own
sequential mode's. Usage (see benchmarks/README.md for the figures):

    .venv/bin/python benchmarks/bench_asr.py [--models tiny.en base] [--beams 1 5] [--cases english long words long-words]
        [--engines ...] [--runs 3] [--threads N] [--long-minutes 10] [--json results.json]

Figures from a machine shared with other work are only comparable within one run (the rounds
alternate so that load hits every engine alike); rerun on a quiet machine for absolute figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENGINES = ("subtitler", "subtitler-fp32", "subtitler-int8", "subtitler-batched", "subtitler-int8-batched", "openai-whisper",
           "faster-whisper-int8", "faster-whisper-fp32", "faster-whisper-batched")
CASES = ("english", "long", "words", "long-words")
# Each case's audio file and whether word timestamps are on.
CASE_FILES = {"english": ("english", False), "long": ("long", False), "words": ("english", True), "long-words": ("long", True)}
BATCH_SIZE = 8


# --- the worker: one engine, one case, in its own process --------------------------------------
# Imports here are the engine's own; nothing heavy is imported before the clock starts.

def _worker(engine: str, model: str, case: str, beam: int, data: Path, threads: int | None) -> dict:
    started = time.perf_counter()
    import numpy as np

    file, words = CASE_FILES[case]
    clips = np.load(data / f"{file}.npz")
    audios = [clips[name] for name in sorted(clips.files, key=lambda n: int(n.split("_")[0]))]
    language = None if model.endswith(".en") else "en"
    t0 = time.perf_counter()
    if engine.startswith("subtitler"):
        run, load_s, import_s = _ours(engine, model, beam, words, language, threads)
    elif engine == "openai-whisper":
        run, load_s, import_s = _openai(data, model, beam, words, language, threads)
    else:
        run, load_s, import_s = _faster(engine, data, model, beam, words, language, threads)
    t = time.perf_counter()
    texts = [run(audio) for audio in audios]
    decode_s = time.perf_counter() - t
    return {"texts": texts, "load_s": load_s, "import_s": import_s, "decode_s": decode_s,
            "setup_s": t0 - started, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _ours(engine: str, model: str, beam: int, words: bool, language: str | None, threads: int | None):
    t = time.perf_counter()
    from subtitler.asr.engine import load_engine
    from subtitler.asr.transcribe import TranscribeOptions

    import_s = time.perf_counter() - t
    t = time.perf_counter()
    compute_type = "int8" if "-int8" in engine else "float32" if "-fp32" in engine else "auto"
    ours = load_engine(model, device="cpu", compute_type=compute_type, threads=threads)
    load_s = time.perf_counter() - t
    options = TranscribeOptions(language=language, temperature=(0.0,), beam_size=beam if beam > 1 else None,
                                word_timestamps=words, batch_size=BATCH_SIZE if engine.endswith("-batched") else None)

    def run(audio) -> str:
        return "".join(s.text for s in ours.transcribe(audio, options))
    return run, load_s, import_s


def _openai(data: Path, model: str, beam: int, words: bool, language: str | None, threads: int | None):
    t = time.perf_counter()
    import torch
    import whisper

    import_s = time.perf_counter() - t
    if threads:
        torch.set_num_threads(threads)
    t = time.perf_counter()
    m = whisper.load_model(str(data / f"openai-{model}.pt"), device="cpu")
    m.set_alignment_heads((data / f"openai-{model}.heads").read_bytes())
    load_s = time.perf_counter() - t

    def run(audio) -> str:
        result = whisper.transcribe(m, audio, temperature=0.0, beam_size=beam if beam > 1 else None,
                                    language=language or "en", fp16=False, word_timestamps=words)
        return result["text"]
    return run, load_s, import_s


def _faster(engine: str, data: Path, model: str, beam: int, words: bool, language: str | None, threads: int | None):
    t = time.perf_counter()
    from faster_whisper import BatchedInferencePipeline, WhisperModel

    import_s = time.perf_counter() - t
    t = time.perf_counter()
    fw = WhisperModel(str(data / f"ct2-{model}"), device="cpu", compute_type="float32" if engine.endswith("fp32") else "int8",
                      cpu_threads=threads or os.cpu_count() or 1)
    load_s = time.perf_counter() - t
    if engine.endswith("batched"):
        pipeline = BatchedInferencePipeline(fw)

        def run(audio) -> str:
            segments, _ = pipeline.transcribe(audio, batch_size=BATCH_SIZE, beam_size=beam, temperature=0.0,
                                              language=language or "en", word_timestamps=words)
            return "".join(s.text for s in segments)
        return run, load_s, import_s

    def run(audio) -> str:
        segments, _ = fw.transcribe(audio, beam_size=beam, temperature=0.0, language=language or "en",
                                    word_timestamps=words)
        return "".join(s.text for s in segments)
    return run, load_s, import_s


# --- preparation: the same audio and weights for everyone ---------------------------------------

def prepare(data: Path, models: list[str], long_minutes: float) -> dict[str, list[str]]:
    """Write english.npz and long.npz, the openai .pt and single-file CTranslate2 folders; return references."""
    import numpy as np

    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(HERE.parent))
    from asr_clips import ENGLISH_SET, HUMAN_ENGLISH, load_clip

    english = [load_clip(n) for n in ENGLISH_SET]
    np.savez(data / "english.npz", **{f"{i}_{c.name}": c.audio for i, c in enumerate(english)})
    long_audio, long_text = long_form([load_clip(n) for n in HUMAN_ENGLISH], long_minutes * 60)
    np.savez(data / "long.npz", **{"0_long": long_audio})
    for model in models:
        _write_openai_checkpoint(model, data)
        _write_ct2_folder(model, data / f"ct2-{model}")
    refs = [c.reference for c in english]
    return {"english": refs, "words": refs, "long": [long_text], "long-words": [long_text]}


def long_form(clips, seconds: float, seed: int = 12):
    """The clips in shuffled rounds with 0.5-1.5 s pauses until ``seconds`` of audio: (audio, reference)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    parts, texts, total = [], [], 0.0
    while total < seconds:
        for index in rng.permutation(len(clips)):
            clip = clips[index]
            pause = np.zeros(int(rng.uniform(0.5, 1.5) * 16000), np.float32)
            parts += [pause, clip.audio]
            texts.append(clip.reference)
            total += (len(pause) + len(clip.audio)) / 16000
    return np.concatenate(parts), " ".join(texts)


def model_dir(name: str) -> Path:
    from subtitler.asr.models import find_model

    return find_model(name)


def _write_openai_checkpoint(model: str, data: Path) -> None:
    """openai-whisper's own checkpoint format, so that its load time is its own loader's."""
    import base64
    import dataclasses
    import gzip

    import numpy as np
    import torch

    from subtitler.asr.weights import read_checkpoint
    from subtitler.asr.weights_openai import openai_name

    checkpoint = read_checkpoint(model_dir(model))
    state = {openai_name(k): v.float() if k == "encoder.positions" else v.to(torch.float16)
             for k, v in checkpoint.state_dict.items()}
    torch.save({"dims": dataclasses.asdict(checkpoint.dims), "model_state_dict": state}, data / f"openai-{model}.pt")
    mask = np.zeros((checkpoint.dims.n_text_layer, checkpoint.dims.n_text_head), dtype=bool)
    for layer, head in checkpoint.alignment_heads:
        mask[layer, head] = True
    (data / f"openai-{model}.heads").write_bytes(base64.b85encode(gzip.compress(mask.tobytes())))


def openai_whisper_model(model: str):
    """openai-whisper's own model class holding our checkpoint's weights in float32, with its alignment heads.

    For benchmarks that run openai-whisper in their own process beside ours (bench_accuracy, bench_words)."""
    import dataclasses

    import torch
    from whisper.model import ModelDimensions, Whisper

    from subtitler.asr.weights import read_checkpoint
    from subtitler.asr.weights_openai import openai_name

    checkpoint = read_checkpoint(model_dir(model))
    reference = Whisper(ModelDimensions(**dataclasses.asdict(checkpoint.dims)))
    reference.load_state_dict({openai_name(k): v.float() for k, v in checkpoint.state_dict.items()}, strict=True)
    mask = torch.zeros(checkpoint.dims.n_text_layer, checkpoint.dims.n_text_head, dtype=torch.bool)
    for layer, head in checkpoint.alignment_heads:
        mask[layer, head] = True
    reference.register_buffer("alignment_heads", mask.to_sparse(), persistent=False)
    return reference.eval()


def ct2_single_dir(model: str) -> Path:
    """A folder faster-whisper can load (bench_words uses it): the model's own, or its parts joined in a temporary one."""
    folder = model_dir(model)
    if (folder / "model.bin").is_file():
        return folder
    out = Path(tempfile.mkdtemp(prefix=f"bench-{model}-"))
    _write_ct2_folder(model, out)
    return out


def _write_ct2_folder(model: str, out: Path) -> None:
    """faster-whisper wants one model.bin: split packages are joined."""
    from subtitler.asr.weights_ct2 import part_files

    folder = model_dir(model)
    out.mkdir(exist_ok=True)
    first = folder / "model.bin" if (folder / "model.bin").is_file() else folder / "model.bin.part1"
    with open(out / "model.bin", "wb") as dst:
        for part in part_files(first):
            dst.write(part.read_bytes())
    for extra in ("config.json", "tokenizer.json", "vocabulary.txt", "preprocessor_config.json"):
        if (folder / extra).is_file():
            (out / extra).write_bytes((folder / extra).read_bytes())


# --- the driver -----------------------------------------------------------------------------------

def run_worker(engine: str, model: str, case: str, beam: int, data: Path, threads: int | None) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", engine, model, case, str(beam), str(data)]
    if threads:
        cmd += ["--threads", str(threads)]
    env = dict(os.environ, PYTHONPATH=str(HERE.parent))
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        return {"error": proc.stderr[-3000:]}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["process_s"] = wall
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=["tiny.en", "base"])
    parser.add_argument("--engines", nargs="+", default=list(ENGINES), choices=ENGINES)
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=CASES)
    parser.add_argument("--beams", nargs="+", type=int, default=[1, 5])
    parser.add_argument("--runs", type=int, default=3, help="rounds; the best of them is kept")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for every engine (default: ours chooses; the peers get one per core)")
    parser.add_argument("--long-minutes", type=float, default=10.0)
    parser.add_argument("--json", type=Path, help="write every run's figures here")
    parser.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        engine, model, case, beam, data = args.worker
        print(json.dumps(_worker(engine, model, case, int(beam), Path(data), args.threads)))
        return
    with tempfile.TemporaryDirectory(prefix="bench-asr-") as tmp:
        data = Path(tmp)
        refs = prepare(data, args.models, args.long_minutes)
        seconds = _durations(data)
        results = measure(args, data)
    rows = summarise(results, refs, seconds)
    print_table(rows)
    if args.json:
        args.json.write_text(json.dumps({"argv": sys.argv[1:], "rows": rows, "runs": results}, indent=1))


def _durations(data: Path) -> dict[str, float]:
    import numpy as np

    out = {}
    for case, (file, _) in CASE_FILES.items():
        with np.load(data / f"{file}.npz") as clips:
            out[case] = sum(len(clips[n]) for n in clips.files) / 16000
    return out


def measure(args, data: Path) -> list[dict]:
    """Every (model, beam, case) with every engine, ``runs`` rounds, the engine order rotated each round."""
    results = []
    configs = [(m, b, c) for m in args.models for b in args.beams for c in args.cases]
    for round_index in range(args.runs):
        for model, beam, case in configs:
            engines = args.engines[round_index % len(args.engines):] + args.engines[: round_index % len(args.engines)]
            for engine in engines:
                result = run_worker(engine, model, case, beam, data, args.threads)
                result.update(engine=engine, model=model, case=case, beam=beam, round=round_index)
                results.append(result)
                status = "failed: " + result["error"].strip().splitlines()[-1] if "error" in result else \
                    f"{result['process_s']:.1f} s process, {result['decode_s']:.1f} s decode"
                print(f"round {round_index + 1}: {model} beam {beam} {case} {engine}: {status}", file=sys.stderr, flush=True)
    return results


def summarise(results: list[dict], refs: dict[str, list[str]], seconds: dict[str, float]) -> list[dict]:
    """Best round per configuration, with WER (and batched against sequential on the same engine family)."""
    sys.path.insert(0, str(HERE))
    from asr_clips import wer

    best: dict[tuple, dict] = {}
    for r in results:
        if "error" in r:
            continue
        key = (r["model"], r["beam"], r["case"], r["engine"])
        kept = best.setdefault(key, dict(r))
        for field in ("process_s", "decode_s", "load_s", "import_s", "peak_rss_mb"):
            kept[field] = min(kept[field], r[field])
    rows = []
    for (model, beam, case, engine), r in best.items():
        audio = seconds[case]
        row = {"model": model, "beam": beam, "case": case, "engine": engine, "audio_s": audio,
               "rtf_process": audio / r["process_s"], "rtf_decode": audio / r["decode_s"], "load_s": r["load_s"],
               "import_s": r["import_s"], "peak_rss_mb": r["peak_rss_mb"], "wer": wer(refs[case], r["texts"]),
               "texts": r["texts"]}
        sequential = best.get((model, beam, case, engine.replace("-batched", "-int8" if "faster" in engine else "")))
        if engine.endswith("-batched") and sequential is not None:
            row["wer_vs_sequential"] = wer(sequential["texts"], r["texts"])
        rows.append(row)
    order = {e: i for i, e in enumerate(ENGINES)}
    rows.sort(key=lambda r: (r["model"], r["beam"], CASES.index(r["case"]), order[r["engine"]]))
    return rows


def print_table(rows: list[dict]) -> None:
    print("| model | beam | case | engine | RTF process | RTF decode | load s | import s | peak RSS MB | WER | WER vs sequential |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        vs = f"{r['wer_vs_sequential']:.3f}" if "wer_vs_sequential" in r else "–"
        print(f"| {r['model']} | {r['beam']} | {r['case']} | {r['engine']} | {r['rtf_process']:.1f} | {r['rtf_decode']:.1f} | "
              f"{r['load_s']:.2f} | {r['import_s']:.2f} | {r['peak_rss_mb']:.0f} | {r['wer']:.3f} | {vs} |", flush=True)


if __name__ == "__main__":
    main()
