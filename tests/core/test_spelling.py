"""Spelling with pyspellchecker's real dictionaries and a user dictionary file per language."""

from __future__ import annotations

import pytest

from subtitler.core.spelling import NoDictionary, Speller, available_languages, dictionary_language, words_in


@pytest.fixture(scope="module")
def english(tmp_path_factory):
    return Speller("en", tmp_path_factory.mktemp("dictionaries"))


def test_languages_and_codes():
    assert {"en", "de", "es", "fr", "it", "pt"} <= set(available_languages())
    assert dictionary_language("en-GB") == "en" and dictionary_language("pt_BR") == "pt" and dictionary_language(None) == "en"
    with pytest.raises(NoDictionary, match="no spelling dictionary for the language 'ja'"):
        Speller("ja")


def test_misspellings_skip_markup_capitals_and_keep_positions(english):
    text = "<i>Teh</i> contry's {\\an8}flag, NASA\nand don’t"
    found = english.misspellings(text)
    assert [(m.word, text[m.start : m.end]) for m in found] == [("Teh", "Teh"), ("contry's", "contry's")]
    assert [w.word for w in words_in("well-known 3rd")] == ["well", "known", "rd"]


def test_suggestions_are_ranked_and_cased_like_the_word(english):
    assert english.suggestions("Teh")[0] == "The"
    assert english.suggestions("contry")[0] == "country"
    assert english.suggestions("qzxjv") == []


def test_user_dictionary_is_a_file_per_language_and_ignore_lasts_the_session(tmp_path):
    speller = Speller("en", tmp_path)
    assert not speller.is_correct("Subtitler")
    speller.add_word("Subtitler")
    assert speller.is_correct("subtitler")
    assert (tmp_path / "en.txt").read_text(encoding="utf-8") == "subtitler\n"
    assert Speller("en", tmp_path).is_correct("Subtitler"), "a new session reads the user's words"
    assert not Speller("de", tmp_path).is_correct("Subtitler"), "each language has its own file"
    speller.ignore("Kwyjibo")
    assert speller.is_correct("kwyjibo") and not Speller("en", tmp_path).is_correct("Kwyjibo")
    (tmp_path / "fr.txt").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(Exception, match="cannot read the user dictionary"):
        Speller("fr", tmp_path)


def test_german_dictionary(tmp_path):
    speller = Speller("de", tmp_path)
    assert [m.word for m in speller.misspellings("Die Straße ist schön, abber")] == ["abber"]
