"""The tokenizer built from tokenizer.json agrees with openai-whisper's tiktoken tokenizer id for id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from subtitler.asr.tokenizer import LANGUAGES, Tokenizer, language_code
from subtitler.errors import ModelError
from tests.reference import import_reference

whisper_tokenizer = import_reference("whisper.tokenizer")

TEXTS = [
    " And so, my fellow Americans, ask not what your country can do for you.",
    " Der hinter diesem Portal liegenden Raum wurde als Leichenhalle genutzt.",
    " 客観的実在の判断的知識が成立するのである。",
    " ça va? — «quotes» 'n' hyphen-ated ♪ music ♪ [MUSIC] (laughs)",
]


@pytest.fixture(scope="module")
def multilingual(base_dir: Path) -> Tokenizer:
    return Tokenizer.from_file(base_dir / "tokenizer.json", multilingual=True, num_languages=99)


@pytest.fixture(scope="module")
def english(tiny_en_dir: Path) -> Tokenizer:
    return Tokenizer.from_file(tiny_en_dir / "tokenizer.json", multilingual=False)


def reference(multilingual: bool, language: str | None = None, task: str = "transcribe"):
    return whisper_tokenizer.get_tokenizer(multilingual, num_languages=99, language=language, task=task)


@pytest.mark.parametrize("is_multilingual", [True, False])
def test_special_tokens_match_openai(is_multilingual: bool, multilingual: Tokenizer, english: Tokenizer) -> None:
    ours, theirs = (multilingual, reference(True)) if is_multilingual else (english, reference(False))
    for name in ["eot", "sot", "sot_prev", "sot_lm", "translate", "transcribe", "no_speech", "no_timestamps", "timestamp_begin"]:
        assert getattr(ours, name) == getattr(theirs, name), name
    assert ours.non_speech_tokens == theirs.non_speech_tokens
    if is_multilingual:  # openai's English-only tokenizer lists no language tokens; the vocabulary has them
        assert set(ours.all_language_tokens) == set(theirs.all_language_tokens)


@pytest.mark.parametrize(("language", "task"), [("en", "transcribe"), ("es", "translate"), ("ja", "transcribe")])
def test_sot_sequence_for_language_and_task(multilingual: Tokenizer, language: str, task: str) -> None:
    ours = multilingual.with_options(language=language, task=task)
    theirs = reference(True, language, task)
    assert ours.sot_sequence == theirs.sot_sequence
    assert ours.sot_sequence_including_notimestamps == theirs.sot_sequence_including_notimestamps


def test_english_only_model_has_no_language_or_task_tokens(english: Tokenizer) -> None:
    assert english.sot_sequence == (english.sot,)
    assert english.language == "en"
    assert english.with_options(language="de", task="translate").sot_sequence == (english.sot,)


@pytest.mark.parametrize("text", TEXTS)
def test_encode_and_decode_match_tiktoken(multilingual: Tokenizer, text: str) -> None:
    theirs = reference(True)
    ids = multilingual.encode(text)
    assert ids == theirs.encode(text)
    assert multilingual.decode(ids) == text
    stamped = [multilingual.timestamp_begin + 5] + ids + [multilingual.timestamp_begin + 1500, multilingual.eot]
    assert multilingual.decode(stamped) == theirs.decode(stamped)
    assert multilingual.decode_with_timestamps(stamped) == theirs.decode_with_timestamps(stamped)
    assert multilingual.decode_text_only(stamped) == text


def test_timestamp_tokens_are_computed_beyond_the_vocabulary(multilingual: Tokenizer, base_dir: Path) -> None:
    vocab = json.loads((base_dir / "tokenizer.json").read_text())
    assert "<|0.00|>" not in {t["content"] for t in vocab["added_tokens"]}
    assert multilingual.timestamp_begin == multilingual.no_timestamps + 1
    assert multilingual.timestamp_token(0.0) == multilingual.timestamp_begin
    assert multilingual.timestamp_token(30.0) == multilingual.timestamp_begin + 1500
    assert multilingual.timestamp_token(99.0) == multilingual.timestamp_begin + 1500
    assert multilingual.timestamp_seconds(multilingual.timestamp_begin + 54) == pytest.approx(1.08)
    assert multilingual.decode_with_timestamps([multilingual.timestamp_begin + 54]) == "<|1.08|>"


@pytest.mark.parametrize(("language", "text"), [("en", TEXTS[0]), ("de", TEXTS[1]), ("ja", TEXTS[2]), ("en", TEXTS[3])])
def test_split_to_words_matches_openai(multilingual: Tokenizer, language: str, text: str) -> None:
    ours = multilingual.with_options(language=language)
    theirs = reference(True, language)
    tokens = ours.encode(text) + [ours.eot]
    assert ours.split_to_word_tokens(tokens) == theirs.split_to_word_tokens(tokens)


def test_japanese_splits_per_character_and_english_per_space(multilingual: Tokenizer) -> None:
    words, _ = multilingual.with_options(language="ja").split_to_word_tokens(multilingual.encode("客観的実在"))
    assert words == ["客", "観", "的", "実", "在"]
    words, groups = multilingual.with_options(language="en").split_to_word_tokens(multilingual.encode(" Hello world, fine."))
    assert words == [" Hello", " world", ",", " fine", "."]
    assert sum(len(g) for g in groups) == len(multilingual.encode(" Hello world, fine."))


def test_languages_table_follows_whisper_token_order(multilingual: Tokenizer) -> None:
    assert list(LANGUAGES) == list(whisper_tokenizer.LANGUAGES)
    assert len(LANGUAGES) == 100 and list(LANGUAGES)[-1] == "yue"
    assert multilingual.all_language_codes == tuple(LANGUAGES)[:99]
    assert [multilingual.language_token_of(c) for c in ("en", "zh", "su")] == [50259, 50260, 50357]
    assert language_code("German") == "de" and language_code("castilian") == "es" and language_code("xx") is None


def test_bad_options_and_files_are_rejected(multilingual: Tokenizer, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        multilingual.with_options(task="summarise")
    with pytest.raises(ValueError):
        multilingual.with_options(language="klingon")
    broken = tmp_path / "tokenizer.json"
    broken.write_text("{not json")
    with pytest.raises(ModelError, match="tokenizer.json"):
        Tokenizer.from_file(broken, multilingual=True)


def test_special_token_text_in_a_prompt_is_encoded_as_text(tiny_en_dir):
    """Issue 10.9: '--initial-prompt "<|endoftext|>"' became the special token and broke decoding (ZeroDivisionError)."""
    tok = Tokenizer.from_file(tiny_en_dir / "tokenizer.json", multilingual=False)
    ids = tok.encode(" <|endoftext|> hi <|en|><|0.00|>")
    assert ids and max(ids) < tok.eot
    assert tok.decode(ids) == " <|endoftext|> hi <|en|><|0.00|>"
