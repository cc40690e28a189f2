"""Segmentation of real word-timed transcriptions (fixtures made by faster-whisper from /work/shared/data clips)."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from subtitler.core.cue import Word
from subtitler.core.qc import check
from subtitler.core.reading_rules import PROFILES, ReadingProfile, profile_for_language, reading_length, text_length
from subtitler.core.segmentation import SegmentOptions, cues_from_segments, segment
from subtitler.core.word_diff import join_words
from tests.core.helpers import fixture_names, fixture_words, load_fixture

RUN_GAP_MS = 500  # words closer than this belong to one breath group


@pytest.fixture(scope="module")
def segmented() -> list[tuple[str, ReadingProfile, list[Word], list]]:
    out = []
    for name in fixture_names():
        data = load_fixture(name)
        words, ends = fixture_words(data)
        profile = profile_for_language(data["language"])
        out.append((name, profile, words, segment(words, profile, ends)))
    return out


def test_fixtures_cover_english_spanish_and_five_languages():
    languages = Counter(load_fixture(n)["language"] for n in fixture_names())
    assert languages["en"] >= 5 and languages["es"] >= 2 and {"de", "fr", "it", "pt", "ja"} <= set(languages)


def test_every_word_is_carried_once_in_order_and_cues_start_at_speech(segmented):
    for name, profile, words, cues in segmented:
        assert [w for c in cues for w in c.words] == words, name
        for i, cue in enumerate(cues):
            assert cue.start_ms == cue.words[0].start_ms, name
            assert cue.end_ms >= cue.words[-1].end_ms - profile.min_gap_ms, name
            assert cue.plain_text.replace(" ", "") == join_words(cue.words).replace(" ", ""), name
            if i + 1 < len(cues):
                assert cues[i + 1].start_ms - cue.end_ms >= profile.min_gap_ms, name


def _excused_rows(cues, profile: ReadingProfile) -> set[int]:
    """Cues inside a breath group spoken faster than the profile allows: no segmentation can meet CPS for all of them.

    Every cue of the group must be shown between the group's first word and the next group's start (less the gap),
    so if the group's characters need more time than that at max CPS, some cue must be too fast.
    """
    words = [w for c in cues for w in c.words]
    row_of = [r for r, c in enumerate(cues) for _ in c.words]
    excused, first = set(), 0
    for k in range(1, len(words) + 1):
        if k < len(words) and words[k].start_ms - words[k - 1].end_ms < RUN_GAP_MS:
            continue
        limit = words[k].start_ms - profile.min_gap_ms if k < len(words) else words[k - 1].end_ms + 10_000
        chars = reading_length(join_words(words[first:k]), profile)
        if chars * 1000.0 / max(1, limit - words[first].start_ms) > profile.max_cps:
            excused.update(row_of[first:k])
        first = k
    return excused


def test_share_of_cues_meeting_each_rule(segmented):
    total, met = 0, Counter()
    cps_possible = cps_met = 0
    lines = []
    for name, profile, _words, cues in segmented:
        findings = check(cues, profile)
        bad = {(f.row, f.rule) for f in findings}
        excused = _excused_rows(cues, profile)
        for row, cue in enumerate(cues):
            total += 1
            for rule in ("line_too_long", "too_many_lines", "too_fast", "too_short", "too_long", "overlap", "gap_too_small"):
                met[rule] += (row, rule) not in bad
            if row not in excused:
                cps_possible += 1
                cps_met += (row, "too_fast") not in bad
        for finding in findings:
            if finding.rule == "too_fast":
                assert finding.fix is None and "free before the next cue" in finding.message, (name, finding)
        lines.append(f"  {name:42s} {profile.name:3s} {len(cues):3d} cues, too fast: "
                     f"{sum(1 for f in findings if f.rule == 'too_fast')}, excused by speech rate: {len(excused)}")
    share = {rule: met[rule] / total for rule in met}
    print(f"\nsegmentation of {len(segmented)} real transcriptions, {total} cues:")
    print("\n".join(lines))
    for rule, value in share.items():
        print(f"  {rule:16s} met by {100 * value:5.1f} % of cues")
    print(f"  too_fast         met by {100 * cps_met / cps_possible:5.1f} % of the {cps_possible} cues whose speech allows it")
    for rule in ("line_too_long", "too_many_lines", "too_long", "overlap", "gap_too_small"):
        assert share[rule] == 1.0, rule
    assert cps_met / cps_possible >= 0.95
    assert share["too_fast"] >= 0.9 and share["too_short"] >= 0.95


def test_breaks_prefer_sentence_ends_and_lines_are_balanced(segmented):
    name, profile, words, cues = next(s for s in segmented if s[0].startswith("aeneas"))
    sentence_ends = [c for c in cues if c.plain_text.endswith((".", "?", "!"))]
    clause_ends = [c for c in cues if c.plain_text.endswith((".", "?", "!", ",", ";", ":"))]
    assert len(clause_ends) >= len(cues) // 2 and sentence_ends
    for cue in cues:
        sizes = [text_length(line, profile) for line in cue.lines]
        if len(sizes) == 2 and not cue.lines[0].endswith((",", ".", "?", "!", ";", ":")):
            assert min(sizes) >= 0.4 * max(sizes), cue.text


def test_long_pause_splits_and_short_cue_extends_to_min_duration():
    words = [Word(" Yes.", 1000, 1200), Word(" Later", 6000, 6300), Word(" on,", 6300, 6500), Word(" we", 6500, 6600),
             Word(" went", 6600, 6900), Word(" home.", 6900, 7300)]
    cues = segment(words, PROFILES["en"])
    assert [c.plain_text for c in cues] == ["Yes.", "Later on, we went home."]
    assert cues[0].duration_ms == 833 and cues[1].end_ms == 7300 + SegmentOptions().tail_ms


def test_too_fast_speech_is_split_where_it_pauses_and_single_long_words_stand_alone():
    profile = ReadingProfile("tight", max_chars_per_line=10, max_lines=1)
    words = [Word(" Supercalifragilistic", 0, 500), Word(" is", 600, 700), Word(" long", 700, 900)]
    cues = segment(words, profile)
    assert [c.plain_text for c in cues] == ["Supercalifragilistic", "is long"]
    assert segment([], profile) == []


def test_cjk_words_join_without_spaces_and_lines_fit(segmented):
    name, profile, words, cues = next(s for s in segmented if s[0].startswith("leopard_test_ja"))
    assert profile.name == "ja"
    for cue in cues:
        assert " " not in cue.text
        assert all(text_length(line, profile) <= profile.max_chars_per_line for line in cue.lines)


def test_cues_from_text_only_segments_split_long_ones_by_reading_rules():
    segments = [(0, 9000, "This is one long segment of speech, with a comma, that goes on and on. "
                          "It has two sentences and far too much text for a single subtitle."),
                (9000, 10000, "Short one.")]
    cues = cues_from_segments(segments)
    assert len(cues) >= 2 and cues[-1].plain_text.endswith("Short one.") and all(c.words == () for c in cues)
    assert all(reading_length(c.text, PROFILES["en"]) <= 84 for c in cues)
    assert " ".join(c.plain_text for c in cues) == " ".join(s[2] for s in segments)
    assert not [f for f in check(cues) if f.rule in ("line_too_long", "too_many_lines", "overlap", "gap_too_small")]
    assert cues[0].start_ms == 0 and cues[-1].end_ms <= 10000


@st.composite
def word_runs(draw) -> list[Word]:
    words, t = [], draw(st.integers(0, 1000))
    for _ in range(draw(st.integers(0, 60))):
        t += draw(st.integers(0, 2500 if draw(st.integers(0, 9)) == 0 else 150))
        length = draw(st.integers(30, 700))
        text = draw(st.sampled_from(["a", "word", "longer,", "end.", "Why?", "extraordinarily", "x" * 50]))
        words.append(Word(" " + text, t, t + length))
        t += length
    return words


@settings(max_examples=100, deadline=None)
@given(words=word_runs(), profile=st.sampled_from(sorted(PROFILES.values(), key=lambda p: p.name)))
def test_any_word_run_gives_ordered_cues_that_fit_their_lines(words, profile):
    cues = segment(words, profile)
    assert [w for c in cues for w in c.words] == words
    for i, cue in enumerate(cues):
        assert cue.start_ms == cue.words[0].start_ms < cue.end_ms
        if i + 1 < len(cues):
            assert cues[i + 1].start_ms - cue.end_ms >= profile.min_gap_ms or cues[i + 1].start_ms - cue.start_ms <= profile.min_gap_ms
        if len(cue.words) > 1:
            assert len(cue.lines) <= profile.max_lines
            assert all(text_length(line, profile) <= profile.max_chars_per_line for line in cue.lines), cue.text


def test_fixtures_are_transcriptions_of_clips_in_the_manifest(manifest):
    clips = {entry["audio"]: entry for entry in manifest}
    for name in fixture_names():
        data = load_fixture(name)
        assert data["audio"] in clips, name
        words, _ = fixture_words(data)
        assert words and words[-1].end_ms <= clips[data["audio"]]["duration"] * 1000 + 1000, name


def test_cues_from_asr_style_segments_in_seconds():
    class Seg:
        def __init__(self, start, end, text):
            self.start, self.end, self.text = start, end, text

    cues = cues_from_segments([Seg(0.5, 2.0, " Hello there."), {"start_ms": 2000, "end_ms": 3500, "text": "Bye."}])
    assert [(c.start_ms, c.plain_text) for c in cues] == [(500, "Hello there."), (2000, "Bye.")]
    assert cues[0].end_ms == 2000 - 83


def test_cues_do_not_end_on_a_word_that_leans_on_the_next(segmented):
    """jfk without punctuation once split 'your country can | do for you'; an article, preposition or modal ends no cue."""
    from subtitler.core.reading_rules import WEAK_LINE_ENDS

    name, _profile, _words, cues = next(s for s in segmented if s[0].startswith("jfk"))
    for cue in cues[:-1]:
        assert cue.words[-1].text.strip().lower() not in WEAK_LINE_ENDS, [c.text for c in cues]


def test_a_silence_folded_into_a_long_word_counts_as_a_pause():
    """Gapless Whisper timings: 'ask' lasting 1.6 s hides a pause before it, which makes the best break."""
    timed = [(" Fellow", 0, 400), (" citizens", 400, 1000), (" ask", 1000, 2600), (" not", 2600, 2900),
             (" what", 2900, 3300), (" your", 3300, 3600), (" country", 3600, 4100), (" gives", 4100, 4600),
             (" every", 4600, 5000), (" single", 5000, 5500), (" day", 5500, 6000), (" except", 6000, 6500),
             (" winter", 6500, 7000), (" nights", 7000, 7700)]
    cues = segment([Word(w, s, e) for w, s, e in timed], PROFILES["en"])
    assert [c.plain_text for c in cues] == ["Fellow citizens", "ask not what your country gives every single day except winter nights"]


def test_max_words_caps_every_cue_and_keeps_every_word(segmented):
    for name, profile, words, _ in segmented:
        cues = segment(words, profile, (), SegmentOptions(max_words=3))
        assert all(1 <= len(c.words) <= 3 for c in cues), name
        assert [w for c in cues for w in c.words] == [w for w in words if w.text.strip()], name
        assert all(a.end_ms <= b.start_ms for a, b in zip(cues, cues[1:])), name
    free = segment(segmented[0][2], segmented[0][1])
    assert max(len(c.words) for c in free) > 3, "without the cap cues are longer: the cap is what bites"
    with pytest.raises(ValueError):
        SegmentOptions(max_words=0)
