"""Shot changes (cuts) of a video from ffmpeg's scene-change score, cached on disk.

ffmpeg's `select` filter scores every frame against the previous one (0 = same
picture, 1 = nothing in common); its `metadata` filter prints the scores, which
we read from a pipe as they come (progress, cancellation). All scores are
cached, not just the cuts, so a different threshold needs no second pass.
A frame scoring at least the threshold starts a new shot, unless it follows the
previous cut within `min_interval_ms` (flashes, fades).
"""

from __future__ import annotations

import logging
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from subtitler.errors import Cancelled, MediaError
from subtitler.media.ffmpeg_binary import background_priority, find_ffmpeg
from subtitler.media.file_cache import atomic_savez, cache_root, entry_path
from subtitler.media.probe import probe
from subtitler.media.stderr import StderrTail, last_meaningful_line

DEFAULT_THRESHOLD = 0.4  # ffmpeg's documented example and Subtitle Edit's default sensitivity
MIN_INTERVAL_MS = 160  # four frames at 25 fps
ANALYSIS_WIDTH = 480  # frames are scaled down before scoring: cuts survive it, the filter runs far faster
_FORMAT_VERSION = 1
_FRAME = re.compile(rb"pts_time:(-?[\d.]+)\s+lavfi\.scene_score=([\d.]+)\n")  # the two lines printed per frame
_CHUNK = 1 << 16
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SceneScores:
    """Every frame's time (ms) and scene score, in presentation order."""

    times_ms: np.ndarray
    scores: np.ndarray

    def shot_changes(self, threshold: float = DEFAULT_THRESHOLD, min_interval_ms: int = MIN_INTERVAL_MS) -> tuple[int, ...]:
        """Start times of new shots, sorted."""
        cuts: list[int] = []
        for ms, score in zip(self.times_ms[1:].tolist(), self.scores[1:].tolist()):
            if score >= threshold and (not cuts or ms - cuts[-1] >= min_interval_ms):
                cuts.append(int(ms))
        return tuple(cuts)


def shot_change_cache_dir() -> Path:
    """Beside the waveform cache."""
    return cache_root() / "shot_changes"


def scene_command(path: Path) -> list[str]:
    """ffmpeg arguments that print the first video stream's per-frame scene score to stdout."""
    scale = f"scale='min({ANALYSIS_WIDTH},iw)':-2:flags=fast_bilinear"
    graph = f"{scale},select='gte(scene,0)',metadata=print:key=lavfi.scene_score:file=-"
    return [find_ffmpeg(), "-nostdin", "-hide_banner", "-loglevel", "error", "-i", str(path),
            "-map", "0:v:0", "-an", "-sn", "-dn", "-vf", graph, "-f", "null", "-"]


def scene_scores(path: str | Path, should_stop: Callable[[], bool] | None = None,
                 on_progress: Callable[[float, float], None] | None = None, cache_dir: Path | None = None) -> SceneScores:
    """The video's scene scores, from the cache or computed (on_progress(done_s, total_s) while computing).

    A file without video has no shots: empty scores. Raises MediaError when ffmpeg cannot read the
    video, Cancelled when should_stop() turns true.
    """
    path = Path(path)
    folder = cache_dir or shot_change_cache_dir()
    cached = _load(path, folder)
    if cached is not None:
        return cached
    info = probe(path)
    if not info.has_video:
        return SceneScores(_frozen(np.zeros(0, np.int64)), _frozen(np.zeros(0, np.float32)))
    result = _compute(path, info.duration_s or 0.0, should_stop or (lambda: False), on_progress)
    _save(result, path, folder)
    return result


def _compute(path: Path, duration_s: float, should_stop: Callable[[], bool],
             on_progress: Callable[[float, float], None] | None) -> SceneScores:
    times: list[int] = []
    scores: list[float] = []
    try:
        proc = subprocess.Popen(scene_command(path), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, **background_priority())
    except OSError as exc:
        raise MediaError(f"{path}: could not run ffmpeg ({exc}); reinstall ffmpeg or imageio-ffmpeg") from exc
    stderr = StderrTail(proc.stderr)
    try:
        _read_scores(proc, times, scores, should_stop, duration_s, on_progress)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
        code = proc.wait()
    if code != 0 and not scores:
        cause = last_meaningful_line(stderr.text()) or f"exit status {code}"
        raise MediaError(f"{path}: ffmpeg could not read the video to find shot changes ({cause})")
    return SceneScores(_frozen(np.array(times, np.int64)), _frozen(np.array(scores, np.float32)))


def _read_scores(proc: subprocess.Popen, times: list[int], scores: list[float], should_stop: Callable[[], bool],
                 duration_s: float, on_progress: Callable[[float, float], None] | None) -> None:
    """Parse whole chunks as ffmpeg flushes them: one regex pass per chunk keeps this thread's share of the GIL small."""
    pending = b""
    while chunk := proc.stdout.read1(_CHUNK):
        if should_stop():
            raise Cancelled()
        pending += chunk
        end = 0
        for match in _FRAME.finditer(pending):
            times.append(round(float(match.group(1)) * 1000))
            scores.append(float(match.group(2)))
            end = match.end()
        pending = pending[end:]
        if on_progress is not None and times:
            on_progress(times[-1] / 1000.0, duration_s)


def _load(path: Path, folder: Path) -> SceneScores | None:
    try:
        with np.load(entry_path(path, (_FORMAT_VERSION,), folder)) as data:
            return SceneScores(_frozen(data["times_ms"].astype(np.int64)), _frozen(data["scores"].astype(np.float32)))
    except (OSError, KeyError, ValueError) as exc:
        if not isinstance(exc, FileNotFoundError):
            _log.warning("ignoring unreadable shot-change cache entry for %s: %s", path, exc)
        return None


def _save(result: SceneScores, path: Path, folder: Path) -> None:
    try:
        atomic_savez(entry_path(path, (_FORMAT_VERSION,), folder), times_ms=result.times_ms, scores=result.scores)
    except OSError as exc:  # a cache that cannot be written only costs time next time
        _log.warning("could not cache the shot changes of %s: %s", path, exc)


def _frozen(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array
