"""Word timing refinement on audio built so the truth is known: real speech (LDC93S1) with silence or noise of known length.

The utterance is LDC93S1 cut at its TIMIT speech edges (samples 3050-44586), placed twice:
1.2 s pause, speech, 0.9 s pause, speech, 1.5 s pause. Each correction gets the fault the recipe
makes (measured in benchmarks/bench_words.py) and must move the edge onto the known speech edge;
switched off, it must leave the fault in place.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from subtitler.asr.alignment import SegmentWords, WordTiming
from subtitler.asr.vad import speech_probabilities
from subtitler.asr.word_refine import RefineOptions, SpeechMap, frame_energy_db, refine_window, refine_words
from tests.asr.clips import load_clip

SR = 16000
LEAD, GAP, TAIL = 1.2, 0.9, 1.5
SPEECH = (44586 - 3050) / SR  # 2.596 s
ON1, OFF1 = LEAD, LEAD + SPEECH
ON2, OFF2 = OFF1 + GAP, OFF1 + GAP + SPEECH
TOL = 0.03  # the map's edges: 10-ms frames, 30-ms sustain


def build(data_dir: Path, noisy: bool) -> np.ndarray:
    ldc = load_clip(data_dir / "LDC93S1.wav")
    speech = ldc[3050:44586]
    rms = float(np.sqrt(np.mean(ldc[:2900].astype(np.float64) ** 2))) if noisy else 0.0  # its own leading pause
    rng = np.random.default_rng(0)

    def pause(seconds: float) -> np.ndarray:
        return (rng.standard_normal(round(seconds * SR)) * rms).astype(np.float32)
    return np.concatenate([pause(LEAD), speech, pause(GAP), speech, pause(TAIL)])


@pytest.fixture(scope="module", params=[False, True], ids=["silence", "noise"])
def speech_map(request, data_dir) -> SpeechMap:
    audio = build(data_dir, request.param)
    return SpeechMap.from_audio(audio, speech_probabilities(audio))


def w(text: str, start: float, end: float) -> WordTiming:
    return WordTiming(text, start, end, 0.9)


def times(words) -> list[tuple[float, float]]:
    return [(x.start, x.end) for x in words]


def test_the_speech_map_finds_the_known_edges(speech_map):
    assert len(speech_map.regions) == 2
    (a, b), (c, d) = speech_map.regions
    assert a == pytest.approx(ON1, abs=TOL) and b == pytest.approx(OFF1, abs=TOL)
    assert c == pytest.approx(ON2, abs=TOL) and d == pytest.approx(OFF2, abs=TOL)
    assert speech_map.pause_at(0.5) == (0.0, a)
    assert speech_map.pause_at(2.0) is None
    assert speech_map.pause_at(OFF2 + 0.5) == (d, pytest.approx(OFF2 + TAIL, abs=0.01))


def test_energy_sharpens_silero_edges(data_dir):
    """Silero's 32-ms frames alone place LDC93S1's onset 70 ms late (0.26 s against the label's 0.19 s)."""
    audio = load_clip(data_dir / "LDC93S1.wav")
    probs = speech_probabilities(audio)
    coarse = SpeechMap.from_audio(audio, probs, RefineOptions(energy_edges=False))
    sharp = SpeechMap.from_audio(audio, probs)
    assert abs(coarse.regions[0][0] - 3050 / SR) > 0.05
    assert sharp.regions[0][0] == pytest.approx(3050 / SR, abs=0.02)


def test_a_first_word_early_over_silence_starts_at_the_onset(speech_map):
    words = refine_words([w(" She", 0.0, 1.5), w(" had", 1.5, 1.8)], speech_map)
    assert words[0].start == pytest.approx(ON1, abs=TOL)
    assert words[0].end == 1.5 and times(words[1:]) == [(1.5, 1.8)]  # inside speech nothing moves
    off = refine_words([w(" She", 0.0, 1.5)], speech_map, RefineOptions(snap_edges=False, pull_to_edges=False))
    assert off[0].start == 0.0


def test_an_over_long_last_word_ends_at_the_offset(speech_map):
    words = refine_words([w(" all", 3.3, 3.5), w(" year.", 3.5, 4.4)], speech_map)
    assert words[1].end == pytest.approx(OFF1, abs=TOL)
    off = refine_words([w(" year.", 3.5, 4.4)], speech_map, RefineOptions(snap_edges=False, pull_to_edges=False))
    assert off[0].end == 4.4


def test_a_word_glued_to_the_window_end_ends_at_the_offset(speech_map):
    """The last word of a window runs on to the window's end (here the end of the audio)."""
    end_of_audio = OFF2 + TAIL
    words = refine_words([w(" water", 6.6, 6.9), w(" year.", 6.9, end_of_audio)], speech_map)
    assert words[1].end == pytest.approx(OFF2, abs=TOL)


def test_a_word_stretched_over_a_pause_starts_after_it(speech_map):
    """DTW gave the pause to the next sentence's first word: it started in the tail of the last one."""
    words = [w(" year.", 3.5, 3.75), w(" She", 3.75, 4.9), w(" had", 4.9, 5.1)]
    refined = refine_words(words, speech_map)
    assert refined[0].end == pytest.approx(OFF1, abs=TOL)
    assert refined[1].start == pytest.approx(ON2, abs=TOL)
    assert times(refined[2:]) == [(4.9, 5.1)]
    no_split = refine_words(words, speech_map, RefineOptions(split_pauses=False))
    assert no_split[1].start == 3.75, "the start lies in speech: only splitting the pause moves it"


def test_a_word_before_a_pause_that_swallowed_it_ends_at_the_offset(speech_map):
    """The other way round: the sentence's last word holds the pause and a little of the next onset."""
    words = [w(" all", 3.3, 3.5), w(" year.", 3.5, 4.75), w(" She", 4.75, 4.9)]
    refined = refine_words(words, speech_map)
    assert refined[1].end == pytest.approx(OFF1, abs=TOL)
    assert refined[2].start == pytest.approx(ON2, abs=TOL)


def test_a_late_start_moves_back_to_a_near_onset_but_never_past_a_word(speech_map):
    words = refine_words([w(" She", ON2 + 0.15, ON2 + 0.3)], speech_map)
    assert words[0].start == pytest.approx(ON2, abs=TOL)
    blocked = refine_words([w(" So", ON2 - 0.05, ON2 + 0.1), w(" she", ON2 + 0.15, ON2 + 0.3)], speech_map)
    assert blocked[1].start == pytest.approx(ON2 + 0.15)
    far = refine_words([w(" had", ON2 + 0.35, ON2 + 0.5)], speech_map)
    assert far[0].start == pytest.approx(ON2 + 0.35), "beyond the tolerance a start inside speech stays"
    off = refine_words([w(" She", ON2 + 0.15, ON2 + 0.3)], speech_map, RefineOptions(pull_to_edges=False))
    assert off[0].start == pytest.approx(ON2 + 0.15)


def test_an_early_end_moves_on_to_a_near_offset(speech_map):
    words = refine_words([w(" year.", OFF1 - 0.3, OFF1 - 0.12)], speech_map)
    assert words[0].end == pytest.approx(OFF1, abs=TOL)


def test_segments_follow_their_words_and_words_stay_ordered(speech_map):
    segments = [SegmentWords((w(" She", 0.0, 1.6), w(" had", 1.6, 4.4)), 0.0, 4.4),
                SegmentWords((w(" your", 4.4, 4.9),), 4.4, 8.0)]
    out = refine_window(segments, speech_map)
    assert out[0].start == out[0].words[0].start == pytest.approx(ON1, abs=TOL)
    assert out[0].end == out[0].words[-1].end == pytest.approx(OFF1, abs=TOL)
    assert out[1].start == pytest.approx(ON2, abs=TOL) and out[1].end == 4.9
    flat = [x for s in out for x in s.words]
    assert all(a.end <= b.start for a, b in zip(flat, flat[1:])) and all(x.start <= x.end for x in flat)
    kept = refine_window(segments, speech_map, RefineOptions(follow_words=False))
    assert [(s.start, s.end) for s in kept] == [(0.0, 4.4), (4.4, 8.0)]


def test_a_word_wholly_in_a_pause_is_left_where_it_is_and_no_segment_empties(speech_map):
    """With no speech inside, there is no edge to move to: the word stays (the hallucination guards judge it)."""
    segments = [SegmentWords((w(" Hmm.", 4.0, 4.3),), 4.0, 4.3)]
    out = refine_window(segments, speech_map)
    assert times(out[0].words) == [(4.0, 4.3)] and (out[0].start, out[0].end) == (4.0, 4.3)


def test_audio_without_pauses_changes_nothing():
    rng = np.random.default_rng(1)
    speech = SpeechMap(((0.0, 10.0),), 10.0)
    words = [w(f" w{i}", t, round(t + 0.3, 2)) for i, t in enumerate(np.round(np.sort(rng.uniform(0, 9, 12)), 2).tolist())]
    words = [dataclasses.replace(x, end=min(x.end, y.start)) for x, y in zip(words, words[1:])] + words[-1:]
    assert times(refine_words(words, speech)) == times(words)


def test_energy_frames_and_options_check():
    assert frame_energy_db(np.zeros(1600, np.float32)).tolist() == [-120.0] * 10
    assert len(frame_energy_db(np.ones(1650, np.float32))) == 11
    audio = (np.random.default_rng(3).standard_normal(16_037) * np.linspace(1e-4, 0.9, 16_037)).astype(np.float32)
    wide = audio.astype(np.float64)
    power = [np.mean(wide[i: i + 160] ** 2) for i in range(0, len(wide), 160)]  # the last frame: the 37-sample tail
    np.testing.assert_allclose(frame_energy_db(audio), 10 * np.log10(np.array(power) + 1e-12), rtol=0, atol=1e-9)
    with pytest.raises(ValueError):
        RefineOptions(edge_tolerance_s=-1)
    with pytest.raises(ValueError):
        RefineOptions(vad_threshold=1.5)


# --- end to end: real tiny.en, the product's own transcribe --------------------------------------

@pytest.mark.slow
def test_refined_words_start_and_end_on_the_speech_where_the_recipe_does_not(tiny_en, tiny_en_tokenizer, data_dir):
    """LDC93S1's sentence with 1.5 s of silence before and 2 s after: the true edges are 1.5 s and 4.096 s."""
    from subtitler.asr.result import segments_to_cues
    from subtitler.asr.transcribe import TranscribeOptions, transcribe

    ldc = load_clip(data_dir / "LDC93S1.wav")
    audio = np.concatenate([np.zeros(24000, np.float32), ldc[3050:44586], np.zeros(32000, np.float32)])
    onset, offset = 1.5, 1.5 + SPEECH
    refined = list(transcribe(tiny_en, tiny_en_tokenizer, audio, TranscribeOptions()))
    reference = list(transcribe(tiny_en, tiny_en_tokenizer, audio, TranscribeOptions(word_timing="reference")))
    assert [s.tokens for s in refined] == [s.tokens for s in reference], "refinement never changes the text"
    words = [x for s in refined for x in s.words]
    their = [x for s in reference for x in s.words]
    assert their[0].start < onset - 0.15 and their[-1].end > offset + 0.1, "the recipe's faults (if gone, update this test)"
    assert words[0].start == pytest.approx(onset, abs=0.03)
    assert words[-1].end == pytest.approx(offset, abs=0.03)
    assert refined[0].start == words[0].start and refined[-1].end == words[-1].end
    cues = segments_to_cues(refined, len(audio) / SR)
    assert cues[0].start_ms == round(words[0].start * 1000), "no cue starts over the silence"


def test_an_instantaneous_segment_stays_instantaneous_and_the_audio_end_is_no_offset():
    """The recipe leaves a segment without duration at a window's end; the transcription drops it. Refinement must
    not give it a duration (that would add text), nor pull a word to the end of the audio as if speech ended there."""
    speech = SpeechMap(((21.8, 30.0),), 30.0)
    segments = [SegmentWords((w(" now.", 29.62, 29.8),), 29.62, 29.8),
                SegmentWords((w(" I'm", 29.98, 29.98), w(" Sheila.", 29.98, 29.98)), 29.98, 29.98)]
    out = refine_window(segments, speech)
    assert out[1] == segments[1]
    assert (out[0].start, out[0].end) == (29.62, 29.8)
    assert refine_words([w(" so", 0.05, 0.2)], SpeechMap(((0.0, 5.0),), 5.0))[0].start == 0.05
