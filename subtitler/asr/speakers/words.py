"""Speaker turns onto words: each word takes the speaker who covers most of it.

Turns come from 10-ms frames and do not know where words are; labelling whole words moves every
speaker change to a word boundary, so a change never splits a word. A word no turn touches (the
voice-activity model missed it, or it is in a pause) takes the speaker of the nearest turn.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import replace

from subtitler.asr.speakers.diarize import SpeakerTurn
from subtitler.core.cue import Cue, Word


def speakers_for_spans(spans: Sequence[tuple[float, float]], turns: Sequence[SpeakerTurn]) -> list[str | None]:
    """The speaker of each (start, end) span in seconds (None only when there are no turns)."""
    if not turns:
        return [None] * len(spans)
    turns = sorted(turns, key=lambda t: t.start)
    starts = [t.start for t in turns]
    longest = max(t.duration for t in turns)
    out: list[str | None] = []
    for start, end in spans:
        overlap: dict[str, float] = {}
        first = bisect.bisect_left(starts, start - longest)  # no earlier turn can reach the span
        for turn in turns[first:bisect.bisect_right(starts, end)]:
            shared = min(end, turn.end) - max(start, turn.start)
            if shared > 0:
                overlap[turn.speaker] = overlap.get(turn.speaker, 0.0) + shared
        if overlap:
            out.append(max(overlap, key=overlap.__getitem__))
        else:
            middle = (start + end) / 2
            out.append(min(turns, key=lambda t: max(t.start - middle, middle - t.end, 0.0)).speaker)
    return out


def label_words(words: Sequence[Word], turns: Sequence[SpeakerTurn]) -> tuple[Word, ...]:
    """Words with their speaker set from the turns."""
    speakers = speakers_for_spans([(w.start_ms / 1000, w.end_ms / 1000) for w in words], turns)
    return tuple(replace(w, speaker=s) for w, s in zip(words, speakers))


def main_speaker(words: Sequence[Word]) -> str | None:
    """The speaker who speaks longest among the words (ties: the first heard)."""
    time: dict[str, int] = {}
    for w in words:
        if w.speaker is not None:
            time[w.speaker] = time.get(w.speaker, 0) + max(1, w.end_ms - w.start_ms)
    return max(time, key=time.__getitem__) if time else None


def label_cue(cue: Cue, turns: Sequence[SpeakerTurn]) -> Cue:
    """A cue with its words labelled and the cue's speaker the one who speaks longest in it.

    The text is kept as the user wrote it (existing cues are not split); a cue without words takes
    the speaker covering most of its time.
    """
    if cue.words:
        words = label_words(cue.words, turns)
        return replace(cue, words=words, speaker=main_speaker(words))
    return replace(cue, speaker=speakers_for_spans([(cue.start_ms / 1000, cue.end_ms / 1000)], turns)[0])
