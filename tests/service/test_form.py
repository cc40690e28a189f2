"""OpenAI form fields -> TranscribeOptions, with the command line's messages for wrong values."""

from __future__ import annotations

import pytest

from subtitler.asr.transcribe import TranscribeOptions
from subtitler.asr.user_options import parse_language
from subtitler.errors import UserError
from subtitler.service.form import parse_request

SERVED = ("tiny.en", "whisper-1")


def _parse(task="transcribe", **fields):
    return parse_request({k: v if isinstance(v, list) else [v] for k, v in fields.items()}, task, SERVED)


def test_defaults_are_openai_whisper_defaults():
    request = _parse(model="whisper-1")
    assert request.options == TranscribeOptions()
    assert (request.response_format, request.segments, request.words, request.stream) == ("json", True, False, False)


def test_fields_map_to_options():
    request = _parse("translate", model="tiny.en", language="German", prompt="Namen: Ödön", temperature="0.4",
                     response_format="verbose_json", stream="true")
    assert request.options.task == "translate" and request.options.language == "de"
    assert request.options.initial_prompt == "Namen: Ödön"
    assert request.options.temperature == (0.4, 0.6, 0.8, 1.0)  # fallback upwards from the given one
    assert request.response_format == "verbose_json" and request.stream


def test_no_model_field_means_the_served_model():
    assert _parse().options == TranscribeOptions()


def test_language_message_is_the_command_lines():
    with pytest.raises(UserError) as cli:
        parse_language("Klingon")
    with pytest.raises(UserError) as server:
        _parse(language="Klingon")
    assert str(cli.value) == "--language Klingon: not a language Whisper knows; use a code such as en, de, es, or auto"
    assert str(server.value) == str(cli.value).replace("--language", "language", 1)


def test_segment_granularity():
    request = _parse(response_format="verbose_json", **{"timestamp_granularities[]": ["segment"]})
    assert request.segments and not request.words


def test_word_granularity_shows_words_timed_as_the_command_line_times_them():
    request = _parse(response_format="verbose_json", **{"timestamp_granularities[]": ["word"]})
    assert request.words and not request.segments and request.options.word_timestamps
    both = _parse(response_format="verbose_json", **{"timestamp_granularities[]": ["word", "segment"]})
    assert both.words and both.segments
    # without the granularity the options (and so the cache entry) are the command line's defaults
    assert _parse().options == TranscribeOptions() and not _parse().words


@pytest.mark.parametrize("fields, needle", [
    ({"response_format": "docx"}, "response_format docx"),
    ({"timestamp_granularities[]": "word"}, "needs response_format=verbose_json"),
    ({"response_format": "verbose_json", "timestamp_granularities[]": "char"}, "char: unknown"),
    ({"temperature": "-0.1"}, "temperature -0.1"),
    ({"temperature": "nan"}, "temperature nan"),
    ({"model": "large-v3"}, "model large-v3: not served here; use one of tiny.en, whisper-1"),
    ({"stream": "often"}, "stream often"),
])
def test_wrong_values(fields, needle):
    with pytest.raises(UserError, match=needle):
        _parse(**fields)
