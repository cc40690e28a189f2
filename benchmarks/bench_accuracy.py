"""Accuracy and invented text: our Whisper beside openai-whisper and faster-whisper, on speech and on non-speech.

Sets (benchmarks/accuracy_sets.py; the synthesised audio is cached under .cache/accuracy/):
  clips       every human-reference recording of ../shared/data (English only for tiny.en): WER per clip,
              per language and overall (CER for Japanese, which has no spaces);
  long-form   a 10-minute programme of the English recordings with pauses, noise and music-like tones
              between them: WER, words emitted inside the non-speech stretches, and every difference from
              the reference spanning more than three words;
  programmes  two more programmes of the same recipe, shuffled with other seeds (orders, pauses, noise):
              the same figures, so that what holds on one programme is seen to hold on others;
  more-programmes  four more (seeds 3-6), only when asked for (--sets ... more-programmes): with them the
              report gives the mean WER over seven programmes, for differences of a point or less;
  non-speech  a minute each of digital silence, hum, white/pink/brown noise, test tones and music-like
              tones, and a recording followed by 20 s of noise: words emitted per minute of non-speech.

Rows (engine:config), each run once, one engine at a time in its own process, the language given:
  subtitler:default      our defaults (subtitler/asr/defaults.py: what the CLI and the editor use)
  subtitler:greedy       our guards with greedy decoding and temperature fallback
  subtitler:beam         our guards with beam search 5 (best_of 5 for the fallback)
  subtitler:equal        the peers' default decoding (beam 5, best_of 5, fallback) in float32, every guard off
  subtitler:no-gate, subtitler:no-hst, subtitler:hst, ...  ablations of single guards (see CONFIGS)
  subtitler:int8         our defaults with int8 weights and products (--compute-type int8: the CPU's "auto")
  subtitler:float32      our defaults in float32 (--compute-type float32, openai-whisper's arithmetic)
  subtitler:batched      our defaults in the batched long-form mode (--batch-size 8)
  openai-whisper:default its command line's defaults (beam 5, best_of 5, fallback)
  openai-whisper:greedy  its decoding at our default settings: greedy, temperature fallback (no guards)
  openai-whisper:hst     the same with its hallucination_silence_threshold=2
  faster-whisper:default its defaults (beam 5, best_of 5, fallback, compute type "default")
  faster-whisper:greedy  greedy with the temperature fallback, as our default decodes
  faster-whisper:vad     the same with its Silero VAD filter
  faster-whisper:int8    its defaults with int8 weights and products (compute type "int8")
Every row has word timestamps on (the peers' default is off): words must be placed in time to be
counted inside the non-speech stretches.

Results are cached per row and file under .cache/accuracy/results/ (keyed by the settings and, for
our engine, the source of subtitler/asr), so an interrupted run resumes. Wall times are approximate:
the machine is shared; every engine runs on --threads threads (default 1, which a busy 2-core machine
runs far faster than 2).

    .venv/bin/python benchmarks/bench_accuracy.py [--models tiny.en base] [--rows subtitler:default openai-whisper:default ...]
        [--sets clips long-form programmes non-speech more-programmes]
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from accuracy_sets import CACHE, Item, Stretch, all_items, more_programmes  # noqa: E402
from asr_clips import normalise  # noqa: E402
from paired_bootstrap import DRAWS, LEVEL, UnitErrors, compare, errors_per_unit  # noqa: E402

RESULTS = CACHE / "results"
ROOT = Path(__file__).resolve().parents[1]
PEER_DEFAULTS = {"beam_size": 5, "best_of": 5}  # what both peers' command lines use

# Our rows: TranscribeOptions fields changed from our defaults; "equal" also turns every guard off.
CONFIGS: dict[str, dict] = {
    "default": {},
    "greedy": {"beam_size": None, "best_of": None},
    "beam": {"beam_size": 5, "best_of": 5},
    "equal": {**PEER_DEFAULTS, "language_per_window": False, "guards": False, "compute_type": "float32"},  # the peers' arithmetic too
    "no-gate": {"speech_threshold": None},
    "no-fillers": {"drop_fillers": False},
    "no-replay": {"retry_replays": False},
    "hst": {"hallucination_silence_threshold": 2.0},
    "no-hst": {"hallucination_silence_threshold": None},
    "no-guards": {"guards": False},
    "int8": {"compute_type": "int8"},  # our defaults with int8 weights and products (what "auto" picks on the CPU)
    "float32": {"compute_type": "float32"},  # our defaults in the reference arithmetic
    "batched": {"batch_size": 8},  # the batched long-form mode (chunks cut at pauses, no previous text)
}
GREEDY = {"beam_size": None, "best_of": None}  # greedy with the temperature fallback: our default decoding
PEER_CONFIGS = {
    "openai-whisper": {"default": {}, "greedy": GREEDY, "hst": {"hallucination_silence_threshold": 2.0}},
    "faster-whisper": {"default": {}, "greedy": {"beam_size": 1, "best_of": 1}, "vad": {"vad_filter": True},
                       "int8": {"compute_type": "int8"}},  # its int8 beside our int8 (the model's own setting)
}
DEFAULT_ROWS = ("subtitler:default", "subtitler:greedy", "subtitler:beam", "subtitler:equal",
                "openai-whisper:default", "faster-whisper:default")
MARGIN_S = 0.25  # word-timing tolerance at the edges of a non-speech stretch


# --- running one row (in a worker process) ----------------------------------------------------------------

def _our_options(config: str, multilingual: bool, language: str):
    import dataclasses

    from subtitler.asr.transcribe import TranscribeOptions

    changes = dict(CONFIGS[config])
    guards = changes.pop("guards", True)
    changes.pop("compute_type", None)
    options = dataclasses.replace(TranscribeOptions(language=language if multilingual else None), **changes)
    return options if guards else options.without_guards()


def _source_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "subtitler" / "asr").glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def row_key(engine: str, config: str, model: str) -> str:
    """Cache key: changes whenever the settings (or our engine's code) change."""
    if engine == "subtitler":  # rows with the same options share results ("default" is one of the others)
        settings = repr(_our_options(config, not model.endswith(".en"), "xx")) + _source_hash()
        settings += CONFIGS[config].get("compute_type", "")  # keeps the float32 rows' keys as they were
    else:
        settings = config + json.dumps(PEER_CONFIGS[engine][config], sort_keys=True)
    return hashlib.sha256(f"{engine}|{model}|{settings}".encode()).hexdigest()[:16]


def _loader(engine: str, config: str, model: str, threads: int):
    """Returns transcribe(item) -> {"segments": [[start, end, text]], "words": [[word, start, end]], "dropped": [...]}."""
    import torch

    torch.set_num_threads(threads)
    multilingual = not model.endswith(".en")
    if engine == "subtitler":
        from subtitler.asr.engine import load_engine

        ours = load_engine(model, device="cpu", compute_type=CONFIGS[config].get("compute_type", "auto"))

        def run(item: Item) -> dict:
            dropped = []
            options = _our_options(config, multilingual, item.language)
            segments = list(ours.transcribe(item.audio, options, on_dropped=dropped.append))
            return {"segments": [[s.start, s.end, s.text] for s in segments],
                    "words": [[w.word, w.start, w.end] for s in segments for w in s.words],
                    "dropped": [[d.reason, d.start, d.end, d.text] for d in dropped]}
        return run
    if engine == "openai-whisper":
        import whisper

        from bench_asr import openai_whisper_model

        reference = openai_whisper_model(model)
        settings = {"temperature": (0.0, 0.2, 0.4, 0.6, 0.8, 1.0), **PEER_DEFAULTS, "word_timestamps": True,
                    **PEER_CONFIGS[engine][config]}

        def run(item: Item) -> dict:
            with torch.no_grad():
                result = whisper.transcribe(reference, item.audio, language=item.language if multilingual else "en",
                                            fp16=False, verbose=None, **settings)
            return {"segments": [[s["start"], s["end"], s["text"]] for s in result["segments"]],
                    "words": [[w["word"], w["start"], w["end"]] for s in result["segments"] for w in s.get("words", [])]}
        return run
    from faster_whisper import WhisperModel

    from bench_asr import ct2_single_dir

    settings = {"word_timestamps": True, **PEER_CONFIGS[engine][config]}
    fw = WhisperModel(str(ct2_single_dir(model)), device="cpu", cpu_threads=threads,
                      compute_type=settings.pop("compute_type", "default"))

    def run(item: Item) -> dict:
        segments = list(fw.transcribe(item.audio, language=item.language if multilingual else "en", **settings)[0])
        return {"segments": [[s.start, s.end, s.text] for s in segments],
                "words": [[w.word, w.start, w.end] for s in segments for w in (s.words or [])]}
    return run


DEFAULT_SETS = ("clips", "long-form", "programmes", "non-speech")
SETS = (*DEFAULT_SETS, "more-programmes")
LONG_FORM_SETS = ("long-form", "programmes", "more-programmes")


def items_of(model: str, sets: list[str]) -> list[Item]:
    more = more_programmes() if "more-programmes" in sets else []  # built (or read) only when asked for
    return [item for item in all_items(model.endswith(".en")) + more if item.set in sets]


def worker(engine: str, config: str, model: str, threads: int, sets: list[str]) -> None:
    """Transcribe every file of every set with one row, caching each file's result as it finishes."""
    folder = RESULTS / row_key(engine, config, model)
    folder.mkdir(parents=True, exist_ok=True)
    todo = [item for item in items_of(model, sets) if not (folder / f"{_file_name(item)}.json").is_file()]
    if not todo:
        return
    t0 = time.perf_counter()
    run = _loader(engine, config, model, threads)
    load_s = time.perf_counter() - t0
    for item in todo:
        t = time.perf_counter()
        out = run(item)
        out.update(wall_s=time.perf_counter() - t, load_s=load_s, seconds=item.seconds)
        (folder / f"{_file_name(item)}.json").write_text(json.dumps(out))
        print(f"{engine}:{config} {model} {item.name}: {out['wall_s']:.0f} s", file=sys.stderr, flush=True)


def _file_name(item: Item) -> str:
    return f"{item.set}-{item.name}".replace(" ", "_").replace("/", "_")


def load_row(engine: str, config: str, model: str, items: list[Item]) -> dict[str, dict] | None:
    folder = RESULTS / row_key(engine, config, model)
    found = {}
    for item in items:
        path = folder / f"{_file_name(item)}.json"
        if not path.is_file():
            return None
        found[item.name] = json.loads(path.read_text())
    return found


# --- scoring ----------------------------------------------------------------------------------------------

def text_of(result: dict) -> str:
    return "".join(s[2] for s in result["segments"])


def error_rate(references: list[str], hypotheses: list[str], characters: bool = False) -> float:
    import jiwer

    if characters:
        refs = [normalise(r).replace(" ", "") for r in references]
        hyps = [normalise(h).replace(" ", "") or "-" for h in hypotheses]
        return float(jiwer.cer(refs, hyps))
    return float(jiwer.wer([normalise(r) for r in references], [normalise(h) or "<empty>" for h in hypotheses]))


def words_in(result: dict, stretches: list[Stretch]) -> list[list]:
    """Words whose middle lies inside one of ``stretches`` (shrunk by MARGIN_S at each edge)."""
    found = []
    for word, start, end in result["words"]:
        middle = (start + end) / 2
        if normalise(word) and any(s.start + MARGIN_S <= middle <= s.end - MARGIN_S for s in stretches):
            found.append([word, start, end])
    return found


def differences(reference: str, hypothesis: str, min_words: int = 4) -> list[dict]:
    """Every run of differences (substitutions, deletions, insertions with no match between) spanning min_words+ words."""
    import jiwer

    ref, hyp = normalise(reference), normalise(hypothesis)
    out = jiwer.process_words(ref, hyp)
    ref_words, hyp_words = ref.split(), hyp.split()
    runs, current = [], None
    for chunk in out.alignments[0]:
        if chunk.type == "equal":
            if current:
                runs.append(current)
            current = None
            continue
        if current is None:
            current = [chunk.ref_start_idx, chunk.ref_end_idx, chunk.hyp_start_idx, chunk.hyp_end_idx]
        else:
            current[1], current[3] = chunk.ref_end_idx, chunk.hyp_end_idx
    if current:
        runs.append(current)
    return [{"ref_index": r0, "reference": " ".join(ref_words[r0:r1]), "hypothesis": " ".join(hyp_words[h0:h1]),
             "hyp_index": h0}
            for r0, r1, h0, h1 in runs if max(r1 - r0, h1 - h0) >= min_words]


@functools.cache
def clip_reference(name: str) -> str:
    """A shared recording's human reference, from the manifest (decoding its audio to read it cost the report a
    minute and a half)."""
    from asr_clips import manifest, reference_text

    return reference_text(manifest()[name])


def clip_at(stretches: list[Stretch], ref_index: int) -> str:
    """Which recording of the long-form set a reference word index falls in (the clips' references in order)."""
    count = 0
    for s in stretches:
        if s.kind != "speech":
            continue
        count += len(normalise(clip_reference(s.clip)).split())
        if ref_index < count:
            return f"{s.clip} at {s.start:.0f} s"
    return "end"


def hyp_time(result: dict, hyp_index: int) -> float | None:
    """The time of the hypothesis word at ``hyp_index`` (by the timed words, normalised as the text is)."""
    index = 0
    for word, start, _ in result["words"]:
        n = len(normalise(word).split())
        if index + n > hyp_index:
            return start
        index += n
    return None


# --- the tables ----------------------------------------------------------------------------------------------

def row_name(row: str) -> str:
    return row.replace("subtitler:", "ours:")


def report(model: str, rows: list[str], results: dict[str, dict], items: list[Item]) -> None:
    clips = [i for i in items if i.set == "clips"]
    long_forms = [i for i in items if i.set in LONG_FORM_SETS]
    non_speech = [i for i in items if i.set == "non-speech"]
    print(f"\n### {model}\n")
    header = "| " + " | ".join(["set"] + [row_name(r) for r in rows]) + " |"
    rule = "|" + "---|" * (len(rows) + 1)
    if clips:
        _clips_table(rows, results, clips, header, rule)
    for long_form in long_forms:
        _long_form_table(rows, results, long_form, header, rule)
    if len(long_forms) > 1:
        print(f"\nMean WER over the {len(long_forms)} programmes (each programme's WER, averaged)\n")
        print(header), print(rule)
        print("| mean WER | " + " | ".join(
            f"{sum(error_rate([i.reference], [text_of(results[r][i.name])]) for i in long_forms) / len(long_forms):.4f}"
            for r in rows) + " |")
    if non_speech:
        _non_speech_table(rows, results, non_speech, header, rule)
    _guard_report(rows, results, items)
    _peer_comparison(rows, results, [i for i in items if i.set == "clips" and i.language != "ja"], long_forms)


def _clips_table(rows: list[str], results: dict[str, dict], clips: list[Item], header: str, rule: str) -> None:

    print("WER per human-reference clip (CER for Japanese)\n")
    print(header.replace("| set", "| clip")), print(rule)
    for item in clips:
        cells = [f"{error_rate([item.reference], [text_of(results[r][item.name])], item.language == 'ja'):.3f}" for r in rows]
        print(f"| {item.name} ({item.language}) | " + " | ".join(cells) + " |")
    languages = sorted({i.language for i in clips})
    for language in languages:
        group = [i for i in clips if i.language == language]
        cells = [f"{error_rate([i.reference for i in group], [text_of(results[r][i.name]) for i in group], language == 'ja'):.3f}"
                 for r in rows]
        print(f"| **{language}** ({'CER' if language == 'ja' else 'WER'}, {len(group)} clips) | " + " | ".join(cells) + " |")
    spaced = [i for i in clips if i.language != "ja"]
    cells = [f"{error_rate([i.reference for i in spaced], [text_of(results[r][i.name]) for i in spaced]):.3f}" for r in rows]
    print(f"| **overall WER** ({len(spaced)} clips{', Japanese apart' if len(spaced) < len(clips) else ''}) | "
          + " | ".join(cells) + " |")
    clip_wall = {r: sum(results[r][i.name]["wall_s"] for i in clips) for r in rows}
    print(f"\nClips: wall s (approx., {sum(i.seconds for i in clips):.0f} s of audio): "
          + ", ".join(f"{row_name(r)} {clip_wall[r]:.0f}" for r in rows))


def _long_form_table(rows: list[str], results: dict[str, dict], long_form: Item, header: str, rule: str) -> None:
    silent = [s for s in long_form.stretches if s.kind != "speech"]
    print(f"\n{long_form.name.capitalize()} ({long_form.seconds / 60:.1f} min, {len(normalise(long_form.reference).split())} reference words, "
          f"{sum(s.end - s.start for s in silent) / 60:.1f} min of non-speech in {len(silent)} stretches)\n")
    print(header), print(rule)
    lf = {r: results[r][long_form.name] for r in rows}
    print("| WER | " + " | ".join(f"{error_rate([long_form.reference], [text_of(lf[r])]):.3f}" for r in rows) + " |")
    print("| words inside non-speech | " + " | ".join(str(len(words_in(lf[r], silent))) for r in rows) + " |")
    print("| differences > 3 words | " + " | ".join(str(len(differences(long_form.reference, text_of(lf[r])))) for r in rows) + " |")
    print("| wall s (approx.) | " + " | ".join(f"{lf[r]['wall_s']:.0f}" for r in rows) + " |")
    for r in rows:
        diffs = differences(long_form.reference, text_of(lf[r]))
        print(f"\n{long_form.name.capitalize()}: differences spanning more than three words, {row_name(r)}: {len(diffs)}")
        for d in diffs:
            at = hyp_time(lf[r], d["hyp_index"])
            print(f"- [{clip_at(long_form.stretches, d['ref_index'])}; heard at {at if at is None else round(at, 1)} s] "
                  f"ref: \"{d['reference']}\" / hyp: \"{d['hypothesis']}\"")
        inside = words_in(lf[r], silent)
        if inside:
            print(f"  words inside non-speech: " + "; ".join(f"{w.strip()!r} at {s:.1f}" for w, s, _ in inside[:20]))


def _non_speech_table(rows: list[str], results: dict[str, dict], non_speech: list[Item], header: str, rule: str) -> None:
    print("\nNon-speech: words emitted per minute of non-speech\n")
    print(header.replace("| set", "| file")), print(rule)
    for item in non_speech:
        stretches = [s for s in item.stretches if s.kind != "speech"]
        minutes = sum(s.end - s.start for s in stretches) / 60
        cells = []
        for r in rows:
            result = results[r][item.name]
            count = len(words_in(result, stretches)) if item.reference else len(normalise(text_of(result)).split())
            cells.append(f"{count / minutes:.1f}")
        print(f"| {item.name} | " + " | ".join(cells) + " |")
    ns_wall = {r: sum(results[r][i.name]["wall_s"] for i in non_speech) for r in rows}
    print("| wall s, all non-speech (approx.) | " + " | ".join(f"{ns_wall[r]:.0f}" for r in rows) + " |")


def _guard_report(rows: list[str], results: dict[str, dict], items: list[Item]) -> None:
    """Our guards: words each one removed on speech and on non-speech (a guard must not cost real words)."""
    ours = [r for r in rows if r.startswith("subtitler:") and any(results[r][k].get("dropped") for k in results[r])]
    for r in ours:
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        on_speech = []
        for item in items:
            for reason, start, end, text in results[r][item.name].get("dropped", []):
                n = len(normalise(text).split())
                middle = (start + end) / 2
                speech = item.set == "clips" or any(s.kind == "speech" and s.start <= middle <= s.end for s in item.stretches)
                counts[reason][0 if speech else 1] += n
                if speech:
                    on_speech.append(f"{item.name} {start:.1f}-{end:.1f} {reason}: {text.strip()!r}")
        print(f"\nGuards of {row_name(r)}: words dropped on speech / on non-speech: "
              + ", ".join(f"{reason} {a}/{b}" for reason, (a, b) in sorted(counts.items())))
        for line in on_speech:
            print(f"  on speech: {line}")


def units_of(item: Item, result: dict) -> list[UnitErrors]:
    """A file's errors per recording: the clip itself, or each recording of a programme (joined as its reference)."""
    hypothesis = normalise(text_of(result))
    if item.set == "clips":
        return errors_per_unit([normalise(item.reference)], hypothesis)
    references = [normalise(clip_reference(s.clip)) for s in item.stretches if s.kind == "speech"]
    if " ".join(references).split() != normalise(item.reference).split():
        raise ValueError(f"{item.name}: its recordings' references do not join into its reference")
    return errors_per_unit(references, hypothesis)


def _peer_comparison(rows: list[str], results: dict[str, dict], clips: list[Item], long_forms: list[Item]) -> None:
    """Our first row against each other row, per set, with a paired bootstrap over the set's recordings.

    The verdict is against the best peer (openai-whisper or faster-whisper, whichever is lower on the set):
    "worse" only where the whole interval of the difference lies above zero, since a word or two on a set of
    a few hundred is not something the set can tell apart (see paired_bootstrap.py). Our other rows, when
    asked for, show how far a change of arithmetic alone (ours:float32) moves the same sets.
    """
    ours = next((r for r in rows if r.startswith("subtitler:")), None)
    others = [r for r in rows if r != ours]
    if ours is None or not any(not r.startswith("subtitler:") for r in others):
        return
    sets: list[tuple[str, list[Item]]] = [("clips, Japanese apart", clips)] if clips else []
    sets += [(i.name, [i]) for i in long_forms]
    if len(long_forms) > 1:
        sets.append((f"all {len(long_forms)} programmes together", long_forms))
    print(f"\n{row_name(ours)} against each other row: WER difference (ours minus theirs) in words and as WER, with "
          f"the {LEVEL:.0%} interval of a paired bootstrap over the set's recordings ({DRAWS} draws)\n")
    print("| set | " + " | ".join(row_name(r) for r in others) + " | against the best peer |")
    print("|" + "---|" * (len(others) + 2))
    items = {i.name: i for _, group in sets for i in group}.values()  # the pooled row reuses each file's units
    units = {(r, i.name): units_of(i, results[r][i.name]) for r in rows for i in items}
    for name, group in sets:
        mine = [u for i in group for u in units[ours, i.name]]
        cells, best = [], None
        for other in others:
            c = compare(mine, [u for i in group for u in units[other, i.name]])
            cells.append(f"{c.error_difference:+d} words, {c.difference:+.3f} [{c.low:+.3f}, {c.high:+.3f}]")
            if not other.startswith("subtitler:") and (best is None or c.difference > best[1].difference):
                best = (other, c)  # the best peer is the one ours is furthest above
        peer, c = best
        print(f"| {name} ({len(mine)} recordings) | " + " | ".join(cells)
              + f" | {c.verdict} ({row_name(peer)}; ours above in {c.share_worse:.0%} of draws) |")


# --- main ------------------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=["tiny.en", "base"])
    parser.add_argument("--rows", nargs="+", default=list(DEFAULT_ROWS), help="engine:config, see above")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--sets", nargs="+", default=list(DEFAULT_SETS), choices=SETS, help="which sets to run and report")
    parser.add_argument("--report-only", action="store_true", help="print from the cache; run nothing")
    parser.add_argument("--worker", nargs=3, metavar=("ENGINE", "CONFIG", "MODEL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker, threads=args.threads, sets=args.sets)
        return
    for row in args.rows:
        engine, _, config = row.partition(":")
        if engine == "subtitler" and config not in CONFIGS or engine != "subtitler" and config not in PEER_CONFIGS.get(engine, {}):
            parser.error(f"unknown row {row}")
    for model in args.models:
        items = items_of(model, args.sets)
        results = {}
        for row in args.rows:
            engine, _, config = row.partition(":")
            if not args.report_only and load_row(engine, config, model, items) is None:
                subprocess.run([sys.executable, __file__, "--worker", engine, config, model, "--threads", str(args.threads),
                            "--sets", *args.sets],
                               check=False)
            found = load_row(engine, config, model, items)
            if found is None:
                print(f"{row} {model}: no complete result", file=sys.stderr)
                continue
            results[row] = found
        rows = [r for r in args.rows if r in results]
        if rows:
            report(model, rows, results, items)


if __name__ == "__main__":
    main()
