"""The project file keeps everything and refuses what it cannot read, with a clear reason."""

from __future__ import annotations

import json

import pytest

from subtitler.core.cue import Cue, Word
from subtitler.core.document import Document
from subtitler.errors import FormatError
from subtitler.formats import project
from subtitler.formats.registry import read_document, write_document


def full_document(media_path: str | None) -> Document:
    words = (Word("Hello", 1000, 1400, 0.91), Word("wörld", 1450, 1900, None, True))
    cues = [
        Cue(1000, 2000, "Hello\nwörld", words, speaker="Ann", style="Top", extras=(("vtt.align", "start"),)),
        Cue(2500, 3000, ""),
    ]
    return Document(cues_list=cues, media_path=media_path, frame_rate=23.976, language="de",
                    metadata={"ass.styles": {"Top": {"alignment": 8}}, "notes": ["a", 1]})


def test_round_trip_keeps_everything(tmp_path):
    document = full_document(str(tmp_path / "media" / "clip.wav"))
    path = tmp_path / "a.subtitler.json"
    write_document(document, path)
    assert read_document(path).document.snapshot() == document.snapshot()


def test_media_path_stored_relative_and_follows_a_moved_folder(tmp_path):
    folder = tmp_path / "proj"
    folder.mkdir()
    write_document(full_document(str(folder / "media" / "clip.wav")), folder / "a.subtitler.json")
    assert json.loads((folder / "a.subtitler.json").read_text())["media_path"] == "media/clip.wav"
    folder.rename(tmp_path / "moved")
    read_back = read_document(tmp_path / "moved" / "a.subtitler.json").document.media_path
    assert read_back == str(tmp_path / "moved" / "media" / "clip.wav")


def test_media_outside_the_folder_uses_dotdot(tmp_path):
    (tmp_path / "proj").mkdir()
    write_document(full_document(str(tmp_path / "media" / "clip.wav")), tmp_path / "proj" / "a.subtitler.json")
    assert json.loads((tmp_path / "proj" / "a.subtitler.json").read_text())["media_path"] == "../media/clip.wav"


def test_header_fields():
    data = json.loads(project.render(full_document(None)))
    assert (data["format"], data["version"]) == ("subtitler-project", 1)


def test_newer_version_is_refused_clearly():
    text = json.dumps({"format": "subtitler-project", "version": 2, "cues": []})
    with pytest.raises(FormatError, match="version 2 was written by a newer Subtitler"):
        project.parse(text, "a.subtitler.json")


@pytest.mark.parametrize("text, message", [
    ('{"format": "other", "version": 1}', "not a Subtitler project"),
    ('[1, 2]', "not a Subtitler project"),
    ('{"format": "subtitler-project", "version": "1"}', "not a number"),
    ('{"format": "subtitler-project", "version": 0}', "unknown project version"),
    ('{"format": "subtitler-project", "version": 1, "cues": [{"start_ms": "a", "end_ms": 1, "text": ""}]}', "damaged"),
    ('{"format": "subtitler-project", "version": 1, "cues": [{"end_ms": 1, "text": ""}]}', "damaged"),
    ('{"format": "subtitler-project", "version": 1, "cues": {}}', "damaged"),
])
def test_unusable_content_is_a_format_error(text, message):
    with pytest.raises(FormatError, match=message):
        project.parse(text, "a.subtitler.json")


def test_invalid_json_names_the_line():
    text = '{\n "format": "subtitler-project",\n "version": 1,\n "cues": [\n}\n'
    with pytest.raises(FormatError) as info:
        project.parse(text, "a.subtitler.json")
    assert info.value.line == 5
    assert str(info.value).startswith("a.subtitler.json line 5: not valid JSON")
