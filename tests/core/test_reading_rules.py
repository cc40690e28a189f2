"""Reading profiles and line breaking."""

from __future__ import annotations

import pytest

from subtitler.core.reading_rules import (
    DEFAULT_PROFILE, PROFILES, ReadingProfile, break_lines, cps, get_profile, profile_for_language, text_length, units,
)


def test_profiles_are_frozen_data_with_the_documented_values():
    en = get_profile("en")
    assert (en.max_chars_per_line, en.max_lines, en.max_cps, en.min_duration_ms, en.max_duration_ms, en.min_gap_ms) == (
        42, 2, 17.0, 833, 7000, 83)
    assert get_profile("en-20").max_cps == 20.0 and PROFILES["zh"].max_chars_per_line == 16
    with pytest.raises(Exception):
        en.max_cps = 30  # type: ignore[misc]
    with pytest.raises(ValueError, match="known"):
        get_profile("klingon")
    with pytest.raises(ValueError):
        ReadingProfile("x", count_by="words")
    assert profile_for_language("ja").name == "ja" and profile_for_language("de") is DEFAULT_PROFILE


def test_counting_and_cps():
    assert text_length("日本a", PROFILES["ja"]) == 2.5 and text_length("日本a") == 3
    assert cps("ab\ncd", 1000) == 4.0 and cps("x", 0) == float("inf")


def test_short_text_stays_on_one_line_and_long_text_balances():
    assert break_lines("Hello there.") == "Hello there."
    text = "And so, my fellow Americans, ask not what your country can do for you"
    top, bottom = break_lines(text).split("\n")
    assert top.endswith(",") and abs(len(top) - len(bottom)) < 20
    balanced = break_lines("the quick brown fox jumps over the lazy dog and keeps running far away")
    a, b = balanced.split("\n")
    assert abs(len(a) - len(b)) <= 10 and not a.endswith((" the", " and"))


def test_cjk_breaks_between_characters_and_keeps_punctuation_attached():
    pieces = units("今日は、とても")
    assert ("は、", False) in pieces
    text = break_lines("今日はとても良い天気ですね。散歩に行きましょうか。", PROFILES["ja"])
    assert all(text_length(line, PROFILES["ja"]) <= 13 for line in text.split("\n"))
    assert not any(line.startswith(("。", "、")) for line in text.split("\n"))
