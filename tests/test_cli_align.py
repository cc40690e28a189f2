"""`subtitler align MEDIA TEXT -o OUT` through the real entry point: outputs, and one clear line + status 2 for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile

from subtitler.formats.registry import read_document
from tests.test_cli_asr import assert_one_line_error, no_model, run_cli  # noqa: F401 - fixture

JFK_TEXT = "And so, my fellow Americans, ask not what your country can do for you, ask what you can do for your country."
SHUFFLED_SRT = (  # the right text with times that are all wrong: align must retime every cue
    "1\n00:00:20,000 --> 00:00:21,000\n<i>And so, my fellow Americans,</i>\n\n"
    "2\n00:00:00,000 --> 00:00:01,000\nask not what your country\ncan do for you,\n\n"
    "3\n00:00:00,000 --> 00:00:00,500\nask what you can do for your country.\n\n"
)


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("align")
    paths = {
        "txt": folder / "jfk.txt", "srt": folder / "jfk.srt", "empty": folder / "empty.txt",
        "spanish": folder / "es.txt", "silence": folder / "silence.wav",
    }
    paths["txt"].write_text(JFK_TEXT + "\n", encoding="utf-8")
    paths["srt"].write_text(SHUFFLED_SRT, encoding="utf-8")
    paths["empty"].write_text("\n  \n", encoding="utf-8")
    paths["spanish"].write_text("Las arenas son blanquecinas de grano medio y tiene muy poca asistencia.\n", encoding="utf-8")
    soundfile.write(paths["silence"], np.zeros(5 * 16000, np.float32), 16000)
    return paths


@pytest.mark.parametrize(
    "args, needles",
    [
        (["align", "{data}/jfk.flac", "{files}/missing.txt", "-o", "{out}/a.srt"], ["missing.txt", "no such file"]),
        (["align", "/no/such/media.wav", "{files}/jfk.txt", "-o", "{out}/a.srt"], ["/no/such/media.wav"]),
        (["align", "{data}/jfk.flac", "{files}/jfk.txt", "-o", "{out}/a.docx"], ["a.docx", "unknown output format"]),
        (["align", "{data}/jfk.flac", "{files}/jfk.txt"], ["-o"]),
        (["align", "{data}/jfk.flac", "{files}/empty.txt", "-o", "{out}/a.srt"], ["empty.txt", "empty"]),
        (["align", "{data}/jfk.flac", "{files}/es.txt", "-o", "{out}/a.srt", "-m", "tiny.en"],
         ["es.txt", "jfk.flac", "does not match the speech"]),
        (["align", "{files}/silence.wav", "{files}/jfk.txt", "-o", "{out}/a.srt", "-m", "tiny.en"], ["silence.wav", "no speech"]),
        (["align", "{data}/jfk.flac", "{files}/jfk.txt", "-o", "{out}/a.srt", "-m", "tiny.en", "--language", "de"],
         ["English-only"]),
    ],
)
def test_bad_input_is_one_line_and_status_2(capsys, data_dir, files, tmp_path, args, needles) -> None:
    folder = files["txt"].parent
    args = [a.format(data=data_dir, files=folder, out=tmp_path) for a in args]
    code, _, err = run_cli(capsys, *args)
    assert_one_line_error(code, err, *needles)
    assert not list(tmp_path.iterdir())  # nothing written


@pytest.mark.parametrize("target", ["text", "media"])
def test_align_never_overwrites_its_inputs_without_force(capsys, data_dir, tmp_path, no_model, target) -> None:
    """Issue 10.6 for align: `align clip.mp4 old.srt -o old.srt` replaced the subtitles it read."""
    import shutil

    text = tmp_path / "old.srt"
    text.write_text(SHUFFLED_SRT, encoding="utf-8")
    media = tmp_path / "clip.srt"  # media named like subtitles: only the input check protects it
    shutil.copy(data_dir / "jfk.flac", media)
    before = {path: path.read_bytes() for path in (text, media)}
    output = text if target == "text" else media
    code, _, err = run_cli(capsys, "align", str(media), str(text), "-o", str(output), "-m", "tiny.en")
    assert_one_line_error(code, err, str(output), "--force")
    assert {path: path.read_bytes() for path in before} == before


@pytest.mark.slow
def test_transcript_becomes_timed_cues(capsys, data_dir, files, tmp_path) -> None:
    out = tmp_path / "jfk.srt"
    code, _, err = run_cli(capsys, "align", str(data_dir / "jfk.flac"), str(files["txt"]), "-o", str(out), "-m", "tiny.en")
    assert code == 0, err
    doc = read_document(out).document
    assert " ".join(c.plain_text for c in doc) == JFK_TEXT
    assert all(a.end_ms <= b.start_ms for a, b in zip(doc, doc[1:])) and doc[-1].end_ms <= 11_100


@pytest.mark.slow
def test_subtitles_keep_their_text_and_get_new_times(capsys, data_dir, files, tmp_path) -> None:
    out_json, out_project = tmp_path / "jfk.json", tmp_path / "jfk.subtitler.json"
    for out in (out_json, out_project):
        code, _, err = run_cli(capsys, "align", str(data_dir / "jfk.flac"), str(files["srt"]), "-o", str(out), "-m", "tiny.en")
        assert code == 0, err
    result = json.loads(out_json.read_text())
    segments = result["segments"]
    assert [s["text"].strip() for s in segments] == ["And so, my fellow Americans,", "ask not what your country can do for you,",
                                                     "ask what you can do for your country."]
    assert result["language"] == "en"
    words = [w for s in segments for w in s["words"]]
    assert [w["word"].strip() for w in words] == JFK_TEXT.split()
    assert all(0 <= w["start"] <= w["end"] <= 11.1 for w in words)
    assert [s["start"] for s in segments] == sorted(s["start"] for s in segments)
    assert segments[1]["start"] > 2.0 and segments[2]["start"] > 6.0
    project = read_document(out_project).document
    assert project[0].text == "<i>And so, my fellow Americans,</i>" and project[1].text == "ask not what your country\ncan do for you,"
    assert [len(c.words) for c in project] == [5, 9, 8] and project.media_path.endswith("jfk.flac")
