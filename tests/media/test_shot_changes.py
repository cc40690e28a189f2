"""Shot changes from ffmpeg's scene score: found where the picture cuts, cached, cancellable, clear on bad input."""

from __future__ import annotations

import time

import numpy as np
import pytest

from subtitler.errors import Cancelled, MediaError
from subtitler.media.shot_changes import SceneScores, scene_scores, shot_change_cache_dir
from tests.cut_clip import CUTS_MS

FRAME_MS = 40


def test_cuts_are_found_within_a_frame_and_nothing_else(cut_clip, tmp_path):
    progress = []
    scores = scene_scores(cut_clip, on_progress=lambda done, total: progress.append((done, total)), cache_dir=tmp_path)
    cuts = scores.shot_changes()
    assert len(cuts) == len(CUTS_MS) and all(abs(c - e) <= FRAME_MS for c, e in zip(cuts, CUTS_MS)), cuts
    assert len(scores.times_ms) > 250 and np.all(np.diff(scores.times_ms) > 0)
    assert progress and progress[-1][0] > 10.5 and abs(progress[-1][1] - 11.0) < 0.6
    assert scores.shot_changes(threshold=0.1) != cuts, "a lower threshold finds more (the waveform moves)"


def test_results_are_cached_per_file_identity(cut_clip, tmp_path):
    first = scene_scores(cut_clip, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("*.npz"))) == 1
    start = time.perf_counter()
    again = scene_scores(cut_clip, should_stop=lambda: True, cache_dir=tmp_path)  # a cache hit never asks to stop
    assert time.perf_counter() - start < 0.5
    assert np.array_equal(first.times_ms, again.times_ms) and np.array_equal(first.scores, again.scores)
    assert shot_change_cache_dir().parts[-2:] == ("subtitler", "shot_changes")


def test_cancel_stops_ffmpeg(cut_clip, tmp_path):
    with pytest.raises(Cancelled):
        scene_scores(cut_clip, should_stop=lambda: True, cache_dir=tmp_path)
    assert not list(tmp_path.glob("*.npz")), "a cancelled run caches nothing"


def test_audio_only_has_no_shots_and_garbage_is_a_clear_error(data_dir, tmp_path):
    assert scene_scores(data_dir / "jfk.flac", cache_dir=tmp_path).shot_changes() == ()
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"garbage" * 200)
    with pytest.raises(MediaError, match="broken.mp4"):
        scene_scores(bad, cache_dir=tmp_path)


def test_min_interval_drops_flashes():
    scores = SceneScores(np.array([0, 40, 80, 120, 2000]), np.array([0.0, 0.9, 0.8, 0.1, 0.5], np.float32))
    assert scores.shot_changes(threshold=0.4, min_interval_ms=160) == (40, 2000)
