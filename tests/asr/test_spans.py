"""What gets decoded: clip timestamps, and the voice-activity filter's speech stretches, on the original timeline."""

from __future__ import annotations

import re

import numpy as np
import pytest

from subtitler.asr.spans import batch_chunks, decode_spans, merge_regions, to_frames
from subtitler.asr.transcribe import TranscribeOptions, transcribe
from subtitler.asr.vad import SpeechRegion
from tests.asr.clips import load_clip

SR = 16000


def bare(word: str) -> str:
    return re.sub(r"\W", "", word.lower())


def regions(*pairs: tuple[float, float]) -> list[SpeechRegion]:
    return [SpeechRegion(a, b) for a, b in pairs]


def test_regions_merge_into_stretches_of_at_most_one_window():
    merged = merge_regions(regions((1, 5), (8, 12), (20, 30.5), (31, 33), (40, 95), (96, 97)))
    assert merged == [(1, 30.5), (31, 33), (40, 95), (96, 97)]  # 1 to 33 would be 32 s; 40-95 is long alone
    assert merge_regions(regions((0, 10), (12, 30))) == [(0, 30)]
    assert merge_regions([]) == []


def test_spans_are_frames_of_the_clips_narrowed_to_speech():
    assert decode_spans(1000) == [(0, 1000)]
    assert to_frames(1.234, 2.001, 1000) == (123, 201)
    assert to_frames(5, 20, 1000) == (500, 1000)
    assert decode_spans(3000, [(10.0, 20.0), (2.0, 4.0), (3.5, 5.0)]) == [(200, 500), (1000, 2000)]
    speech = regions((1.0, 3.0), (35.0, 45.0))
    assert decode_spans(6000, (), speech) == [(100, 300), (3500, 4500)]
    assert decode_spans(6000, [(2.0, 38.0)], speech) == [(200, 300), (3500, 3800)]
    assert decode_spans(6000, (), regions((1.0, 3.0), (15.0, 25.0))) == [(100, 2500)], "one window holds both"
    assert decode_spans(3000, (), []) == [], "no speech: nothing to decode"
    with pytest.raises(ValueError):
        TranscribeOptions(clip_timestamps=((5.0, 2.0),))


class CountingModel:
    """The real model, counting the 30-s windows it encodes."""

    def __init__(self, model) -> None:
        self._model, self.windows = model, 0

    def embed_audio(self, mel):
        self.windows += 1
        return self._model.embed_audio(mel)

    def __getattr__(self, name):
        return getattr(self._model, name)


@pytest.mark.slow
def test_the_vad_filter_decodes_only_the_speech_and_keeps_its_times(tiny_en, tiny_en_tokenizer, data_dir):
    """jfk.flac between 40 s and 35 s of silence: one window instead of four, words at their places in the file."""
    jfk = load_clip(data_dir / "jfk.flac")
    audio = np.concatenate([np.zeros(40 * SR, np.float32), jfk, np.zeros(35 * SR, np.float32)])
    alone = list(transcribe(tiny_en, tiny_en_tokenizer, jfk, TranscribeOptions(word_timing="reference")))
    model, progress = CountingModel(tiny_en), []
    filtered = list(transcribe(model, tiny_en_tokenizer, audio, TranscribeOptions(vad_filter=True, word_timing="reference"),
                               on_progress=lambda done, total: progress.append((done, total))))
    assert model.windows == 1
    assert progress[-1] == (pytest.approx(len(audio) / SR), pytest.approx(len(audio) / SR))
    text = "".join(s.text for s in filtered).lower()
    assert "ask not what your country can do for you" in text
    ours = [x for s in filtered for x in s.words]
    theirs = [x for s in alone for x in s.words]
    assert [bare(x.word) for x in ours] == [bare(x.word) for x in theirs]  # the punctuation may differ
    offsets = [a.start - b.start for a, b in zip(ours, theirs)]
    assert np.median(offsets) == pytest.approx(40.0, abs=0.05), "times come back on the original timeline"
    assert all(40.0 <= x.start and x.end <= 40.0 + len(jfk) / SR for x in ours)


@pytest.mark.slow
def test_the_vad_filter_on_silence_yields_nothing_and_finishes(tiny_en, tiny_en_tokenizer):
    model, progress = CountingModel(tiny_en), []
    out = list(transcribe(model, tiny_en_tokenizer, np.zeros(50 * SR, np.float32), TranscribeOptions(vad_filter=True),
                          on_progress=lambda done, total: progress.append((done, total))))
    assert out == [] and model.windows == 0
    assert progress == [(50.0, 50.0)]


@pytest.mark.slow
def test_clip_timestamps_decode_only_the_clip(tiny_en, tiny_en_tokenizer, data_dir):
    jfk = load_clip(data_dir / "jfk.flac")
    segments = list(transcribe(tiny_en, tiny_en_tokenizer, jfk, TranscribeOptions(clip_timestamps=((5.0, 11.0),))))
    text = "".join(s.text for s in segments).lower()
    assert "fellow americans" not in text and "your country" in text
    assert segments[0].start >= 5.0


def test_batch_chunks_join_regions_at_pauses_and_never_exceed_one_window():
    speech = regions((1, 5), (8, 12), (20, 30.5), (31, 33), (40, 95), (96, 97))
    chunks = batch_chunks(10_000, speech)
    assert chunks[:2] == [(100, 3050), (3100, 3300)]  # 1-33 s would be 32 s: cut in the pause at 30.5-31 s
    # 55 s without a pause: two equal parts; the short region after it joins the second (67.5-97 s fits)
    assert chunks[2:] == [(4000, 6750), (6750, 9700)]
    assert all(0 < end - first <= 3000 for first, end in chunks)
    assert all(a[1] <= b[0] for a, b in zip(chunks, chunks[1:]))  # in order, disjoint


def test_batch_chunks_stay_inside_the_audio_and_the_clips():
    assert batch_chunks(1000, regions((2, 5), (8, 20))) == [(200, 1000)]  # clipped to 10 s of audio
    assert batch_chunks(6000, regions((1, 3), (35, 45)), [(2.0, 38.0)]) == [(200, 300), (3500, 3800)]
    assert batch_chunks(6000, []) == []
    assert batch_chunks(6000, regions((0, 30)), max_frames=1000) == [(0, 1000), (1000, 2000), (2000, 3000)]
    overlapping = batch_chunks(10_000, regions((0, 29), (28, 40)))  # padded regions may overlap
    assert overlapping == [(0, 2900), (2900, 4000)]
