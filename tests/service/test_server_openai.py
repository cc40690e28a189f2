"""The real server on 127.0.0.1 called with the official `openai` client, as other tools would call it."""

from __future__ import annotations

import json
import time

import openai
import pytest

from subtitler.cli import main
from subtitler.formats.registry import read_text

pytestmark = pytest.mark.slow

JFK_WORDS = "ask not what your country can do for you"


def _transcribe(client, path, **kw):
    with open(path, "rb") as f:
        return client.audio.transcriptions.create(file=f, model="whisper-1", **kw)


def test_models_lists_the_loaded_model_and_the_openai_alias(openai_client):
    ids = [m.id for m in openai_client.models.list()]
    assert ids == ["tiny.en", "whisper-1"]


def test_every_response_format(openai_client, data_dir):
    jfk = data_dir / "jfk.flac"
    plain = _transcribe(openai_client, jfk)  # response_format defaults to json
    assert JFK_WORDS in plain.text.lower() and plain.text == plain.text.strip()
    assert _transcribe(openai_client, jfk, response_format="json").text == plain.text
    assert _transcribe(openai_client, jfk, response_format="text") == plain.text + "\n"
    srt = read_text(_transcribe(openai_client, jfk, response_format="srt"), "srt").document
    vtt = read_text(_transcribe(openai_client, jfk, response_format="vtt"), "vtt").document
    for document in (srt, vtt):
        assert " ".join(c.text.replace("\n", " ") for c in document) == plain.text
        assert 0 <= document[0].start_ms and document[-1].end_ms <= 11_000
    verbose = _transcribe(openai_client, jfk, response_format="verbose_json")
    assert verbose.language == "english" and verbose.duration == 11.0 and verbose.text == plain.text
    assert "".join(s.text for s in verbose.segments).strip() == plain.text
    starts = [s.start for s in verbose.segments]
    assert starts == sorted(starts) and all(s.end > s.start for s in verbose.segments)
    assert verbose.words is None  # only asked for with timestamp_granularities=["word"]
    assert verbose.segments[0].tokens and verbose.segments[0].avg_logprob < 0


def test_srt_and_vtt_equal_the_command_line(openai_client, data_dir, tmp_path, capsys):
    jfk = data_dir / "jfk.flac"
    for fmt in ("srt", "vtt"):
        out = tmp_path / f"jfk.{fmt}"
        assert main(["transcribe", str(jfk), "-m", "tiny.en", "--offline", "-o", str(out)]) == 0
        assert _transcribe(openai_client, jfk, response_format=fmt) == out.read_text(encoding="utf-8")
    capsys.readouterr()


def test_segment_granularity_alone_gives_segments_and_no_words(openai_client, data_dir):
    verbose = _transcribe(openai_client, data_dir / "jfk.flac", response_format="verbose_json",
                          timestamp_granularities=["segment"])
    assert verbose.segments and verbose.words is None


def test_word_granularity(openai_client, data_dir, tmp_path, capsys):
    words_only = _transcribe(openai_client, data_dir / "jfk.flac", response_format="verbose_json",
                             timestamp_granularities=["word"])
    out = tmp_path / "jfk.json"  # the command line's words for the same file: the same engine, the same words
    assert main(["transcribe", str(data_dir / "jfk.flac"), "-m", "tiny.en", "--offline", "-o", str(out)]) == 0
    capsys.readouterr()
    cli_words = [w for s in json.loads(out.read_text())["segments"] for w in s["words"]]
    assert [(w.word, w.start, w.end) for w in words_only.words] == [
        (w["word"].strip(), w["start"], w["end"]) for w in cli_words]
    assert words_only.segments is None and words_only.words
    text = " ".join(w.word for w in words_only.words).lower()
    assert "fellow americans" in text and "your country" in text
    starts = [w.start for w in words_only.words]
    assert starts == sorted(starts) and all(w.end >= w.start for w in words_only.words)
    assert words_only.words[-1].end <= 11.0
    both = _transcribe(openai_client, data_dir / "jfk.flac", response_format="verbose_json",
                       timestamp_granularities=["segment", "word"])
    assert both.segments and [w.word for w in both.words] == [w.word for w in words_only.words]


def test_granularities_need_verbose_json(openai_client, data_dir):
    with pytest.raises(openai.BadRequestError, match="needs response_format=verbose_json"):
        _transcribe(openai_client, data_dir / "jfk.flac", response_format="json", timestamp_granularities=["segment"])


def test_streaming_sends_segments_as_they_are_final(openai_client, long_english):
    """Two windows: the first window's segments arrive well before the end."""
    began = time.monotonic()
    deltas, arrivals, done = [], [], None
    stream = _transcribe(openai_client, long_english, stream=True)
    for event in stream:
        if event.type == "transcript.text.delta":
            deltas.append(event)
            arrivals.append(time.monotonic() - began)
        elif event.type == "transcript.text.done":
            done = event
            finished = time.monotonic() - began
    assert done is not None and len(deltas) >= 3
    assert "".join(d.delta for d in deltas) == done.text
    text = done.text.lower()
    assert JFK_WORDS in text and "greasy wash water" in text and "acoustic corpus" in text
    assert arrivals[0] < finished - 1.0, (arrivals, finished)  # streamed, not sent in one piece at the end
    segments = [d.segment for d in deltas]
    assert [s["id"] for s in segments] == list(range(len(segments)))
    assert segments[-1]["end"] > 30  # the second window
    # the finished stream is cached: the same request as json is a hit with the same text
    again = _transcribe(openai_client, long_english)
    assert again.text == done.text


def test_streaming_a_cached_result(openai_client, data_dir):
    plain = _transcribe(openai_client, data_dir / "jfk.flac")
    events = list(_transcribe(openai_client, data_dir / "jfk.flac", stream=True))
    assert events[-1].type == "transcript.text.done" and events[-1].text == plain.text
    assert "".join(e.delta for e in events[:-1]) == plain.text


def test_wrong_language_is_a_bad_request_with_the_cli_message(openai_client, data_dir):
    with pytest.raises(openai.BadRequestError, match="language xx: not a language Whisper knows"):
        _transcribe(openai_client, data_dir / "jfk.flac", language="xx")
    with pytest.raises(openai.BadRequestError, match="English-only model cannot transcribe 'de'"):
        _transcribe(openai_client, data_dir / "jfk.flac", language="de")


@pytest.mark.filterwarnings("ignore:deprecated:DeprecationWarning")  # the client marks translations deprecated
def test_english_only_model_cannot_translate(openai_client, data_dir):
    with pytest.raises(openai.BadRequestError, match="model tiny.en: this English-only model cannot translate"):
        with open(data_dir / "jfk.flac", "rb") as f:
            openai_client.audio.translations.create(file=f, model="whisper-1")


def test_wrong_api_key_is_refused(tiny_server, data_dir):
    client = openai.OpenAI(base_url=f"{tiny_server.url}/v1", api_key="wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError, match="wrong API key"):
        _transcribe(client, data_dir / "jfk.flac")


@pytest.mark.filterwarnings("ignore:deprecated:DeprecationWarning")
def test_translation_with_the_multilingual_model(base_server, data_dir):
    client = openai.OpenAI(base_url=f"{base_server.url}/v1", api_key="unused", max_retries=0, timeout=300)
    with open(data_dir / "leopard_test_de.wav", "rb") as f:
        english = client.audio.translations.create(file=f, model="whisper-1", response_format="verbose_json")
    with open(data_dir / "leopard_test_de.wav", "rb") as f:
        german = client.audio.transcriptions.create(file=f, model="base", language="de")
    assert english.task == "translate" and english.language == "german"
    assert "raum" in german.text.lower() or "portal" in german.text.lower(), german.text
    words = set(english.text.lower().replace(",", " ").replace(".", " ").split())
    english_words = {"the", "a", "was", "were", "is", "as", "used", "this", "these", "behind", "room"}
    german_words = {"der", "die", "das", "wurde", "als", "hinter", "diesem", "raum", "genutzt"}
    assert len(english_words & words) >= 2 and not german_words & words, english.text
    with open(data_dir / "leopard_test_de.wav", "rb") as f:
        srt = client.audio.translations.create(file=f, model="whisper-1", response_format="srt")
    assert " ".join(c.text.replace("\n", " ") for c in read_text(srt, "srt").document) == english.text
