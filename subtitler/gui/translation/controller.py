"""Translation view: the document being edited is the translation; a second file is its original.

Open original shows another subtitle file's text in an Original column beside
the Text column (paired by time, see subtitler.core.translation); New translation
turns the open file into the original and starts an untitled copy with the same
timing to type over. Typing in the Text column changes only the translation's
text, so it keeps the original's timing. The overlay shows either; each is saved
to its own file (Save for the translation, Translation → Save original).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QObject

from subtitler.core.document import Document, DocumentChange
from subtitler.core.translation import paired_rows, translation_copy
from subtitler.errors import UserError
from subtitler.formats.registry import format_for_path, read_document, write_document
from subtitler.gui.cue_table import Column
from subtitler.gui.dialogs import file_dialogs, messages
from subtitler.gui.file_ops import dialog_filters, open_filter, suggested_path, with_extension

if TYPE_CHECKING:
    from subtitler.gui.main_window import MainWindow


class TranslationController(QObject):
    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.w = window
        self.original: Document | None = None
        self.original_path: Path | None = None
        self.original_format: str | None = None
        self._pairs: list[int | None] | None = None
        self._switching = False
        self._watched: Document | None = None
        window.document_replaced.connect(self._on_window_document_replaced)
        window.actions["overlay_original"].toggled.connect(self._on_overlay_toggled)
        self._enable(False)

    def handlers(self) -> dict[str, Callable[[], Any]]:
        return {"open_original": self.ask_and_open_original, "new_translation": self.new_translation,
                "save_original": self.save_original, "close_original": self.close_original}

    def _enable(self, on: bool) -> None:
        for action_id in ("save_original", "overlay_original", "close_original"):
            self.w.actions[action_id].setEnabled(on)

    # --- opening ------------------------------------------------------------------
    def ask_and_open_original(self) -> bool:
        folder = self.w.files.path.parent if self.w.files.path is not None else Path.home()
        path = file_dialogs.ask_open_path(self.w, "Open original", str(folder), open_filter())
        return self.open_original(path) if path else False

    def open_original(self, path: str | Path) -> bool:
        try:
            document = read_document(path).document
        except UserError as exc:
            messages.show_error(self.w, "Could not open the original", str(exc))
            return False
        self.set_original(document, Path(path), format_for_path(path))
        return True

    def new_translation(self) -> bool:
        """The open file becomes the original; the translation starts as an untitled copy with its timing."""
        w = self.w
        if len(w.document) == 0:
            w.status.show_hint("Open or write the original subtitles first")
            return False
        if not w.files.confirm_discard():
            return False
        original, path, fmt = w.document, w.files.path, w.files.format
        self._switching = True
        try:
            w.set_document(translation_copy(original), dirty=True)
        finally:
            self._switching = False
        w.files.path, w.files.format = None, fmt
        w.refresh_title()
        self.set_original(original, path, fmt)
        w.status.show_hint("Type the translation over the text; Save writes it to its own file")
        return True

    def set_original(self, document: Document, path: Path | None, fmt: str | None) -> None:
        self._unwatch()
        self.original, self.original_path, self.original_format = document, path, fmt
        self._pairs = None
        document.changed.connect(self._on_either_document_changed)
        self._watch(self.w.document)
        self.w.table_model.set_original_text(self.original_text)
        self.w.table.setColumnHidden(Column.ORIGINAL, False)
        self._enable(True)

    def close_original(self) -> None:
        self.w.actions["overlay_original"].setChecked(False)
        self._unwatch()
        self.original = self.original_path = self.original_format = None
        self.w.table_model.set_original_text(None)
        self.w.table.setColumnHidden(Column.ORIGINAL, True)
        self._enable(False)

    # --- pairing -----------------------------------------------------------------
    def original_text(self, row: int) -> str | None:
        if self.original is None:
            return None
        if self._pairs is None:
            self._pairs = paired_rows(self.w.document.cues, self.original.time_index())
        pair = self._pairs[row] if 0 <= row < len(self._pairs) else None
        return self.original[pair].text if pair is not None else None

    def _watch(self, document: Document) -> None:
        self._watched = document
        document.changed.connect(self._on_either_document_changed)

    def _unwatch(self) -> None:
        for document in (self.original, self._watched):
            if document is not None:
                document.changed.disconnect(self._on_either_document_changed)
        self._watched = None

    def _on_either_document_changed(self, _change: DocumentChange) -> None:
        self._pairs = None
        self.w.table_model.set_original_text(self.original_text)  # times may pair other cues now

    def _on_window_document_replaced(self, _document: Document) -> None:
        if not self._switching:
            self.close_original()  # another file: its own original, if any, is opened again

    # --- overlay and saving ---------------------------------------------------------
    def _on_overlay_toggled(self, on: bool) -> None:
        self.w.video_view.set_document(self.original if on and self.original is not None else self.w.document)

    def save_original(self) -> bool:
        if self.original is None:
            return False
        path, fmt = self.original_path, self.original_format
        if path is None:
            choices = dialog_filters(writable=True)
            answer = file_dialogs.ask_save_path(self.w, "Save original", str(suggested_path(None, self.original.media_path, ".srt")),
                                                ";;".join(f for f, _ in choices))
            if answer is None:
                return False
            fmt = dict(choices).get(answer[1]) or format_for_path(answer[0]) or "srt"
            path = with_extension(Path(answer[0]), fmt)
        try:
            write_document(self.original, path, fmt)
        except UserError as exc:
            messages.show_error(self.w, "Could not save the original", str(exc))
            return False
        self.original_path, self.original_format = path, fmt
        self.w.status.show_hint(f"Saved the original to {path.name}")
        return True
