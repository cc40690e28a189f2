"""The Live captions window: pick a source, start, watch the level and the live text, stop.

It stays open beside the editor (not modal): committed cues are inserted into the open document
as they are closed (one undo step per take), the overlay shows the live text, and when the take
ends the recording becomes the document's media if it had none, so everything is edited as usual.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox, QDialog, QDoubleSpinBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QProgressBar,
    QPushButton, QVBoxLayout, QWidget,
)

from subtitler.core.atomic import write_refused
from subtitler.core.commands_transcription import ApplyTranscription
from subtitler.errors import UserError
from subtitler.gui.dialogs import messages
from subtitler.gui.live.live_worker import LiveJob, LiveWorker
from subtitler.gui.workers.job import start_worker

if TYPE_CHECKING:
    from subtitler.gui.main_window import MainWindow

FILE_SOURCE = -1  # the source combo's data for "a media file played live"
METER_FLOOR_DB = -60
MODELS = ("base", "tiny.en", "tiny", "base.en", "small", "small.en", "large-v3-turbo")


def default_recording(window: MainWindow) -> Path:
    """Beside the project file when there is one, else beside the media, else in the home folder: the first of
    these that takes a file (media on a read-only disc or share is recorded in the home folder)."""
    project = window.files.path
    media = window.document.media_path
    folders = [Path(p).parent for p in (project, media) if p] + [Path.home()]
    folder = next((f for f in folders if f.is_dir() and write_refused(f) is None), Path.home())
    stem = Path(project).name.split(".")[0] if project else Path(media).stem if media else ""
    return folder / f"{stem + '-' if stem else ''}live-{time.strftime('%Y%m%d-%H%M%S')}.wav"


def input_devices() -> list:
    """The input devices, or none when PortAudio or a sound system is missing (a media file still works)."""
    from subtitler.media.microphone import list_input_devices

    try:
        return list_input_devices()
    except UserError:
        return []


class LiveDialog(QDialog):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.setWindowTitle("Live captions")
        self.worker: LiveWorker | None = None
        self._thread = None
        self.job: LiveJob | None = None
        self._document = None
        self.cues_added = 0
        self._suggested: dict[str, str] = {}  # the file and recording this dialog filled in (not the user's own)
        self._build()
        self.suggest_defaults()

    # --- widgets ----------------------------------------------------------------------
    def _build(self) -> None:
        self.source = QComboBox()
        for device in input_devices():
            self.source.addItem(f"Microphone: {device.label()}", device.index)
        self.source.addItem("Media file played live", FILE_SOURCE)
        self.file = QLineEdit()
        self.file.setPlaceholderText("audio or video file")
        browse_file = QPushButton("Browse…")
        browse_file.clicked.connect(self._browse_file)
        self.speed = QDoubleSpinBox()
        self.speed.setRange(0.25, 16.0)
        self.speed.setValue(1.0)
        self.speed.setSuffix("× real time")
        self.model = QComboBox()
        self.model.setEditable(True)
        self.model.addItems(MODELS)
        self.record = QLineEdit()
        browse_record = QPushButton("Browse…")
        browse_record.clicked.connect(self._browse_record)
        self.meter = QProgressBar()
        self.meter.setRange(0, -METER_FLOOR_DB)
        self.meter.setFormat("%v dB above -60")
        self.live_text = QLabel()
        self.live_text.setWordWrap(True)
        self.live_text.setMinimumHeight(48)
        self.status = QLabel("Ready")
        self.start_button = QPushButton("Start")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setEnabled(False)
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        self.source.currentIndexChanged.connect(self._on_source_changed)

        form = QFormLayout()
        form.addRow("Source", self.source)
        form.addRow("File", _row(self.file, browse_file))
        form.addRow("Speed", self.speed)
        form.addRow("Model", self.model)
        form.addRow("Recording", _row(self.record, browse_record))
        form.addRow("Level", self.meter)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.live_text)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self._on_source_changed()
        self.resize(560, 300)

    def suggest_defaults(self) -> None:
        """The open document's media as the file to play live, and a fresh recording name beside it, unless the user
        typed their own. The file field stayed empty with a video open, and "Media file played live" (the only source
        where there is no microphone) refused to start until the user browsed for the file that was already open."""
        media = self.window_.document.media_path or ""
        for key, field, value in (("file", self.file, media), ("record", self.record, str(default_recording(self.window_)))):
            if value and field.text() in ("", self._suggested.get(key, "")):
                field.setText(value)
                self._suggested[key] = value

    def _on_source_changed(self) -> None:
        is_file = self.source.currentData() == FILE_SOURCE
        self.file.setEnabled(is_file)
        self.speed.setEnabled(is_file)

    def _browse_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Media file to play live")
        if path:
            self.file.setText(path)

    def _browse_record(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the recording as", self.record.text(), "WAV audio (*.wav)")
        if path:
            self.record.setText(path if path.lower().endswith(".wav") else path + ".wav")

    # --- a take -----------------------------------------------------------------------
    @property
    def is_running(self) -> bool:
        return self.worker is not None

    def _connect(self, worker) -> None:
        """The worker's signals to methods of this dialog and its widgets (QObjects), so that Qt queues them to the GUI
        thread. A lambda has no receiver: it ran on the worker's thread and repainted the meter from there, which
        crashed Qt's text drawing in the GUI thread now and then (a GUI test, about one run in ten)."""
        worker.cues_ready.connect(self._on_cues_ready)
        worker.live_text_changed.connect(self._on_live_text_changed)
        worker.level_changed.connect(self._on_level_changed)
        worker.status_changed.connect(self.status.setText)
        worker.failed.connect(self._on_failed)
        worker.ended.connect(self._on_ended)
        worker.done.connect(self._on_done)

    def _on_level_changed(self, db: float) -> None:
        self.meter.setValue(int(max(0, db - METER_FLOOR_DB)))

    def start(self) -> None:
        """Check the choices, then start the take on a worker thread; a problem is a dialog and nothing starts."""
        if self.worker is not None:
            return
        try:
            job = self._job()
        except UserError as exc:
            messages.show_error(self, "Cannot start live captions", str(exc))
            return
        self.job, self._document, self.cues_added = job, self.window_.document, 0
        worker = LiveWorker(job, self.window_.transcription.engines.get)
        self._connect(worker)
        self.worker = worker
        self.start_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.status.setText("Starting…")
        self._thread = start_worker(worker)

    def stop(self) -> None:
        """End the take: the audio already heard is decoded and committed, then the last cue is closed."""
        if self.worker is not None:
            self.worker.cancel()
            self.status.setText("Stopping: committing the last words…")

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Stop a take and wait for its thread (the editor is closing); the recording and committed cues are kept."""
        import shiboken6

        if self.worker is None or self._thread is None or not shiboken6.isValid(self._thread):
            return True
        self.stop()
        return self._thread.wait(timeout_ms)

    def _job(self) -> LiveJob:
        from subtitler.media.probe import check_readable, probe, require_audio_stream

        record = Path(self.record.text().strip()) if self.record.text().strip() else None
        if record is None or record.suffix.lower() != ".wav":
            raise UserError(f"{record or 'Recording'}: choose where to save the recording, a file ending in .wav")
        if not record.parent.is_dir():
            raise UserError(f"{record}: folder {record.parent} does not exist; choose another place for the recording")
        reason = write_refused(record.parent)
        if reason is not None:
            raise UserError(f"{record}: cannot write in folder {record.parent} ({reason}); "
                            "choose another place for the recording")
        model = self.model.currentText().strip() or MODELS[0]
        if self.source.currentData() == FILE_SOURCE:
            if not self.file.text().strip():
                raise UserError("choose the media file to play live")
            path = check_readable(self.file.text().strip())
            require_audio_stream(probe(path), 0)
            return LiveJob(model, record, file=path, speed=self.speed.value())
        return LiveJob(model, record, input_device=int(self.source.currentData()))

    def _on_cues_ready(self, cues: list) -> None:
        doc = self._document
        if doc is None or self.window_.document is not doc:  # another document was opened: stop, keep the recording
            self.stop()
            return
        self.window_.push(ApplyTranscription(doc, cues, job=self.job, text="Live captions"))  # one take, one undo step
        self.cues_added += len(cues)
        self.status.setText(f"Live: {self.cues_added} cue{'s' if self.cues_added != 1 else ''}")

    def _on_live_text_changed(self, text: str) -> None:
        self.live_text.setText(text)
        self.window_.video_view.show_live_text(text)

    def _on_failed(self, message: str) -> None:
        self.status.setText(f"Failed: {message}")
        messages.show_error(self, "Live captions failed", message)

    def _on_ended(self, result) -> None:
        doc, record = self._document, self.job.record_to if self.job is not None else None
        self.window_.video_view.show_live_text("")
        kept = f"{self.cues_added} cue{'s' if self.cues_added != 1 else ''}"
        if record is not None and record.is_file() and doc is self.window_.document and not doc.media_path:
            doc.media_path = str(record.resolve())  # the take is the document's media from now on
            self.window_.load_media(record)
        self.status.setText(f"Take ended: {kept}; recording saved to {record}")

    def _on_done(self) -> None:
        self.worker = self._thread = None
        self.start_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        self.meter.setValue(0)
        self.record.setText(str(default_recording(self.window_)))  # the next take never overwrites this one
        self._suggested["record"] = self.record.text()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.stop()
        super().closeEvent(event)


def _row(*widgets: QWidget) -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for w in widgets:
        layout.addWidget(w, 1 if isinstance(w, QLineEdit) else 0)
    return box


def show_live_dialog(window: MainWindow) -> LiveDialog:
    """One Live captions window per editor window, shown and raised."""
    dialog = window.live_dialog
    if dialog is None:
        dialog = window.live_dialog = LiveDialog(window)
    elif not dialog.is_running:
        dialog.suggest_defaults()  # another document or media may be open since it was last shown
    dialog.show()
    dialog.raise_()
    return dialog
