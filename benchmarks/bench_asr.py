"""Speed, memory and accuracy of our Whisper beside openai-whisper and faster-whisper, on ../shared/data.

Each engine runs in its own process (so peak RSS is its own), greedy at temperature 0,
best of three runs, decoding of the audio excluded, model load timed separately, as in
../shared/PEERS.md. Usage:

    .venv/bin/python benchmarks/bench_asr.py [--models tiny.en base] [--engines subtitler openai-whisper faster-whisper] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from asr_clips import ENGLISH_SET, FIVE_LANGUAGES, HUMAN_ENGLISH, joined, load_clip, wer  # noqa: E402

ENGINES = ("subtitler", "openai-whisper", "faster-whisper", "faster-whisper-int8")


def model_dir(name: str) -> Path:
    from subtitler.asr.models import find_model

    return find_model(name)


def ct2_single_dir(name: str) -> Path:
    """faster-whisper wants one model.bin: join split parts into a temporary folder."""
    folder = model_dir(name)
    if (folder / "model.bin").is_file():
        return folder
    from subtitler.asr.weights_ct2 import part_files

    out = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    with open(out / "model.bin", "wb") as dst:
        for part in part_files(folder / "model.bin.part1"):
            dst.write(part.read_bytes())
    for extra in ("config.json", "tokenizer.json", "vocabulary.txt"):
        if (folder / extra).is_file():
            (out / extra).write_bytes((folder / extra).read_bytes())
    return out


# --- one engine in this process ---------------------------------------------------------

def load_engine(engine: str, model: str):
    """Returns transcribe(audio, language) -> text."""
    import torch

    torch.set_num_threads(2)
    if engine == "subtitler":
        from subtitler.asr.engine import load_engine as ours
        from subtitler.asr.transcribe import TranscribeOptions

        e = ours(model, device="cpu")

        def run(audio, language):
            opts = TranscribeOptions(language=language if e.multilingual else None, temperature=(0.0,), word_timestamps=False)
            return "".join(s.text for s in e.transcribe(audio, opts))
        return run
    if engine == "openai-whisper":
        import whisper

        m = openai_whisper_model(model)

        def run(audio, language):
            r = whisper.transcribe(m, audio, temperature=0.0, language=language if m.is_multilingual else "en", fp16=False)
            return r["text"]
        return run
    from faster_whisper import WhisperModel

    fw = WhisperModel(str(ct2_single_dir(model)), device="cpu", compute_type="int8" if engine.endswith("int8") else "float32",
                      cpu_threads=2)

    def run(audio, language):
        segments, _ = fw.transcribe(audio, beam_size=1, temperature=0.0, language=language)
        return "".join(s.text for s in segments)
    return run


def openai_whisper_model(model: str):
    """openai-whisper's own model class holding our checkpoint's weights (fp32) and alignment heads."""
    from whisper.model import ModelDimensions, Whisper

    from subtitler.asr.weights import read_checkpoint
    from subtitler.asr.weights_openai import openai_name

    ckpt = read_checkpoint(model_dir(model))
    m = Whisper(ModelDimensions(**ckpt.dims.__dict__))
    m.load_state_dict({openai_name(k): v.float() for k, v in ckpt.state_dict.items()}, strict=True)
    m.set_alignment_heads(_alignment_mask_b85(ckpt))
    return m.eval()


def _alignment_mask_b85(ckpt) -> bytes:
    import base64
    import gzip

    import numpy as np

    mask = np.zeros((ckpt.dims.n_text_layer, ckpt.dims.n_text_head), dtype=bool)
    for layer, head in ckpt.alignment_heads:
        mask[layer, head] = True
    return base64.b85encode(gzip.compress(mask.tobytes()))


def worker(engine: str, model: str, runs: int) -> dict:
    multilingual = not model.endswith(".en")
    clips = [load_clip(n) for n in ENGLISH_SET]
    sets = {"english": clips, "long_en": [joined(clips)]}
    if multilingual:
        sets["languages"] = [load_clip(n) for n in FIVE_LANGUAGES]
    t0 = time.perf_counter()
    run = load_engine(engine, model)
    load_s = time.perf_counter() - t0
    out = {"engine": engine, "model": model, "load_s": load_s, "sets": {}}
    for set_name, set_clips in sets.items():
        best, texts = None, None
        for _ in range(runs):
            t = time.perf_counter()
            hyp = [run(c.audio, c.language) for c in set_clips]
            elapsed = time.perf_counter() - t
            if best is None or elapsed < best:
                best, texts = elapsed, hyp
        seconds = sum(c.seconds for c in set_clips)
        refs = [c.reference for c in set_clips]
        entry = {"rtf": seconds / best, "wer": wer(refs, texts), "texts": texts}
        if set_name == "english":
            keep = [i for i, c in enumerate(set_clips) if c.name != "pyannote_sample.wav"]
            entry["wer_without_pyannote"] = wer([refs[i] for i in keep], [texts[i] for i in keep])
        out["sets"][set_name] = entry
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    human = [load_clip(n) for n in HUMAN_ENGLISH]  # every English clip with a human reference, one untimed run
    out["wer_human_english"] = wer([c.reference for c in human], [run(c.audio, "en") for c in human])
    return out


# --- the table ---------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=["tiny.en", "base"])
    parser.add_argument("--engines", nargs="+", default=list(ENGINES), choices=ENGINES)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--worker", nargs=2, metavar=("ENGINE", "MODEL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker[0], args.worker[1], args.runs)))
        return
    rows = []
    for model in args.models:
        for engine in args.engines:
            proc = subprocess.run([sys.executable, __file__, "--worker", engine, model, "--runs", str(args.runs)],
                                  capture_output=True, text=True)
            if proc.returncode != 0:
                print(f"{engine} {model}: failed\n{proc.stderr[-2000:]}", file=sys.stderr)
                continue
            rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
            print_row(rows[-1])
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


HEADER_PRINTED = False


def print_row(row: dict) -> None:
    global HEADER_PRINTED
    if not HEADER_PRINTED:
        print("| engine | model | RTF English set | RTF long_en | load s | peak RSS MB | WER English (5) | without pyannote | "
              "WER long_en | WER 5 languages | WER 8 human-reference English clips |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        HEADER_PRINTED = True
    s = row["sets"]
    langs = f"{s['languages']['wer']:.3f}" if "languages" in s else "–"
    print(f"| {row['engine']} | {row['model']} | {s['english']['rtf']:.1f} | {s['long_en']['rtf']:.1f} | {row['load_s']:.2f} | "
          f"{row['peak_rss_mb']:.0f} | {s['english']['wer']:.3f} | {s['english']['wer_without_pyannote']:.3f} | "
          f"{s['long_en']['wer']:.3f} | {langs} | {row['wer_human_english']:.3f} |", flush=True)


if __name__ == "__main__":
    main()
