"""The batched long-form mode on real speech: the same text as the sequential mode, segments in order, in file time."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest

from subtitler.asr.batched import closed_tokens
from subtitler.asr.transcribe import TranscribeOptions
from subtitler.errors import Cancelled, ModelError, UserError
from tests.asr.clips import load_clip
from tests.asr.faked_decodes import without_pieces_saying

SR = 16000
TS = 50364  # tiny.en's first timestamp token (<|0.00|>)
CLIPS = ("jfk.flac", "LDC93S1.wav", "leopard_test.wav", "librispeech_61-70968-0000.flac", "mfa_cold_corpus.wav")


def test_closed_tokens_end_every_text_in_one_timestamp():
    text = (100, 200)
    assert closed_tokens((TS, *text, TS + 50), TS, 3000) == (TS, *text, TS + 50)  # complete already
    assert closed_tokens((TS, *text, TS + 50, TS + 50), TS, 3000) == (TS, *text, TS + 50)  # dangling start dropped
    assert closed_tokens((TS, *text, TS + 50, TS + 60, 300), TS, 2400) == (TS, *text, TS + 50, TS + 60, 300, TS + 1200)
    assert closed_tokens(text, TS, 3000) == text  # without timestamps: one segment over the chunk
    assert closed_tokens((), TS, 3000) == ()


def words_of(text: str) -> list[str]:
    return re.sub(r"[^\w' ]", " ", text.lower()).split()


def word_error_rate(reference: str, hypothesis: str) -> float:
    import jiwer

    return jiwer.wer(" ".join(words_of(reference)), " ".join(words_of(hypothesis)))


@pytest.fixture(scope="module")
def programme(data_dir):
    """Five clips with pauses (~56 s: more than one chunk) and their joined references."""
    import json

    references = {e["audio"]: e["text"] for e in json.loads((data_dir / "manifest.json").read_text())}
    parts = []
    for name in CLIPS:
        parts += [np.zeros(SR, np.float32), load_clip(data_dir / name)]
    return np.concatenate(parts), " ".join(references[name] for name in CLIPS)


@pytest.fixture(scope="module")
def runs(tiny_en_engine, programme):
    """Sequential and batched (two chunks at a time) over the programme, with progress and info recorded."""
    audio, _ = programme
    options = TranscribeOptions(language="en")
    sequential = list(tiny_en_engine.transcribe(audio, options))
    progress, infos = [], []
    batched = list(tiny_en_engine.transcribe(audio, dataclasses.replace(options, batch_size=2),
                                             on_progress=lambda done, total: progress.append((done, total)),
                                             on_info=infos.append))
    return sequential, batched, progress, infos


@pytest.mark.slow
def test_batched_text_is_as_good_as_sequential(runs, programme):
    sequential, batched, _, _ = runs
    _, reference = programme
    joined = "".join(s.text for s in batched)
    wer_batched, wer_sequential = word_error_rate(reference, joined), word_error_rate(reference, "".join(s.text for s in sequential))
    assert wer_batched <= wer_sequential + 0.03, (wer_batched, wer_sequential, joined)
    assert wer_batched < 0.15
    assert "fellow americans" in joined.lower() and "gospel" in joined.lower()


@pytest.mark.slow
def test_batched_segments_are_in_order_inside_the_file_with_words(runs, programme):
    _, batched, progress, infos = runs
    audio, _ = programme
    duration = len(audio) / SR
    assert [s.id for s in batched] == list(range(len(batched)))
    assert all(0 <= s.start < s.end <= duration for s in batched)
    assert all(a.start <= b.start for a, b in zip(batched, batched[1:]))
    assert len({s.seek for s in batched}) >= 2  # more than one chunk
    for segment in batched:
        assert segment.words, segment
        assert all(segment.start - 0.5 <= w.start <= w.end <= segment.end + 0.5 for w in segment.words)
        assert "".join(w.word for w in segment.words).strip() == segment.text.strip()
    # the clips start 1 s after each other's end: the first words land where the first clip's speech is
    assert 1.0 <= batched[0].words[0].start < 2.0
    assert len(infos) == 1 and infos[0].language == "en"
    assert progress[-1] == (pytest.approx(duration, abs=0.02), pytest.approx(duration, abs=0.02))
    assert all(a[0] <= b[0] for a, b in zip(progress, progress[1:]))


def test_batched_mode_stops_when_asked(tiny_en_engine, data_dir):
    audio = load_clip(data_dir / "jfk.flac")
    with pytest.raises(Cancelled):
        list(tiny_en_engine.transcribe(audio, TranscribeOptions(language="en", batch_size=4), should_stop=lambda: True))


def test_silence_gives_no_segments_and_full_progress(tiny_en_engine):
    progress = []
    segments = list(tiny_en_engine.transcribe(np.zeros(SR * 40, np.float32), TranscribeOptions(batch_size=4),
                                              on_progress=lambda done, total: progress.append((done, total))))
    assert segments == [] and progress[-1] == (40.0, 40.0)


def test_engine_refuses_a_batch_size_out_of_range_and_window_by_window_settings(tiny_en_engine):
    """Callers of the engine (the editor, scripts) get the CLI's refusals too."""
    with pytest.raises(ModelError, match="batch size 0"):
        tiny_en_engine.transcribe(np.zeros(SR, np.float32), TranscribeOptions(batch_size=0))
    with pytest.raises(UserError, match="--prefix works window by window"):
        tiny_en_engine.transcribe(np.zeros(SR, np.float32), TranscribeOptions(batch_size=4, prefix="So"))


@pytest.mark.slow
def test_speech_a_chunk_leaves_out_is_decoded_as_a_chunk_of_its_own(tiny_en_engine, data_dir, monkeypatch):
    """tiny.en, batched, wrote nothing of LDC93S1.wav's line in the chunk that held it, between two lines it wrote;
    a chunk has no next window to pick it up. Here the chunk's decode leaves that line out the same way."""
    import subtitler.asr.batched as module

    real_decode, calls = module.decode, []

    def leave_out_the_middle_line_at_first(model, tokenizer, mel, options, should_stop=None):
        results = real_decode(model, tokenizer, mel, options, should_stop)
        calls.append(len(results))
        if len(calls) > 1:
            return results
        return [dataclasses.replace(r, tokens=(cut := without_pieces_saying(r.tokens, "greasy", tokenizer)),
                                    text=tokenizer.decode_text_only(list(cut))) for r in results]

    monkeypatch.setattr(module, "decode", leave_out_the_middle_line_at_first)
    pause = np.zeros(SR, np.float32)
    jfk, ldc, leopard = (load_clip(data_dir / name) for name in ("jfk.flac", "LDC93S1.wav", "leopard_test.wav"))
    audio = np.concatenate([pause, jfk, pause, ldc, pause, leopard])
    options = TranscribeOptions(language="en", batch_size=4)
    segments = list(tiny_en_engine.transcribe(audio, options))
    text = " ".join(words_of("".join(s.text for s in segments)))
    assert "greasy" in text and "fellow americans" in text and "gospel" in text, text
    assert text.count("greasy") == 1 and text.count("fellow americans") == 1, text
    assert [s.id for s in segments] == list(range(len(segments))) and all(a.start <= b.start for a, b in zip(segments, segments[1:]))
    ldc_start = (2 * SR + len(jfk)) / SR
    assert any(ldc_start - 0.5 <= s.start <= ldc_start + 1.0 and "greasy" in s.text.lower() for s in segments), segments
    calls.clear()
    without = " ".join(words_of("".join(s.text for s in tiny_en_engine.transcribe(
        audio, dataclasses.replace(options, redecode_skipped=False)))))
    assert "greasy" not in without and "gospel" in without, without  # the fault the setting mends


def test_a_chunk_s_left_out_stretches_are_those_with_clear_speech_no_text_covers() -> None:
    from subtitler.asr.hallucination import SpeechGate, WindowGuards
    from tests.asr.test_hallucination import FakeActivity

    guards = WindowGuards(TranscribeOptions(), SpeechGate(FakeActivity((1.0, 12.0), (13.0, 16.0), (17.0, 22.0)), 0.2))
    assert guards.left_out([(1.0, 12.0), (17.0, 22.0)], 0.0, 25.0) == [(12.0, 17.0)]
    assert guards.left_out([(17.0, 22.0), (1.0, 12.0)], 0.0, 25.0) == [(12.0, 17.0)]  # in any order
    assert guards.left_out([(1.0, 12.0)], 0.0, 25.0) == [(12.0, 25.0)]  # at the end
    assert guards.left_out([(13.0, 22.0)], 0.0, 25.0) == [(0.0, 13.0)]  # at the start
    assert guards.left_out([(1.0, 12.0), (13.0, 22.0)], 0.0, 25.0) == []  # a second between: no stretch
    assert guards.left_out([], 0.0, 25.0) == []  # a chunk with no text is not decoded again
    quiet = WindowGuards(TranscribeOptions(), SpeechGate(FakeActivity((1.0, 12.0), (17.0, 22.0)), 0.2))
    assert quiet.left_out([(1.0, 12.0), (17.0, 22.0)], 0.0, 25.0) == []  # a pause, not speech
    off = WindowGuards(TranscribeOptions(redecode_skipped=False), guards.gate)
    assert off.left_out([(1.0, 12.0), (17.0, 22.0)], 0.0, 25.0) == []


@pytest.mark.slow
def test_each_chunk_of_a_batch_is_decoded_in_its_own_language(base_dir, data_dir):
    """English then Spanish in one batch (multilingual base, language on auto): the rows are grouped by the
    language detected per chunk, and each chunk's segments carry and are written in their language."""
    from subtitler.asr.engine import load_engine

    engine = load_engine(str(base_dir), device="cpu")
    english, spanish = load_clip(data_dir / "mfa_acoustic_corpus.wav"), load_clip(data_dir / "mls_es_13697_11991_000000.flac")
    audio = np.concatenate([english, np.zeros(2 * SR, np.float32), spanish])
    segments = list(engine.transcribe(audio, TranscribeOptions(batch_size=2, word_timestamps=False)))
    split = (len(english) + SR) / SR
    first = [s for s in segments if s.end <= split]
    second = [s for s in segments if s.start >= split]
    assert first and second and len(first) + len(second) == len(segments)
    assert {s.language for s in first} == {"en"} and {s.language for s in second} == {"es"}
    assert "acoustic" in "".join(s.text for s in first).lower()
    assert "sorpresa" in "".join(s.text for s in second).lower()
