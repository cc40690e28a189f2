"""Encoding detection on short legacy subtitle text."""

from __future__ import annotations

import codecs

import pytest

from subtitler.formats.encoding import decode_bytes, describe

TIMING = "1\n00:00:01,000 --> 00:00:02,000\n"


@pytest.mark.parametrize("text, encoding", [
    (TIMING + "Café über 5€\n", "cp1252"),
    (TIMING + "naïve façade, señor\n", "cp1252"),
    (TIMING + "Привет, как дела? Это тест субтитров.\n", "cp1251"),
    (TIMING + "Zażółć gęślą jaźń, to jest test.\n", "cp1250"),
    (TIMING + "Grüße aus Köln\n", "utf-8"),
])
def test_detects_legacy_code_pages(text, encoding):
    decoded = decode_bytes(text.encode(encoding))
    assert decoded.text == text
    assert codecs.lookup(decoded.encoding).name == codecs.lookup(encoding).name


@pytest.mark.parametrize("bom, codec", [
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
])
def test_boms(bom, codec):
    decoded = decode_bytes(bom + "Ünïcode €".encode(codec))
    assert (decoded.text, decoded.bom) == ("Ünïcode €", True)


def test_utf16_without_bom():
    assert decode_bytes("Hello there\n".encode("utf-16-be")).text == "Hello there\n"


def test_anything_decodes_without_an_explicit_encoding():
    assert isinstance(decode_bytes(bytes(range(256))).text, str)


def test_describe():
    assert describe("utf-8", True) == "UTF-8 with BOM"
    assert describe("cp1252", False) == "cp1252"


@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8], ids=["no-bom", "bom"])
@pytest.mark.parametrize("newline", [b"\n", b"\r\n"], ids=["lf", "crlf"])
def test_stray_cp1252_bytes_in_utf8_are_repaired_per_line_and_warned(bom, newline):
    """Issue 10.3: one stray byte used to turn a whole UTF-8 file into cp1252 mojibake ('SeÃ±or') without a word."""
    lines = ["1", "00:00:01,000 --> 00:00:02,000", "Señor, ¿qué tal?", "2", "café \xe9t\xe9 naïve", "Grüße € ok"]
    data = bom + newline.join(
        line.encode("latin-1") if "\xe9t\xe9" in line else line.encode("utf-8") for line in lines)
    decoded = decode_bytes(data)
    assert decoded.encoding == "utf-8" and decoded.bom == bool(bom)
    assert decoded.text.replace("\r\n", "\n").split("\n") == lines
    assert [w.line for w in decoded.warnings] == [5] and "UTF-8" in str(decoded.warnings[0])


def test_utf8_with_a_stray_byte_reads_with_a_warning_through_the_registry(tmp_path):
    from subtitler.formats.registry import read_document

    path = tmp_path / "mixed.srt"
    path.write_bytes("1\n00:00:01,000 --> 00:00:02,000\nSeñor\n\n2\n00:00:03,000 --> 00:00:04,000\ncaf".encode() + b"\xe9\n")
    result = read_document(path)
    assert [c.text for c in result.document] == ["Señor", "café"]
    assert len(result.warnings) == 1 and result.warnings[0].line == 7


@pytest.mark.parametrize("data", [codecs.BOM_UTF16_LE + "abc".encode("utf-16-le") + b"\x00",
                                  codecs.BOM_UTF32_LE + b"\xff\xff\xff\xff"])
def test_damaged_bom_files_decode_with_replacement_and_a_warning(data):
    decoded = decode_bytes(data)
    assert "\ufffd" in decoded.text and decoded.warnings


def test_legacy_file_without_utf8_sequences_is_still_cp1252():
    decoded = decode_bytes("Se\xf1or caf\xe9".encode("latin-1"))
    assert (decoded.text, decoded.encoding, decoded.warnings) == ("Señor café", "cp1252", ())
