"""What a forced alignment becomes: cues for a plain transcript, retimed cues for subtitles, openai-style JSON.

A plain transcript is cut into cues by the reading rules (its line ends are preferred breaks),
exactly as a transcription is. Subtitles keep their cues, text and styling; each cue gets its
words and new times from them by the same rules (start at the first word, a reading tail after
the last, never closer than the minimum gap to the next cue).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from subtitler.asr.alignment import WordTiming
from subtitler.core.cue import Cue, Word
from subtitler.core.document import Document
from subtitler.core.reading_rules import profile_for_language
from subtitler.core.segmentation import cue_times, segment
from subtitler.core.timecode import seconds_to_ms
from subtitler.core.word_alignment import spoken_text


def to_words(timings: Sequence[WordTiming]) -> list[Word]:
    """Seconds to the document's integer milliseconds."""
    return [Word(t.word, seconds_to_ms(t.start), max(seconds_to_ms(t.start), seconds_to_ms(t.end)), round(float(t.probability), 4))
            for t in timings]


def cues_from_lines(lines_words: Sequence[Sequence[WordTiming]], language: str, duration_s: float) -> list[Cue]:
    """Readable cues from the timed words of a transcript's lines (a line end is a preferred break)."""
    words: list[Word] = []
    ends: list[int] = []
    for line in lines_words:
        if line:
            words += to_words(line)
            ends.append(len(words) - 1)
    return [_within(cue, duration_s) for cue in segment(words, profile_for_language(language), ends)]


def _within(cue: Cue, duration_s: float) -> Cue:
    """No cue lingers past the end of the audio (its reading tail is cut there)."""
    limit = seconds_to_ms(duration_s)
    return cue if cue.end_ms <= limit else replace(cue, end_ms=max(cue.start_ms + 1, limit))


def retimed_cues(cues: Sequence[Cue], cue_words: Sequence[Sequence[WordTiming]], language: str,
                 duration_s: float) -> list[Cue]:
    """The same cues, each timed from its words; a cue without words (no text) keeps its times."""
    spoken = [(cue, to_words(words)) for cue, words in zip(cues, cue_words) if words]
    flat = [w for _, words in spoken for w in words]
    breaks, count = [], 0
    for _, words in spoken:
        count += len(words)
        breaks.append(count)
    times = iter(cue_times(flat, breaks, profile_for_language(language)) if flat else [])
    out: list[Cue] = []
    for cue, words in zip(cues, cue_words):
        if words:
            start, end = next(times)
            out.append(_within(replace(cue, start_ms=start, end_ms=end, words=tuple(to_words(words))), duration_s))
        else:
            out.append(cue)
    return out


def result_dict(document: Document) -> dict:
    """openai-whisper's JSON shape, one segment per cue: text, segments with words (seconds), language."""
    segments = []
    for i, cue in enumerate(document):
        segments.append({
            "id": i,
            "start": cue.start_ms / 1000,
            "end": cue.end_ms / 1000,
            "text": " " + spoken_text(cue),
            "words": [{"word": w.text, "start": w.start_ms / 1000, "end": w.end_ms / 1000,
                       "probability": w.probability} for w in cue.words],
        })
    return {"text": "".join(s["text"] for s in segments), "segments": segments, "language": document.language}
