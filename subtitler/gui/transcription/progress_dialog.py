"""A small window that follows a running transcription: phase, language found, progress, time, Cancel.

Not modal: the user keeps editing (cues stream into the document meanwhile) and can
hide it; the status bar keeps showing the progress.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from subtitler.asr.tokenizer import LANGUAGES
from subtitler.gui.transcription.controller import TranscriptionController, clock


class TranscriptionProgressDialog(QDialog):
    def __init__(self, controller: TranscriptionController, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transcription_progress")
        self.setWindowTitle(title)
        self.setModal(False)
        self._controller = controller
        self._started = time.monotonic()
        self._share = 0.0
        self.phase = QLabel("Starting…")
        self.phase.setWordWrap(True)
        self.language = QLabel("Language: detecting…")
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.times = QLabel()
        self.cancel_button = QPushButton("Cancel transcription")
        self.cancel_button.clicked.connect(controller.cancel)
        buttons = QDialogButtonBox()
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        hide = buttons.addButton("Hide", QDialogButtonBox.ButtonRole.AcceptRole)
        hide.clicked.connect(self.hide)
        layout = QVBoxLayout(self)
        for widget in (self.phase, self.language, self.bar, self.times, buttons):
            layout.addWidget(widget)
        self.setMinimumWidth(420)
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._show_times)
        self._clock.start()
        controller.status_changed.connect(self.phase.setText)
        controller.progress_changed.connect(self._on_controller_progress_changed)
        controller.language_detected.connect(self._on_controller_language_detected)
        controller.running_changed.connect(self._on_controller_running_changed)

    def reject(self) -> None:  # Esc or the close box: hide, the job goes on (Cancel is its own button)
        self.hide()

    def hide(self) -> None:
        """Hide, and give the keyboard back to the editor if this window had it (the window's keys work at once)."""
        had_focus = self.isActiveWindow()
        super().hide()
        if had_focus and self.parentWidget() is not None:
            self.parentWidget().activateWindow()

    def _on_controller_progress_changed(self, done_s: float, total_s: float) -> None:
        busy = done_s < 0 or total_s <= 0
        self.bar.setRange(0, 0 if busy else 1000)
        self._share = 0.0 if busy else min(1.0, done_s / total_s)
        if not busy:
            self.bar.setValue(int(1000 * self._share))
        self._show_times()

    def _on_controller_language_detected(self, code: str, probability: float) -> None:
        self.language.setText(f"Language: {LANGUAGES.get(code, code).title()} ({code}), {probability:.0%} sure")

    def _on_controller_running_changed(self, running: bool) -> None:
        if not running:
            self._clock.stop()
            self.hide()
            self.deleteLater()

    def _show_times(self) -> None:
        elapsed = time.monotonic() - self._started
        left = f", about {clock(elapsed / self._share - elapsed)} left" if 0.05 < self._share < 1.0 else ""
        self.times.setText(f"Elapsed {clock(elapsed)}{left}")
