"""Speakers in the subtitle formats: VTT voice spans (one per line in a two-speaker cue), ASS actor, project words."""

from subtitler.core.cue import Cue, Word
from subtitler.core.document import Document
from subtitler.formats.registry import read_text, write_text

SOLO = Cue(1000, 2500, "I waited an hour.", (Word("I", 1000, 1200, speaker="Ana"), Word("waited", 1300, 2000, speaker="Ana")), "Ana")
DIALOGUE = Cue(3000, 4500, "-Coming?\n-Yes, wait.",
               (Word("Coming?", 3000, 3500, speaker="Ana"), Word("Yes,", 3700, 4000, speaker="Ben"), Word("wait.", 4000, 4400, speaker="Ben")))


def test_vtt_voice_spans_and_reading_back():
    text = write_text(Document([SOLO, DIALOGUE]), "vtt")
    assert "<v Ana>I waited an hour." in text
    assert "<v Ana>-Coming?\n<v Ben>-Yes, wait." in text
    back = read_text(text, "vtt").document
    assert back[0].speaker == "Ana" and back[0].text == "I waited an hour."


def test_ass_actor_and_project_words_keep_speakers():
    ass = read_text(write_text(Document([SOLO]), "ass"), "ass").document
    assert ass[0].speaker == "Ana"
    project = read_text(write_text(Document([SOLO, DIALOGUE]), "project"), "project").document
    assert [w.speaker for w in project[1].words] == ["Ana", "Ben", "Ben"]
    assert project[0].speaker == "Ana" and project[1].speaker is None
