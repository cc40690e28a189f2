"""Fuzz each parser directly (not through the registry, which wraps surprises in FormatError).

Every input either parses or raises FormatError, quickly; anything else fails the test. Inputs:
random text, mutated valid files, and the classes that broke before: '-->' inside text, blank
lines inside cues, BOMs, and files in other encodings decoded the way the registry decodes them.
The same generators run at scale in benchmarks/fuzz_parsers.py, which prints the count of inputs.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from subtitler.errors import FormatError
from subtitler.formats.encoding import decode_bytes
from tests.formats.fuzzing import PARSERS, VALID, encoded_files, mutated, parse_directly, tricky_files

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("name", PARSERS)
def test_valid_sample_reads(name):
    document = PARSERS[name](VALID[name].decode("utf-8"), "sample").document
    assert len(document) == 2


@pytest.mark.parametrize("name", PARSERS)
@FUZZ
@given(text=st.text(max_size=400))
def test_random_text(name, text):
    parse_directly(name, text)


@pytest.mark.parametrize("name", PARSERS)
@FUZZ
@given(data=st.data())
def test_mutated_files(name, data):
    parse_directly(name, decode_bytes(data.draw(mutated(name))).text)


@pytest.mark.parametrize("name", PARSERS)
@FUZZ
@given(data=st.data())
def test_arrows_blank_lines_and_boms(name, data):
    parse_directly(name, data.draw(tricky_files(name)))


@pytest.mark.parametrize("name", PARSERS)
@FUZZ
@given(data=st.data())
def test_other_encodings(name, data):
    parse_directly(name, decode_bytes(data.draw(encoded_files(name))).text)


@FUZZ
@given(data=st.binary(max_size=600), encoding=st.sampled_from(["utf-8", "cp1252", "utf-16", "shift_jis", "no-such"]))
def test_decoding_with_a_named_encoding_raises_only_format_error(data, encoding):
    try:
        decode_bytes(data, encoding)
    except FormatError as exc:
        assert str(exc)


@FUZZ
@given(data=st.binary(max_size=600))
def test_detecting_the_encoding_never_fails(data):
    assert isinstance(decode_bytes(data).text, str)


@pytest.mark.parametrize("name", PARSERS)
def test_deep_nesting_and_huge_numbers(name):
    for text in ("[" * 100_000, "{" * 50_000 + '"a"', "1\n99999999999999999999:00:00,000 --> 1:00:00,000\nx\n",
                 "WEBVTT\n\n99999999999999:00.000 --> 00:01.000\nx\n", "\x00" * 1000,
                 '{"format": "subtitler-project", "version": 1, "frame_rate": 1e999, "cues": []}',
                 '{"format": "subtitler-project", "version": 1, "cues": [{"start_ms": 1e999, "end_ms": 0, "text": ""}]}',
                 "[Script Info]\n[Events]\nFormat: Start, End, Text\nDialogue: 99999999:00:00.00,0:00:00.00,x\n"):
        parse_directly(name, text)


def test_ass_line_bad_only_in_context_is_a_format_error():
    """Found by benchmarks/fuzz_parsers.py: a style colour pysubs2 cannot read, under a damaged section header."""
    text = VALID["ass"].decode("utf-8").replace("[Script Info]", "[Scrip<i>t Info]")
    text = text.replace("[V4+ Styles]", "<i>[V4+ Styles]").replace("&H00FFFFFF", "&H00\u2028000000", 1)
    parse_directly("ass", text)
