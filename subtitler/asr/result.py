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
from subtitler.core.reading_rules import ReadingProfile, profile_for_language
from subtitler.core.segmentation import SegmentOptions, pseudo_words, segment
from subtitler.core.timecode import seconds_to_ms


def result_dict(info: TranscriptionInfo, segments: Sequence[Segment], turns: Sequence | None = None) -> dict:
    """The JSON shape openai-whisper users know: text, segments (seconds) and language.

    With speaker ``turns`` (from subtitler.asr.speakers), every word and segment gets a "speaker",
    as WhisperX writes it: a word's is who covers most of it, a segment's who speaks longest in it.
    """
    result = {
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
    if turns is not None:
        _add_speakers(result["segments"], turns)
    return result


def _add_speakers(segments: list[dict], turns: Sequence) -> None:
    from subtitler.asr.speakers.words import speakers_for_spans

    for segment in segments:
        words = segment.get("words", [])
        for word, speaker in zip(words, speakers_for_spans([(w["start"], w["end"]) for w in words], turns)):
            word["speaker"] = speaker
        talk: dict[str, float] = {}
        for word in words:
            if word["speaker"] is not None:
                talk[word["speaker"]] = talk.get(word["speaker"], 0.0) + max(0.001, word["end"] - word["start"])
        segment["speaker"] = (max(talk, key=talk.__getitem__) if talk
                              else speakers_for_spans([(segment["start"], segment["end"])], turns)[0])


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

    def __init__(self, duration_s: float | None = None, options: SegmentOptions = SegmentOptions(),
                 profile: ReadingProfile | None = None, turns: Sequence | None = None) -> None:
        self._options = options
        self._turns = turns  # speaker turns (subtitler.asr.speakers): words get speakers, cues follow them
        self._limit_ms = seconds_to_ms(duration_s) if duration_s is not None else None  # no cue ends after the audio
        self._profile = profile  # the user's reading rules; None: the spoken language's
        self._words: list[Word] = []
        self._ends: list[int] = []  # indices into _words of words that end a segment
        self._language: str | None = None
        self._timed = True  # False once a segment came without word timings: then no reading tail is invented

    def add(self, segments: Sequence[Segment]) -> list[Cue]:
        """Take more segments; return the cues that are now final."""
        final: list[Cue] = []
        for s in segments:
            final += self._extend(segment_words(s), s.language, timed=bool(s.words), ends_segment=True)
        return final + self._final_cues()

    def add_words(self, words: Sequence[Word], language: str, ends_segment: bool) -> list[Cue]:
        """Take timed words that arrive a few at a time (live captions); `ends_segment` marks a preferred break after them."""
        return self._extend(list(words), language, timed=True, ends_segment=ends_segment) + self._final_cues()

    def _extend(self, words: list[Word], language: str, timed: bool, ends_segment: bool) -> list[Cue]:
        if words and self._turns is not None:
            from subtitler.asr.speakers.words import label_words

            words = list(label_words(words, self._turns))
        if not words:
            if ends_segment and self._words and (not self._ends or self._ends[-1] != len(self._words) - 1):
                self._ends.append(len(self._words) - 1)
            return []
        final: list[Cue] = []
        if self._words and language != self._language:
            final += self.finish()  # another language gets its own reading rules, from a clean break
        self._language = language
        self._timed = self._timed and timed
        self._words.extend(words)
        if ends_segment:
            self._ends.append(len(self._words) - 1)
        return final

    def _final_cues(self) -> list[Cue]:
        """All cues but the open last one, which later words may still change."""
        cues = self._cues()
        if len(cues) <= 1:
            return []
        open_cue = cues[-1]
        cut = len(self._words) - len(open_cue.words)
        self._words = list(open_cue.words)
        self._ends = [i - cut for i in self._ends if i >= cut]
        return cues[:-1]

    def finish(self) -> list[Cue]:
        """The cues still open (all remaining words)."""
        cues = self._cues()
        self._words, self._ends = [], []
        return cues

    def _cues(self) -> list[Cue]:
        if not self._words:
            return []
        options = self._options if self._timed else replace(self._options, tail_ms=0)
        profile = self._profile if self._profile is not None else profile_for_language(self._language or "en")
        cues = segment(self._words, profile, self._ends, options)
        if self._limit_ms is not None and cues and cues[-1].end_ms > self._limit_ms:
            last = cues[-1]
            cues[-1] = replace(last, end_ms=max(last.start_ms + 1, self._limit_ms))
        return cues


def segments_to_cues(segments: Sequence[Segment], duration_s: float | None = None,
                     options: SegmentOptions = SegmentOptions(), profile: ReadingProfile | None = None,
                     turns: Sequence | None = None) -> list[Cue]:
    """Readable cues from all segments of a transcription (see :class:`CueStream`), with speakers when ``turns`` are given."""
    stream = CueStream(duration_s, options, profile, turns)
    return stream.add(segments) + stream.finish()


def segments_to_document(segments: Sequence[Segment], info: TranscriptionInfo, media_path: str | Path | None,
                         options: SegmentOptions = SegmentOptions(), turns: Sequence | None = None) -> Document:
    document = Document(cues_list=segments_to_cues(segments, info.duration, options, turns=turns), language=info.language)
    if media_path is not None:
        document.media_path = str(Path(media_path).resolve())
    return document


def plain_text(segments: Sequence[Segment]) -> str:
    """One segment per line, as the .txt output of the Whisper command lines."""
    return "".join(s.text.strip() + "\n" for s in segments if s.text.strip())
