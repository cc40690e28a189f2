"""`subtitler diarize` and `subtitler transcribe --speakers` on real speech: RTTM, VTT voices, JSON speakers, SRT names."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import soundfile

from subtitler.asr.speakers.rttm import parse_rttm
from tests.test_cli_asr import assert_one_line_error, run_cli

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import diarization_sets as sets  # noqa: E402


@pytest.fixture(scope="module")
def dialogue(tmp_path_factory) -> Path:
    """Two English speakers in turn (JFK, then a LibriSpeech reader, ...), 16 s, as a WAV file."""
    clip = sets.joined("jfk+librispeech1272")
    path = tmp_path_factory.mktemp("speakers") / "dialogue.wav"
    soundfile.write(path, clip.audio, sets.RATE)
    return path


@pytest.mark.parametrize("args, needles", [
    (["diarize", "{data}/jfk.flac", "--speakers", "zero"], ["--speakers zero", "2-4"]),
    (["diarize", "{data}/jfk.flac", "--speakers", "3-2"], ["maximum"]),
    (["diarize", "{data}/missing.wav"], ["missing.wav"]),
    (["diarize", "{data}/jfk.flac", "-o", "/no/such/dir/x.rttm"], ["does not exist"]),
    (["transcribe", "{data}/jfk.flac", "-m", "tiny.en", "--speakers", "0"], ["at least 1"]),
    (["transcribe", "{data}/jfk.flac", "-m", "tiny.en", "--speaker-names"], ["--speakers"]),
])
def test_wrong_speaker_input_gives_one_line_and_status_2(capsys, data_dir, args, needles):
    code, _, err = run_cli(capsys, *[a.replace("{data}", str(data_dir)) for a in args])
    assert_one_line_error(code, err, *needles)


@pytest.mark.slow
def test_diarize_writes_rttm_with_both_speakers(capsys, dialogue, tmp_path):
    out = tmp_path / "turns.rttm"
    code, _, err = run_cli(capsys, "diarize", str(dialogue), "-o", str(out))
    assert code == 0, err
    turns = parse_rttm(out.read_text())
    assert {t.speaker for t in turns} == {"Speaker_1", "Speaker_2"}
    assert "2 speakers" in err
    code, printed, _ = run_cli(capsys, "diarize", str(dialogue), "--speakers", "1")
    assert code == 0 and {t.speaker for t in parse_rttm(printed)} == {"Speaker_1"}


@pytest.mark.slow
def test_transcribe_with_speakers_labels_vtt_json_and_srt(capsys, dialogue, tmp_path):
    outputs = {}
    for suffix, extra in ((".vtt", []), (".json", []), (".srt", ["--speaker-names"])):
        out = tmp_path / f"dialogue{suffix}"
        code, _, err = run_cli(capsys, "transcribe", str(dialogue), "-m", "tiny.en", "--speakers", "-o", str(out), *extra)
        assert code == 0, err
        outputs[suffix] = out.read_text()
    assert "<v Speaker 1>" in outputs[".vtt"] and "<v Speaker 2>" in outputs[".vtt"]
    result = json.loads(outputs[".json"])
    words = [w for s in result["segments"] for w in s["words"]]
    assert {w["speaker"] for w in words} == {"Speaker 1", "Speaker 2"}
    assert {s["speaker"] for s in result["segments"]} == {"Speaker 1", "Speaker 2"}
    # JFK speaks first: "And so my fellow Americans" is his
    assert next(w for w in words if "Americans" in w["word"])["speaker"] == "Speaker 1"
    assert "Speaker 1: " in outputs[".srt"] and "Speaker 2: " in outputs[".srt"]


@pytest.mark.slow
def test_batch_labels_speakers_too(capsys, dialogue, tmp_path):
    out = tmp_path / "out"
    code, _, err = run_cli(capsys, "transcribe", str(dialogue), "--output-dir", str(out), "-f", "vtt",
                           "-m", "tiny.en", "--offline", "--speakers", "2")
    assert code == 0, err
    text = (out / "dialogue.vtt").read_text()
    assert "<v Speaker 1>" in text and "<v Speaker 2>" in text
