"""What a transcription becomes: openai-whisper's result dict, or a subtitle document.

Seconds stop here: cues and words carry integer milliseconds from this point on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from subtitler.asr.transcribe import Segment, TranscriptionInfo
from subtitler.core.cue import Cue, Word
from subtitler.core.document import Document
from subtitler.core.reading_rules import profile_for_language
from subtitler.core.segmentation import SegmentOptions, pseudo_words, segment
from subtitler.core.timecode import seconds_to_ms


def result_dict(info: TranscriptionInfo, segments: Sequence[Segment]) -> dict:
    """The JSON shape openai-whisper users know: text, segments (seconds) and language."""
    return {
        "text": "".join(s.text for s in segments),
        "language": info.language,
        "language_probability": round(float(info.language_probability), 6),
        "duration": round(float(info.duration), 3),
        "segments": [
            {
                "id": s.id,
                "seek": s.seek,
                "start": round(s.start, 3),
                "end": round(s.end, 3),
                "text": s.text,
                "tokens": list(s.tokens),
                "temperature": s.temperature,
                "avg_logprob": s.avg_logprob,
                "compression_ratio": s.compression_ratio,
                "no_speech_prob": s.no_speech_prob,
                "language": s.language,
                **({"words": [{"word": w.word, "start": round(w.start, 3), "end": round(w.end, 3),
                               "probability": round(float(w.probability), 6)} for w in s.words]} if s.words else {}),
            }
            for s in segments
        ],
    }


def segment_words(segment: Segment) -> list[Word]:
    """A segment's words in milliseconds: its timed words, or (without word timings) words timed by characters."""
    if segment.words:
        return [Word(w.word, seconds_to_ms(w.start), max(seconds_to_ms(w.end), seconds_to_ms(w.start)), float(w.probability))
                for w in segment.words if w.word.strip()]
    start = seconds_to_ms(segment.start)
    return pseudo_words(segment.text.strip(), start, max(seconds_to_ms(segment.end), start + 1)) if segment.text.strip() else []


class CueStream:
    """Readable cues from segments that arrive one window at a time, as the editor and the CLI receive them.

    Cue breaks are chosen by the reading rules over the words of all segments (a segment end is a
    preferred break, not a forced one), so the profile's minimum gap and durations hold across
    segments. The last cue stays open until later words show where it may end (its end depends on
    the next cue's start, and it may still grow); :meth:`finish` closes it.
    """

    def __init__(self, duration_s: float | None = None, options: SegmentOptions = SegmentOptions()) -> None:
        self._options = options
        self._limit_ms = seconds_to_ms(duration_s) if duration_s is not None else None  # no cue ends after the audio
        self._words: list[Word] = []
        self._ends: list[int] = []  # indices into _words of words that end a segment
        self._language: str | None = None
        self._timed = True  # False once a segment came without word timings: then no reading tail is invented

    def add(self, segments: Sequence[Segment]) -> list[Cue]:
        """Take more segments; return the cues that are now final."""
        final: list[Cue] = []
        for s in segments:
            words = segment_words(s)
            if not words:
                continue
            if self._words and s.language != self._language:
                final += self.finish()  # another language gets its own reading rules, from a clean break
            self._language = s.language
            self._timed = self._timed and bool(s.words)
            self._words.extend(words)
            self._ends.append(len(self._words) - 1)
        cues = self._cues()
        if len(cues) <= 1:
            return final
        open_cue = cues[-1]
        cut = len(self._words) - len(open_cue.words)
        self._words = list(open_cue.words)
        self._ends = [i - cut for i in self._ends if i >= cut]
        return final + cues[:-1]

    def finish(self) -> list[Cue]:
        """The cues still open (all remaining words)."""
        cues = self._cues()
        self._words, self._ends = [], []
        return cues

    def _append(self, words: list[Word]) -> None:
        self._words.extend(words)
        self._ends.append(len(self._words) - 1)

    def _cues(self) -> list[Cue]:
        if not self._words:
            return []
        options = self._options if self._timed else replace(self._options, tail_ms=0)
        cues = segment(self._words, profile_for_language(self._language or "en"), self._ends, options)
        if self._limit_ms is not None and cues and cues[-1].end_ms > self._limit_ms:
            last = cues[-1]
            cues[-1] = Cue(last.start_ms, max(last.start_ms + 1, self._limit_ms), last.text, last.words)
        return cues


def segments_to_cues(segments: Sequence[Segment], duration_s: float | None = None,
                     options: SegmentOptions = SegmentOptions()) -> list[Cue]:
    """Readable cues from all segments of a transcription (see :class:`CueStream`)."""
    stream = CueStream(duration_s, options)
    return stream.add(segments) + stream.finish()


def segments_to_document(segments: Sequence[Segment], info: TranscriptionInfo, media_path: str | Path | None,
                         options: SegmentOptions = SegmentOptions()) -> Document:
    document = Document(cues_list=segments_to_cues(segments, info.duration, options), language=info.language)
    if media_path is not None:
        document.media_path = str(Path(media_path).resolve())
    return document


def plain_text(segments: Sequence[Segment]) -> str:
    """One segment per line, as the .txt output of the Whisper command lines."""
    return "".join(s.text.strip() + "\n" for s in segments if s.text.strip())
