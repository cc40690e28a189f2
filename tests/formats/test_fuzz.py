"""Fuzz every reader with random bytes and mutated valid files: FormatError or a document, fast, never a crash."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from subtitler.core.cue import Cue, Word
from subtitler.core.document import Document
from subtitler.errors import FormatError
from subtitler.formats.encoding import decode_bytes
from subtitler.formats.registry import read_text, write_text

READERS = ("srt", "vtt", "ass", "ssa", "txt", "project")
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _valid(name: str) -> bytes:
    words = (Word("Hello", 1000, 1400, 0.9), Word("you", 1500, 1900))
    cues = [Cue(1000, 2000, "Hello you\n<i>two</i>", words, speaker="Ann", extras=(("vtt.align", "start"),)),
            Cue(2500, 4000, "Zweite Zeile €", style="Default")]
    document = Document(cues_list=cues, metadata={"vtt.blocks": [[1, "NOTE hi"]]})
    return write_text(document, name).encode("utf-8")


VALID = {name: _valid(name) for name in READERS}


@st.composite
def mutated(draw, name: str) -> bytes:
    """A valid file with a few slices deleted, duplicated, or replaced by random bytes."""
    data = bytearray(VALID[name])
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(data)))
        end = draw(st.integers(start, min(len(data), start + 40)))
        action = draw(st.sampled_from(["delete", "duplicate", "replace", "insert"]))
        if action == "delete":
            del data[start:end]
        elif action == "duplicate":
            data[start:start] = data[start:end]
        else:
            data[start:end if action == "replace" else start] = draw(st.binary(max_size=12))
    return bytes(data)


def read_bytes_as(data: bytes, name: str) -> None:
    """Decode as the registry does and parse; only FormatError may come out, and quickly."""
    began = time.perf_counter()
    try:
        read_text(decode_bytes(data).text, name)
    except FormatError as exc:
        assert str(exc), "a FormatError must say what is wrong"
    assert time.perf_counter() - began < 1.0


@pytest.mark.parametrize("name", READERS)
def test_valid_sample_reads(name):
    assert len(read_text(VALID[name].decode(), name).document) == 2


@pytest.mark.parametrize("name", READERS)
@FUZZ
@given(data=st.binary(max_size=600))
def test_random_bytes(name, data):
    read_bytes_as(data, name)


@pytest.mark.parametrize("name", READERS)
@FUZZ
@given(data=st.data())
def test_mutated_files(name, data):
    read_bytes_as(data.draw(mutated(name)), name)


@pytest.mark.parametrize("name", READERS)
def test_deep_nesting_and_huge_numbers(name):
    for text in ("[" * 100_000, "{" * 50_000 + '"a"', "1\n99999999999999999999:00:00,000 --> 1:00:00,000\nx\n",
                 "WEBVTT\n\n99999999999999:00.000 --> 00:01.000\nx\n", "\x00" * 1000):
        try:
            read_text(text, name)
        except FormatError:
            pass
