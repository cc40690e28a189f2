"""Plain text: paragraphs out, paragraphs in, spaced by reading speed with a warning."""

from __future__ import annotations

from subtitler.core.cue import Cue
from subtitler.core.document import Document
from subtitler.formats import txt


def test_write_one_paragraph_per_cue():
    document = Document(cues_list=[Cue(0, 1000, "a\nb"), Cue(2000, 3000, "c")])
    assert txt.render(document) == "a\nb\n\nc\n"


def test_read_spaces_cues_by_reading_speed_and_warns():
    result = txt.parse("Short.\n\n\n" + "x" * 170 + "\nsecond line\n")
    short, long = result.document
    assert (short.start_ms, short.end_ms) == (0, 833)
    assert long.start_ms == 833 + 83 and long.duration_ms == 7000
    assert long.text.endswith("\nsecond line")
    assert "no timing" in result.warnings[0].message


def test_reading_duration():
    assert txt.reading_duration_ms("a") == 833
    assert txt.reading_duration_ms("x" * 34) == 2000
    assert txt.reading_duration_ms("x" * 1000) == 7000


def test_empty_text_gives_no_cues_and_no_warning():
    result = txt.parse("\n\n")
    assert len(result.document) == 0 and result.warnings == ()
