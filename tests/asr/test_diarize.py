"""Diarization on real speech with known truth: speakers found, DER, counts given, bad input, progress and cancel."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from subtitler.asr.speakers import DiarizationOptions, SpeakerCount, diarize
from subtitler.errors import Cancelled

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import diarization_sets as sets  # noqa: E402  (the clips the benchmark measures)

pytestmark = pytest.mark.slow


def der(clip, turns, collar: float = 0.25) -> float:
    from pyannote.core import Annotation, Segment
    from pyannote.metrics.diarization import DiarizationErrorRate

    def annotation(items):
        out = Annotation()
        for t in items:
            out[Segment(t.start, t.end)] = t.speaker
        return out

    # pyannote's collar is the total width around each boundary (0.5 = +-250 ms), as in its docs
    return DiarizationErrorRate(collar=2 * collar)(annotation(clip.truth), annotation(turns))


@pytest.fixture(scope="module")
def two_voices():
    return sets.joined("jfk+librispeech1272")


@pytest.fixture(scope="module")
def three_voices():
    return sets.joined("three_speakers")


def test_two_speakers_found_and_placed(two_voices):
    progress = []
    turns = list(diarize(two_voices.audio, on_progress=lambda done, total: progress.append((done, total))))
    assert len({t.speaker for t in turns}) == 2
    assert der(two_voices, turns) < 0.10
    assert progress[-1][0] == pytest.approx(progress[-1][1]) and progress[-1][1] == pytest.approx(two_voices.seconds)
    assert all(a.end <= b.start + 1e-6 for a, b in zip(turns, turns[1:]))
    assert turns[0].speaker == "Speaker 1"


def test_the_count_given_is_kept(three_voices):
    exact = list(diarize(three_voices.audio, DiarizationOptions(count=SpeakerCount(exact=3))))
    assert len({t.speaker for t in exact}) == 3
    assert der(three_voices, exact) < 0.10
    at_most_two = list(diarize(three_voices.audio, DiarizationOptions(count=SpeakerCount(maximum=2))))
    assert len({t.speaker for t in at_most_two}) == 2


def test_one_speaker_is_one_speaker(data_dir):
    turns = list(diarize(sets.decode(data_dir / "jfk.flac")))
    assert {t.speaker for t in turns} == {"Speaker 1"}
    assert sum(t.duration for t in turns) > 6.0  # 11 s of speech with pauses


def test_music_silence_and_tiny_files_give_sensible_results(data_dir):
    rate = sets.RATE
    t = np.arange(8 * rate) / rate
    notes = 220.0 * 2 ** (np.floor(t * 2) % 8 / 12)  # a scale, two notes a second, with harmonics
    music = sum(0.2 / k * np.sin(2 * np.pi * k * notes * t) for k in (1, 2, 3)).astype(np.float32)
    assert len({x.speaker for x in diarize(music)}) <= 1
    assert list(diarize(np.zeros(5 * rate, np.float32))) == []
    assert list(diarize(np.zeros(0, np.float32))) == []
    short = sets.decode(data_dir / "jfk.flac")[int(0.3 * rate): int(0.9 * rate)]
    assert len({x.speaker for x in diarize(short)}) <= 1


def test_cancel_stops_with_cancelled(two_voices):
    """Asked on the second poll: voice activity (one poll for a short file) is done, the speaker embeddings stop."""
    calls = []

    def stop() -> bool:
        calls.append(1)
        return len(calls) > 1

    with pytest.raises(Cancelled):
        list(diarize(two_voices.audio, should_stop=stop))
