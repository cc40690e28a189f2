"""Speakers through the result paths: JSON 'speaker' on words and segments, cues built per speaker, names in text."""

from __future__ import annotations

from subtitler.asr.result import result_dict, segments_to_cues
from subtitler.asr.speakers.diarize import SpeakerTurn
from subtitler.asr.transcribe import Segment, TranscriptionInfo, WordTiming
from subtitler.core.speaker_text import name_labels

INFO = TranscriptionInfo(language="en", language_probability=0.98, duration=12.0)
TURNS = [SpeakerTurn(0.0, 4.0, "Speaker 1"), SpeakerTurn(4.2, 6.0, "Speaker 2"), SpeakerTurn(6.5, 12.0, "Speaker 1")]


def _segment(i: int, words: list[tuple[str, float, float]]) -> Segment:
    timed = tuple(WordTiming(word=w, start=s, end=e, probability=0.9) for w, s, e in words)
    return Segment(id=i, seek=0, start=words[0][1], end=words[-1][2], text="".join(w for w, _, _ in words), tokens=(1,),
                   temperature=0.0, avg_logprob=-0.2, compression_ratio=1.2, no_speech_prob=0.01, language="en", words=timed)


SEGMENTS = [
    _segment(0, [(" I", 0.2, 0.4), (" waited", 0.5, 1.0), (" for", 1.1, 1.3), (" an", 1.4, 1.5), (" hour", 1.6, 2.0),
                 (" and", 2.1, 2.3), (" nobody", 2.4, 3.0), (" came.", 3.1, 3.8), (" Sorry,", 4.3, 4.8), (" my", 4.9, 5.1),
                 (" fault.", 5.2, 5.8)]),
    _segment(1, [(" Never", 6.6, 7.0), (" mind,", 7.1, 7.5), (" let's", 7.8, 8.0), (" go", 8.1, 8.3), (" now.", 8.4, 8.9)]),
]


def test_json_words_and_segments_get_speakers_like_whisperx():
    result = result_dict(INFO, SEGMENTS, TURNS)
    assert [w["speaker"] for w in result["segments"][0]["words"]] == ["Speaker 1"] * 8 + ["Speaker 2"] * 3
    assert [s["speaker"] for s in result["segments"]] == ["Speaker 1", "Speaker 1"]
    assert "speaker" not in result_dict(INFO, SEGMENTS)["segments"][0]


def test_cues_follow_speakers_and_names_start_each_turn():
    cues = segments_to_cues(SEGMENTS, INFO.duration, turns=TURNS)
    for cue in cues:
        if cue.speaker is not None:
            assert {w.speaker for w in cue.words} == {cue.speaker}
    assert any(c.speaker == "Speaker 2" or "Sorry" in c.text and "\n" in c.text for c in cues)
    named = name_labels(cues)
    text = "\n".join(c.text for c in named)
    assert text.startswith("Speaker 1: I waited")
    assert "Speaker 2: Sorry," in text
    assert "Speaker 1: Never mind" in text
    assert text.count("Speaker 1:") == 2  # a cue continuing the same speaker is not named again
