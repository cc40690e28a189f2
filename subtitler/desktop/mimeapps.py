"""Edits of the user's `mimeapps.list` (freedesktop "Association between MIME types and applications").

Written here rather than with configparser because that drops the user's comments, lowercases
keys unless told otherwise and rewrites the whole file; `xdg-mime` is often not installed and only
sets defaults. These edits touch only the lines for the types given and keep everything else as it was.
"""

from __future__ import annotations

from pathlib import Path

from subtitler.core.atomic import atomic_write_text

ADDED = "Added Associations"
DEFAULTS = "Default Applications"


def _parse_group(line: str) -> str | None:
    stripped = line.strip()
    return stripped[1:-1] if stripped.startswith("[") and stripped.endswith("]") else None


def _split_entry(line: str) -> tuple[str, list[str]] | None:
    """(MIME type, desktop ids) of a `type=a.desktop;b.desktop;` line; None for comments and blanks."""
    if line.lstrip().startswith("#") or "=" not in line:
        return None
    key, _, value = line.partition("=")
    return key.strip(), [item for item in value.strip().split(";") if item]


def _entry(mime: str, ids: list[str]) -> str:
    return f"{mime}={';'.join(ids)};"


class MimeAppsList:
    """The file as lines, grouped, so edits keep order, comments and other groups."""

    def __init__(self, text: str = "") -> None:
        self.lines = text.splitlines()

    @classmethod
    def read(cls, path: Path) -> "MimeAppsList":
        return cls(path.read_text(encoding="utf-8") if path.is_file() else "")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n" if self.lines else ""

    def _group_span(self, group: str) -> tuple[int, int] | None:
        """(first line after the header, end) of a group, or None."""
        start = None
        for index, line in enumerate(self.lines):
            name = _parse_group(line)
            if name is None:
                continue
            if start is not None:
                return start, index
            if name == group:
                start = index + 1
        return (start, len(self.lines)) if start is not None else None

    def _find(self, group: str, mime: str) -> tuple[int, list[str]] | None:
        span = self._group_span(group)
        if span is None:
            return None
        for index in range(*span):
            parsed = _split_entry(self.lines[index])
            if parsed is not None and parsed[0] == mime:
                return index, parsed[1]
        return None

    def get(self, group: str, mime: str) -> list[str]:
        found = self._find(group, mime)
        return found[1] if found else []

    def set(self, group: str, mime: str, ids: list[str]) -> None:
        """Replace (or add, or with no ids remove) the line for `mime` in `group`."""
        found = self._find(group, mime)
        if found is not None:
            if ids:
                self.lines[found[0]] = _entry(mime, ids)
            else:
                del self.lines[found[0]]
            return
        if not ids:
            return
        span = self._group_span(group)
        if span is None:
            if self.lines and self.lines[-1].strip():
                self.lines.append("")
            self.lines += [f"[{group}]", _entry(mime, ids)]
            return
        end = span[1]
        while end > span[0] and not self.lines[end - 1].strip():  # before the blank lines that close the group
            end -= 1
        self.lines.insert(end, _entry(mime, ids))


def register(path: Path, desktop_id: str, mime_types: list[str], default_for: list[str]) -> None:
    """Offer `desktop_id` for every type ("Open with"), and make it the default where none is set."""
    apps = MimeAppsList.read(path)
    for mime in mime_types:
        ids = apps.get(ADDED, mime)
        if desktop_id not in ids:
            apps.set(ADDED, mime, ids + [desktop_id])
    for mime in default_for:
        if not apps.get(DEFAULTS, mime):
            apps.set(DEFAULTS, mime, [desktop_id])
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, apps.text())


def unregister(path: Path, desktop_id: str) -> bool:
    """Remove `desktop_id` from every association; True when the file changed."""
    if not path.is_file():
        return False
    apps = MimeAppsList.read(path)
    before = apps.text()
    for group in (ADDED, DEFAULTS):
        span = apps._group_span(group)
        if span is None:
            continue
        mimes = [parsed[0] for index in range(*span) if (parsed := _split_entry(apps.lines[index]))]
        for mime in mimes:
            ids = apps.get(group, mime)
            if desktop_id in ids:
                apps.set(group, mime, [i for i in ids if i != desktop_id])
    if apps.text() == before:
        return False
    atomic_write_text(path, apps.text())
    return True
