"""Immutable cue and word values: edits replace them, which makes undo exact."""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Word:
    """One recognised word with its timing; `needs_alignment` marks words typed by the user; `speaker` who said it."""

    text: str
    start_ms: int
    end_ms: int
    probability: float | None = None
    needs_alignment: bool = False
    speaker: str | None = None


@dataclass(frozen=True)
class Cue:
    """One subtitle: text lines joined by '\\n', times in integer milliseconds."""

    start_ms: int
    end_ms: int
    text: str
    words: tuple[Word, ...] = ()
    speaker: str | None = None
    style: str | None = None
    extras: tuple[tuple[str, str], ...] = field(default=())  # format-specific data kept on round-trip (e.g. VTT settings)

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    @property
    def plain_text(self) -> str:
        """Text on one line, for CPS and search."""
        return " ".join(line.strip() for line in self.lines if line.strip())

    def extra(self, key: str, default: str | None = None) -> str | None:
        return dict(self.extras).get(key, default)

    def with_extra(self, key: str, value: str | None) -> "Cue":
        items = {k: v for k, v in self.extras if k != key}
        if value is not None:
            items[key] = value
        return replace(self, extras=tuple(sorted(items.items())))

    def shifted(self, offset_ms: int) -> "Cue":
        return replace(
            self,
            start_ms=self.start_ms + offset_ms,
            end_ms=self.end_ms + offset_ms,
            words=tuple(replace(w, start_ms=w.start_ms + offset_ms, end_ms=w.end_ms + offset_ms) for w in self.words),
        )
