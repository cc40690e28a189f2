"""Waveform envelope: progressive, exact min/max per bin, cached on disk."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from subtitler.errors import Cancelled, MediaError
from subtitler.media import envelope_cache
from subtitler.media.decode import MediaWarning, decode_audio
from subtitler.media.envelope import (
    ENVELOPE_RATE,
    Envelope,
    bin_extremes,
    envelope_cache_dir,
    iter_envelope,
    load_cached_envelope,
)


def test_bin_extremes_with_partial_last_bin():
    samples = np.array([0, 1, -2, 3, 4, -5, 6], dtype=np.float32)
    mins, maxs = bin_extremes(samples, 3)
    np.testing.assert_array_equal(mins, [-2, -5, 6])
    np.testing.assert_array_equal(maxs, [1, 4, 6])
    assert mins.dtype == np.float32


def test_progressive_then_complete_and_exact(data_dir: Path, tmp_path: Path):
    path = data_dir / "multilingual.mp3"
    envelopes = list(iter_envelope(path, cache_dir=tmp_path))
    assert len(envelopes) >= 2
    lengths = [len(e.mins) for e in envelopes]
    assert lengths == sorted(lengths) and lengths[0] == 500  # the first 5 s come first
    final = envelopes[-1]
    assert (final.samples_per_bin, final.sample_rate, final.bin_seconds) == (80, ENVELOPE_RATE, 0.01)
    assert final.duration_s == pytest.approx(59.9, abs=0.05)
    audio = decode_audio(path, sample_rate=ENVELOPE_RATE)
    mins, maxs = bin_extremes(audio, 80)
    np.testing.assert_array_equal(final.mins, mins)
    np.testing.assert_array_equal(final.maxs, maxs)
    for partial in envelopes[:-1]:  # earlier yields are exact prefixes that never changed
        np.testing.assert_array_equal(partial.maxs, maxs[: len(partial.maxs)])


def test_envelopes_are_read_only(data_dir: Path, tmp_path: Path):
    for envelope in iter_envelope(data_dir / "jfk.flac", cache_dir=tmp_path):
        assert not envelope.mins.flags.writeable and not envelope.maxs.flags.writeable


def test_other_bin_width(data_dir: Path, tmp_path: Path):
    final = list(iter_envelope(data_dir / "jfk.flac", bin_ms=50, cache_dir=tmp_path))[-1]
    assert final.samples_per_bin == 400 and len(final.mins) == 220


def test_cache_hit_yields_whole_envelope_once(data_dir: Path, tmp_path: Path):
    path = data_dir / "jfk.flac"
    computed = list(iter_envelope(path, cache_dir=tmp_path))[-1]
    assert [p.suffix for p in tmp_path.iterdir()] == [".npz"]  # no temporary file left behind
    hits = list(iter_envelope(path, cache_dir=tmp_path))
    assert len(hits) == 1
    np.testing.assert_array_equal(hits[0].mins, computed.mins)
    loaded = load_cached_envelope(path, cache_dir=tmp_path)
    assert (loaded.samples_per_bin, loaded.sample_rate) == (80, ENVELOPE_RATE)
    np.testing.assert_array_equal(loaded.maxs, computed.maxs)
    assert load_cached_envelope(path, audio_stream=0, bin_ms=20, cache_dir=tmp_path) is None


def test_cache_key_follows_file_identity_and_track(multi_track_mkv: Path, tmp_path: Path):
    media = tmp_path / "film.mkv"
    media.write_bytes(multi_track_mkv.read_bytes())
    cache = tmp_path / "cache"
    first = list(iter_envelope(media, audio_stream=0, cache_dir=cache))[-1]
    assert load_cached_envelope(media, audio_stream=1, cache_dir=cache) is None
    second = list(iter_envelope(media, audio_stream=1, cache_dir=cache))[-1]
    assert not np.array_equal(first.maxs[:400], second.maxs[:400])
    stat = media.stat()
    os.utime(media, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert load_cached_envelope(media, audio_stream=0, cache_dir=cache) is None


def test_unreadable_cache_entry_is_recomputed(data_dir: Path, tmp_path: Path):
    path = data_dir / "jfk.flac"
    envelope_cache.cache_file(path, 0, 10, tmp_path).write_bytes(b"not an npz")
    assert load_cached_envelope(path, cache_dir=tmp_path) is None
    assert len(list(iter_envelope(path, cache_dir=tmp_path))[-1].mins) == 1100
    assert load_cached_envelope(path, cache_dir=tmp_path) is not None


def test_cancel_raises_and_writes_no_cache(data_dir: Path, tmp_path: Path):
    seen = []
    with pytest.raises(Cancelled):
        for envelope in iter_envelope(data_dir / "multilingual.mp3", should_stop=lambda: bool(seen), cache_dir=tmp_path):
            seen.append(envelope)
    assert len(seen) == 1 and list(tmp_path.iterdir()) == []


def test_truncated_file_draws_what_is_there(truncated, tmp_path: Path):
    with pytest.warns(MediaWarning, match="only part of the audio"):
        final = list(iter_envelope(truncated("jfk.flac"), cache_dir=tmp_path / "cache"))[-1]
    assert final.duration_s == pytest.approx(5.4, abs=0.1)


def test_errors(tmp_path: Path, video_without_audio: Path):
    with pytest.raises(MediaError, match="file not found"):
        next(iter_envelope(tmp_path / "missing.wav", cache_dir=tmp_path))
    with pytest.raises(MediaError, match="has no audio stream"):
        next(iter_envelope(video_without_audio, cache_dir=tmp_path))


def test_bin_width_must_be_positive(data_dir: Path, tmp_path: Path):
    with pytest.raises(ValueError, match="bin_ms"):
        next(iter_envelope(data_dir / "jfk.flac", bin_ms=0, cache_dir=tmp_path))


def test_default_cache_dir_is_the_user_cache():
    assert envelope_cache_dir().parts[-2:] == ("subtitler", "envelopes")


def test_envelope_properties():
    env = Envelope(80, 8000, np.zeros(250, np.float32), np.zeros(250, np.float32))
    assert env.bin_seconds == 0.01 and env.duration_s == pytest.approx(2.5)
