"""The editor window: the composition root. It builds the parts, wires their signals, and owns the document.

File handling lives in FileController, edit/navigation handlers in EditController,
playback handlers in PlaybackController; this class only composes and routes.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QUndoStack
from PySide6.QtWidgets import QMainWindow, QSplitter

from subtitler.core.document import Document, DocumentChange
from subtitler.errors import UserError
from subtitler.gui.actions import ActionRegistry, Scheme, load_shortcuts, save_shortcuts
from subtitler.gui.alignment.controller import AlignmentController
from subtitler.gui.autosave import AutosaveStore, Autosaver
from subtitler.gui.cue_editor import CueEditor
from subtitler.gui.cue_table import CueTableModel, CueTableView
from subtitler.gui.dialogs import about, messages
from subtitler.gui.edit_controller import EditController
from subtitler.gui.live.live_dialog import show_live_dialog
from subtitler.gui.file_controller import MEDIA_ONLY_HINT, FileController
from subtitler.gui.playback_controller import PlaybackController
from subtitler.gui.qc_runner import QcRunner
from subtitler.gui.player.media_player import MediaPlayer
from subtitler.gui.recent_files import RecentFiles
from subtitler.gui.restore import offer_restore
from subtitler.gui.settings import SettingsKey, open_settings, read_bool, read_float
from subtitler.gui.status import StatusPanel
from subtitler.gui.timeline.timeline_widget import TimelineWidget
from subtitler.gui.tools.install import install_tools
from subtitler.gui.transcription.controller import TranscriptionController
from subtitler.gui.transcription.flow import TranscriptionFlow
from subtitler.gui.undo import push_command
from subtitler.gui.video_view import VideoView
from subtitler.gui.window_layout import panel, restore_layout, save_layout, splitter
from subtitler.gui.window_menus import build_menus
from subtitler.gui.word_spans import DEFAULT_LOW_CONFIDENCE

APP_NAME = "Subtitler"
log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    document_replaced = Signal(object)  # the new Document, after every view shows it

    def __init__(self, settings: QSettings | None = None, autosave_dir: Path | None = None) -> None:
        super().__init__()
        self.settings = settings if settings is not None else open_settings()
        self.document = Document()
        self.undo_stack = QUndoStack(self)
        self._selecting_from_timeline = False
        self._init_media()
        self._init_widgets()
        self._init_layout()
        self._init_controllers(autosave_dir)
        self._init_actions()
        self._init_connections()
        restore_layout(self.settings, self, self._splitters())
        self.set_document(self.document)
        self.table.setFocus()  # keyboard work starts in the cue list

    # --- construction ------------------------------------------------------------
    def _init_media(self) -> None:
        self.player = MediaPlayer(self)

    def _init_widgets(self) -> None:
        self.video_view = VideoView()
        self.video_view.set_player(self.player)
        self.timeline = TimelineWidget()
        self.timeline.set_player(self.player)
        self.timeline.set_undo_stack(self.undo_stack)
        self.table_model = CueTableModel(self.document, self.push, self)
        self.table = CueTableView()
        self.table.setModel(self.table_model)
        self.editor = CueEditor(self.document, self.push)
        self.status = StatusPanel(self)
        self.setStatusBar(self.status)
        self.setAcceptDrops(True)
        self.low_confidence_threshold = read_float(self.settings, SettingsKey.LOW_CONFIDENCE_THRESHOLD, DEFAULT_LOW_CONFIDENCE)
        self.editor.set_low_confidence_threshold(self.low_confidence_threshold)

    def _init_layout(self) -> None:
        self.video_panel = panel(Qt.Orientation.Vertical, self.video_view)  # the tools add the transport bar
        self.editor_panel = panel(Qt.Orientation.Horizontal, self.editor)  # ... and the timing fields
        self.side_splitter = splitter(Qt.Orientation.Vertical, "side", self.table, self.editor_panel, (5, 1))
        self.top_splitter = splitter(Qt.Orientation.Horizontal, "top", self.video_panel, self.side_splitter, (1, 1))
        self.main_splitter = splitter(Qt.Orientation.Vertical, "main", self.top_splitter, self.timeline, (3, 1))
        self.setCentralWidget(self.main_splitter)
        self.resize(1280, 800)
        self.top_splitter.setSizes([560, 720])  # first-start layout; a saved layout replaces it
        self.side_splitter.setSizes([380, 120])
        self.main_splitter.setSizes([540, 220])

    def _init_controllers(self, autosave_dir: Path | None) -> None:
        self.recent = RecentFiles(self.settings)
        self.files = FileController(self, self.recent)
        self.edits = EditController(self)
        self.playback = PlaybackController(self)
        self.autosaver = Autosaver(self._autosave_store(autosave_dir), parent=self)
        self.qc = QcRunner(self.low_confidence_threshold, self)
        self.transcription = TranscriptionController(lambda: self.document, self.push, parent=self)
        self.transcription_flow = TranscriptionFlow(self)
        self.alignment = AlignmentController(self)
        self.live_dialog = None  # the Live captions window, made when first asked for

    def _autosave_store(self, autosave_dir: Path | None) -> AutosaveStore | None:
        """The autosave folder, or None when it cannot be created or locked: the editor opens anyway and warns."""
        try:
            return AutosaveStore(autosave_dir)
        except UserError as exc:
            message = f"{exc}.\nThe editor works, but your work is not autosaved: save it yourself (Ctrl+S)."
            QTimer.singleShot(0, lambda: messages.show_warning(self, "Autosave is off", message))
            return None

    def _init_actions(self) -> None:
        self.actions = ActionRegistry(self)
        self.actions.connect(self.edits.handlers())
        self.actions.connect(self.playback.handlers())
        self.actions.connect(self._file_handlers())
        self.actions.connect({"undo": self.undo_stack.undo, "redo": self.undo_stack.redo, "shortcuts": self.edit_shortcuts})
        self.actions.connect(self.transcription_flow.handlers())
        self.actions.connect({"live_captions": lambda: show_live_dialog(self)})
        self.actions.connect({"about": lambda: about.show_about(self)})
        self.tools = install_tools(self)
        self.actions["cancel_transcription"].setEnabled(False)
        self.alignment.bind(self.actions)
        self.menus = build_menus(self, self.actions, self.recent, self.files.open_recent)
        self.scheme, shortcuts = load_shortcuts(self.settings)
        self.apply_shortcuts(shortcuts)
        spectrogram = self.actions["toggle_spectrogram"]
        spectrogram.setChecked(read_bool(self.settings, SettingsKey.SPECTROGRAM_VISIBLE, False))
        spectrogram.toggled.connect(self._on_spectrogram_toggled)
        self.timeline.set_spectrogram_visible(spectrogram.isChecked())

    def _file_handlers(self) -> dict[str, Any]:
        f = self.files
        return {
            "open": f.ask_and_open, "import_subtitles": f.ask_and_import, "save": f.save, "save_as": f.ask_and_save_as,
            "export_srt": lambda: f.ask_and_export("srt"), "export_vtt": lambda: f.ask_and_export("vtt"),
            "export_ass": lambda: f.ask_and_export("ass"), "export_txt": lambda: f.ask_and_export("txt"),
            "quit": self.close,
        }

    def _init_connections(self) -> None:
        self.undo_stack.cleanChanged.connect(self._on_undo_stack_clean_changed)
        self.actions["undo"].setEnabled(False)
        self.actions["redo"].setEnabled(False)
        self.undo_stack.canUndoChanged.connect(self.actions["undo"].setEnabled)
        self.undo_stack.canRedoChanged.connect(self.actions["redo"].setEnabled)
        self.undo_stack.undoTextChanged.connect(lambda text: self.actions["undo"].setText(f"&Undo {text}".strip()))
        self.undo_stack.redoTextChanged.connect(lambda text: self.actions["redo"].setText(f"&Redo {text}".strip()))
        self.table.current_row_changed.connect(self._on_table_current_row_changed)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._show_selection())
        self.timeline.current_row_changed.connect(self._on_timeline_current_row_changed)
        self.timeline.seek_requested.connect(self.player.seek)
        self.editor.seek_requested.connect(self.player.seek)
        self.player.position_ms_changed.connect(self._on_player_position_ms_changed)
        self.player.media_failed.connect(self._on_player_media_failed)
        self.player.media_loaded.connect(self._on_player_media_loaded)
        self.player.duration_ms_changed.connect(lambda _ms: self.status.show_position_ms(self.player.position_ms, _ms))
        self.timeline.media_failed.connect(self.status.show_hint)  # the player already reports unplayable media
        self.autosaver.autosave_failed.connect(self.status.show_hint)
        self.qc.findings_changed.connect(self._on_qc_findings_changed)

    # --- document -----------------------------------------------------------------
    def push(self, command: Any) -> bool:
        """Every edit goes through here onto the one undo stack; an edit that fails is reported and not kept."""
        try:
            push_command(self.undo_stack, command)
        except Exception as exc:  # a refused or broken edit must not take the window down or sit on the stack
            log.exception("edit %r failed", getattr(command, "text", command))
            messages.show_error(self, "Edit failed", f"{getattr(command, 'text', 'Edit')}: {exc}; nothing was kept on the undo stack")
            return False
        return True

    def set_document(self, document: Document, dirty: bool = False) -> None:
        """Show `document` everywhere; the undo history starts afresh (marked unsaved when `dirty`)."""
        if document is not self.document:
            self.document.changed.disconnect(self._on_document_changed)
        self.document = document
        self.undo_stack.clear()
        if dirty:
            self.undo_stack.resetClean()
        self.table_model.set_document(document)
        self.editor.set_document(document)
        self.video_view.set_document(document)
        self.timeline.set_document(document)
        document.changed.connect(self._on_document_changed)  # after the views: it reads the table's new state
        self.autosaver.watch(document, str(self.files.path) if self.files.path else None, dirty)
        self.qc.watch(document)
        self.refresh_title()
        self.table.select_row(0)
        self._show_selection()
        self.document_replaced.emit(document)

    def check_media(self, path: str | Path) -> bool:
        """Probe before loading, so a corrupt or missing file is one clear dialog and nothing changes."""
        from subtitler.media.probe import probe

        try:
            probe(path)
        except UserError as exc:
            messages.show_error(self, "Could not open media", str(exc))
            return False
        return True

    def load_media(self, path: str | Path) -> bool:
        if not self.check_media(path):
            return False
        self.player.load(path)
        self.timeline.load_media(str(path))
        self.refresh_title()
        return True

    def refresh_title(self) -> None:
        self.setWindowTitle(f"{self.files.display_name()}[*] — {APP_NAME}")
        self.setWindowModified(not self.undo_stack.isClean())
        media = self.document.media_path
        self.table.set_placeholder(
            f"No subtitles yet for {Path(media).name}.\n{MEDIA_ONLY_HINT}" if media else
            "Drop a video, audio or subtitle file here, or open one with Ctrl+O."
        )

    # --- shortcuts and view ---------------------------------------------------------
    def apply_shortcuts(self, shortcuts: dict[str, tuple[str, ...]]) -> None:
        self.actions.apply(shortcuts)
        self.editor.set_window_keys(self.actions.window_keys())

    def edit_shortcuts(self) -> None:
        from subtitler.gui.dialogs.shortcuts import ShortcutsDialog

        dialog = ShortcutsDialog(self.scheme, load_shortcuts(self.settings)[1], self)
        if dialog.exec():
            self.set_shortcuts(dialog.scheme(), dialog.shortcuts())

    def set_shortcuts(self, scheme: Scheme, shortcuts: dict[str, tuple[str, ...]]) -> None:
        self.scheme = scheme
        save_shortcuts(self.settings, scheme, shortcuts)
        self.apply_shortcuts(shortcuts)

    def _on_spectrogram_toggled(self, visible: bool) -> None:
        self.settings.setValue(SettingsKey.SPECTROGRAM_VISIBLE.value, visible)
        self.timeline.set_spectrogram_visible(visible)

    # --- signal handlers ---------------------------------------------------------------
    def _on_undo_stack_clean_changed(self, _clean: bool) -> None:
        self.refresh_title()

    def _on_document_changed(self, change: DocumentChange) -> None:
        if change.kind == "properties":
            self.refresh_title()  # the media (and so the title and the empty list's hint) may have changed
        if change.kind == "reset" and self.table.current_row() < 0 and len(self.document):
            self.table.select_row(min(max(self.editor.row, 0), len(self.document) - 1))  # a reset drops Qt's selection
        self._show_selection()

    def _on_table_current_row_changed(self, row: int) -> None:
        self.editor.set_row(row)
        self.timeline.select_row(row)
        self._show_selection()
        from_timeline = self._selecting_from_timeline  # a click seeks where it was made; a drag leaves the playhead
        if 0 <= row < len(self.document) and not self.player.is_playing and self.player.path and not from_timeline:
            self.player.seek(self.document[row].start_ms)

    def _on_timeline_current_row_changed(self, row: int) -> None:
        if row != self.table.current_row():
            self._selecting_from_timeline = True
            try:
                self.table.select_row(row)
            finally:
                self._selecting_from_timeline = False

    def _on_player_position_ms_changed(self, ms: int) -> None:
        self.status.show_position_ms(ms, self.player.duration_ms)
        self.table_model.set_playing_row(self.document.index_at(ms))
        self.editor.show_position_ms(ms)

    def _on_qc_findings_changed(self, findings: list) -> None:
        self.table_model.set_findings(findings)
        self.status.show_findings(findings)

    def _on_player_media_loaded(self, _path: str) -> None:
        """Show the current cue's frame at once instead of a black view until the user plays."""
        row = self.table.current_row()
        if not self.player.is_playing and self.player.position_ms == 0:  # the user has not moved the playhead yet
            self.player.seek(self.document[row].start_ms if 0 <= row < len(self.document) else 0)

    def _on_player_media_failed(self, message: str) -> None:
        messages.show_error(self, "Could not play media", message)

    def _show_selection(self) -> None:
        self.status.show_selection(self.table.current_row(), len(self.table.selected_rows()), len(self.document))

    # --- window events -------------------------------------------------------------------
    def offer_restore(self) -> bool:
        return offer_restore(self)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt's name
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    dragMoveEvent = dragEnterEvent  # noqa: N815 - Qt's name

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt's name
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            QTimer.singleShot(0, lambda: self.files.open_paths(paths))  # leave the drag loop before any dialog

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if not self.files.confirm_discard():
            event.ignore()
            return
        save_layout(self.settings, self, self._splitters())
        self.player.close()  # unload while the event loop still runs: a loaded player must not be deleted
        self.timeline.shutdown()
        self.tools.shutdown()
        self.transcription.shutdown()
        self.alignment.shutdown()
        if self.live_dialog is not None:
            self.live_dialog.shutdown()
        self.autosaver.finish()
        event.accept()

    def _splitters(self) -> dict[SettingsKey, QSplitter]:
        return {SettingsKey.SPLITTER_MAIN: self.main_splitter, SettingsKey.SPLITTER_TOP: self.top_splitter,
                SettingsKey.SPLITTER_SIDE: self.side_splitter}
