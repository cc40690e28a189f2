"""The Speech menu's speaker entries: label speakers of the whole file or the selection, set a cue's speaker, rename.

Labelling runs diarization on the document's media in a worker and applies the result as one undo
step (each cue keeps its text and gets the speaker who speaks longest in it; its words get theirs).
Setting and renaming use the core's commands; renaming to a name in use merges two speakers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QWidget

from subtitler.core.commands import RenameSpeaker, ReplaceRows, SetSpeaker
from subtitler.core.commands_speakers import speakers_of
from subtitler.core.document import Document
from subtitler.gui.cue_table import Column
from subtitler.gui.dialogs import messages
from subtitler.gui.speakers.worker import SpeakerWorker
from subtitler.gui.workers.job import start_worker

if TYPE_CHECKING:
    from subtitler.gui.main_window import MainWindow

TITLE = "Label speakers"


class SpeakerController(QObject):
    """Owns at most one labelling job; everything it changes goes through the window's undo stack.

    A QObject so that the worker's signals reach its slots on the GUI thread (queued), never the worker's.
    """

    def __init__(self, window: "MainWindow") -> None:
        super().__init__(window)
        self.w = window
        self.worker: SpeakerWorker | None = None
        self.dialog: QDialog | None = None
        self._job: tuple[Document, list[int]] | None = None  # the document and rows being labelled
        model = window.table_model
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved, model.dataChanged):
            signal.connect(self.refresh_column)

    def handlers(self) -> dict[str, Callable[[], Any]]:
        return {"label_speakers": self.label, "set_speaker": self.ask_speaker, "rename_speaker": self.ask_rename}

    def refresh_column(self, *_: Any) -> None:
        self.w.table.setColumnHidden(Column.SPEAKER, not self.w.table_model.speaker_names())

    # --- labelling ---------------------------------------------------------------
    def label(self) -> None:
        """Speakers for the selected cues when several are selected, else for all cues."""
        document = self.w.document
        if self.worker is not None:
            self.w.status.show_hint("Speakers are being labelled already")
            return
        if not document.media_path:
            messages.show_error(self.w, TITLE, "This document has no media: open the video or audio first "
                                               "(speakers are told apart by their voices).")
            return
        if not len(document):
            messages.show_error(self.w, TITLE, "There are no cues to label: transcribe the media first.")
            return
        selected = self.w.table.selected_rows()
        self._job = (document, selected if len(selected) > 1 else list(range(len(document))))
        worker = SpeakerWorker(document.media_path)
        worker.progress.connect(self._on_progress)
        worker.completed.connect(self._on_completed)
        worker.failed.connect(self._on_failed)
        worker.cancelled.connect(self._on_cancelled)
        worker.done.connect(self._on_done)
        self.worker = worker
        self.w.status.show_hint("Labelling speakers…", 0)
        start_worker(worker)

    @Slot(float, float)
    def _on_progress(self, done: float, total: float) -> None:
        self.w.status.show_progress(done, total)

    @Slot(object)
    def _on_completed(self, turns: list) -> None:
        from subtitler.asr.speakers.words import label_cue

        document, rows = self._job if self._job is not None else (None, [])
        if document is not self.w.document:
            return  # another file was opened meanwhile: its cues are not these
        rows = [r for r in rows if r < len(document)]
        new = {r: label_cue(document[r], turns) for r in rows}
        changed = {r: c for r, c in new.items() if c != document[r]}
        if changed:
            self.w.push(ReplaceRows(document, TITLE, changed))
        found = len({t.speaker for t in turns})
        self.w.status.show_hint(f"{found} speaker{'s' if found != 1 else ''} found; {len(changed)} cues labelled")
        self.refresh_column()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        messages.show_error(self.w, TITLE, message)

    @Slot()
    def _on_cancelled(self) -> None:
        self.w.status.show_hint("Speaker labelling stopped")

    @Slot()
    def _on_done(self) -> None:
        self.worker = None
        self._job = None
        self.w.status.hide_progress()

    def shutdown(self) -> None:
        if self.worker is not None:
            self.worker.cancel()

    # --- setting and renaming ------------------------------------------------------
    def ask_speaker(self) -> None:
        rows = self.w.table.selected_rows()
        if not rows:
            return
        names = speakers_of(self.w.document)
        current = self.w.document[rows[0]].speaker or ""
        self.dialog = SpeakerDialog(self.w, "Set speaker", names, current, None,
                                    lambda _old, new: self.w.push(SetSpeaker(self.w.document, rows, new or None)))
        self.dialog.open()

    def ask_rename(self) -> None:
        names = speakers_of(self.w.document)
        if not names:
            messages.show_info(self.w, "Rename speaker", "No cue has a speaker yet: use Label speakers first.")
            return
        row = self.w.table.current_row()
        current = self.w.document[row].speaker if row >= 0 else None
        self.dialog = SpeakerDialog(self.w, "Rename speaker", names, current or names[0], names, self._rename)
        self.dialog.open()

    def _rename(self, old: str | None, new: str) -> None:
        if old is None or not new.strip() or new.strip() == old:
            return
        try:
            self.w.push(RenameSpeaker(self.w.document, old, new))
        except ValueError as exc:
            messages.show_error(self.w, "Rename speaker", str(exc))


class SpeakerDialog(QDialog):
    """A name, typed or picked from the speakers known; with ``renaming`` also which speaker to rename."""

    def __init__(self, parent: QWidget, title: str, names: list[str], current: str, renaming: list[str] | None,
                 accept: Callable[[str | None, str], None]) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        form = QFormLayout(self)
        self.which: QComboBox | None = None
        if renaming is not None:
            self.which = QComboBox()
            self.which.addItems(renaming)
            self.which.setCurrentText(current)
            form.addRow("&Speaker:", self.which)
        self.name = QComboBox()
        self.name.setEditable(True)
        self.name.addItems(names)
        self.name.setCurrentText("" if renaming is not None else current)
        self.name.lineEdit().setPlaceholderText("name" if renaming is not None else "name (empty: no speaker)")
        form.addRow("&New name:" if renaming is not None else "&Name:", self.name)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.accepted.connect(lambda: accept(self.which.currentText() if self.which else None, self.name.currentText()))

    def name_field(self) -> QLineEdit:
        return self.name.lineEdit()
