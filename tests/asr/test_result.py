"""Transcription results as openai-style JSON and as readable cues."""

from __future__ import annotations

from subtitler.asr.result import plain_text, result_dict, segments_to_cues, segments_to_document
from subtitler.asr.transcribe import Segment, TranscriptionInfo
from subtitler.core.reading_rules import PROFILES

INFO = TranscriptionInfo(language="en", language_probability=0.98, duration=11.0)


def seg(i: int, start: float, end: float, text: str, language: str = "en") -> Segment:
    return Segment(id=i, seek=0, start=start, end=end, text=text, tokens=(1, 2), temperature=0.0, avg_logprob=-0.2,
                   compression_ratio=1.3, no_speech_prob=0.01, language=language)


JFK = [seg(0, 0.0, 7.74, " And so my fellow Americans ask not what your country can do for you"),
       seg(1, 7.74, 10.74, " ask what you can do for your country"), seg(2, 10.74, 11.0, " ")]


def test_long_segments_become_cues_that_follow_the_reading_rules():
    profile = PROFILES["en"]
    cues = segments_to_cues(JFK)
    assert " ".join(c.plain_text for c in cues) == " ".join(s.text.strip() for s in JFK if s.text.strip())
    for cue in cues:
        assert cue.duration_ms <= profile.max_duration_ms
        assert len(cue.lines) <= profile.max_lines and all(len(line) <= profile.max_chars_per_line for line in cue.lines)
    assert cues[0].start_ms == 0 and cues[-1].end_ms <= 10_740
    assert all(a.end_ms <= b.start_ms for a, b in zip(cues, cues[1:]))


def test_result_dict_has_the_openai_shape_and_document_keeps_language_and_media(tmp_path):
    result = result_dict(INFO, JFK)
    assert result["language"] == "en" and result["duration"] == 11.0
    assert [s["start"] for s in result["segments"]] == [0.0, 7.74, 10.74]
    assert {"avg_logprob", "no_speech_prob", "compression_ratio", "tokens"} <= set(result["segments"][0])
    document = segments_to_document(JFK, INFO, tmp_path / "talk.mp4")
    assert document.language == "en" and document.media_path == str((tmp_path / "talk.mp4").resolve())
    assert plain_text(JFK).splitlines() == [s.text.strip() for s in JFK if s.text.strip()]
