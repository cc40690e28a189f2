"""The fields of an OpenAI audio request turned into TranscribeOptions and a way to answer.

Fields (as https://platform.openai.com/docs/api-reference/audio defines them): file, model,
language, prompt, response_format, temperature, timestamp_granularities[], stream. Fields
other clients add (chunking_strategy, include[] ...) are ignored, as unknown options should be.
Wrong values give the same one-line messages as the command line (subtitler.asr.user_options).
"""

from __future__ import annotations

from dataclasses import dataclass

from subtitler.asr.transcribe import TranscribeOptions
from subtitler.asr.user_options import fallback_temperatures, parse_language
from subtitler.errors import UserError

RESPONSE_FORMATS = ("json", "text", "srt", "verbose_json", "vtt")
GRANULARITIES = ("segment", "word")
OPENAI_MODEL_ALIAS = "whisper-1"  # what OpenAI clients send by default; served by the loaded model


@dataclass(frozen=True)
class AudioRequest:
    """One validated request: what to run and how to answer."""

    options: TranscribeOptions
    response_format: str = "json"
    segments: bool = True  # segment timestamps in verbose_json
    words: bool = False  # word timestamps in verbose_json
    stream: bool = False


def parse_request(fields: dict[str, list[str]], task: str, served: tuple[str, ...]) -> AudioRequest:
    """UserError (HTTP 400) for any value the server cannot honour; ``served`` are the model ids it answers to."""
    value = _last(fields)
    model = value("model")
    if model and model not in served:
        raise UserError(f"model {model}: not served here; use one of {', '.join(served)} (GET /v1/models)")
    response_format = value("response_format") or "json"
    if response_format not in RESPONSE_FORMATS:
        raise UserError(f"response_format {response_format}: unknown; use one of {', '.join(RESPONSE_FORMATS)}")
    granularities = _granularities(fields)
    if granularities and response_format != "verbose_json":
        raise UserError("timestamp_granularities[] needs response_format=verbose_json")
    words = "word" in granularities
    options = TranscribeOptions(
        task=task,
        language=parse_language(value("language"), "language"),
        temperature=fallback_temperatures(_float(value("temperature"), "temperature", 0.0), "temperature"),
        initial_prompt=value("prompt") or None,
        # Words are timed whenever the command line would time them (its default), so every format is
        # rendered from one cached result and srt/vtt equal `subtitler transcribe -o`; the "word"
        # granularity only decides whether verbose_json lists them.
        word_timestamps=words or TranscribeOptions().word_timestamps,
    )
    return AudioRequest(options, response_format, segments=not granularities or "segment" in granularities,
                        words=words, stream=_bool(value("stream"), "stream"))


def _last(fields: dict[str, list[str]]):
    def value(name: str) -> str | None:
        values = fields.get(name)
        return values[-1].strip() if values else None
    return value


def _granularities(fields: dict[str, list[str]]) -> tuple[str, ...]:
    given = [g.strip() for key in ("timestamp_granularities[]", "timestamp_granularities") for g in fields.get(key, [])]
    unknown = [g for g in given if g not in GRANULARITIES]
    if unknown:
        raise UserError(f"timestamp_granularities[] {unknown[0]}: unknown; use segment and/or word")
    return tuple(dict.fromkeys(given))


def _float(text: str | None, name: str, default: float) -> float:
    if not text:
        return default
    try:
        return float(text)
    except ValueError:
        raise UserError(f"{name} {text}: not a number; use a temperature from 0 to 1") from None


def _bool(text: str | None, name: str) -> bool:
    if not text:
        return False
    if text.lower() in ("true", "1", "yes"):
        return True
    if text.lower() in ("false", "0", "no"):
        return False
    raise UserError(f"{name} {text}: use true or false")
