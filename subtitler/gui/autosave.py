"""Autosave every minute to the user data folder, and find sessions that crashed.

Each running window holds a QLockFile (Qt notices when the owning process has
died, on every platform). A clean exit deletes the autosave and releases the
lock; a lock whose owner is gone, with an autosave beside it, is a crash the
next start offers to restore. Writes are atomic (write_document, atomic_write_text).
A save of the document supersedes its autosave (it is deleted), and an autosave
older than the file it was made for is never offered: restoring it would bring
back older work over newer. Paths are stored absolute, so a restore started from
another folder saves to the same file.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from PySide6.QtCore import QLockFile, QObject, QTimer, Signal

from subtitler.core.atomic import atomic_write_text
from subtitler.core.document import Document, DocumentChange
from subtitler.errors import UserError
from subtitler.formats.registry import read_document, write_document

AUTOSAVE_INTERVAL_MS = 60_000
PREFIX = "session-"


def default_directory() -> Path:
    return Path(platformdirs.user_data_dir("subtitler", appauthor=False)) / "autosave"


@dataclass(frozen=True)
class Recovery:
    """A crashed session's autosave: where it is and what it was editing."""

    session_id: str
    autosave_path: Path
    source_path: str | None
    media_path: str | None
    saved_at: float


class AutosaveStore:
    """The files of this session in `directory`, and the search for crashed ones."""

    def __init__(self, directory: Path | None = None) -> None:
        """UserError when the folder cannot be created or locked (the window then runs without autosave and says so)."""
        self.directory = Path(directory) if directory is not None else default_directory()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"{self.directory}: cannot create the autosave folder ({exc.strerror or exc})") from None
        self.session_id = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._lock = self._lock_for(self.session_id)
        self._held: dict[str, QLockFile] = {}  # stale locks of crashed sessions we are handling
        if not self._lock.tryLock(0):
            raise UserError(f"{self.directory}: cannot create the autosave lock; check that the folder is writable")

    def _path(self, session_id: str, suffix: str) -> Path:
        return self.directory / f"{PREFIX}{session_id}{suffix}"

    def _lock_for(self, session_id: str) -> QLockFile:
        lock = QLockFile(str(self._path(session_id, ".lock")))
        lock.setStaleLockTime(0)  # stale only when its process is gone, however long a session lasts
        return lock

    @property
    def autosave_path(self) -> Path:
        return self._path(self.session_id, ".subtitler.json")

    def save(self, document: Document, source_path: str | None) -> Path:
        write_document(document, self.autosave_path, format="project")
        media = os.path.abspath(document.media_path) if document.media_path else None
        source = os.path.abspath(source_path) if source_path else None
        note = {"source_path": source, "media_path": media, "saved_at": time.time()}
        atomic_write_text(self._path(self.session_id, ".note.json"), json.dumps(note))
        return self.autosave_path

    def clear(self) -> None:
        """This session's autosave is superseded (its work was saved to the file)."""
        self._remove(self.session_id)

    def finish(self) -> None:
        """Clean exit: nothing to recover."""
        self._remove(self.session_id)
        self._lock.unlock()

    def crashed_sessions(self) -> list[Recovery]:
        """Sessions whose process is gone but whose autosave remains, newest first."""
        found = []
        for note in self.directory.glob(f"{PREFIX}*.note.json"):
            session_id = note.name[len(PREFIX) : -len(".note.json")]
            if session_id == self.session_id or not self._claim(session_id):
                continue
            recovery = self._read_note(session_id, note)
            if recovery is not None:
                found.append(recovery)
        self._remove_stale_locks()
        return sorted(found, key=lambda r: r.saved_at, reverse=True)

    def _remove_stale_locks(self) -> None:
        """Locks of dead sessions that left nothing to restore (they had saved their work)."""
        for lock in self.directory.glob(f"{PREFIX}*.lock"):
            session_id = lock.name[len(PREFIX): -len(".lock")]
            if session_id == self.session_id or session_id in self._held or self._path(session_id, ".note.json").exists():
                continue
            if self._claim(session_id):
                self.discard_session(session_id)

    def _claim(self, session_id: str) -> bool:
        """Take the lock of a dead session, so two starting windows never restore the same work."""
        if session_id in self._held:
            return True
        lock = self._lock_for(session_id)
        if not lock.tryLock(0):
            return False  # its window is still running
        self._held[session_id] = lock
        return True

    def _read_note(self, session_id: str, note: Path) -> Recovery | None:
        autosave = self._path(session_id, ".subtitler.json")
        try:
            data = json.loads(note.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        if not autosave.is_file():
            self.discard_session(session_id)
            return None
        source, saved_at = data.get("source_path"), _seconds(data.get("saved_at"))
        if isinstance(source, str) and _modified(source) >= saved_at:
            self.discard_session(session_id)  # the file was saved after this autosave: it holds newer work
            return None
        media = data.get("media_path")
        return Recovery(session_id, autosave, source if isinstance(source, str) else None,
                        media if isinstance(media, str) else None, saved_at)

    def restore(self, recovery: Recovery) -> Document:
        return read_document(recovery.autosave_path, format="project").document

    def discard(self, recovery: Recovery) -> None:
        self.discard_session(recovery.session_id)

    def release(self, recovery: Recovery) -> None:
        """Leave a crashed session's files for a later start to offer again."""
        lock = self._held.pop(recovery.session_id, None)
        if lock is not None:
            lock.unlock()

    def discard_session(self, session_id: str) -> None:
        self._remove(session_id)
        lock = self._held.pop(session_id, None)
        if lock is not None:
            lock.unlock()

    def _remove(self, session_id: str) -> None:
        for suffix in (".subtitler.json", ".note.json"):
            try:
                self._path(session_id, suffix).unlink()
            except FileNotFoundError:
                pass


def _seconds(value: object) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def _modified(path: str) -> float:
    """When the file was last written, or -inf when it is not there (nothing newer to protect)."""
    try:
        return os.stat(path).st_mtime
    except (OSError, ValueError):
        return float("-inf")


class Autosaver(QObject):
    """Saves the watched document once a minute when it changed since the last autosave.

    Without a store (its folder could not be created or locked) it does nothing: the window runs and says so.
    """

    autosaved = Signal(str)
    autosave_failed = Signal(str)

    def __init__(self, store: AutosaveStore | None, interval_ms: int = AUTOSAVE_INTERVAL_MS,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._document: Document | None = None
        self._source_path: str | None = None
        self._dirty = False
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.save_now)
        self._timer.start()

    def watch(self, document: Document, source_path: str | None, dirty: bool = False) -> None:
        if self._document is not None:
            self._document.changed.disconnect(self._on_document_changed)
        self._document = document
        self._source_path = source_path
        self._dirty = dirty
        document.changed.connect(self._on_document_changed)

    def set_source_path(self, path: str | None) -> None:
        self._source_path = path

    def saved(self, path: str) -> None:
        """The document was saved to `path`: its autosave is superseded and removed until the next change."""
        self._source_path = path
        self._dirty = False
        if self.store is not None:
            self.store.clear()

    def _on_document_changed(self, _change: DocumentChange) -> None:
        self._dirty = True

    def save_now(self) -> bool:
        """Write the autosave if anything changed; a failure is reported, never raised (the user keeps editing)."""
        if not self._dirty or self._document is None or self.store is None:
            return False
        try:
            path = self.store.save(self._document, self._source_path)
        except (UserError, OSError) as exc:
            self.autosave_failed.emit(f"Autosave failed: {exc}")
            return False
        self._dirty = False
        self.autosaved.emit(str(path))
        return True

    def finish(self) -> None:
        self._timer.stop()
        if self.store is not None:
            self.store.finish()
