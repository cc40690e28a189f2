"""Forced alignment figures: error against hand-labelled truth, every word placed, and memory on a 1-hour file.

    .venv/bin/python benchmarks/bench_forced_alignment.py                 # truth (LDC93S1) and the two named clips
    .venv/bin/python benchmarks/bench_forced_alignment.py --hour 60 10    # peak RSS and time of `subtitler align` on joined clips

Truth: the TIMIT hand labels of LDC93S1 (../shared/data/manifest.json), and for the long files, the same labels
shifted to where each copy of LDC93S1 was placed when the clips were joined (known by construction). Beside our
forced alignment, the word timestamps of a recognition pass: ours, openai-whisper's and faster-whisper's (float32),
same weights, greedy; a recognised word is compared with the true word it matches (difflib, in order).
"""

from __future__ import annotations

import argparse
import difflib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from asr_clips import load_clip, manifest  # noqa: E402

SR = 16_000
HOUR_CLIPS = ("jfk.flac", "LDC93S1.wav", "leopard_test.wav", "librispeech_61-70968-0000.flac",
              "mfa_acoustic_corpus.wav", "mfa_cold_corpus.wav")  # English with human transcripts
GAP_S = 0.7


def _norm(word: str) -> str:
    from subtitler.core.word_alignment import normalise

    return normalise(word)


def errors(words: list[tuple[str, float, float]], truth: list[dict], offset: float = 0.0) -> dict:
    """Mean absolute start/end error (ms) and share of boundaries within 50/100 ms, over words matched to the truth."""
    a = [_norm(w) for w, _, _ in words]
    b = [_norm(t["word"]) for t in truth]
    pairs = [(i + k, j + k) for i, j, n in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
             for k in range(n)]
    start = np.array([abs(words[i][1] - (truth[j]["start"] + offset)) for i, j in pairs])
    end = np.array([abs(words[i][2] - (truth[j]["end"] + offset)) for i, j in pairs])
    both = np.concatenate([start, end]) if pairs else np.zeros(0)
    return {"matched": f"{len(pairs)}/{len(truth)}", "start_ms": 1000 * float(start.mean()) if pairs else float("nan"),
            "end_ms": 1000 * float(end.mean()) if pairs else float("nan"),
            "within_50": float((both <= 0.05).mean()) if pairs else 0.0, "within_100": float((both <= 0.1).mean()) if pairs else 0.0}


# --- the methods -------------------------------------------------------------------------------------------

def ours_forced(model: str, audio: np.ndarray, text: str) -> list[tuple[str, float, float]]:
    from subtitler.asr.engine import load_engine
    from subtitler.asr.forced_alignment import align_texts

    engine = load_engine(model, device="cpu")
    _, (words,) = align_texts(engine.model, engine.tokenizer, audio, [text])
    return [(w.word, w.start, w.end) for w in words]


def ours_recognised(model: str, audio: np.ndarray) -> list[tuple[str, float, float]]:
    from subtitler.asr.engine import load_engine
    from subtitler.asr.transcribe import TranscribeOptions

    engine = load_engine(model, device="cpu")
    options = TranscribeOptions(language="en" if engine.multilingual else None, temperature=(0.0,))
    return [(w.word, w.start, w.end) for s in engine.transcribe(audio, options) for w in s.words]


def openai_recognised(model: str, audio: np.ndarray) -> list[tuple[str, float, float]]:
    import whisper
    from whisper.model import ModelDimensions, Whisper

    from bench_asr import _alignment_mask_b85, model_dir
    from subtitler.asr.weights import read_checkpoint
    from subtitler.asr.weights_openai import openai_name

    ckpt = read_checkpoint(model_dir(model))
    m = Whisper(ModelDimensions(**ckpt.dims.__dict__))
    m.load_state_dict({openai_name(k): v.float() for k, v in ckpt.state_dict.items()}, strict=True)
    m.set_alignment_heads(_alignment_mask_b85(ckpt))
    m.eval()
    result = whisper.transcribe(m, audio, temperature=0.0, language="en", fp16=False, word_timestamps=True)
    return [(w["word"], w["start"], w["end"]) for s in result["segments"] for w in s["words"]]


def faster_recognised(model: str, audio: np.ndarray) -> list[tuple[str, float, float]]:
    from faster_whisper import WhisperModel

    from bench_asr import ct2_single_dir

    fw = WhisperModel(str(ct2_single_dir(model)), device="cpu", compute_type="float32", cpu_threads=2)
    segments, _ = fw.transcribe(audio, beam_size=1, temperature=0.0, language="en", word_timestamps=True)
    return [(w.word, w.start, w.end) for s in segments for w in s.words]


METHODS = {
    "subtitler forced alignment": lambda model, audio, text: ours_forced(model, audio, text),
    "subtitler word timestamps": lambda model, audio, text: ours_recognised(model, audio),
    "openai-whisper word timestamps": lambda model, audio, text: openai_recognised(model, audio),
    "faster-whisper word timestamps": lambda model, audio, text: faster_recognised(model, audio),
}


def truth_table(models: list[str]) -> None:
    entry = manifest()["LDC93S1.wav"]
    audio = load_clip("LDC93S1.wav").audio
    print("LDC93S1 (TIMIT hand-labelled word boundaries), greedy, same weights")
    print(f"{'method':34} {'model':8} {'matched':>8} {'start ms':>9} {'end ms':>8} {'<=50ms':>7} {'<=100ms':>8}")
    for model in models:
        for name, method in METHODS.items():
            e = errors(method(model, audio, entry["text"]), entry["words"])
            print(f"{name:34} {model:8} {e['matched']:>8} {e['start_ms']:9.0f} {e['end_ms']:8.0f} "
                  f"{e['within_50']:7.0%} {e['within_100']:8.0%}")


def clips_table() -> None:
    from subtitler.asr.engine import load_engine
    from subtitler.asr.forced_alignment import align_texts

    print("\nForced alignment of the named clips with their manifest text")
    for name, model in (("jfk.flac", "tiny.en"), ("aeneas_capitan_veneno_es.mp3", "base")):
        clip = load_clip(name)
        engine = load_engine(model, device="cpu")
        t = time.perf_counter()
        alignment, (words,) = align_texts(engine.model, engine.tokenizer, clip.audio, [manifest()[name]["text"]])
        elapsed = time.perf_counter() - t
        expected = manifest()[name]["text"].split()
        placed = [w.word.strip() for w in words] == expected
        ordered = all(a.start <= b.start and a.end <= b.start + 1e-9 for a, b in zip(words, words[1:]))
        print(f"{name:30} {model:8} {clip.seconds:6.1f} s  words {len(words)}/{len(expected)}  every word placed in order: "
              f"{placed and ordered}  language {alignment.language}  {elapsed:.1f} s")


# --- the long files through the command line -------------------------------------------------------------------

def build_long_file(minutes: float, folder: Path) -> tuple[Path, Path, list[float]]:
    """Shared clips joined with digital silence until `minutes` long; returns audio, text and each LDC93S1 copy's offset."""
    import soundfile

    clips = [load_clip(n) for n in HOUR_CLIPS]
    texts = [manifest()[n]["text"] for n in HOUR_CLIPS]
    gap = np.zeros(int(GAP_S * SR), np.float32)
    parts, lines, ldc_offsets, samples = [], [], [], 0
    while samples < minutes * 60 * SR:
        for clip, text in zip(clips, texts):
            if clip.name == "LDC93S1.wav":
                ldc_offsets.append(samples / SR)
            parts += [clip.audio, gap]
            lines.append(text)
            samples += len(clip.audio) + len(gap)
    audio_path, text_path = folder / f"joined_{minutes:g}min.flac", folder / f"joined_{minutes:g}min.txt"
    soundfile.write(audio_path, np.concatenate(parts), SR)
    text_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return audio_path, text_path, ldc_offsets


def long_file_row(minutes: float, model: str) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-align-") as tmp:
        folder = Path(tmp)
        audio_path, text_path, ldc_offsets = build_long_file(minutes, folder)
        out = folder / "aligned.json"
        code = ("import resource, sys, time; from subtitler.cli import main; t = time.perf_counter(); "
                f"rc = main(['align', {str(audio_path)!r}, {str(text_path)!r}, '-o', {str(out)!r}, '-m', {model!r}]); "
                "print('ELAPSED', time.perf_counter() - t, 'RSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss); sys.exit(rc)")
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                cwd=Path(__file__).resolve().parents[1])
        if result.returncode != 0:
            print(f"{minutes:g} min: failed: {result.stderr.strip()[-500:]}")
            return
        fields = result.stdout.split()
        elapsed, rss_mb = float(fields[fields.index("ELAPSED") + 1]), int(fields[fields.index("RSS") + 1]) / 1024
        words = [(w["word"], w["start"], w["end"]) for s in json.loads(out.read_text())["segments"] for w in s["words"]]
        expected = [w for line in text_path.read_text().splitlines() for w in line.split()]
        placed = [w.strip() for w, _, _ in words] == expected
        ordered = all(a[1] <= b[1] for a, b in zip(words, words[1:]))
        truth = manifest()["LDC93S1.wav"]["words"]
        copies = [errors(_near(words, offset), truth, offset) for offset in ldc_offsets]
        start = np.mean([c["start_ms"] for c in copies])
        end = np.mean([c["end_ms"] for c in copies])
        within = np.mean([c["within_100"] for c in copies])
        print(f"{minutes:5g} min {model:8} words {len(words):6d} placed in order: {placed and ordered}  "
              f"time {elapsed:7.0f} s  peak RSS {rss_mb:6.0f} MB  LDC93S1 copies ({len(copies)}): start {start:.0f} ms, "
              f"end {end:.0f} ms, {within:.0%} of boundaries within 100 ms")


def _near(words: list[tuple[str, float, float]], offset: float) -> list[tuple[str, float, float]]:
    return [w for w in words if offset - 1.0 <= w[1] <= offset + 4.0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hour", nargs="*", type=float, metavar="MINUTES", help="only the long files, of these lengths")
    parser.add_argument("--model", default="tiny.en")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(2)
    if args.hour is not None:
        print(f"`subtitler align` on shared English clips joined with {GAP_S} s of silence (machine shared, 2 cores)")
        for minutes in args.hour or [60.0]:
            long_file_row(minutes, args.model)
        return
    truth_table(["tiny.en", "base"])
    clips_table()
    print(f"\n(this process: peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
