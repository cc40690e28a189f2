"""Word timing survives text edits; joining words handles Whisper's spaces and CJK."""

from __future__ import annotations

from subtitler.core.cue import Word
from subtitler.core.word_diff import join_words, retime_words, split_words_at_chars

WORDS = (Word("one", 0, 100), Word("two", 200, 300), Word("three", 400, 500))


def test_deleting_and_reordering_keep_the_surviving_timings():
    assert retime_words(WORDS, "one three", 0, 600) == (WORDS[0], WORDS[2])
    assert retime_words(WORDS, "ONE Two three", 0, 600) == WORDS  # case changes keep timing


def test_inserted_words_share_the_gap_by_length_and_need_alignment():
    out = retime_words(WORDS, "zero one two three four", 0, 900)
    assert out[1:4] == WORDS
    assert out[0] == Word("zero", 0, 0, None, True)  # no room before the first word
    assert out[4] == Word("four", 500, 900, None, True)
    between = retime_words(WORDS, "one a bbb two three", 0, 600)
    assert [(w.start_ms, w.end_ms) for w in between[1:3]] == [(100, 125), (125, 200)]


def test_join_words_conventions():
    assert join_words([Word(" Hello", 0, 1), Word(" world.", 1, 2)]) == "Hello world."
    assert join_words([Word("Hello", 0, 1), Word("world", 1, 2), Word(".", 2, 3)]) == "Hello world."
    assert join_words([Word("今日", 0, 1), Word("は", 1, 2), Word("OK", 2, 3)]) == "今日は OK"


def test_split_words_at_chars():
    assert split_words_at_chars(WORDS, 3) == 1 and split_words_at_chars(WORDS, 0) == 0 and split_words_at_chars(WORDS, 11) == 3


def test_whisper_style_words_keep_their_spacing_after_an_edit():
    whisper = (Word(" Hello", 0, 100), Word(" there.", 200, 300))
    out = retime_words(whisper, "Hello dear there.", 0, 400)
    assert out[1] == Word(" dear", 100, 200, None, True)
    assert join_words(out) == "Hello dear there."
