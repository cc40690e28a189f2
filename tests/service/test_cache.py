"""The on-disk result cache: keys, lossless round trip, size limit with least-recently-used eviction."""

from __future__ import annotations

import dataclasses
import os

from subtitler.asr.transcribe import TranscribeOptions
from subtitler.service.cache import ResultCache, cache_key
from subtitler.service.render import render
from subtitler.service.form import AudioRequest
from subtitler.service.results import TranscriptResult

AUDIO = "ab" * 32


def test_key_changes_with_audio_model_and_every_option():
    base = cache_key(AUDIO, TranscribeOptions(), "tiny.en:/m")
    assert cache_key(AUDIO, TranscribeOptions(), "tiny.en:/m") == base
    assert cache_key("cd" * 32, TranscribeOptions(), "tiny.en:/m") != base
    assert cache_key(AUDIO, TranscribeOptions(), "base:/m") != base
    for change in ({"language": "en"}, {"task": "translate"}, {"initial_prompt": "x"}, {"temperature": (0.4,)},
                   {"beam_size": 3}, {"beam_size": None}, {"condition_on_previous_text": False}):
        assert cache_key(AUDIO, dataclasses.replace(TranscribeOptions(), **change), "tiny.en:/m") != base, change


def test_round_trip_is_exact(tmp_path, ldc_result):
    cache = ResultCache(tmp_path, 10**6)
    cache.put("k", ldc_result)
    again = cache.get("k")
    assert again == ldc_result
    for fmt in ("json", "text", "srt", "vtt", "verbose_json"):
        request = AudioRequest(TranscribeOptions(), fmt)
        assert render(again, request) == render(ldc_result, request)
    assert ResultCache(tmp_path, 10**6).get("k") == ldc_result  # a restarted server finds it


def test_least_recently_used_results_are_evicted_first(tmp_path, ldc_result):
    size = len(ldc_result.to_json().encode())
    cache = ResultCache(tmp_path, 3 * size)
    for key in ("a", "b", "c"):
        cache.put(key, ldc_result)
    assert cache.get("a") is not None  # a is now the most recently used
    cache.put("d", ldc_result)
    assert cache.get("b") is None
    assert all(cache.get(k) is not None for k in ("a", "c", "d"))
    assert cache.stats() == {"entries": 3, "bytes": 3 * size, "max_bytes": 3 * size}
    assert sorted(p.stem for p in tmp_path.glob("*.json")) == ["a", "c", "d"]


def test_eviction_order_survives_a_restart(tmp_path, ldc_result):
    size = len(ldc_result.to_json().encode())
    cache = ResultCache(tmp_path, 10 * size)
    for i, key in enumerate(("old", "new")):
        cache.put(key, ldc_result)
        os.utime(tmp_path / f"{key}.json", (1000 + i, 1000 + i))
    smaller = ResultCache(tmp_path, size)  # the limit was lowered: the older one goes
    assert smaller.get("old") is None and smaller.get("new") is not None


def test_a_result_larger_than_the_limit_is_not_stored(tmp_path, ldc_result):
    cache = ResultCache(tmp_path, 10)
    cache.put("k", ldc_result)
    assert cache.get("k") is None and not list(tmp_path.iterdir())


def test_damaged_or_foreign_entries_are_misses_and_removed(tmp_path, ldc_result):
    cache = ResultCache(tmp_path, 10**6)
    cache.put("damaged", ldc_result)
    (tmp_path / "damaged.json").write_text('{"task": "transcribe", "info": ')
    assert cache.get("damaged") is None and not (tmp_path / "damaged.json").exists()
    cache.put("foreign", ldc_result)
    data = ldc_result.to_json().replace('"seek"', '"unknown_field"')
    (tmp_path / "foreign.json").write_text(data)
    assert cache.get("foreign") is None


def test_leftover_temporary_files_are_removed_on_start(tmp_path):
    (tmp_path / ".k.json.x1.tmp").write_text("half")
    ResultCache(tmp_path, 10**6)
    assert not list(tmp_path.iterdir())


def test_language_probabilities_are_not_stored(tmp_path, ldc_result):
    with_probs = TranscriptResult(ldc_result.task, dataclasses.replace(ldc_result.info, language_probs={"en": 1.0}),
                                  ldc_result.segments)
    assert "language_probs\": null" in with_probs.to_json()
