"""Word highlighting on export: underline runs for SRT/WebVTT, karaoke tags for ASS, read back by the real readers."""

from __future__ import annotations

import re

import pysubs2
import pytest

from subtitler.core.cue import Cue, Word
from subtitler.core.document import Document
from subtitler.formats.highlight import highlighted, karaoke, underlined, word_spans
from subtitler.formats.registry import read_document, write_document

WORDS = (Word(" Ask", 1000, 1300), Word(" not", 1300, 1500), Word(" what", 1900, 2200), Word(" your", 2200, 2400),
         Word(" country.", 2400, 3000))
CUE = Cue(1000, 3400, "Ask not what\nyour country.", WORDS)


def test_each_word_is_underlined_while_spoken_and_the_gaps_show_plain_text():
    runs = underlined(CUE)
    assert [(c.start_ms, c.end_ms) for c in runs] == [(1000, 1300), (1300, 1500), (1500, 1900), (1900, 2200),
                                                      (2200, 2400), (2400, 3000), (3000, 3400)]
    assert runs[0].text == "<u>Ask</u> not what\nyour country."
    assert runs[2].text == CUE.text and runs[-1].text == CUE.text
    assert runs[4].text == "Ask not what\n<u>your</u> country."
    assert all(not c.words for c in runs)


def test_ass_karaoke_tags_add_up_to_the_words_and_start_after_the_lead_in():
    cue = Cue(800, 3400, CUE.text, WORDS)
    text = karaoke(cue).text
    assert text == "{\\k20}{\\k30}Ask {\\k60}not {\\k30}what\n{\\k20}your {\\k60}country."
    tags = [int(n) for n in re.findall(r"\\k(\d+)", text)]
    assert tags == [20, 30, 60, 30, 20, 60]  # lead-in, then each word until the next starts, the last its own length
    assert sum(tags) * 10 == WORDS[-1].end_ms - cue.start_ms
    assert re.sub(r"\{[^}]*\}", "", text) == cue.text


def test_words_that_no_longer_match_the_text_leave_the_cue_alone():
    edited = Cue(1000, 3400, "Ask not what your nation can do", WORDS)
    assert word_spans(edited) is None
    assert underlined(edited) == [edited] and karaoke(edited) == edited
    assert word_spans(Cue(0, 10, "x")) is None  # no words at all


def test_words_without_spaces_are_found_too():
    cue = Cue(0, 1000, "今日は\n晴れ", (Word("今日", 0, 300), Word("は", 300, 400), Word("晴れ", 500, 900)))
    assert word_spans(cue) == [(0, 2), (2, 3), (4, 6)]
    assert underlined(cue)[1].text == "今日<u>は</u>\n晴れ"


@pytest.mark.parametrize("suffix", [".srt", ".vtt"])
def test_underlined_files_read_back_with_the_underline(tmp_path, suffix):
    path = tmp_path / f"out{suffix}"
    write_document(highlighted(Document([CUE]), suffix[1:]), path)
    doc = read_document(path).document
    assert len(doc) == 7
    assert "<u>Ask</u>" in doc[0].text and doc[-1].end_ms == 3400


def test_ass_file_keeps_the_karaoke_tags(tmp_path):
    path = tmp_path / "out.ass"
    write_document(highlighted(Document([CUE]), "ass"), path)
    event = pysubs2.load(str(path)).events[0]
    assert event.text.count("\\k") == 5 and "\\N" in event.text
    assert event.plaintext == CUE.text


def test_other_formats_are_refused():
    with pytest.raises(ValueError):
        highlighted(Document([CUE]), "txt")
