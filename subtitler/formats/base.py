"""Values shared by every format module: what a reader returns and how it warns."""

from __future__ import annotations

from dataclasses import dataclass

from subtitler.core.document import Document


@dataclass(frozen=True)
class FormatWarning:
    """Something a reader skipped or guessed; `line` is 1-based in the source file when known."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return self.message if self.line is None else f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class ReadResult:
    """A document read from a file plus what the reader had to skip.

    `encoding`, `bom` and `newline` describe the file's text as read, so that a save can keep them;
    `format` is the format it was read as.
    """

    document: Document
    warnings: tuple[FormatWarning, ...] = ()
    encoding: str = "utf-8"
    bom: bool = False
    newline: str = "\n"
    format: str | None = None


class WriteNotes:
    """What a writer had to change or leave out, gathered per kind with the cues it happened in.

    A writer never writes text that reads back as something else: what its format cannot
    carry is translated, normalised or dropped, and noted here so the user is told.
    """

    def __init__(self) -> None:
        self._cues: dict[str, list[int]] = {}

    def add(self, message: str, row: int | None = None) -> None:
        rows = self._cues.setdefault(message, [])
        if row is not None:
            rows.append(row)

    def __bool__(self) -> bool:
        return bool(self._cues)

    def warnings(self) -> tuple[FormatWarning, ...]:
        out = []
        for message, rows in self._cues.items():
            if rows:
                more = f" and {len(rows) - 1} more" if len(rows) > 1 else ""
                message = f"{message} (cue {rows[0] + 1}{more})"
            out.append(FormatWarning(None, message))
        return tuple(out)


@dataclass(frozen=True)
class FormatInfo:
    """One format as the GUI's file dialogs and the CLI see it."""

    name: str
    extensions: tuple[str, ...]
    can_read: bool
    can_write: bool
    carries_words: bool
    label: str = ""

    @property
    def dialog_filter(self) -> str:
        """Qt file dialog filter, e.g. 'SubRip (*.srt)'."""
        return f"{self.label or self.name} ({' '.join('*' + ext for ext in self.extensions)})"


def split_lines(text: str) -> list[str]:
    """Split on \\n, \\r\\n and \\r only (str.splitlines also splits on \\x0c, \\u2028... which cue text may hold)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
