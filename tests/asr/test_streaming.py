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


class CountingWordsEngine:
    """A stand-in for the engine over synthetic audio whose samples hold the index of the word they belong to.

    Every 0.5 s is one word (" w17", a full stop every eighth), so any buffer decodes to the same words at
    the same stream times, as real speech would; a word cut off at the buffer's end is not heard yet.
    Records the length of every buffer and prompt it was given.
    """

    multilingual = False

    def __init__(self) -> None:
        self.buffers: list[float] = []
        self.prompts: list[int] = []
        self.windows: list[int | None] = []

    def transcribe(self, audio: np.ndarray, options, on_info=None):
        from types import SimpleNamespace

        from subtitler.asr.alignment import WordTiming

        self.buffers.append(len(audio) / 16000)
        self.prompts.append(len(options.initial_prompt or ""))
        self.windows.append(getattr(options, "max_windows", None))
        ids = audio.astype(np.int64)
        edges = np.flatnonzero(np.diff(ids)) + 1
        starts, ends = np.r_[0, edges], np.r_[edges, len(ids)]
        timed = [WordTiming(f" w{ids[s]}" + ("." if ids[s] % 8 == 7 else ""), s / 16000, e / 16000, 1.0)
                 for s, e in zip(starts, ends) if e - s == 8000]
        return [SimpleNamespace(words=timed)]


def test_an_hour_of_speech_without_a_pause_keeps_buffer_prompt_and_state_bounded() -> None:
    """The issue's bound: an hour of audio, decoded every second, never grows what one step reads or keeps."""
    engine = CountingWordsEngine()
    options = StreamingOptions(vad=False)
    st = StreamingTranscriber(engine, options)
    hour, block = 3600 * 16000, 16000
    committed: list[str] = []
    state_sizes = []
    for i in range(0, hour, block):
        st.feed(np.full(block, 0, np.float32) + (np.arange(i, i + block) // 8000).astype(np.float32))
        while (u := st.step()) is not None:
            committed += [w.word for w in u.committed]
        state_sizes.append((len(st._agreement.committed_in_buffer), len(st._agreement.tentative), len(st._prompt_words),
                            len(st._queue)))
    committed += [w.word for u in st.finish() for w in u.committed]
    assert st.decodes >= 3500  # a decode per second of audio: the hour was really streamed
    assert max(engine.buffers) <= options.max_buffer_s and max(engine.buffers[-600:]) <= options.trim_s + options.min_chunk_s + 0.5
    assert max(engine.prompts) <= options.prompt_chars
    assert max(max(s[:3]) for s in state_sizes) <= 2 * options.max_buffer_s * 2  # two words a second at most
    assert all(s[3] <= 1 for s in state_sizes)
    assert [w.strip(".") for w in committed] == [f" w{n}" for n in range(hour // 8000)]  # every word once, in order


def test_a_step_reads_one_window_and_the_closing_decode_reads_to_the_end() -> None:
    """Regression: every step also decoded a second 30-s window for the half-spoken word after the last timed
    one, doubling its cost (a 20-minute stream fell behind). The utterance's last decode must still read it all."""
    engine = CountingWordsEngine()
    st = StreamingTranscriber(engine, StreamingOptions(vad=False))
    audio = (np.arange(5 * 16000) // 8000).astype(np.float32)
    for i in range(0, len(audio), 16000):
        st.feed(audio[i:i + 16000])
        while st.step() is not None:
            pass
    steps = len(engine.windows)
    last = st.finish()
    assert steps >= 4 and engine.windows[:steps] == [1] * steps
    assert engine.windows[steps:] == [None]
    assert last[-1].committed[-1].word == " w9"  # the closing decode heard the buffer's last word
