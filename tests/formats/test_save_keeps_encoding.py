"""Issue 10.5: saving keeps the encoding, byte-order mark and line ends the file was read with."""

from __future__ import annotations

import codecs

import pytest

from subtitler.cli import main
from subtitler.formats.registry import read_document, write_document

TEXT = "1\n00:00:01,000 --> 00:00:02,000\nCafé für 5 €\n\n2\n00:00:03,000 --> 00:00:04,500\n<i>Über</i> élan\n\n"
CASES = {  # name: (bytes on disk)
    "cp1252-lf": TEXT.encode("cp1252"),
    "cp1252-crlf": TEXT.replace("\n", "\r\n").encode("cp1252"),
    "utf16le-bom-crlf": codecs.BOM_UTF16_LE + TEXT.replace("\n", "\r\n").encode("utf-16-le"),
    "utf16be-bom": codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
    "utf8-bom-crlf": codecs.BOM_UTF8 + TEXT.replace("\n", "\r\n").encode("utf-8"),
    "utf8-cr": TEXT.replace("\n", "\r").encode("utf-8"),
    "utf8-lf": TEXT.encode("utf-8"),
}


@pytest.mark.parametrize("name", CASES)
def test_save_writes_back_the_same_bytes(tmp_path, name):
    path = tmp_path / "a.srt"
    path.write_bytes(CASES[name])
    read = read_document(path)
    write_document(read.document, path, encoding=read.encoding, bom=read.bom, newline=read.newline)
    assert path.read_bytes() == CASES[name]


@pytest.mark.parametrize("name", ["cp1252-crlf", "utf16le-bom-crlf", "utf8-bom-crlf"])
def test_check_fix_writes_beside_the_input_in_its_encoding(tmp_path, capsys, name):
    path = tmp_path / "talk.en.srt"
    data = CASES[name]
    long_line = "This line is definitely much longer than forty-two characters"
    codec = {"cp1252-crlf": "cp1252", "utf16le-bom-crlf": "utf-16-le", "utf8-bom-crlf": "utf-8"}[name]
    data = data.replace("Über".encode(codec), long_line.encode(codec))
    path.write_bytes(data)
    assert main(["check", str(path), "--fix"]) in (0, 1)
    assert path.read_bytes() == data  # the input is never rewritten without --in-place
    fixed = tmp_path / "talk.en.fixed.srt"
    raw = fixed.read_bytes()
    assert raw.startswith(data[:3])  # the byte-order mark (or the first bytes) as before
    assert (b"\r\x00\n\x00" if codec == "utf-16-le" else b"\r\n") in raw
    read = read_document(fixed)
    assert (read.encoding, read.newline) == (read_document(path).encoding, "\r\n")
    assert main(["check", str(path), "--fix", "--in-place"]) in (0, 1)
    assert read_document(path).encoding == read.encoding and path.read_bytes() != data
