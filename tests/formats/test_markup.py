"""Issue 10.7: formatting is translated between SRT, WebVTT, ASS and text; what cannot be carried is reported."""

from __future__ import annotations

import pytest

from subtitler.core.cue import Cue
from subtitler.core.document import Document
from subtitler.formats.markup import alignment_for_vtt, translate, vtt_settings_for_alignment
from subtitler.formats.registry import read_text, render_text

# (source text, target, expected text, expected cue settings, a fragment of a dropped-markup note or None)
TRANSLATIONS = [
    ("{\\i1}Hello{\\i0} world", "srt", "<i>Hello</i> world", (), None),
    ("{\\i1}Hello", "vtt", "<i>Hello</i>", (), None),
    ("{\\b1}{\\u1}bold{\\b0} under", "srt", "<b><u>bold</u></b><u> under</u>", (), None),
    ("{\\an8\\pos(10,20)}Top", "srt", "{\\an8}Top", (), "\\pos"),
    ("{\\an8}Top", "vtt", "Top", (("vtt.line", "0"),), None),
    ("{\\an7}Top left", "vtt", "Top left", (("vtt.line", "0"), ("vtt.align", "start")), None),
    ("{\\fad(200,200)\\blur2}soft", "vtt", "soft", (), "\\fad"),
    ("{\\c&H00FFFF&}yellow", "srt", '<font color="#ffff00">yellow</font>', (), None),
    ("{\\c&H00FFFF&}yellow", "vtt", "<c.yellow>yellow</c>", (), None),
    ("{\\c&H123456&}odd", "vtt", "odd", (), "colours"),
    ("<i>it</i>", "ass", "{\\i1}it{\\i0}", (), None),
    ('<font color="red">r</font>', "ass", "{\\c&H0000FF&}r{\\c}", (), None),
    ('<font color="#FF0000">r</font>', "vtt", "<c.red>r</c>", (), None),
    ('<font face="Arial" size="20">f</font>', "vtt", "f", (), "font face"),
    ("<c.yellow>y</c>", "srt", '<font color="#ffff00">y</font>', (), None),
    ("<c.loud>x</c>", "ass", "x", (), "class spans"),
    ("<v Ann>Hi</v> <v Bob>Yo</v>", "ass", "Hi Yo", (), "voice"),
    ("<i>a</i> {\\i1}b", "txt", "a b", (), None),
    ("a < b > c &", "srt", "a < b > c &", (), None),
    ("<i>kept</i> <font color='x'>as typed</font>", "srt", "<i>kept</i> <font color='x'>as typed</font>", (), None),
    ("{\\i1}kept{\\i0}", "ass", "{\\i1}kept{\\i0}", (), None),
]


@pytest.mark.parametrize("source, target, text, settings, dropped", TRANSLATIONS)
def test_translate(source, target, text, settings, dropped):
    result = translate(source, target)
    assert (result.text, result.settings) == (text, settings)
    assert (dropped is None) == (not result.dropped)
    if dropped:
        assert any(dropped in d for d in result.dropped)


@pytest.mark.parametrize("alignment", range(1, 10))
def test_positions_survive_vtt_and_back(alignment):
    assert (alignment_for_vtt(dict(vtt_settings_for_alignment(alignment))) or 2) == alignment  # 2: bottom centre, no setting


def convert(text: str, source: str, target: str):
    document = read_text(text, source).document
    written, warnings = render_text(document, target)
    return read_text(written, target).document, written, [str(w) for w in warnings]


ASS = r"""[Script Info]
ScriptType: v4.00+

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Default,Arial,20,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,2,2,2,10,10,10,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,{\i1}Hello{\i0}\N{\an8\pos(100,50)}world
"""


@pytest.mark.parametrize("target", ["srt", "vtt", "txt"])
def test_ass_override_tags_never_reach_srt_vtt_or_text(target):
    """SubRip keeps only {\\anN}, the position tag SRT players read; WebVTT gets cue settings instead."""
    document, written, warnings = convert(ASS, "ass", target)
    assert "{\\" not in written.replace("{\\an8}" if target == "srt" else "", "") and "\\N" not in written
    assert "Hello" in written and "world" in written
    if target != "txt":
        assert "<i>Hello</i>" in written
        assert any("\\pos" in w for w in warnings)


def test_srt_tags_become_ass_overrides():
    srt = '1\n00:00:01,000 --> 00:00:02,000\n<i>Hi</i> <font color="#00ff00">there</font>\n'
    document, written, warnings = convert(srt, "srt", "ass")
    assert "<i>" not in written and "<font" not in written
    assert document[0].text == "{\\i1}Hi{\\i0} {\\c&H00FF00&}there{\\c}" and warnings == []


def test_vtt_positions_and_style_blocks_are_translated_or_warned():
    vtt = ("WEBVTT\n\nSTYLE\n::cue { color: yellow }\n\n"
           "00:01.000 --> 00:02.000 line:0 align:start size:50%\nTop left\n")
    document, written, warnings = convert(vtt, "vtt", "srt")
    assert document[0].text == "{\\an7}Top left"
    assert any("STYLE" in w for w in warnings) and any("size" in w for w in warnings)
    document, written, warnings = convert(vtt, "vtt", "ass")
    assert document[0].text == "{\\an7}Top left"


def test_vtt_voice_with_a_comma_keeps_the_ass_line_whole():
    vtt = "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Smith, John>Hello, world\n"
    document, written, warnings = convert(vtt, "vtt", "ass")
    assert len(document) == 1 and document[0].text == "Hello, world"
    assert document[0].speaker == "Smith\uff0c John"
    assert any("comma" in w for w in warnings)


def test_speaker_dropped_from_srt_is_reported():
    document = Document([Cue(0, 1000, "hi", speaker="Ann")])
    assert any("speaker" in str(w) for w in render_text(document, "srt")[1])


@pytest.mark.parametrize("target", ["srt", "vtt"])
def test_ass_empty_line_becomes_one_break_with_a_warning(target):
    """10.4: '\\N\\N' in ASS (Enter twice in the editor, 'a||b' in the table) lost the rest of the cue in SRT and WebVTT."""
    ass = ASS.replace("{\\i1}Hello{\\i0}\\N{\\an8\\pos(100,50)}world", "first\\N\\Nsecond")
    document, _, warnings = convert(ass, "ass", target)
    assert [c.text for c in document] == ["first\nsecond"]
    assert any("blank lines" in w for w in warnings)
