"""Finished transcriptions on disk, keyed by the audio's content and every option that changes the result.

One JSON file per result in ``results/``. The folder is kept under a size limit by removing
the least recently used results (a hit refreshes the file's modification time). Writes are
atomic, so a crash leaves either no entry or a whole one; an entry another version wrote,
or a damaged one, is a miss and is removed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import threading
from collections import OrderedDict
from pathlib import Path

from subtitler import __version__
from subtitler.asr.transcribe import TranscribeOptions
from subtitler.core.atomic import atomic_write_text
from subtitler.service.results import TranscriptResult

log = logging.getLogger(__name__)
_FORMAT = 1  # bump when TranscriptResult's JSON changes shape


def cache_key(audio_sha256: str, options: TranscribeOptions, model_id: str) -> str:
    """Hex key: same bytes, same model, same options (all of them change the result) -> same key.

    The response format is not part of it: json, srt and the rest are rendered from one result.
    The package version is, since a new engine may transcribe differently.
    """
    payload = {"audio": audio_sha256, "model": model_id, "options": dataclasses.asdict(options),
               "version": __version__, "format": _FORMAT}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=list).encode()).hexdigest()


class ResultCache:
    """Thread-safe: the workers put results while request handlers read them."""

    def __init__(self, folder: Path, max_bytes: int) -> None:
        self.folder = Path(folder)
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self.folder.mkdir(parents=True, exist_ok=True)
        for stale in self.folder.glob(".*.tmp"):  # an atomic write a crash interrupted
            stale.unlink(missing_ok=True)
        # key -> size, least recently used first; the files' modification times carry the order across restarts
        self._sizes: OrderedDict[str, int] = OrderedDict()
        for mtime, path in sorted((p.stat().st_mtime, p) for p in self.folder.glob("*.json")):
            self._sizes[path.stem] = path.stat().st_size
        with self._lock:
            self._evict()

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def get(self, key: str) -> TranscriptResult | None:
        path = self._path(key)
        with self._lock:
            if key not in self._sizes:
                return None
            try:
                result = TranscriptResult.from_json(path.read_text(encoding="utf-8"))
                os.utime(path)
                self._sizes.move_to_end(key)  # most recently used: evicted last
                return result
            except FileNotFoundError:
                self._sizes.pop(key, None)
                return None
            except (ValueError, KeyError, TypeError) as exc:
                log.warning("dropping unreadable cache entry %s (%s)", path.name, exc)
                self._remove(key)
                return None

    def put(self, key: str, result: TranscriptResult) -> None:
        text = result.to_json()
        size = len(text.encode("utf-8"))
        if size > self.max_bytes:
            return  # would evict everything and still not fit
        with self._lock:
            try:
                atomic_write_text(self._path(key), text)
            except OSError as exc:  # a full disk costs the cache, never the answer
                log.warning("cannot cache a result in %s (%s)", self.folder, exc)
                return
            self._sizes[key] = size
            self._sizes.move_to_end(key)
            self._evict()

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"entries": len(self._sizes), "bytes": sum(self._sizes.values()), "max_bytes": self.max_bytes}

    def _evict(self) -> None:
        """Remove least recently used entries until the folder fits; call with the lock held."""
        total = sum(self._sizes.values())
        while total > self.max_bytes and self._sizes:
            oldest = next(iter(self._sizes))
            total -= self._sizes[oldest]
            self._remove(oldest)

    def _remove(self, key: str) -> None:
        self._sizes.pop(key, None)
        try:
            self._path(key).unlink()
        except OSError:
            pass
