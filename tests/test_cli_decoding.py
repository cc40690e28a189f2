"""`subtitler transcribe`'s decoding and guard options: one flag per TranscribeOptions field, defaults from one place."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import numpy as np
import pytest

from subtitler.asr import defaults
from subtitler.asr.transcribe import TranscribeOptions
from subtitler.cli import build_parser, main
from subtitler.cli_asr import _options


def options_for(*flags: str) -> TranscribeOptions:
    return _options(build_parser().parse_args(["transcribe", "in.wav", *flags]))


def test_without_flags_the_cli_uses_the_editors_defaults() -> None:
    """The editor's transcribe dialog builds TranscribeOptions(task=..., language=...): the CLI must give the same."""
    assert options_for() == TranscribeOptions(task="transcribe", language=None)
    assert options_for("--language", "de", "--task", "translate") == TranscribeOptions(task="translate", language="de")
    assert TranscribeOptions().beam_size == defaults.BEAM_SIZE and TranscribeOptions().speech_threshold == defaults.SPEECH_THRESHOLD


@pytest.mark.parametrize(("flags", "changes"), [
    (["--beam-size", "3"], {"beam_size": 3}),
    (["--beam-size", "off"], {"beam_size": None}),
    (["--beam-size", "5", "--best-of", "4", "--patience", "1.5", "--length-penalty", "0.6"],
     {"beam_size": 5, "best_of": 4, "patience": 1.5, "length_penalty": 0.6}),
    (["--compression-ratio-threshold", "off", "--logprob-threshold", "-0.5", "--no-speech-threshold", "0.4"],
     {"compression_ratio_threshold": None, "logprob_threshold": -0.5, "no_speech_threshold": 0.4}),
    (["--no-condition-on-previous-text"], {"condition_on_previous_text": False}),
    (["--prompt-reset-on-temperature", "0.3"], {"prompt_reset_on_temperature": 0.3}),
    (["--initial-prompt", "Glossary: Kubernetes.", "--hotwords", "Kubernetes, etcd"],
     {"initial_prompt": "Glossary: Kubernetes.", "hotwords": "Kubernetes, etcd"}),
    (["--prefix", "And so"], {"prefix": "And so"}),
    (["--suppress-tokens=-1,220", "--no-suppress-blank", "--max-initial-timestamp", "off"],
     {"suppress_tokens": "-1,220", "suppress_blank": False, "max_initial_timestamp": None}),
    (["--no-word-timestamps", "--no-language-per-window"], {"word_timestamps": False, "language_per_window": False}),
    (["--speech-threshold", "0.35", "--no-drop-fillers", "--no-retry-replays"],
     {"speech_threshold": 0.35, "drop_fillers": False, "retry_replays": False}),
    (["--speech-threshold", "off"], {"speech_threshold": None}),
    (["--max-repeats", "off", "--repeat-lookback", "4", "--repeat-min-words", "6", "--no-drop-repetitive"],
     {"max_repeats": None, "repeat_lookback": 4, "repeat_min_words": 6, "drop_repetitive": False}),
    (["--hallucination-silence-threshold", "2"], {"hallucination_silence_threshold": 2.0}),
    # the guards time the words they read themselves: the threshold needs no word timestamps in the result
    (["--hallucination-silence-threshold", "2", "--no-word-timestamps"],
     {"hallucination_silence_threshold": 2.0, "word_timestamps": False}),
    (["--no-repair-word-times"], {"repair_word_times": False}),
    (["--batch-size", "8"], {"batch_size": 8}),
    (["--batch-size", "off"], {"batch_size": None}),
    (["--temperature", "0.2", "--temperature-increment-on-fallback", "0.4"], {"temperature": (0.2, 0.6, 1.0)}),
    (["--temperature", "0.5"], {"temperature": (0.5, 0.7, 0.9)}),
    (["--no-fallback"], {"temperature": (0.0,)}),
    (["--temperature-increment-on-fallback", "off"], {"temperature": (0.0,)}),
])
def test_each_flag_sets_its_field_and_nothing_else(flags: list[str], changes: dict) -> None:
    assert options_for(*flags) == dataclasses.replace(TranscribeOptions(), **changes)


def test_no_guards_is_openai_whisper_and_single_guards_come_back() -> None:
    off = options_for("--no-guards")
    assert off == TranscribeOptions().without_guards()
    assert off.speech_threshold is None and not off.drop_fillers and off.max_repeats is None and not off.repair_word_times
    assert options_for("--no-guards", "--speech-threshold", "0.3") == dataclasses.replace(off, speech_threshold=0.3)


@pytest.mark.parametrize(("flags", "needle"), [
    (["--beam-size", "0"], "--beam-size"),
    (["--best-of", "two"], "--best-of"),
    (["--speech-threshold", "2"], "--speech-threshold"),
    (["--temperature", "1.5"], "--temperature"),
    (["--beam-size", "off", "--patience", "2"], "--patience"),
    (["--hotwords", "etcd", "--prefix", "So"], "--hotwords"),
    (["--suppress-tokens", "1,x"], "--suppress-tokens"),
    (["--batch-size", "0"], "--batch-size"),
    (["--batch-size", "many"], "--batch-size"),
    (["--batch-size", "65"], "--batch-size"),
    (["--batch-size", "4", "--prefix", "So"], "--prefix"),
    (["--batch-size", "4", "--hallucination-silence-threshold", "2"], "--hallucination-silence-threshold"),
])
def test_wrong_values_give_one_line_and_status_2(capsys, data_dir, flags: list[str], needle: str) -> None:
    code = main(["transcribe", str(data_dir / "jfk.flac"), "-m", "tiny.en", *flags])
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1 and needle in lines[0] and "Traceback" not in err


def test_help_shows_the_defaults_without_loading_torch() -> None:
    code = ("import sys\nfrom subtitler.cli import main\ntry:\n    main(['transcribe', '--help'])\nexcept SystemExit:\n    pass\n"
            "print('TORCH' if 'torch' in sys.modules else 'NO-TORCH')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("NO-TORCH")
    flat = " ".join(out.split())
    assert f"--speech-threshold P voice-activity probability" in flat
    assert f"(default {defaults.SPEECH_THRESHOLD:g})" in flat and "--hotwords TEXT" in flat


@pytest.mark.slow
def test_show_dropped_names_what_a_guard_removed(capsys, tmp_path) -> None:
    """A minute of digital silence: tiny.en says " you" near each window's end (openai-whisper does too);
    the filler guard drops it, --show-dropped says so, and --no-guards lets it through."""
    import soundfile as sf

    silence = tmp_path / "silence.wav"
    sf.write(silence, np.zeros(16000 * 60, np.float32), 16000)
    code = main(["transcribe", str(silence), "-m", "tiny.en", "--speech-threshold", "off", "--show-dropped"])
    out, err = capsys.readouterr()
    assert code == 0 and not out.strip()
    assert "dropped (filler)" in err and "you" in err.lower()
    code = main(["transcribe", str(silence), "-m", "tiny.en", "--no-guards"])
    out, _ = capsys.readouterr()
    assert code == 0 and "you" in out.lower()


@pytest.mark.slow
def test_batch_size_transcribes_through_the_batched_mode(capsys, data_dir, tmp_path, monkeypatch) -> None:
    """--batch-size reaches subtitler.asr.batched through the engine and writes the same kind of subtitles."""
    import subtitler.asr.batched as batched

    calls = []
    real = batched.transcribe_batched
    monkeypatch.setattr(batched, "transcribe_batched", lambda *a, **k: calls.append(a[3].batch_size) or real(*a, **k))
    out = tmp_path / "jfk.srt"
    code = main(["transcribe", str(data_dir / "jfk.flac"), "-m", "tiny.en", "--batch-size", "4", "-o", str(out)])
    capsys.readouterr()
    assert code == 0 and calls == [4]
    text = out.read_text(encoding="utf-8").lower()
    assert "fellow americans" in text and "your country" in text and "00:00:0" in text
