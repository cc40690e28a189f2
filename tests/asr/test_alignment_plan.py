"""Anchoring a known text to a recognition pass, and cutting it into windows (no model needed)."""

from __future__ import annotations

import pytest

from subtitler.asr.alignment_plan import HeardWord, anchor_words, plan_chunks


def heard_at(words: list[str], start: float = 0.0, step: float = 0.5, gap_after: dict[int, float] | None = None) -> list[HeardWord]:
    out, t = [], start
    for i, w in enumerate(words):
        out.append(HeardWord(" " + w, t, t + step * 0.8))
        t += step + (gap_after or {}).get(i, 0.0)
    return out


def test_exact_transcript_anchors_every_word_at_the_heard_times() -> None:
    words = "And so, my fellow Americans, ask not".split()
    heard = heard_at(["and", "so", "my", "fellow", "Americans", "ask", "not"])
    a = anchor_words(words, heard, 10.0)
    assert all(a.anchored) and a.match_ratio == 1.0
    assert a.starts == tuple(h.start for h in heard) and a.ends == tuple(h.end for h in heard)


def test_a_lone_match_is_no_anchor_and_unmatched_words_share_their_neighbours_gap() -> None:
    words = "one two three four five six seven".split()
    heard = heard_at(["one", "two", "zzz", "four", "yyy", "six", "seven"])
    a = anchor_words(words, heard, 10.0)
    assert a.anchored == (True, True, False, False, False, True, True)  # "four" matched alone
    assert a.matched == 5 and a.comparable == 7
    assert a.ends[1] <= a.starts[2] < a.ends[2] <= a.starts[3] < a.ends[4] <= a.starts[5]


def test_punctuation_only_words_never_match_and_do_not_count() -> None:
    a = anchor_words(["-", "Hello", "there", "—"], heard_at(["hello", "there"]), 5.0)
    assert a.comparable == 2 and a.matched == 2
    assert a.anchored == (False, True, True, False)
    assert a.starts[0] <= a.starts[1] and a.ends[3] >= a.ends[2]


def test_nothing_heard_spreads_the_text_over_the_audio() -> None:
    a = anchor_words(["a", "b", "c"], [], 9.0)
    assert not any(a.anchored) and a.match_ratio == 0.0
    assert a.starts[0] == 0.0 and a.ends[-1] == pytest.approx(9.0)


def long_text(n_words: int, step: float = 0.4, pause_every: int = 12, pause: float = 1.0):
    words = [f"w{i}" for i in range(n_words)]
    gaps = {i: pause for i in range(pause_every - 1, n_words, pause_every)}
    heard = heard_at(words, start=2.0, step=step, gap_after=gaps)
    duration = heard[-1].end + 3.0
    return words, heard, duration


def test_chunks_cover_the_text_in_order_and_each_fits_one_window() -> None:
    words, heard, duration = long_text(600)
    a = anchor_words(words, heard, duration)
    chunks = plan_chunks(a, [2] * len(words), duration)
    assert chunks[0].first == 0 and chunks[-1].last == len(words)
    assert all(c.first < c.last for c in chunks)
    assert all(b.first == c.last for c, b in zip(chunks, chunks[1:]))
    assert all(0 < c.end - c.start <= 30.0 for c in chunks)
    assert all(c.end <= b.start for c, b in zip(chunks, chunks[1:]))
    for c in chunks:  # every word of a chunk (by its heard time) lies inside the chunk's audio
        assert c.start <= a.starts[c.first] and a.ends[c.last - 1] <= c.end


def test_cuts_fall_in_pauses() -> None:
    words, heard, duration = long_text(300, pause_every=10, pause=1.5)
    a = anchor_words(words, heard, duration)
    chunks = plan_chunks(a, [1] * len(words), duration)
    assert len(chunks) > 3
    for c in chunks[:-1]:
        assert a.starts[c.last] - a.ends[c.last - 1] > 1.5, "cut between two words with no pause"


def test_token_budget_cuts_dense_text() -> None:
    words, heard, duration = long_text(60, step=0.4)
    a = anchor_words(words, heard, duration)
    chunks = plan_chunks(a, [30] * len(words), duration)  # 30 tokens a word: at most 14 words a window
    assert all(sum(30 for _ in range(c.first, c.last)) <= 440 for c in chunks)
    assert chunks[-1].last == 60


def test_a_long_silence_between_words_is_left_out_of_the_windows() -> None:
    words = ["a", "b", "c", "d"]
    heard = [HeardWord("a", 1.0, 1.3), HeardWord("b", 1.4, 1.8), HeardWord("c", 300.0, 300.4), HeardWord("d", 300.5, 300.9)]
    a = anchor_words(words, heard, 310.0)
    chunks = plan_chunks(a, [1] * 4, 310.0)
    assert [(c.first, c.last) for c in chunks] == [(0, 2), (2, 4)]
    assert chunks[0].end <= 1.8 + 1.0 and chunks[1].start >= 300.0 - 1.0
