"""Transcribing one stretch of a recording: the segments and their words come back in the recording's times."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from subtitler.asr.alignment import WordTiming
from subtitler.asr.span import shift_segment, span_samples, transcribe_span
from subtitler.asr.transcribe import Segment, TranscribeOptions


def test_shift_segment_moves_segment_and_words():
    segment = Segment(0, 0, 1.0, 2.0, " hi there", (), 0.0, -0.1, 1.0, 0.0, "en",
                      (WordTiming(" hi", 1.0, 1.4, 0.9), WordTiming(" there", 1.5, 2.0, 0.8)))
    moved = shift_segment(segment, 10.0)
    assert (moved.start, moved.end) == (11.0, 12.0)
    assert [(w.word, w.start, w.end) for w in moved.words] == [(" hi", 11.0, 11.4), (" there", 11.5, 12.0)]
    assert shift_segment(Segment(0, 0, 0.5, 1.0, " x", (), 0.0, 0.0, 1.0, 0.0, "en"), 2.0).words == ()


def test_span_samples_clips_and_refuses_empty_spans():
    audio = np.arange(16_000 * 3, dtype=np.float32)
    assert len(span_samples(audio, 1.0, 2.5)) == 24_000 and span_samples(audio, 1.0, 2.5)[0] == 16_000
    assert len(span_samples(audio, 2.5, 9.0)) == 8_000
    with pytest.raises(ValueError, match="empty span"):
        span_samples(audio, 2.0, 2.0)


@pytest.mark.slow
def test_a_stretch_of_jfk_is_transcribed_in_the_recordings_times(tiny_en_dir: Path, data_dir: Path):
    from subtitler.asr.engine import load_engine
    from subtitler.media.decode import decode_audio, decode_span

    engine = load_engine(str(tiny_en_dir), device="cpu")
    whole = decode_audio(data_dir / "jfk.flac")
    stretch = decode_span(data_dir / "jfk.flac", 3.2, 4.6)
    assert len(stretch) == round(4.6 * 16_000)
    difference = np.abs(stretch - span_samples(whole, 3.2, 7.8))
    assert difference[200:].max() < 1e-5 and difference.max() < 1e-3, "ffmpeg's seek lands on the same samples (the resampler settles in a few)"
    segments = list(transcribe_span(engine, stretch, 3.2, TranscribeOptions(language="en")))
    text = "".join(s.text for s in segments).lower()
    assert "ask not what your country" in text and "fellow americans" not in text
    assert 3.2 <= segments[0].start and segments[-1].end <= 7.8 + 0.02
    words = [w for s in segments for w in s.words]
    assert words and all(3.2 <= w.start <= w.end <= 7.82 for w in words)
    ask = next(w for w in words if w.word.strip().lower() == "ask")
    assert 3.5 < ask.end < 4.5, "the word ends where it is spoken in the whole recording (about 3.9 s), not 0.7 s in"
