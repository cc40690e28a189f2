"""SRT tolerance: hand-made awkward files load what they can and say what they skipped."""

from __future__ import annotations

import codecs

import pytest

from subtitler.core.cue import Cue
from subtitler.core.document import Document
from subtitler.errors import FormatError
from subtitler.formats import srt
from subtitler.formats.registry import read_document, write_text

CLEAN = "1\n00:00:01,000 --> 00:00:02,500\nHello\n\n2\n00:00:03,000 --> 00:00:04,000\n<i>Two</i>\nlines\n"
EXPECTED = [(1000, 2500, "Hello"), (3000, 4000, "<i>Two</i>\nlines")]


def triples(document):
    return [(c.start_ms, c.end_ms, c.text) for c in document]


def test_clean_file():
    result = srt.parse(CLEAN)
    assert triples(result.document) == EXPECTED
    assert result.warnings == ()


@pytest.mark.parametrize("data", [
    codecs.BOM_UTF8 + CLEAN.encode(),
    CLEAN.replace("\n", "\r\n").encode(),
    codecs.BOM_UTF8 + CLEAN.replace("\n", "\r\n").encode(),
    codecs.BOM_UTF16_LE + CLEAN.encode("utf-16-le"),
    codecs.BOM_UTF16_BE + CLEAN.encode("utf-16-be"),
    CLEAN.encode("utf-16-le"),  # no BOM
], ids=["utf8-bom", "crlf", "bom-crlf", "utf16le-bom", "utf16be-bom", "utf16le-no-bom"])
def test_encodings_and_line_ends(tmp_path, data):
    path = tmp_path / "a.srt"
    path.write_bytes(data)
    result = read_document(path)
    assert triples(result.document) == EXPECTED
    assert result.warnings == ()


def test_cp1252_with_accents_and_euro(tmp_path):
    text = "1\n00:00:01,000 --> 00:00:02,000\nCafé für 5 €\n\n2\n00:00:03,000 --> 00:00:04,000\nÜber élan\n"
    path = tmp_path / "legacy.srt"
    path.write_bytes(text.encode("cp1252"))
    result = read_document(path)
    assert [c.text for c in result.document] == ["Café für 5 €", "Über élan"]
    assert result.encoding == "cp1252"


def test_missing_blank_lines_and_bad_numbering():
    text = ("7\n00:00:01,000 --> 00:00:02,000\nOne\n"
            "7\n00:00:03,000 --> 00:00:04,000\nTwo\n"
            "00:00:05,000 --> 00:00:06,000\nThree (no number)\n"
            "\n\n\nx\n00:00:07,000 --> 00:00:08,000\nFour\n\n\n\n\n")
    result = srt.parse(text)
    assert [c.text for c in result.document] == ["One", "Two", "Three (no number)", "Four"]
    assert result.document[-1].start_ms == 7000
    assert result.warnings == ()


def test_broken_middle_cue_loads_the_rest_with_line_number():
    text = CLEAN.replace("\n\n2", "\n\n2\n00:00:02,900 -> soon\nBroken\n\n3")
    result = srt.parse(text, "a.srt")
    assert triples(result.document) == EXPECTED
    assert len(result.warnings) == 1
    assert result.warnings[0].line == 6
    assert "expected a timecode line" in result.warnings[0].message


def test_nothing_readable_raises_with_line():
    with pytest.raises(FormatError) as info:
        srt.parse("\n\nhello there\nthis is not srt\n", "notes.srt")
    assert info.value.line == 3
    assert str(info.value) == "notes.srt line 3: expected a timecode line like 00:00:01,000 --> 00:00:02,000"


def test_empty_file_is_an_empty_document():
    assert len(srt.parse("").document) == 0
    assert len(srt.parse("\n \n").document) == 0


def test_end_before_start_is_clamped_with_warning():
    result = srt.parse("1\n00:00:05,000 --> 00:00:04,000\nx\n")
    assert triples(result.document) == [(5000, 5000, "x")]
    assert result.warnings[0].line == 2


def test_position_kept_and_numbering_rewritten():
    text = "12\n00:00:01,000 --> 00:00:02,000 X1:10 X2:20 Y1:30 Y2:40\nHi\n"
    document = srt.parse(text).document
    assert document[0].extra(srt.POSITION_KEY) == "X1:10 X2:20 Y1:30 Y2:40"
    assert write_text(document, "srt") == "1\n00:00:01,000 --> 00:00:02,000 X1:10 X2:20 Y1:30 Y2:40\nHi\n\n"


def test_empty_cue_text_round_trips():
    document = Document(cues_list=[Cue(0, 1000, ""), Cue(2000, 3000, "b")])
    assert triples(srt.parse(srt.render(document)).document) == [(0, 1000, ""), (2000, 3000, "b")]
