"""Picking the cause out of ffmpeg's stderr."""

from __future__ import annotations

import io
from pathlib import Path

from subtitler.media.stderr import StderrTail, last_meaningful_line

REPORTS = Path(__file__).parent / "reports"


def test_cause_of_a_file_that_is_not_media():
    text = (REPORTS / "not_media.txt").read_text()
    assert last_meaningful_line(text) == "Invalid data found when processing input"


def test_nested_prefixes_are_removed():
    text = (
        "[flac @ 0x55c267b2a700] decode_frame() failed\n"
        "[aist#0:0/flac @ 0x55c267b02440] [dec:flac @ 0x55c267b27c00] Decoding error: Invalid data\n"
        "Conversion failed!\n\n"
    )
    assert last_meaningful_line(text) == "Decoding error: Invalid data"


def test_nothing_meaningful():
    assert last_meaningful_line("At least one output file must be specified\n") == ""


def test_tail_keeps_the_last_lines():
    tail = StderrTail(io.BytesIO(b"".join(b"line %d\n" % i for i in range(1000))), max_lines=3)
    assert tail.text() == "line 997\nline 998\nline 999"
