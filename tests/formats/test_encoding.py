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
