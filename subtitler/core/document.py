"""The subtitle document: an ordered list of immutable cues plus media metadata.

Mutations go through three primitive methods that emit `changed` with the rows
touched; only edit commands (subtitler.core.commands) should call them, so that
every change is undoable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Sequence

from subtitler.core.cue import Cue
from subtitler.core.cue_index import CueIndex
from subtitler.core.signal import Signal


@dataclass(frozen=True)
class DocumentChange:
    """What changed: kind is 'inserted', 'removed', 'changed', 'reset' or 'properties' (media, language, frame rate;
    no rows); rows are indices (before removal for 'removed')."""

    kind: str
    first: int
    count: int

    @property
    def rows(self) -> range:
        return range(self.first, self.first + self.count)


PROPERTIES = ("media_path", "language", "frame_rate")  # what set_properties may change


@dataclass
class Document:
    cues_list: list[Cue] = field(default_factory=list)
    media_path: str | None = None
    frame_rate: float = 25.0
    language: str | None = None
    metadata: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.changed = Signal()  # emits DocumentChange
        self._time_index: CueIndex | None = None

    # --- reading -----------------------------------------------------------
    @property
    def cues(self) -> tuple[Cue, ...]:
        return tuple(self.cues_list)

    def __len__(self) -> int:
        return len(self.cues_list)

    def __getitem__(self, index: int) -> Cue:
        return self.cues_list[index]

    def __iter__(self) -> Iterator[Cue]:
        return iter(self.cues_list)

    def snapshot(self) -> tuple:
        """A value that compares equal exactly when two documents hold the same content."""
        return (tuple(self.cues_list), self.media_path, self.frame_rate, self.language, repr(sorted(self.metadata.items())))

    def time_index(self) -> CueIndex:
        """Bisect lookups by time over the current cues; rebuilt lazily after a change."""
        if self._time_index is None:
            self._time_index = CueIndex(self.cues_list)
        return self._time_index

    def index_at(self, ms: int) -> int | None:
        """Index of the cue shown at `ms` (the latest-starting one if cues overlap)."""
        return self.time_index().row_at(ms)

    # --- primitives (commands only) ---------------------------------------
    def replace_cues(self, first: int, cues: Sequence[Cue]) -> list[Cue]:
        """Replace len(cues) cues from `first`; returns the cues replaced."""
        old = self.cues_list[first : first + len(cues)]
        if len(old) != len(cues):
            raise IndexError(f"replace_cues: rows {first}..{first + len(cues) - 1} out of range (document has {len(self)})")
        self.cues_list[first : first + len(cues)] = list(cues)
        self._time_index = None
        self.changed.emit(DocumentChange("changed", first, len(cues)))
        return old

    def insert_cues(self, first: int, cues: Sequence[Cue]) -> None:
        if not 0 <= first <= len(self.cues_list):
            raise IndexError(f"insert_cues: row {first} out of range (document has {len(self)})")
        self.cues_list[first:first] = list(cues)
        self._time_index = None
        self.changed.emit(DocumentChange("inserted", first, len(cues)))

    def remove_cues(self, first: int, count: int) -> list[Cue]:
        old = self.cues_list[first : first + count]
        if len(old) != count:
            raise IndexError(f"remove_cues: rows {first}..{first + count - 1} out of range (document has {len(self)})")
        del self.cues_list[first : first + count]
        self._time_index = None
        self.changed.emit(DocumentChange("removed", first, count))
        return old

    def set_metadata(self, key: str, value: object | None) -> object | None:
        """Set (or with None remove) one metadata entry; returns the old value. Every row is reported changed
        because metadata such as speaker colours changes how rows look."""
        old = self.metadata.get(key)
        if value is None:
            self.metadata.pop(key, None)
        else:
            self.metadata[key] = value
        self.changed.emit(DocumentChange("changed", 0, len(self.cues_list)))
        return old

    def set_properties(self, **values: object) -> dict[str, object]:
        """Change media_path, language or frame_rate; returns their old values (for undo)."""
        unknown = set(values) - set(PROPERTIES)
        if unknown:
            raise ValueError(f"not a document property: {', '.join(sorted(unknown))} (known: {', '.join(PROPERTIES)})")
        old = {name: getattr(self, name) for name in values}
        for name, value in values.items():
            setattr(self, name, value)
        self.changed.emit(DocumentChange("properties", 0, 0))
        return old

    def reset(self, cues: Sequence[Cue]) -> list[Cue]:
        old = self.cues_list
        self.cues_list = list(cues)
        self._time_index = None
        self.changed.emit(DocumentChange("reset", 0, len(self.cues_list)))
        return old
