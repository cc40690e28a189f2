"""The live voice-activity gate on real speech: silence held back, utterance ends at pauses, stream clock kept."""

from __future__ import annotations

import numpy as np

from subtitler.asr.speech_gate import GatedAudio, SpeechGate, UtteranceEnd
from subtitler.media.decode import decode_audio


def run_gate(audio: np.ndarray, block: int) -> list:
    gate = SpeechGate()
    events = []
    for i in range(0, len(audio), block):
        events += gate.feed(audio[i:i + block])
    return events + gate.flush()


def test_silence_is_held_back_and_speech_keeps_its_place_on_the_clock(data_dir) -> None:
    speech = decode_audio(data_dir / "LDC93S1.wav")
    audio = np.concatenate([np.zeros(16000 * 3, np.float32), speech, np.zeros(16000 * 2, np.float32)])
    events = run_gate(audio, 1600)
    pieces = [e for e in events if isinstance(e, GatedAudio)]
    ends = [e for e in events if isinstance(e, UtteranceEnd)]
    assert pieces and ends
    assert 2.6 <= pieces[0].start_s <= 3.3  # speech starts at 3.19 s (TIMIT label), less the pre-roll
    passed = sum(len(p.samples) for p in pieces) / 16000
    assert passed < len(audio) / 16000 - 3.0  # most of the 5 s of silence never passed
    for a, b in zip(pieces, pieces[1:]):  # contiguous pieces keep the stream's clock
        assert b.start_s >= a.start_s + len(a.samples) / 16000 - 1e-6
    assert ends[-1].time_s <= len(audio) / 16000


def test_block_size_does_not_change_the_decisions(data_dir) -> None:
    audio = decode_audio(data_dir / "jfk.flac")
    def spans(events):
        return [(round(e.start_s, 3), len(e.samples)) if isinstance(e, GatedAudio) else ("end", round(e.time_s, 3))
                for e in events]
    small, large = run_gate(audio, 700), run_gate(audio, 16000)
    total = lambda ev: sum(len(e.samples) for e in ev if isinstance(e, GatedAudio))  # noqa: E731
    assert [s for s in spans(small) if s[0] == "end"] == [s for s in spans(large) if s[0] == "end"]
    assert total(small) == total(large)
    assert sum(isinstance(e, UtteranceEnd) for e in small) >= 2  # jfk pauses after "Americans" and "ask not"
