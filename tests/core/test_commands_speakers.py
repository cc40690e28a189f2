"""Speaker edits as undoable commands: set, rename (one step for the whole document), merge, recolour."""

from dataclasses import replace

import pytest

from subtitler.core.commands import RenameSpeaker, SetSpeaker, SetSpeakerColour
from subtitler.core.commands_speakers import SPEAKER_COLOURS, speakers_of
from subtitler.core.cue import Word
from subtitler.core.history import History
from tests.core.helpers import sample_document


def _labelled():
    doc = sample_document()
    names = ["Speaker 1", "Speaker 2", None, "Speaker 1"]
    for row, name in enumerate(names):
        c = doc[row]
        doc.replace_cues(row, [replace(c, speaker=name, words=tuple(replace(w, speaker=name) for w in c.words))])
    # a two-speaker cue: the second word by Speaker 2, the cue itself unlabelled
    c = doc[1]
    words = list(c.words)
    words[-1] = replace(words[-1], speaker="Speaker 1")
    doc.replace_cues(1, [replace(c, words=tuple(words))])
    return doc


def test_rename_changes_every_cue_and_word_in_one_undo_step():
    doc = _labelled()
    before = doc.cues
    history = History()
    history.push(RenameSpeaker(doc, "Speaker 1", "Ana"))
    assert speakers_of(doc) == ["Ana", "Speaker 2"]
    assert doc[0].speaker == "Ana" and doc[3].speaker == "Ana"
    assert all(w.speaker == "Ana" for w in doc[0].words)
    assert doc[1].words[-1].speaker == "Ana" and doc[1].speaker == "Speaker 2"
    history.undo()
    assert doc.cues == before


def test_rename_to_an_existing_name_merges_and_keeps_the_target_colour():
    doc = _labelled()
    History().push(SetSpeakerColour(doc, "Speaker 1", "#FF0000"))
    doc.metadata[SPEAKER_COLOURS]["Speaker 2"] = "#00ff00"
    command = RenameSpeaker(doc, "Speaker 1", "Speaker 2")
    assert command.text.startswith("Merge")
    command.redo()
    assert speakers_of(doc) == ["Speaker 2"]
    assert doc.metadata[SPEAKER_COLOURS] == {"Speaker 2": "#00ff00"}
    command.undo()
    assert doc.metadata[SPEAKER_COLOURS] == {"Speaker 1": "#ff0000", "Speaker 2": "#00ff00"}


def test_set_speaker_relabels_the_cue_and_its_words_and_undoes():
    doc = _labelled()
    before = doc.cues
    command = SetSpeaker(doc, [1, 2], "  Bob   Smith ")
    command.redo()
    assert doc[1].speaker == doc[2].speaker == "Bob Smith"
    assert {w.speaker for w in doc[1].words} == {"Bob Smith"}
    command.undo()
    assert doc.cues == before


@pytest.mark.parametrize("make", [
    lambda d: RenameSpeaker(d, "Nobody", "X"),
    lambda d: RenameSpeaker(d, "Speaker 1", "   "),
    lambda d: SetSpeaker(d, [9], "X"),
    lambda d: SetSpeakerColour(d, "Speaker 1", "red"),
])
def test_bad_arguments_fail_before_anything_changes(make):
    doc = _labelled()
    before = doc.cues
    with pytest.raises(ValueError):
        make(doc)
    assert doc.cues == before


def test_colour_none_returns_to_automatic():
    doc = _labelled()
    set_red = SetSpeakerColour(doc, "Speaker 1", "#ff0000")
    set_red.redo()
    clear = SetSpeakerColour(doc, "Speaker 1", None)
    clear.redo()
    assert SPEAKER_COLOURS not in doc.metadata
    clear.undo()
    assert doc.metadata[SPEAKER_COLOURS] == {"Speaker 1": "#ff0000"}
