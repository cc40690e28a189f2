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
    """A document read from a file plus what the reader had to skip; `encoding` is the text encoding detected."""

    document: Document
    warnings: tuple[FormatWarning, ...] = ()
    encoding: str = "utf-8"


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
