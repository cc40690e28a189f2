"""What the Speech menu does: transcribe the media, transcribe or translate a selection again, cancel.

The window hands its actions these handlers (one wiring line); the questions
(existing cues, the settings dialog) are module functions that tests can answer.
A selection is the range Shift+dragged on the timeline when there is one, else
the selected cues; its new cues replace the cues it covers in one undo step.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from subtitler.core.placement import rows_in_range, span_of
from subtitler.core.timecode import format_timecode
from subtitler.errors import UserError
from subtitler.gui.dialogs import messages
from subtitler.gui.transcription import dialog, prompts
from subtitler.gui.transcription.job import Placement, TranscriptionJob
from subtitler.gui.transcription.progress_dialog import TranscriptionProgressDialog
from subtitler.gui.transcription.timeline_range import TimelineRange

if TYPE_CHECKING:
    from subtitler.gui.main_window import MainWindow

JOB_ACTIONS = ("transcribe", "transcribe_selection", "translate_selection")


def _time(ms: int) -> str:
    return format_timecode(ms, separator=".", hours_always=False)[:-2]  # 00:12.4


class TranscriptionFlow(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.controller = window.transcription
        self.range = TimelineRange(window.timeline.view_box, self)
        self.progress_dialog: TranscriptionProgressDialog | None = None
        c = self.controller
        c.status_changed.connect(lambda text: window.status.show_hint(text, 0))
        c.progress_changed.connect(window.status.show_progress)
        c.running_changed.connect(self._on_controller_running_changed)
        c.failed.connect(lambda message: messages.show_error(window, "Transcription failed", message))

    def handlers(self) -> dict[str, Callable[[], Any]]:
        return {
            "transcribe": self.transcribe,
            "transcribe_selection": lambda: self.transcribe_selection(None),
            "translate_selection": lambda: self.transcribe_selection("translate"),
            "cancel_transcription": self.controller.cancel,
        }

    # --- what to transcribe --------------------------------------------------------------------
    def _media(self) -> str | None:
        media = self.w.document.media_path
        if not media:
            messages.show_error(self.w, "Nothing to transcribe",
                                "Open a video or audio file first (Ctrl+O, or drop it on the window).")
        return media

    def selection(self) -> tuple[list[int], tuple[int, int]] | None:
        """The rows and the audio span of what is selected: the timeline range, else the selected cues."""
        cues = self.w.document.cues
        if self.range.range_ms is not None:
            start, end = self.range.range_ms
            rows = rows_in_range(cues, start, end)
            return rows, span_of(cues, rows, start, end)
        rows = [r for r in self.w.table.selected_rows() if 0 <= r < len(cues)]
        return (rows, span_of(cues, rows)) if rows else None

    def describe_selection(self) -> str | None:
        found = self.selection()
        if found is None:
            return None
        rows, (start, end) = found
        span = f"{_time(start)}–{_time(end)}"
        if self.range.range_ms is not None:
            return f"the range {span} on the timeline ({len(rows)} cue{'s' if len(rows) != 1 else ''})"
        numbers = f"cue {rows[0] + 1}" if len(rows) == 1 else f"cues {rows[0] + 1}–{rows[-1] + 1}"
        return f"{numbers} ({span})"

    def _detected(self, media: str) -> tuple[str, float] | None:
        c = self.controller
        if c.job is not None and str(c.job.media_path) == str(media) and c.language and c.language_probability is not None:
            return c.language, c.language_probability
        return None

    # --- handlers ---------------------------------------------------------------------------------
    def transcribe(self) -> None:
        """The whole media; with cues already there, ask whether to replace them, fill the gaps, or do the selection."""
        media = self._media()
        if not media:
            return
        placement = Placement.FILL
        if len(self.w.document):
            answer = prompts.ask_existing_cues(self.w, len(self.w.document), self.describe_selection())
            if answer is None:
                return
            if answer is Placement.SELECTION:
                self.transcribe_selection(None)
                return
            placement = answer
        choice = dialog.ask_transcription(self.w, self.w.settings, Path(media).name, detected=self._detected(media))
        if choice is not None:
            self._start(choice.job(media), placement)

    def transcribe_selection(self, task: str | None) -> None:
        """The selection again (another model or language), or translated to English when `task` is 'translate'."""
        media = self._media()
        if not media:
            return
        found = self.selection()
        if found is None:
            messages.show_error(self.w, "Nothing selected",
                                "Select the cues to transcribe again, or Shift+drag a range on the timeline.")
            return
        rows, span = found
        what = self.describe_selection()
        title = f"Translate {what} to English" if task == "translate" else f"Transcribe {what} again"
        choice = dialog.ask_transcription(self.w, self.w.settings, Path(media).name, detected=self._detected(media),
                                          task=task, title=title)
        if choice is not None:
            self._start(choice.job(media, span_ms=span), Placement.SELECTION, rows)

    def _start(self, job: TranscriptionJob, placement: Placement, rows: list[int] | None = None) -> None:
        try:
            self.controller.start(job, placement, rows or ())
        except UserError as exc:
            messages.show_error(self.w, "Could not transcribe", str(exc))
            return
        what = f"{job.media_path.name}" if job.span_ms is None else f"{_time(job.span_ms[0])}–{_time(job.span_ms[1])} of {job.media_path.name}"
        self.progress_dialog = TranscriptionProgressDialog(
            self.controller, f"Transcribing {what} with {Path(job.model_name).name}", self.w)
        self.progress_dialog.show()

    def _on_controller_running_changed(self, running: bool) -> None:
        for action in JOB_ACTIONS:
            self.w.actions[action].setEnabled(not running)
        self.w.actions["cancel_transcription"].setEnabled(running)
        if not running:
            self.w.status.hide_progress()
            self.progress_dialog = None
