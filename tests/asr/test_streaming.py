"""Live transcription with real tiny.en on real speech: committed vs tentative, word timings, silence, a bounded buffer."""

from __future__ import annotations

import jiwer
import numpy as np
import pytest

from subtitler.asr.streaming import StreamingOptions, StreamingTranscriber, StreamUpdate
from subtitler.media.decode import decode_audio


def words(text: str) -> str:
    return " ".join("".join(c for c in text.lower() if c.isalnum() or c.isspace()).split())


def stream(engine, audio: np.ndarray, options: StreamingOptions, block: int = 1600) -> tuple[list[StreamUpdate], list[float]]:
    """Feed blocks as a source would, stepping after each; the buffer length seen after every step."""
    st = StreamingTranscriber(engine, options)
    updates, buffers = [], []
    for i in range(0, len(audio), block):
        st.feed(audio[i:i + block])
        while (u := st.step()) is not None:
            updates.append(u)
            buffers.append(st.buffer_s)
    updates += st.finish()
    return updates, buffers


@pytest.mark.slow
def test_speech_between_silences_is_committed_with_its_times_on_the_stream_clock(tiny_en_engine, data_dir, manifest) -> None:
    entry = next(e for e in manifest if e["audio"] == "LDC93S1.wav")
    speech = decode_audio(data_dir / "LDC93S1.wav")
    audio = np.concatenate([np.zeros(16000 * 4, np.float32), speech, np.zeros(16000 * 3, np.float32)])
    updates, _ = stream(tiny_en_engine, audio, StreamingOptions())
    committed = [w for u in updates for w in u.committed]
    assert jiwer.wer(words(entry["text"]), words("".join(w.word for w in committed))) <= 0.2
    # hand-labelled TIMIT boundaries, shifted by the 4 s of silence in front
    assert abs(committed[0].start - (4 + entry["words"][0]["start"])) < 0.4
    assert abs(committed[-1].end - (4 + entry["words"][-1]["end"])) < 0.5
    assert all(a.start <= b.start and w.start <= w.end for a, b in zip(committed, committed[1:]) for w in (a,))
    assert updates[-1].tentative == ()  # nothing is left tentative once the stream ended
    assert any(u.utterance_ended for u in updates)
    # silence never reached the model: a decode per second of speech at most, not one per second of stream
    assert len(updates) <= 6


@pytest.mark.slow
def test_without_vad_the_buffer_stays_bounded_and_every_word_is_committed_once(tiny_en_engine, data_dir, manifest) -> None:
    entry = next(e for e in manifest if e["audio"] == "leopard_test.wav")
    audio = decode_audio(data_dir / "leopard_test.wav")
    options = StreamingOptions(vad=False, min_chunk_s=1.0, trim_s=2.0, max_buffer_s=3.0)
    updates, buffers = stream(tiny_en_engine, audio, options)
    assert max(buffers) <= options.max_buffer_s + options.min_chunk_s
    committed = "".join(w.word for u in updates for w in u.committed)
    assert jiwer.wer(words(entry["text"]), words(committed)) <= 0.35
    # tentative text is a guess about the words after the committed ones, never a repeat of them
    seen = ""
    for u in updates:
        seen += u.committed_text
        if u.tentative:
            assert u.tentative[0].start >= (u.committed[-1].end - 0.1 if u.committed else 0.0)
    assert seen == committed
