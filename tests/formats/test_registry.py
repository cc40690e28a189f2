"""Choosing a format, reading, writing atomically, and the errors a user sees."""

from __future__ import annotations

import pytest

from subtitler.core.cue import Cue
from subtitler.core.document import Document
from subtitler.errors import FormatError
from subtitler.formats.registry import format_for_path, formats, read_document, read_text, sniff, write_document, write_text

SRT = "1\n00:00:01,000 --> 00:00:02,000\nHi\n"
VTT = "WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n"


def test_formats_describe_dialog_filters():
    infos = {info.name: info for info in formats()}
    assert set(infos) == {"project", "srt", "vtt", "ass", "ssa", "txt"}
    assert infos["project"].carries_words and not infos["srt"].carries_words
    assert infos["srt"].dialog_filter == "SubRip (*.srt)"
    assert all(info.can_read and info.can_write for info in infos.values())


@pytest.mark.parametrize("name, expected", [
    ("a.srt", "srt"), ("A.SRT", "srt"), ("x.vtt", "vtt"), ("x.ass", "ass"), ("x.ssa", "ssa"),
    ("x.txt", "txt"), ("x.subtitler.json", "project"), ("x.json", None), ("x", None),
])
def test_format_for_path(name, expected):
    assert format_for_path(name) == expected


@pytest.mark.parametrize("text, expected", [
    (SRT, "srt"), ("\ufeff" + VTT, "vtt"), ("WEBVTT - title\n", "vtt"), ("WEBVTTX\n", None),
    ("[Script Info]\nScriptType: v4.00+\n", "ass"), ("[Script Info]\nScriptType: v4.00\n", "ssa"),
    ('{"format": "subtitler-project", "version": 1}', "project"), ("just words\n", None),
])
def test_sniff(text, expected):
    assert sniff(text) == expected


def test_misleading_extension_is_read_by_content_with_warning(tmp_path):
    path = tmp_path / "really_vtt.srt"
    path.write_text(VTT)
    result = read_document(path)
    assert [c.text for c in result.document] == ["Hi"]
    assert "looks like WebVTT" in result.warnings[0].message


def test_unknown_extension_is_sniffed(tmp_path):
    path = tmp_path / "subs.sub"
    path.write_text(SRT)
    assert read_document(path).document[0].start_ms == 1000


def test_unknown_extension_and_content_is_refused(tmp_path):
    path = tmp_path / "notes.dat"
    path.write_text("hello")
    with pytest.raises(FormatError, match="notes.dat: not a subtitle format"):
        read_document(path)


def test_explicit_format_wins(tmp_path):
    path = tmp_path / "a.srt"
    path.write_text(SRT)
    assert read_document(path, format="txt").document[0].text.startswith("1\n")


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(FormatError, match="file not found"):
        read_document(tmp_path / "none.srt")
    with pytest.raises(FormatError, match="is a folder"):
        read_document(tmp_path)


def test_explicit_wrong_encoding_is_a_format_error(tmp_path):
    path = tmp_path / "a.srt"
    path.write_bytes("1\n00:00:01,000 --> 00:00:02,000\nCafé\n".encode("cp1252"))
    with pytest.raises(FormatError, match="not valid utf-8"):
        read_document(path, encoding="utf-8")
    assert read_document(path, encoding="cp1252").document[0].text == "Café"
    with pytest.raises(FormatError, match="unknown encoding"):
        read_document(path, encoding="klingon")


def test_write_errors_are_format_errors(tmp_path):
    document = Document(cues_list=[Cue(0, 1000, "日本")])
    with pytest.raises(FormatError, match="cannot be written in cp1252"):
        write_document(document, tmp_path / "a.srt", encoding="cp1252")
    with pytest.raises(FormatError, match="unknown subtitle extension"):
        write_document(document, tmp_path / "a.doc")
    with pytest.raises(FormatError, match="cannot save"):
        write_document(document, tmp_path / "missing" / "a.srt")
    assert not any(tmp_path.iterdir())


def test_write_encodings_read_back(tmp_path):
    document = Document(cues_list=[Cue(0, 1000, "Grüße €")])
    for encoding, bom in (("utf-8-sig", b"\xef\xbb\xbf"), ("utf-16", None), ("cp1252", b"1")):
        path = tmp_path / f"{encoding}.srt"
        write_document(document, path, encoding=encoding)
        if bom:
            assert path.read_bytes().startswith(bom)
        assert read_document(path).document[0].text == "Grüße €"


def test_read_text_and_write_text():
    document = read_text(SRT, "srt").document
    assert write_text(document, "vtt") == "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHi\n"
    with pytest.raises(FormatError, match="unknown subtitle format 'doc'"):
        read_text(SRT, "doc")
