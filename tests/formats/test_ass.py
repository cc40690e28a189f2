"""ASS/SSA through pysubs2: styles, override tags, line breaks, comments."""

from __future__ import annotations

import pytest

from subtitler.core.cue import Cue
from subtitler.core.document import Document
from subtitler.formats import ass

SAMPLE = r"""[Script Info]
ScriptType: v4.00+
PlayResX: 1920
PlayResY: 1080

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Default,Arial,48,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,2,2,2,10,10,30,1
Style: Top,Verdana,36,&H0000FFFF,&H000000FF,&H00000000,&H80000000,-1,0,0,0,100,100,0,0,1,2,2,8,20,20,40,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:01.00,0:00:02.50,Top,Bob,0,0,0,,{\i1}Hello{\i0}\Nworld
Comment: 0,0:00:02.00,0:00:03.00,Default,,0,0,0,,translator note
Dialogue: 1,0:00:03.00,0:00:04.00,Default,,5,0,0,,{\pos(10,20)}plain
"""


def test_read_cues_and_styles():
    document = ass.parse(SAMPLE).document
    first, second = document
    assert (first.start_ms, first.end_ms, first.text, first.style, first.speaker) == (1000, 2500, "{\\i1}Hello{\\i0}\nworld", "Top", "Bob")
    assert second.text == "{\\pos(10,20)}plain" and dict(second.extras) == {"ass.layer": "1", "ass.marginl": "5"}
    top = document.metadata[ass.STYLES_KEY]["Top"]
    assert (top["fontname"], top["fontsize"], top["alignment"], top["marginv"]) == ("Verdana", 36.0, 8, 40)
    assert (top["primarycolor"], top["backcolor"], top["bold"]) == ("&H0000FFFF", "&H80000000", True)
    assert document.metadata[ass.INFO_KEY]["PlayResX"] == "1920"
    assert document.metadata[ass.COMMENTS_KEY][0]["text"] == "translator note"


def test_round_trip_keeps_styles_tags_and_comments():
    document = ass.parse(SAMPLE).document
    text = ass.render(document)
    assert "Style: Top,Verdana,36,&H0000FFFF,&H000000FF,&H00000000,&H80000000,-1,0,0,0,100,100,0,0,1,2,2,8,20,20,40,1" in text
    lines = [line for line in text.splitlines() if line.startswith(("Dialogue", "Comment"))]
    assert lines == [line for line in SAMPLE.splitlines() if line.startswith(("Dialogue", "Comment"))]
    again = ass.parse(text).document
    assert again.cues == document.cues
    assert again.metadata[ass.STYLES_KEY] == document.metadata[ass.STYLES_KEY]


def test_ssa_dialect_round_trip():
    document = Document(cues_list=[Cue(1000, 2000, "a\nb", style="Default", speaker="X")])
    text = ass.render(document, dialect="ssa")
    assert "[V4 Styles]" in text
    assert ass.parse(text, dialect="ssa").document.cues == document.cues


def test_cue_with_unknown_style_gets_a_style_definition():
    text = ass.render(Document(cues_list=[Cue(0, 1000, "x", style="Sign")]))
    assert "Style: Sign," in text


def test_broken_lines_are_skipped_with_their_numbers():
    broken = SAMPLE.replace("Dialogue: 1,0:00:03.00", "Dialogue: 1,0:0x:03.00").replace(",48,", ",4x8,")
    result = ass.parse(broken)
    assert [c.text for c in result.document] == ["{\\i1}Hello{\\i0}\nworld"]
    assert [(w.line, w.message) for w in result.warnings] == [
        (8, "could not read this style line; skipped"), (15, "could not read this dialogue line; skipped")]


def test_pysubs2_field_warnings_become_format_warnings():
    result = ass.parse(SAMPLE.replace("0,0:00:01.00", "x,0:00:01.00"))
    assert any("layer" in w.message for w in result.warnings)


def test_times_past_ten_hours_are_refused_on_write(tmp_path):
    from subtitler.errors import FormatError
    from subtitler.formats.registry import write_document

    with pytest.raises(FormatError, match=r"late\.ass: cue 1 ends after 9:59:59\.99"):
        write_document(Document(cues_list=[Cue(0, 36_000_000, "x")]), tmp_path / "late.ass")


def test_bad_style_fields_from_a_hand_edited_project_keep_defaults():
    styles = {"Default": {"fontsize": "big", "primarycolor": "&HZZ", "alignment": 99, "fontname": "Verdana"}}
    text = ass.render(Document(cues_list=[Cue(0, 1000, "x")], metadata={ass.STYLES_KEY: styles}))
    assert "Style: Default,Verdana,20," in text
