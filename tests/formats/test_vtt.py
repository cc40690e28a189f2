"""WebVTT: header, blocks, identifiers, settings, voices and karaoke survive a round trip."""

from __future__ import annotations

import pytest

from subtitler.core.cue import Cue, Word
from subtitler.core.document import Document
from subtitler.errors import FormatError
from subtitler.formats import vtt

SAMPLE = """WEBVTT - Demo file
Kind: captions
Language: en

STYLE
::cue(.loud) { color: red }

REGION
id:fred
width:40%

intro
00:01.000 --> 00:02.500 align:start line:0 position:10% size:50% vertical:rl region:fred
<v.loud Bob>Fish &amp; chips &lt;3 <i>now</i>

NOTE a note
between cues

00:00:03.000 --> 00:00:05.000
one <00:00:03.500>two <00:00:04.200>four

1:00:00.000 --> 1:00:01.000
<v Ann>Hi</v> <v Bob>Hello</v>
"""


@pytest.fixture(scope="module")
def parsed():
    return vtt.parse(SAMPLE, "demo.vtt")


def test_cues(parsed):
    first, karaoke, dialogue = parsed.document
    assert (first.start_ms, first.end_ms, first.text, first.speaker) == (1000, 2500, "Fish & chips <3 <i>now</i>", "Bob")
    assert dict(first.extras) == {"vtt.id": "intro", "vtt.align": "start", "vtt.line": "0", "vtt.position": "10%",
                                  "vtt.size": "50%", "vtt.vertical": "rl", "vtt.region": "fred", "vtt.voice_class": ".loud"}
    assert karaoke.text == "one two four"
    assert [(w.text, w.start_ms, w.end_ms) for w in karaoke.words] == [("one", 3000, 3500), ("two", 3500, 4200), ("four", 4200, 5000)]
    assert dialogue.start_ms == 3_600_000 and dialogue.speaker is None
    assert dialogue.text == "<v Ann>Hi</v> <v Bob>Hello</v>"
    assert parsed.warnings == ()


def test_header_and_blocks_kept(parsed):
    metadata = parsed.document.metadata
    assert metadata[vtt.HEADER_KEY] == "WEBVTT - Demo file\nKind: captions\nLanguage: en"
    assert [at for at, _ in metadata[vtt.BLOCKS_KEY]] == [0, 0, 1]
    assert metadata[vtt.BLOCKS_KEY][2][1] == "NOTE a note\nbetween cues"


def test_round_trip_is_stable(parsed):
    again = vtt.parse(vtt.render(parsed.document))
    assert again.document.snapshot() == parsed.document.snapshot()
    text = vtt.render(parsed.document)
    assert "one <00:00:03.500>two <00:00:04.200>four" in text
    assert text.index("STYLE") < text.index("intro") < text.index("NOTE a note") < text.index("one <")


def test_karaoke_not_written_for_plain_whisper_words():
    cue = Cue(0, 2000, "a b", words=(Word("a", 0, 900), Word("b", 1000, 2000)))
    assert vtt.render(Document(cues_list=[cue])) == "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\na b\n"


def test_karaoke_falls_back_to_plain_text_when_words_no_longer_match():
    cue = Cue(0, 2000, "a c", words=(Word("a", 0, 900), Word("b", 1000, 2000)), extras=(("vtt.karaoke", "1"),))
    assert "\na c\n" in vtt.render(Document(cues_list=[cue]))


def test_broken_cue_is_skipped_with_its_line():
    text = "WEBVTT\n\n00:01.000 --> 00:02.000\nok\n\nid\n00:03.000 --> later\nbad\n\njunk line\n"
    result = vtt.parse(text)
    assert [c.text for c in result.document] == ["ok"]
    assert [w.line for w in result.warnings] == [7, 10]


def test_missing_header_is_an_error():
    with pytest.raises(FormatError, match="line 1: a WebVTT file starts with 'WEBVTT'"):
        vtt.parse("00:01.000 --> 00:02.000\nhi\n", "x.vtt")


def test_text_that_looks_like_markup_is_escaped():
    cue = Cue(0, 1000, "a --> b & <x> <i>y</i>")
    text = vtt.render(Document(cues_list=[cue]))
    assert "a --&gt; b &amp; &lt;x&gt; <i>y</i>" in text
    assert vtt.parse(text).document[0].text == cue.text


def test_first_cue_right_under_the_header_is_read():
    result = vtt.parse("WEBVTT\nid\n00:01.000 --> 00:02.000\nhi\n")
    assert [(c.text, c.extra("vtt.id")) for c in result.document] == [("hi", "id")]
    assert result.document.metadata[vtt.HEADER_KEY] == "WEBVTT"


def test_speaker_with_markup_characters_round_trips():
    document = Document(cues_list=[Cue(0, 1000, "hi", speaker="A<b>&c")])
    assert vtt.parse(vtt.render(document)).document[0].speaker == "A<b>&c"


def test_bad_header_metadata_falls_back_to_plain_header():
    document = Document(cues_list=[Cue(0, 1000, "hi")], metadata={vtt.HEADER_KEY: "nonsense"})
    assert vtt.render(document).startswith("WEBVTT\n\n")
