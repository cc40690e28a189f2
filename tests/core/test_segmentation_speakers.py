"""Speaker-aware cue breaks: never two speakers on one line; a quick exchange becomes a dashed dialogue cue."""

from dataclasses import replace

from subtitler.core.cue import Word
from subtitler.core.reading_rules import PROFILES, ReadingProfile
from subtitler.core.segmentation import segment


def _words(text: str, speaker: str, start_ms: int, step_ms: int = 350) -> list[Word]:
    return [Word(t, start_ms + i * step_ms, start_ms + i * step_ms + 300, 0.9, speaker=speaker) for i, t in enumerate(text.split())]


def _speakers_per_line(cue) -> list[set[str]]:
    """Speakers of each line of a cue, by walking the words through the lines' texts."""
    words = iter(cue.words)
    out = []
    for line in cue.lines:
        names = set()
        for _ in line.split():
            names.add(next(words).speaker)
        out.append(names)
    return out


def test_long_turns_get_cues_of_their_own():
    words = (_words("I have been waiting here for more than an hour and nobody came.", "A", 0)
             + _words("Sorry, the train was late again this morning.", "B", 4700))
    cues = segment(words, PROFILES["en"])
    assert all(len({w.speaker for w in c.words}) == 1 for c in cues)
    assert [c.speaker for c in cues][0] == "A" and cues[-1].speaker == "B"


def test_a_quick_exchange_is_one_cue_with_a_dash_per_speaker():
    words = _words("Coming?", "A", 0) + _words("Yes, wait.", "B", 500)
    cues = segment(words, PROFILES["en"])
    assert len(cues) == 1
    assert cues[0].text == "-Coming?\n-Yes, wait."
    assert cues[0].speaker is None
    assert _speakers_per_line(cues[0]) == [{"A"}, {"B"}]


def test_the_profile_picks_the_dash_convention():
    profile = replace(PROFILES["en"], dialogue_dash="- ", dash_first_line=False)
    cues = segment(_words("Coming?", "A", 0) + _words("Yes, wait.", "B", 500), profile)
    assert cues[0].text == "Coming?\n- Yes, wait."


def test_no_line_ever_holds_two_speakers_in_a_fast_conversation():
    words, t = [], 0
    for k, line in enumerate(["Hi.", "Hello there.", "How are you doing?", "Fine.", "Good to hear, really good.", "Bye."] * 4):
        speaker = "AB"[k % 2]
        words += _words(line, speaker, t)
        t = words[-1].end_ms + 150
    cues = segment(words, PROFILES["en"])
    assert sum(len(c.words) for c in cues) == len(words)
    for cue in cues:
        lines = _speakers_per_line(cue)
        assert all(len(names) == 1 for names in lines), cue
        assert len(lines) <= 2


def test_unlabelled_words_segment_as_before():
    words = [replace(w, speaker=None) for w in _words("Coming? Yes, wait.", "A", 0)]
    assert [c.speaker for c in segment(words, PROFILES["en"])] == [None]
