"""Word timing error against ground truth: our refined and reference timings beside openai-whisper and faster-whisper.

Ground truth (benchmarks/word_truth.py): LDC93S1's hand-labelled words, and clips built from real
utterances cut at their speech edges and padded or joined with measured silence or noise, so
their speech edges are known exactly. All engines run greedy at temperature 0 on the same
weights, in this one process; only words whose text matches the reference (by sequence
alignment) are scored.

Figures: mean absolute start and end error over every word with known edges (the LDC93S1 family),
the share of those boundaries within 50 and 100 ms, and the speech-edge error: the first word's
start and the last word's end of each stretch of speech against its true edges (every clip).
Then each refinement switched off alone (applied to the reference run's own words, which is
what the pipeline does: refinement never changes the text), and the cost of word timing on a
long clip. Usage:

    .venv/bin/python benchmarks/bench_words.py [--model tiny.en] [--no-peers] [--overhead-rounds 2]
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from word_truth import TruthClip, truth_clips  # noqa: E402

Word = tuple[str, float, float]  # text, start, end (seconds)
Transcriber = Callable[[np.ndarray], list[Word]]


# --- scoring -------------------------------------------------------------------------------------

def _norm(word: str) -> str:
    return re.sub(r"[^\w]", "", word.lower())


def matched(clip: TruthClip, hyp: list[Word]) -> dict[int, int]:
    """Reference word index -> hypothesis word index, for words whose text the recogniser got right."""
    sm = difflib.SequenceMatcher(a=[_norm(w.text) for w in clip.words], b=[_norm(w[0]) for w in hyp], autojunk=False)
    return {i + k: j + k for i, j, n in sm.get_matching_blocks() for k in range(n)}


@dataclasses.dataclass
class Errors:
    """Signed errors (hypothesis minus truth, seconds)."""

    starts: list[float] = dataclasses.field(default_factory=list)
    ends: list[float] = dataclasses.field(default_factory=list)
    edges: list[float] = dataclasses.field(default_factory=list)
    words: int = 0  # reference words with known edges
    edge_count: int = 0  # true speech edges

    def add(self, clip: TruthClip, hyp: list[Word]) -> None:
        pairs = matched(clip, hyp)
        if clip.all_words_timed:
            self.words += len(clip.words)
            for i, j in pairs.items():
                self.starts.append(hyp[j][1] - clip.words[i].start)
                self.ends.append(hyp[j][2] - clip.words[i].end)
        for i, word in enumerate(clip.words):
            for start, end in clip.edges:
                for true, value, index in ((start, word.start, 1), (end, word.end, 2)):
                    if value is not None and abs(value - true) < 1e-6:
                        self.edge_count += 1
                        if i in pairs:
                            self.edges.append(hyp[pairs[i]][index] - true)

    def row(self) -> dict[str, float]:
        starts, ends, edges = (np.abs(np.array(x)) for x in (self.starts, self.ends, self.edges))
        both = np.concatenate([starts, ends])
        return {
            "words": f"{len(starts)}/{self.words}", "start_ms": 1000 * starts.mean(), "end_ms": 1000 * ends.mean(),
            "within50": (both <= 0.05).mean(), "within100": (both <= 0.1).mean(),
            "median_ms": 1000 * np.median(both),
            "edges": f"{len(edges)}/{self.edge_count}", "edge_ms": 1000 * edges.mean(),
            "edge50": (edges <= 0.05).mean(), "edge100": (edges <= 0.1).mean(),
        }


HEADER = (f"{'engine':<34} {'words':>7} {'start ms':>9} {'end ms':>8} {'<=50ms':>7} {'<=100ms':>8} {'median':>7} | "
          f"{'edges':>7} {'edge ms':>8} {'<=50ms':>7} {'<=100ms':>8}")


def format_row(name: str, r: dict) -> str:
    return (f"{name:<34} {r['words']:>7} {r['start_ms']:9.1f} {r['end_ms']:8.1f} {r['within50']:7.0%} {r['within100']:8.0%} "
            f"{r['median_ms']:7.1f} | {r['edges']:>7} {r['edge_ms']:8.1f} {r['edge50']:7.0%} {r['edge100']:8.0%}")


# --- engines ---------------------------------------------------------------------------------------

def ours(model: str, **options) -> tuple[Transcriber, object]:
    from subtitler.asr.engine import load_engine
    from subtitler.asr.transcribe import TranscribeOptions

    engine = load_engine(model, device="cpu")
    opts = TranscribeOptions(temperature=(0.0,), language="en" if engine.multilingual else None, **options)
    history: list[list] = []  # each call's segments

    def run(audio: np.ndarray) -> list[Word]:
        history.append(list(engine.transcribe(audio, opts)))
        return [(w.word, w.start, w.end) for s in history[-1] for w in s.words]
    run.history = history  # type: ignore[attr-defined]
    return run, engine


def openai_whisper(model: str) -> Transcriber:
    import torch
    import whisper
    from bench_asr import openai_whisper_model

    reference = openai_whisper_model(model)

    def run(audio: np.ndarray) -> list[Word]:
        with torch.no_grad():
            result = whisper.transcribe(reference, audio, temperature=0.0, fp16=False, word_timestamps=True,
                                        language="en", verbose=None)
        return [(w["word"], w["start"], w["end"]) for s in result["segments"] for w in s.get("words", [])]
    return run


def faster_whisper(model: str, vad_filter: bool = False) -> Transcriber:
    from bench_asr import ct2_single_dir
    from faster_whisper import WhisperModel

    fw = WhisperModel(str(ct2_single_dir(model)), device="cpu", compute_type="float32", cpu_threads=2)

    def run(audio: np.ndarray) -> list[Word]:
        segments, _ = fw.transcribe(audio, beam_size=1, temperature=0.0, language="en", word_timestamps=True,
                                    vad_filter=vad_filter)
        return [(w.word, w.start, w.end) for s in segments for w in (s.words or [])]
    return run


# --- the runs ----------------------------------------------------------------------------------------

def score(run: Transcriber, clips: list[TruthClip]) -> tuple[dict, list[list[Word]]]:
    errors, outputs = Errors(), []
    for clip in clips:
        words = run(clip.audio)
        outputs.append(words)
        errors.add(clip, words)
    return errors.row(), outputs


def ablations(reference_segments: list[list], clips: list[TruthClip]) -> list[tuple[str, dict]]:
    """Refinement applied to the reference run's windows with each correction off in turn."""
    from subtitler.asr.alignment import SegmentWords
    from subtitler.asr.vad import speech_probabilities
    from subtitler.asr.word_refine import RefineOptions, SpeechMap, refine_window

    probabilities = [speech_probabilities(c.audio) for c in clips]

    def refined_words(options: RefineOptions) -> Errors:
        errors = Errors()
        for clip, segments, probs in zip(clips, reference_segments, probabilities):
            speech = SpeechMap.from_audio(clip.audio, probs, options)
            words: list[Word] = []
            for seek in dict.fromkeys(s.seek for s in segments):
                window = [SegmentWords(s.words, s.start, s.end) for s in segments if s.seek == seek]
                words += [(w.word, w.start, w.end) for s in refine_window(window, speech, options) for w in s.words]
            errors.add(clip, words)
        return errors

    default = RefineOptions()
    rows = [("all refinements (offline)", refined_words(default).row())]
    for name in ("snap_edges", "split_pauses", "pull_to_edges", "energy_edges"):
        rows.append((f"  without {name}", refined_words(dataclasses.replace(default, **{name: False})).row()))
    return rows


def overhead(model: str, rounds: int) -> None:
    """Time of transcription without words, with reference and with refined words, alternating, on a long clip."""
    from asr_clips import HUMAN_ENGLISH, joined, load_clip

    import subtitler.asr.transcribe as transcribe_module
    from subtitler.asr.engine import load_engine
    from subtitler.asr.transcribe import TranscribeOptions

    clip = joined([load_clip(n) for n in HUMAN_ENGLISH])
    engine = load_engine(model, device="cpu")
    spent = {"align": 0.0, "listen": 0.0}

    def timed(name, fn):
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - t0
        return wrapper

    transcribe_module.align_window = timed("align", transcribe_module.align_window)
    transcribe_module._listen = timed("listen", transcribe_module._listen)
    modes = {"no words": dict(word_timestamps=False), "reference words": dict(word_timing="reference"),
             "refined words": dict(word_timing="refined")}
    best: dict[str, tuple[float, float, float]] = {}
    for _ in range(rounds):
        for name, extra in modes.items():
            spent["align"] = spent["listen"] = 0.0
            t0 = time.perf_counter()
            list(engine.transcribe(clip.audio, TranscribeOptions(temperature=(0.0,), **extra)))
            total = time.perf_counter() - t0
            if name not in best or total < best[name][0]:
                best[name] = (total, spent["align"], spent["listen"])
    base = best["no words"][0]
    print(f"\nCost of word timing, {model}, {clip.seconds:.0f}-s clip (the {len(HUMAN_ENGLISH)} human-reference English clips "
          f"joined), best of {rounds}, shared 2-core machine:")
    for name, (total, align, listen) in best.items():
        print(f"  {name:<16} {total:6.1f} s  (+{100 * (total - base) / base:4.1f} % over no words; alignment pass {align:5.2f} s, "
              f"voice activity + speech map {listen:5.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="tiny.en")
    parser.add_argument("--no-peers", action="store_true", help="ours only")
    parser.add_argument("--overhead-rounds", type=int, default=2, help="0 skips the overhead measurement")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(2)
    clips = truth_clips()
    print(f"{len(clips)} clips, {sum(c.seconds for c in clips):.0f} s of audio; model {args.model}, greedy, temperature 0\n")
    rows: list[tuple[str, dict]] = []
    refined, engine = ours(args.model)
    rows.append(("subtitler refined (default)", score(refined, clips)[0]))
    reference, _ = ours(args.model, word_timing="reference")
    rows.append(("subtitler reference (openai recipe)", score(reference, clips)[0]))
    reference_segments = reference.history  # each clip's segments, for the ablations
    vad_run, _ = ours(args.model, vad_filter=True)
    rows.append(("subtitler refined + vad_filter", score(vad_run, clips)[0]))
    if not args.no_peers:
        rows.append(("openai-whisper word_timestamps", score(openai_whisper(args.model), clips)[0]))
        rows.append(("faster-whisper word_timestamps", score(faster_whisper(args.model), clips)[0]))
        rows.append(("faster-whisper + vad_filter", score(faster_whisper(args.model, vad_filter=True), clips)[0]))
    print(HEADER)
    for name, r in rows:
        print(format_row(name, r))
    ref, ref_row = rows[0][1], rows[1][1]
    print("\nrefined vs reference: " + ", ".join(
        f"{key} {ref_row[key]:.1f} -> {ref[key]:.1f} ms" for key in ("start_ms", "end_ms", "edge_ms")) + ", " + ", ".join(
        f"{key} {ref_row[key]:.0%} -> {ref[key]:.0%}" for key in ("within50", "within100", "edge50", "edge100")))
    print("\nEach refinement off alone (applied to the reference run's words; the first row must equal the default's):")
    print(HEADER)
    for name, r in ablations(reference_segments, clips):
        print(format_row(name, r))
    if args.overhead_rounds > 0:
        overhead(args.model, args.overhead_rounds)


if __name__ == "__main__":
    main()
