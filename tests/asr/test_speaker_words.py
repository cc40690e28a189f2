"""Speaker turns onto words (changes land on word boundaries) and RTTM in and out."""

import pytest

from subtitler.asr.speakers.diarize import SpeakerTurn
from subtitler.asr.speakers.rttm import parse_rttm, rttm_text
from subtitler.asr.speakers.words import label_cue, label_words, speakers_for_spans
from subtitler.core.cue import Cue, Word
from subtitler.errors import FormatError

TURNS = [SpeakerTurn(0.0, 1.23, "Speaker 1"), SpeakerTurn(1.23, 3.0, "Speaker 2"), SpeakerTurn(5.0, 6.0, "Speaker 1")]


def test_a_turn_change_inside_a_word_goes_to_the_speaker_covering_most_of_it():
    words = [Word("one", 0, 500), Word("two", 600, 1400), Word("three", 1500, 2000)]
    # "two" runs 0.6-1.4 s: 0.63 s by Speaker 1, 0.17 s by Speaker 2
    assert [w.speaker for w in label_words(words, TURNS)] == ["Speaker 1", "Speaker 1", "Speaker 2"]


def test_a_word_outside_every_turn_takes_the_nearest_turns_speaker():
    assert speakers_for_spans([(3.5, 3.8), (4.6, 4.9), (9.0, 9.5)], TURNS) == ["Speaker 2", "Speaker 1", "Speaker 1"]


def test_no_turns_leave_words_unlabelled():
    assert speakers_for_spans([(0, 1)], []) == [None]


def test_a_cue_takes_the_speaker_who_speaks_longest_and_keeps_its_text():
    cue = Cue(0, 3000, "Yes. No, never.", (Word("Yes.", 0, 300), Word("No,", 1300, 2000), Word("never.", 2000, 3000)))
    labelled = label_cue(cue, TURNS)
    assert labelled.text == cue.text
    assert labelled.speaker == "Speaker 2"
    assert [w.speaker for w in labelled.words] == ["Speaker 1", "Speaker 2", "Speaker 2"]
    assert label_cue(Cue(5100, 5900, "Hm."), TURNS).speaker == "Speaker 1"


def test_rttm_round_trip_and_spaces_in_names():
    text = rttm_text(TURNS, "my file")
    assert text.splitlines()[0] == "SPEAKER my_file 1 0.000 1.230 <NA> <NA> Speaker_1 <NA> <NA>"
    back = parse_rttm(text)
    assert [(t.start, t.end, t.speaker) for t in back] == [(0.0, 1.23, "Speaker_1"), (1.23, 3.0, "Speaker_2"), (5.0, 6.0, "Speaker_1")]


def test_rttm_bad_line_names_the_line():
    with pytest.raises(FormatError, match="line 2"):
        parse_rttm("SPEAKER a 1 0 1 <NA> <NA> x <NA> <NA>\nSPEAKER a 1 zero\n", "x.rttm")
