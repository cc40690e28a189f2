"""Long-form transcription: window splitting, repetition guards, and whole files on real weights."""

from __future__ import annotations

from pathlib import Path

import jiwer
import pytest

from subtitler.asr.tokenizer import Tokenizer
from subtitler.asr.transcribe import Segment, TranscribeOptions, TranscriptionInfo, split_window, transcribe
from subtitler.errors import Cancelled
from tests.asr.clips import load_clip

TS = 50364  # timestamp_begin of the multilingual vocabulary
JFK = "and so my fellow americans ask not what your country can do for you ask what you can do for your country"


def words(text: str) -> str:
    return " ".join("".join(c for c in text.lower() if c.isalnum() or c.isspace()).split())


def test_split_window_cuts_at_timestamp_pairs_and_resumes_after_the_last_pair() -> None:
    tokens = (TS, 11, 12, TS + 50, TS + 50, 13, TS + 100, TS + 100, 14)  # last segment unfinished
    pieces, advance = split_window(tokens, TS, seek=1000, size=3000)
    assert [(p.start, p.end) for p in pieces] == [(10.0, 11.0), (11.0, 12.0)]
    assert pieces[0].tokens == (TS, 11, 12, TS + 50)
    assert advance == 200  # 2 s = 100 timestamp steps of 2 frames


def test_split_window_with_a_single_final_timestamp_consumes_the_window() -> None:
    tokens = (TS, 11, TS + 50, TS + 50, 13, TS + 120)
    pieces, advance = split_window(tokens, TS, seek=0, size=2500)
    assert [(p.start, p.end) for p in pieces] == [(0.0, 1.0), (1.0, 2.4)]
    assert advance == 2500


def test_split_window_without_pairs_is_one_segment() -> None:
    pieces, advance = split_window((TS, 11, 12, TS + 75), TS, seek=300, size=3000)
    assert [(p.start, p.end) for p in pieces] == [(3.0, 4.5)] and advance == 3000
    pieces, _ = split_window((11, 12), TS, seek=0, size=1234)
    assert (pieces[0].start, pieces[0].end) == (0.0, 12.34)


@pytest.fixture(scope="module")
def en_tok(tiny_en_dir: Path) -> Tokenizer:
    return Tokenizer.from_file(tiny_en_dir / "tokenizer.json", multilingual=False)


@pytest.fixture(scope="module")
def ml_tok(base_dir: Path, base) -> Tokenizer:
    return Tokenizer.from_file(base_dir / "tokenizer.json", multilingual=True, num_languages=base.num_languages)


def run(model, tok: Tokenizer, audio, options=TranscribeOptions()):
    progress: list[tuple[float, float]] = []
    infos: list[TranscriptionInfo] = []
    segments = list(transcribe(model, tok, audio, options, on_progress=lambda d, t: progress.append((d, t)),
                               on_info=infos.append))
    return segments, progress, infos


def check_well_formed(segments: list[Segment], progress, duration: float) -> None:
    assert [s.id for s in segments] == list(range(len(segments)))
    assert all(0 <= s.start < s.end <= duration + 1e-9 for s in segments)
    assert all(a.start <= b.start for a, b in zip(segments, segments[1:]))
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)
    assert progress[-1] == pytest.approx((duration, duration))
    # Short replies may be said twice (pyannote_sample.wav: "Hello?" "Hello?", two speakers); a longer line may not.
    texts = [words(s.text) for s in segments]
    assert all(a != b for a, b in zip(texts, texts[1:]) if len(a.split()) >= 3), "a segment repeats the one before"


@pytest.mark.slow
@pytest.mark.parametrize("which", ["tiny_en", "base"])
def test_jfk_gives_the_known_sentence(request, which: str, data_dir: Path) -> None:
    model = request.getfixturevalue(which)
    tok = request.getfixturevalue("en_tok" if which == "tiny_en" else "ml_tok")
    audio = load_clip(data_dir / "jfk.flac")
    segments, progress, infos = run(model, tok, audio)
    assert words("".join(s.text for s in segments)) == JFK
    assert infos[0].language == "en" and infos[0].duration == pytest.approx(11.0)
    check_well_formed(segments, progress, 11.0)
    assert all(s.tokens[0] >= tok.timestamp_begin and s.language == "en" for s in segments)


@pytest.mark.slow
def test_spanish_file_has_no_repeated_or_missing_stretches(base, ml_tok: Tokenizer, data_dir: Path, manifest) -> None:
    entry = next(c for c in manifest if c["audio"] == "aeneas_capitan_veneno_es.mp3")
    audio = load_clip(data_dir / entry["audio"])
    segments, progress, infos = run(base, ml_tok, audio)
    duration = len(audio) // 160 / 100
    check_well_formed(segments, progress, duration)
    assert infos[0].language == "es" and {s.language for s in segments} == {"es"}
    assert segments[0].start < 1.0 and segments[-1].end > duration - 3.0
    assert max(b.start - a.end for a, b in zip(segments, segments[1:])) < 3.0
    assert jiwer.wer(words(entry["text"]), words("".join(s.text for s in segments))) < 0.35


@pytest.mark.slow
def test_english_then_german_file_keeps_both_halves(base, ml_tok: Tokenizer, data_dir: Path) -> None:
    audio = load_clip(data_dir / "multilingual.mp3")
    segments, progress, _ = run(base, ml_tok, audio)
    check_well_formed(segments, progress, len(audio) // 160 / 100)
    text = words("".join(s.text for s in segments))
    assert "permission is hereby granted" in text and "software" in text
    german = [s for s in segments if s.language == "de"]
    # A window's language labels all its segments: the window that holds the switch (from 24.6 s with beam search)
    # is mostly German, so the English tail of the first half (to 29 s) is labelled German with it.
    assert german and german[0].start > 24 and "software" in words("".join(s.text for s in german))
    assert "permission notice" in text and "jeden der diese software" in text
    assert segments[-1].end > 50


@pytest.mark.slow
def test_cancel_after_the_first_segment_stops_within_one_window(base, ml_tok: Tokenizer, data_dir: Path) -> None:
    audio = load_clip(data_dir / "multilingual.mp3")
    received: list[Segment] = []
    stop_polls: list[bool] = []

    def should_stop() -> bool:
        stop_polls.append(bool(received))
        return bool(received)

    with pytest.raises(Cancelled):
        for segment in transcribe(base, ml_tok, audio, TranscribeOptions(language="en"), should_stop=should_stop):
            received.append(segment)
    assert received and {s.seek for s in received} == {received[0].seek}  # nothing from a later window
    assert stop_polls.count(True) == 1  # the first poll after the request raised


@pytest.mark.slow
def test_pyannote_with_fallback_does_not_loop(base, ml_tok: Tokenizer, data_dir: Path, manifest) -> None:
    entry = next(c for c in manifest if c["audio"] == "pyannote_sample.wav")
    audio = load_clip(data_dir / entry["audio"])
    segments, progress, _ = run(base, ml_tok, audio)
    check_well_formed(segments, progress, 30.0)
    texts = [words(s.text) for s in segments]
    long_texts = [t for t in texts if len(t.split()) >= 4]
    assert len(long_texts) == len(set(long_texts)), "a sentence was replayed"
    assert sum(len(s.tokens) for s in segments) < 250  # the greedy loop emits 305+ tokens
    print("\\n".join(f"[{s.start:5.2f}-{s.end:5.2f}] T={s.temperature} {s.text}" for s in segments))
    assert jiwer.wer(words(entry["text"]), " ".join(texts)) < 0.5


@pytest.mark.slow
def test_should_stop_is_polled_before_the_first_window(tiny_en, en_tok: Tokenizer, data_dir: Path) -> None:
    with pytest.raises(Cancelled):
        next(transcribe(tiny_en, en_tok, load_clip(data_dir / "jfk.flac"), should_stop=lambda: True))


@pytest.mark.slow
def test_silence_and_empty_audio_give_no_segments(tiny_en, en_tok: Tokenizer) -> None:
    import numpy as np

    segments, progress, infos = run(tiny_en, en_tok, np.zeros(16000 * 5, dtype=np.float32))
    assert segments == [] and progress[-1] == (5.0, 5.0) and infos[0].duration == 5.0
    segments, progress, _ = run(tiny_en, en_tok, np.zeros(0, dtype=np.float32))
    assert segments == [] and progress == [(0.0, 0.0)]


@pytest.mark.slow
def test_max_windows_stops_after_that_many_windows(tiny_en, en_tok: Tokenizer, data_dir: Path, monkeypatch) -> None:
    """Live captions decode one window per step (subtitler.asr.streaming); the rest of the audio is not read."""
    import numpy as np

    jfk = load_clip(data_dir / "jfk.flac")
    audio = np.concatenate([jfk, jfk, jfk, jfk])  # 44 s: two windows at least
    encodes = []
    embed = tiny_en.embed_audio
    monkeypatch.setattr(tiny_en, "embed_audio", lambda mel: encodes.append(1) or embed(mel))
    segments, progress, _ = run(tiny_en, en_tok, audio, TranscribeOptions(temperature=(0.0,), max_windows=1))
    assert len(encodes) == 1 and segments and {s.seek for s in segments} == {0}
    assert words(segments[0].text).startswith("and so my fellow americans")
    assert progress[-1] == (44.0, 44.0)  # the caller's progress still ends, as when the rest is silence
    with pytest.raises(ValueError, match="max_windows"):
        TranscribeOptions(max_windows=0)


def fake_result(temperature: float, compression: float, logprob: float, no_speech: float = 0.0):
    from subtitler.asr.decoding import DecodingResult

    return DecodingResult(audio_features=None, language="en", tokens=(1,), text="x", avg_logprob=logprob,
                          no_speech_prob=no_speech, temperature=temperature, compression_ratio=compression)


@pytest.mark.parametrize(("outcomes", "expected_temperature", "still_repetitive"), [
    ({0.0: (1.2, -0.3)}, 0.0, False),  # fine at once
    ({0.0: (3.0, -0.3), 0.2: (2.9, -0.2), 0.4: (1.5, -0.4)}, 0.4, False),  # a loop, escaped at 0.4
    ({0.0: (1.2, -1.5), 0.2: (1.1, -0.5)}, 0.2, False),  # unsure, then sure
    ({t: (3.0, -0.2) for t in (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)}, 1.0, True),  # never escaped
])
def test_fallback_retries_hotter_until_the_text_passes(monkeypatch, outcomes, expected_temperature, still_repetitive) -> None:
    import subtitler.asr.transcribe as module

    seen = []

    def fake_decode(model, tokenizer, mel, options, should_stop=None):
        seen.append(options)
        return [fake_result(options.temperature, *outcomes[options.temperature])]

    monkeypatch.setattr(module, "decode", fake_decode)
    options = TranscribeOptions(beam_size=5, best_of=5)
    result, repetitive = module.decode_with_fallback(None, None, None, options, "en", [1, 2])
    assert result.temperature == expected_temperature and repetitive == still_repetitive
    assert [o.temperature for o in seen] == [t for t in options.temperature if t <= expected_temperature]
    assert seen[0].beam_size == 5 and seen[0].best_of is None and seen[0].prompt == (1, 2)
    assert all(o.beam_size is None and o.best_of == 5 for o in seen[1:])


def test_silence_stops_the_fallback_and_skips_the_window(monkeypatch) -> None:
    import subtitler.asr.transcribe as module

    monkeypatch.setattr(module, "decode", lambda *a, **k: [fake_result(0.0, 1.0, -1.5, no_speech=0.9)])
    result, _ = module.decode_with_fallback(None, None, None, TranscribeOptions(), "en", [])
    assert result.temperature == 0.0 and module.is_silence(result, TranscribeOptions())
    assert not module.is_silence(fake_result(0.0, 1.0, -0.5, no_speech=0.9), TranscribeOptions())  # confident text wins


def test_text_past_the_end_of_the_audio_is_reported_as_dropped() -> None:
    """The last window is padded with silence and Whisper may go on into it: that text is left out, and the
    guards' report (``--show-dropped``, the accuracy benchmark) hears of it instead of losing it silently."""
    import torch

    from subtitler.asr.alignment import WordTiming
    from subtitler.asr.decoding import DecodingResult
    from subtitler.asr.transcribe import _Piece, _segments_of_window

    def word(text: str, start: float, end: float) -> WordTiming:
        return WordTiming(text, start, end, 0.9, (1,))

    inside = _Piece(8.0, 10.4, (1, 2, 3), (word(" last", 8.0, 9.0), word(" words", 9.0, 9.9), word(" and", 10.1, 10.4)))
    after = _Piece(10.5, 12.0, (4,), (word(" Thank", 10.5, 11.0), word(" you.", 11.0, 12.0)))
    result = DecodingResult(torch.zeros(1), "en")
    dropped = []
    segments = _segments_of_window([inside, after], [" last words and", " Thank you."], result, 0, 10.0, 0, dropped.append)
    assert [s.text for s in segments] == [" last words"]
    assert [w.word for w in segments[0].words] == [" last", " words"] and segments[0].end == 10.0
    assert [(d.reason, d.text) for d in dropped] == [("past-end", " and"), ("past-end", " Thank you.")]


def test_each_windows_sampling_seed_depends_on_its_position_and_temperature() -> None:
    from subtitler.asr.transcribe import window_seed

    seeds = {window_seed(0, seek, t) for seek in (0, 1500, 3000) for t in (0.2, 0.4, 1.0)}
    assert len(seeds) == 9 and all(0 <= s < 2 ** 63 for s in seeds)
    assert window_seed(None, 3000, 0.2) is None
    assert window_seed(1, 0, 0.2) != window_seed(0, 0, 0.2)


def test_the_sampling_fallback_gives_the_same_transcript_every_run(monkeypatch) -> None:
    """With a seed every hotter decode draws the same samples: the options reach the decoder as a per-window seed."""
    import subtitler.asr.transcribe as module

    seen = []
    monkeypatch.setattr(module, "decode", lambda model, tok, mel, options, should_stop=None:
                        seen.append(options) or [fake_result(options.temperature, 3.0, -0.2)])
    module.decode_with_fallback(None, None, None, TranscribeOptions(), "en", [], seek=3000)
    module.decode_with_fallback(None, None, None, TranscribeOptions(sampling_seed=None), "en", [], seek=3000)
    hot = [o for o in seen if o.temperature > 0]
    assert [o.seed for o in hot[:5]] == [module.window_seed(0, 3000, o.temperature) for o in hot[:5]]
    assert all(o.seed is None for o in hot[5:]) and all(o.seed is None for o in seen if o.temperature == 0)


@pytest.mark.slow
def test_a_sampled_transcript_is_the_same_on_every_run_and_follows_the_seed(tiny_en, en_tok: Tokenizer,
                                                                           data_dir: Path) -> None:
    """Whisper samples when it falls back to a higher temperature: unseeded, the same file gave a different transcript
    on every run. Decoded at temperature 1 throughout, one sample per window, on the real model."""
    audio = load_clip(data_dir / "jfk.flac")

    def text(seed: int | None) -> str:
        options = TranscribeOptions(temperature=(1.0,), best_of=None, sampling_seed=seed, word_timestamps=False)
        return "".join(s.text for s in transcribe(tiny_en, en_tok, audio, options))

    first = text(3)
    assert text(3) == first
    assert len({first, text(4), text(5), text(6)}) > 1  # the seed is what the draws follow


def test_the_tail_a_window_held_is_not_decoded_alone(tiny_en, en_tok: Tokenizer, data_dir: Path, monkeypatch) -> None:
    """A window whose text ends 0.2 s before the end of the audio it held leaves that 0.2 s as the next window
    (base with beam 5 on pyannote_sample.wav, whose speech runs to its end). Decoded alone it was the prompt
    again, "I don't hear that.", then 224 tokens of "I'm sorry" without the prompt (4 s), both dropped. The
    tail is forced here by ending the first window's advance 0.2 s early, as that window's timestamps did."""
    from subtitler.asr import transcribe as module
    from subtitler.asr.hallucination import WindowGuards

    audio = load_clip(data_dir / "pyannote_sample.wav")
    assert len(audio) >= 30 * 16000
    resume = WindowGuards.resume_before_heard_tail
    monkeypatch.setattr(WindowGuards, "resume_before_heard_tail",
                        lambda self, ends, seek, advance: 2980 if seek == 0 else resume(self, ends, seek, advance))
    decoded: list[tuple[int, int]] = []
    decode_window = module._decode_window
    monkeypatch.setattr(module, "_decode_window", lambda model, tok, features, options, language, prompt, seek, size,
                        *rest: decoded.append((seek, size)) or decode_window(model, tok, features, options, language,
                                                                           prompt, seek, size, *rest))
    segments, progress, _ = run(tiny_en, en_tok, audio[: 30 * 16000], TranscribeOptions(temperature=(0.0,)))
    assert decoded == [(0, 3000)], decoded
    assert "new jersey" in words(" ".join(s.text for s in segments))
    assert progress[-1] == (30.0, 30.0)
    # Held audio longer than HELD_TAIL_S is still decoded (Whisper may close a window seconds before its end).
    monkeypatch.setattr(WindowGuards, "resume_before_heard_tail",
                        lambda self, ends, seek, advance: 2500 if seek == 0 else resume(self, ends, seek, advance))
    decoded.clear()
    run(tiny_en, en_tok, audio[: 30 * 16000], TranscribeOptions(temperature=(0.0,)))
    assert decoded[:2] == [(0, 3000), (2500, 500)], decoded


def prompted_windows_changed(monkeypatch, change) -> list[int]:
    """Every window decoded with a prompt comes out as ``change(result, tokenizer)`` makes it; returns the prompt
    lengths of every window decoded (0: without a prompt), as they happen."""
    from subtitler.asr import transcribe as module

    decode_window, prompts = module._decode_window, []

    def changed(model, tok, features, options, language, prompt, seek, size, *rest):
        prompts.append(len(prompt))
        window = decode_window(model, tok, features, options, language, prompt, seek, size, *rest)
        return module.window_of(change(window.result, tok), False, tok, options, seek, size) if prompt else window

    monkeypatch.setattr(module, "_decode_window", changed)
    return prompts


def test_a_prompted_window_taken_for_silence_over_speech_is_heard_again_without_the_prompt(
        tiny_en, en_tok: Tokenizer, data_dir: Path, monkeypatch) -> None:
    """base, prompted with "...ask what you can do for your country. He began a confused complaint...", ended its
    fallback on 30 s of programme 2 at temperature 0.8 (average log-probability -1.92, no-speech probability 0.72):
    taken for silence, and pyannote_sample.wav's whole call (56 words) was skipped. Without the prompt the window
    is written at temperature 0. Here the prompted decode of jfk's window comes out with those scores."""
    import dataclasses

    import numpy as np

    audio = np.concatenate([np.zeros(16000, np.float32), load_clip(data_dir / "jfk.flac")])
    prompts = prompted_windows_changed(monkeypatch, lambda result, tok: dataclasses.replace(
        result, temperature=0.8, avg_logprob=-1.92, no_speech_prob=0.72))
    options = TranscribeOptions(initial_prompt="President Kennedy.", temperature=(0.0,))
    segments, _, _ = run(tiny_en, en_tok, audio, options)
    assert prompts[:2] == [prompts[0], 0] and prompts[0] > 0, prompts
    assert "ask not what your country can do for you" in words(" ".join(s.text for s in segments))
    prompts.clear()  # the guard switched off: the window stays silent (openai-whisper's rule)
    segments, _, _ = run(tiny_en, en_tok, audio, dataclasses.replace(options, retry_replays=False))
    assert prompts and all(prompts) and segments == [], (prompts, segments)


def test_a_prompted_stock_phrase_over_speech_is_heard_again_without_the_prompt(tiny_en, en_tok: Tokenizer,
                                                                                 data_dir: Path, monkeypatch) -> None:
    """tiny.en, prompted with four minutes of a programme, wrote only "Thank you." over librispeech's line (its
    first word at probability 0.00), and the line was lost; without the prompt the window writes it. Here the
    prompted decode of the window is made to come out as that stock phrase (its timestamp tokens around the
    phrase's tokens), the way the programme's did; the unprompted decode is the model's own."""
    import dataclasses

    import numpy as np

    audio = np.concatenate([load_clip(data_dir / "jfk.flac"), np.zeros(16000, np.float32),
                            load_clip(data_dir / "librispeech_61-70968-0000.flac")])

    def thank_you(result, tok):
        tokens = (tok.timestamp_begin, *tok.encode(" Thank you."), tok.timestamp_begin + 50)
        return dataclasses.replace(result, tokens=tokens, text=" Thank you.")

    prompts = prompted_windows_changed(monkeypatch, thank_you)
    options = TranscribeOptions(initial_prompt="President Kennedy.", temperature=(0.0,))
    segments, _, _ = run(tiny_en, en_tok, audio, options)
    text = words(" ".join(s.text for s in segments))
    assert prompts[:2] == [prompts[0], 0] and prompts[0] > 0, prompts
    assert "ask not what your country" in text and "he began a confused complaint" in text, text
    assert "thank you" not in text
    prompts.clear()  # the guard switched off: the stock phrase stands (and the speech is lost)
    segments, _, _ = run(tiny_en, en_tok, audio, dataclasses.replace(options, retry_replays=False))
    assert prompts and all(prompts) and "complaint" not in words(" ".join(s.text for s in segments)), prompts
