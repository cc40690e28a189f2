"""What a transcription becomes: openai-whisper's result dict, or a subtitle document.

Seconds stop here: cues and words carry integer milliseconds from this point on.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from subtitler.asr.transcribe import Segment, TranscriptionInfo
from subtitler.core.cue import Cue
from subtitler.core.document import Document
from subtitler.core.reading_rules import ReadingProfile, profile_for_language
from subtitler.core.segmentation import cues_from_segments
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
            }
            for s in segments
        ],
    }


def segments_to_cues(segments: Sequence[Segment], profile: ReadingProfile | None = None) -> list[Cue]:
    """Readable cues from segments: a long segment is split and its lines broken by the reading rules
    (`profile`, or the segment's language's)."""
    cues: list[Cue] = []
    for s in segments:
        text = s.text.strip()
        if text:
            start = seconds_to_ms(s.start)
            rules = profile if profile is not None else profile_for_language(s.language)
            cues.extend(cues_from_segments([(start, max(seconds_to_ms(s.end), start + 1), text)], rules))
    return cues


def segments_to_document(segments: Sequence[Segment], info: TranscriptionInfo, media_path: str | Path | None) -> Document:
    document = Document(cues_list=segments_to_cues(segments), language=info.language)
    if media_path is not None:
        document.media_path = str(Path(media_path).resolve())
    return document


def plain_text(segments: Sequence[Segment]) -> str:
    """One segment per line, as the .txt output of the Whisper command lines."""
    return "".join(s.text.strip() + "\n" for s in segments if s.text.strip())
