"""Open, import, save, export and the unsaved-changes question, for one window.

Saving writes back in the format the file was opened in (an SRT stays an SRT, as
subtitle editors do); Save As proposes a project (.subtitler.json), which keeps
word timings. Every failure becomes one error dialog and the current work stays open.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from PySide6.QtCore import QObject

from subtitler.core.commands_base import ReplaceAllCues
from subtitler.core.commands_document import attach_media
from subtitler.core.document import Document
from subtitler.errors import UserError
from subtitler.formats.encoding import UnencodableText
from subtitler.formats.registry import format_for_path, formats, read_document, write_document
from subtitler.gui.dialogs import file_dialogs, messages
from subtitler.gui.dialogs.messages import SaveChoice
from subtitler.gui.file_ops import (
    PROJECT_SUFFIX, dialog_filters, is_dir, is_file, media_beside, name_for_format, open_filter, pair_paths, save_target,
    suggested_path, with_extension,
)
from subtitler.gui.recent_files import RecentFiles

if TYPE_CHECKING:
    from subtitler.gui.main_window import MainWindow

EXPORT_EXTENSIONS = {"srt": ".srt", "vtt": ".vtt", "ass": ".ass", "txt": ".txt", "project": PROJECT_SUFFIX}
UTF8_ONLY = ("vtt", "project")  # WebVTT and JSON are UTF-8 by definition


@dataclass(frozen=True)
class TextEncoding:
    """How the open file's text was stored: a save writes it back the same way."""

    encoding: str = "utf-8"
    bom: bool = False
    newline: str = "\n"

    def for_format(self, fmt: str) -> "TextEncoding":
        return TextEncoding("utf-8", False, self.newline) if fmt in UTF8_ONLY else self


def absolute(path: str | Path) -> Path:
    """An absolute path (not resolved: a symlink stays the name the user chose, and is written through)."""
    return Path(os.path.abspath(path))
MEDIA_ONLY_HINT = "Transcribe it with Ctrl+T, import subtitles (Ctrl+Shift+O), or insert cues with Alt+Insert."


class FileController(QObject):
    """Knows which file the document came from and in which format; the window shows the result."""

    def __init__(self, window: "MainWindow", recent: RecentFiles) -> None:
        super().__init__(window)
        self.window = window
        self.recent = recent
        self.path: Path | None = None  # always absolute: a restore from another folder saves to the same file
        self.format: str | None = None
        self.text_encoding = TextEncoding()

    # --- naming ---------------------------------------------------------------
    def display_name(self) -> str:
        if self.path is not None:
            return self.path.name
        media = self.window.document.media_path
        return f"Untitled ({Path(media).name})" if media else "Untitled"

    def _error(self, title: str, exc: BaseException) -> None:
        messages.show_error(self.window, title, str(exc))

    # --- opening --------------------------------------------------------------
    def open_paths(self, paths: Iterable[str | Path]) -> bool:
        """Open what was dropped or given on the command line: subtitles, media, or a pair of them."""
        subtitles, media = pair_paths(paths)
        if subtitles is not None:
            return self.open_subtitles(subtitles, media)
        if media is not None:
            return self.open_media(media)
        return False

    def open_subtitles(self, path: str | Path, media: str | Path | None = None) -> bool:
        path = absolute(path)
        try:
            result = read_document(path)  # read first: a bad file needs no save-changes question
        except UserError as exc:
            self._error("Could not open subtitles", exc)
            return False
        if not self.confirm_discard():
            return False
        document = result.document
        media_path = self._media_for(path, document, media)
        kept = self._loaded_media() if media_path is None else None
        if media_path is not None or kept is not None:
            document.media_path = str(absolute(media_path or kept))
        self.path, self.format = path, result.format or format_for_path(path) or "srt"
        self.text_encoding = TextEncoding(result.encoding, result.bom, result.newline)
        self.window.set_document(document)
        self.recent.add(path)
        if result.warnings:
            self.window.status.show_hint(f"{len(result.warnings)} problem(s) while reading: {result.warnings[0]}")
        if media_path is not None:
            self.window.load_media(media_path)
        return True

    def _loaded_media(self) -> str | None:
        """Subtitles without media of their own stay on the video already open (as Subtitle Edit does)."""
        media = self.window.document.media_path
        return media if media and media == self.window.player.path else None

    @staticmethod
    def _media_for(path: Path, document: Document, media: str | Path | None) -> Path | None:
        if media is not None:
            return absolute(media)
        if document.media_path and is_file(document.media_path):
            return absolute(document.media_path)
        return media_beside(path)

    def open_media(self, path: str | Path) -> bool:
        """Media alone: bind it to the open cues when they have no media yet, else start an empty document for it."""
        path = absolute(path)
        current = self.window.document
        if len(current) > 0 and not current.media_path:
            if not self.window.load_media(path):
                return False
            was_clean = self.window.undo_stack.isClean()
            self.window.push(attach_media(current, str(path)))  # undoable, and it reaches the autosave
            if was_clean and self.format not in (None, "project"):
                self.window.undo_stack.setClean()  # an SRT/VTT file cannot store its media: nothing new to save there
            self.window.refresh_title()
            return True
        if not self.window.check_media(path) or not self.confirm_discard():
            return False
        self.path, self.format, self.text_encoding = None, None, TextEncoding()
        self.window.set_document(Document(media_path=str(path)))
        self.window.load_media(path)
        self.recent.add(path)
        self.window.status.show_hint(f"No subtitles yet for {path.name}: {MEDIA_ONLY_HINT}", 15000)
        return True

    def open_path(self, path: str | Path) -> bool:
        return self.open_paths([path])

    def open_recent(self, path: str) -> bool:
        """A recent entry whose file is gone is dropped from the list, and the user told why."""
        if not is_file(path) and not is_dir(path):
            self.recent.remove(path)
            self._error("Could not open file", UserError(f"{path}: file not found (moved or deleted); removed from the recent files"))
            return False
        return self.open_path(path)

    def import_subtitles(self, path: str | Path) -> bool:
        """Replace the cues of the current document with a file's cues, as one undoable step; media and save path stay."""
        try:
            cues = read_document(path).document.cues
        except UserError as exc:
            self._error("Could not import subtitles", exc)
            return False
        self.window.push(ReplaceAllCues(self.window.document, cues, f"Import {Path(path).name}"))
        self.window.table.select_row(0)
        return True

    # --- saving ----------------------------------------------------------------
    def save(self) -> bool:
        if self.path is None:
            return self.ask_and_save_as()
        return self.save_as(self.path, self.format)

    def save_as(self, path: str | Path, fmt: str | None = None) -> bool:
        """Write the document, in the encoding and line ends it was read with; the autosave is then superseded."""
        path = absolute(path)
        fmt = fmt or format_for_path(path)
        if fmt is None:
            fmt, path = "project", with_extension(path, "project")
        written = self._write(path, fmt, "Could not save", self.text_encoding.for_format(fmt))
        if written is None:
            return False
        self.path, self.format, self.text_encoding = path, fmt, written[0]
        self.window.undo_stack.setClean()
        self.window.autosaver.saved(str(path))  # the file now holds this work: no older autosave may be offered
        self.recent.add(path)
        self.window.refresh_title()
        self.window.status.show_hint(f"Saved {path.name}" + written[1] + self._lost_words_note(fmt))
        return True

    def _lost_words_note(self, fmt: str) -> str:
        """Saving word-timed cues as e.g. SRT is allowed (it is what was opened) but the user should know."""
        carries = next((info.carries_words for info in formats() if info.name == fmt), True)
        if carries or not any(cue.words for cue in self.window.document):
            return ""
        return f"; {fmt.upper()} keeps no word timings, Save As a project (.subtitler.json) to keep them"

    def export(self, path: str | Path, fmt: str) -> bool:
        """Write a copy in another format; the document keeps its own file and unsaved state."""
        path = absolute(path)
        written = self._write(path, fmt, "Could not export", self.text_encoding.for_format(fmt))
        if written is not None:
            self.window.status.show_hint(f"Exported {path.name}" + written[1])
            return True
        return False

    def _write(self, path: Path, fmt: str, title: str, text: TextEncoding) -> tuple[TextEncoding, str] | None:
        """Save; the encoding used and a note for the status bar, or None after an error dialog.

        Text a legacy encoding cannot hold is saved as UTF-8 rather than refused; what the format
        cannot carry (markup, blank lines inside a cue) is named in the note.
        """
        note = ""
        try:
            try:
                warnings = write_document(self.window.document, path, fmt, text.encoding, text.bom, text.newline)
            except UnencodableText as exc:
                note = f"; saved as UTF-8: {str(exc).split(': ', 1)[-1].split(';')[0]}"
                text = TextEncoding("utf-8", False, text.newline)
                warnings = write_document(self.window.document, path, fmt, text.encoding, text.bom, text.newline)
        except UserError as exc:
            self._error(title, exc)
            return None
        if warnings:
            more = f" (and {len(warnings) - 1} more)" if len(warnings) > 1 else ""
            note += f"; {warnings[0]}{more}"
        return text, note

    def confirm_discard(self) -> bool:
        """True when the current work may be replaced: clean, saved now, or discarded on purpose."""
        if self.window.undo_stack.isClean():
            return True
        choice = messages.ask_save_changes(self.window, self.display_name())
        if choice == SaveChoice.SAVE:
            return self.save()
        return choice == SaveChoice.DISCARD

    # --- dialogs -----------------------------------------------------------------
    def _folder(self) -> str:
        if self.path is not None:
            return str(self.path.parent)
        media = self.window.document.media_path
        return str(Path(media).parent) if media else str(Path.home())

    def ask_and_open(self) -> bool:
        path = file_dialogs.ask_open_path(self.window, "Open", self._folder(), open_filter())
        return self.open_path(path) if path else False

    def ask_and_import(self) -> bool:
        filters = ";;".join(f for f, _ in dialog_filters(writable=False))
        path = file_dialogs.ask_open_path(self.window, "Import subtitles", self._folder(), filters)
        return self.import_subtitles(path) if path else False

    def ask_and_save_as(self) -> bool:
        choices = dialog_filters(writable=True)
        suggested = suggested_path(self.path, self.window.document.media_path, PROJECT_SUFFIX)
        by_filter = dict(choices)
        answer = file_dialogs.ask_save_path(
            self.window, "Save As", str(suggested), ";;".join(f for f, _ in choices),
            rename=lambda name, chosen: name_for_format(name, by_filter[chosen]) if chosen in by_filter else name)
        if answer is None:
            return False
        path, fmt = save_target(Path(answer[0]), by_filter.get(answer[1]))
        return self.save_as(path, fmt)

    def ask_and_export(self, fmt: str) -> bool:
        extension = EXPORT_EXTENSIONS[fmt]
        suggested = suggested_path(self.path, self.window.document.media_path, extension)
        label = next(f for f, name in dialog_filters(writable=True) if name == fmt)
        answer = file_dialogs.ask_save_path(self.window, "Export", str(suggested), label)
        return self.export(with_extension(Path(answer[0]), fmt), fmt) if answer else False
