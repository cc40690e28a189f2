"""Speaker diarization quality, speed and memory on clips with known truth (benchmarks/diarization_sets.py).

Prints per clip: diarization error rate (pyannote.metrics) with the standard 250-ms collar (+-0.25 s
around each reference boundary, pyannote ``collar=0.5``) and without, overlapped speech scored; the
number of speakers found vs true; word-level speaker accuracy (words from Whisper base, each word's
speaker mapped to the reference speaker by pyannote's optimal mapping, against the reference speaker
at the word's middle); seconds per minute of audio; and the process's peak RSS. The published anchor
is printed beside: pyannote 3.1 reports DER 11-19 % on VoxConverse/AMI (no collar), with a GPU model
we do not run here.

    .venv/bin/python benchmarks/bench_diarization.py [--no-words] [--clips NAME,...]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import diarization_sets as sets  # noqa: E402

PEER = "pyannote 3.1 (published): DER 11-19 % on VoxConverse/AMI, no collar"


def annotation(turns):
    from pyannote.core import Annotation, Segment

    out = Annotation()
    for t in turns:
        out[Segment(t.start, t.end)] = t.speaker
    return out


def word_accuracy(clip, turns, engine) -> float | None:
    """Share of transcribed words whose speaker (mapped to the reference's names) is the reference speaker there."""
    from pyannote.metrics.diarization import DiarizationErrorRate

    from subtitler.asr.speakers.words import speakers_for_spans
    from subtitler.asr.transcribe import TranscribeOptions

    spans = clip.text_spans or clip.truth
    if engine is None or not spans or not turns:
        return None
    words = [w for s in engine.transcribe(clip.audio, TranscribeOptions(word_timestamps=True)) for w in s.words]
    mapping = DiarizationErrorRate().optimal_mapping(annotation(spans), annotation(turns))  # the spans' own names (STM != RTTM)
    said = speakers_for_spans([(w.start, w.end) for w in words], turns)
    right = total = 0
    for word, speaker in zip(words, said):
        middle = (word.start + word.end) / 2
        truth = [s.speaker for s in spans if s.start <= middle <= s.end]
        if len(truth) != 1:
            continue  # in a pause between spans or in overlapped speech: no single right answer
        total += 1
        right += mapping.get(speaker) == truth[0]
    return right / total if total else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-words", action="store_true", help="skip transcription and word-level accuracy")
    parser.add_argument("--clips", default=None, help="comma-separated clip names (default: all)")
    args = parser.parse_args()

    from pyannote.metrics.diarization import DiarizationErrorRate

    from subtitler.asr.speakers import diarize

    engine = None
    if not args.no_words:
        from subtitler.asr.engine import load_engine

        engine = load_engine("base")
    wanted = set(args.clips.split(",")) if args.clips else None
    clips = [c for c in sets.all_clips() if wanted is None or c.name in wanted]
    print(PEER)
    print(f"{'clip':<22} {'secs':>5} {'DER 250ms':>9} {'DER 0':>6} {'spk found/true':>14} {'word acc':>8} {'s per min':>9}")
    totals = [0.0, 0.0]
    for clip in clips:
        began = time.perf_counter()
        turns = list(diarize(clip.audio))
        took = time.perf_counter() - began
        reference, hypothesis = annotation(clip.truth), annotation(turns)
        collar = DiarizationErrorRate(collar=0.5)(reference, hypothesis)
        bare = DiarizationErrorRate(collar=0.0)(reference, hypothesis)
        accuracy = word_accuracy(clip, turns, engine)
        totals[0] += took
        totals[1] += clip.seconds
        found = len({t.speaker for t in turns})
        print(f"{clip.name:<22} {clip.seconds:5.1f} {collar * 100:8.1f}% {bare * 100:5.1f}% {found:>8}/{clip.speakers:<5} "
              f"{'-' if accuracy is None else f'{accuracy * 100:.1f}%':>8} {took / clip.seconds * 60:9.1f}   {clip.note}", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"all: {totals[0] / totals[1] * 60:.1f} s of diarization per minute of audio; peak RSS {peak:.0f} MiB "
          f"(process, {'with' if engine else 'without'} the Whisper model); shared 2-core machine")
    return 0


if __name__ == "__main__":
    sys.exit(main())
