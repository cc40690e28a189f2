"""A result in each OpenAI response_format, and the server-sent events of a streamed request.

srt and vtt go through the same segmentation and writers as `subtitler transcribe -o x.srt`
(cues split and broken by the language's reading rules), so the service and the command
line give the same subtitles. json, text and verbose_json follow the OpenAI API's shapes;
verbose_json's language is the English name in lower case, as OpenAI answers.
"""

from __future__ import annotations

import json
import math

from subtitler.asr.result import segments_to_document
from subtitler.asr.tokenizer import LANGUAGES
from subtitler.asr.transcribe import Segment
from subtitler.formats.registry import write_text
from subtitler.service.form import AudioRequest
from subtitler.service.results import TranscriptResult

MEDIA_TYPES = {
    "json": "application/json", "verbose_json": "application/json",
    "text": "text/plain; charset=utf-8", "srt": "application/x-subrip; charset=utf-8", "vtt": "text/vtt; charset=utf-8",
}


def render(result: TranscriptResult, request: AudioRequest) -> tuple[str, str]:
    """(body, media type) for the request's response_format."""
    fmt = request.response_format
    if fmt == "json":
        body = json.dumps({"text": result.text, "usage": _usage(result)}, ensure_ascii=False)
    elif fmt == "text":
        body = result.text + "\n"
    elif fmt in ("srt", "vtt"):
        body = write_text(segments_to_document(result.segments, result.info, None), fmt)
    else:
        body = json.dumps(verbose(result, request.segments, request.words), ensure_ascii=False)
    return body, MEDIA_TYPES[fmt]


def verbose(result: TranscriptResult, segments: bool, words: bool) -> dict:
    data = {
        "task": result.task,
        "language": language_name(result.info.language),
        "duration": round(result.info.duration, 3),
        "text": result.text,
    }
    if segments:
        data["segments"] = [segment_dict(s) for s in result.segments]
    if words:
        data["words"] = [w for s in result.segments for w in word_dicts(s)]
    data["usage"] = _usage(result)
    return data


def language_name(code: str) -> str:
    return LANGUAGES.get(code, code).lower()


def segment_dict(s: Segment) -> dict:
    return {
        "id": s.id, "seek": s.seek, "start": round(s.start, 3), "end": round(s.end, 3), "text": s.text,
        "tokens": list(s.tokens), "temperature": s.temperature, "avg_logprob": s.avg_logprob,
        "compression_ratio": s.compression_ratio, "no_speech_prob": s.no_speech_prob,
    }


def word_dicts(s: Segment) -> list[dict]:
    """OpenAI's word objects (word without Whisper's leading space, start, end) plus the probability."""
    return [{"word": w.word.strip(), "start": round(w.start, 3), "end": round(w.end, 3),
             "probability": round(float(w.probability), 4)} for w in s.words if w.word.strip()]


def _usage(result: TranscriptResult) -> dict:
    return {"type": "duration", "seconds": math.ceil(result.info.duration)}


# --- streaming ---------------------------------------------------------------------------

def sse(data: dict) -> bytes:
    """One server-sent event; the OpenAI client dispatches on data's "type"."""
    return b"data: " + json.dumps(data, ensure_ascii=False).encode("utf-8") + b"\n\n"


def delta_event(segment: Segment, first: bool, words: bool) -> dict:
    """A final segment as OpenAI's transcript.text.delta; the deltas concatenated are the done event's text.

    The segment's id, times (and words when asked for) ride along in "segment"; OpenAI's
    client keeps fields it does not know.
    """
    text = segment.text.lstrip() if first else segment.text
    extra = {"id": segment.id, "start": round(segment.start, 3), "end": round(segment.end, 3), "text": segment.text}
    if words:
        extra["words"] = word_dicts(segment)
    return {"type": "transcript.text.delta", "delta": text, "segment_id": str(segment.id), "segment": extra}


def done_event(result: TranscriptResult) -> dict:
    return {"type": "transcript.text.done", "text": result.text,
            "language": language_name(result.info.language), "duration": round(result.info.duration, 3)}


def error_event(message: str, kind: str) -> dict:
    return {"type": "error", "error": {"message": message, "type": kind}}
