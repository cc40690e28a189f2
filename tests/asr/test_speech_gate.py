"""The live voice-activity gate on real speech: silence held back, utterance ends at pauses, stream clock kept."""

from __future__ import annotations

import numpy as np
import torch

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


def test_the_gate_scores_frames_on_one_thread_and_gives_the_count_back() -> None:
    """Regression: the gate ran its 31 tiny steps a second on every core; on a busy 2-core machine that
    cost 60 ms a frame (a live stream fell twice behind real time on voice activity alone)."""
    seen: list[int] = []

    class CountingModel:  # Silero's call signature; records the thread count each step runs with
        def __call__(self, frame: torch.Tensor, rate: int) -> torch.Tensor:
            seen.append(torch.get_num_threads())
            return torch.zeros(frame.shape[0], 1)

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        gate = SpeechGate()
        gate._model = CountingModel()
        gate.feed(np.zeros(16000, np.float32))
        assert seen and set(seen) == {1}
        assert torch.get_num_threads() == 2  # the decoder's threads are given back
    finally:
        torch.set_num_threads(before)
