"""Builds the editing tools into the window: one call from MainWindow, so its own code stays wiring only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel

from subtitler.core.timecode import format_timecode
from subtitler.gui.player.transport import TransportController
from subtitler.gui.tools.context_menus import ContextMenus
from subtitler.gui.tools.cue_fields import CueFields
from subtitler.gui.tools.find_replace import FindReplaceController
from subtitler.gui.tools.go_to import GoToController
from subtitler.gui.tools.qc_panel import QcController
from subtitler.gui.tools.spell_check import SpellController
from subtitler.gui.tools.timing_dialogs import TimingTools
from subtitler.gui.speakers.controller import SpeakerController
from subtitler.gui.translation.controller import TranslationController

if TYPE_CHECKING:
    from subtitler.gui.main_window import MainWindow


@dataclass
class Tools:
    transport: TransportController
    go_to: GoToController
    find: FindReplaceController
    spelling: SpellController
    qc: QcController
    timing: TimingTools
    fields: CueFields
    menus: ContextMenus
    translation: TranslationController
    shot_label: QLabel
    speakers: SpeakerController

    def shutdown(self) -> None:
        """Before the window closes: no tool's thread may outlive it."""
        self.spelling.shutdown()
        self.speakers.shutdown()


def install_tools(window: "MainWindow") -> Tools:
    """Create every tool, put its widgets in place and connect its actions."""
    transport = TransportController(window)
    window.video_panel.layout().addWidget(transport.bar, 0)
    fields = CueFields(window)
    window.editor_panel.layout().addWidget(fields, 0)
    fields.link_tab_order()
    tools = Tools(transport, GoToController(window), FindReplaceController(window), SpellController(window),
                  QcController(window), TimingTools(window), fields, ContextMenus(window), TranslationController(window),
                  QLabel(), SpeakerController(window))
    for part in (transport, tools.go_to, tools.find, tools.spelling, tools.qc, tools.timing, fields, tools.translation, tools.speakers):
        window.actions.connect(part.handlers())
    _wire_shot_changes(window, tools.shot_label)
    return tools


def _wire_shot_changes(window: "MainWindow", label: QLabel) -> None:
    """Detection progress in the status bar; the cuts feed the QC rule (the timeline draws and snaps to them)."""
    label.setObjectName("shot_change_status")
    window.status.addPermanentWidget(label)
    label.hide()

    def progress(done_s: float, total_s: float) -> None:
        share = f"{100 * done_s / total_s:.0f} %" if total_s > 0 else format_timecode(round(done_s * 1000))
        label.setText(f"Shot changes: {share}")
        label.show()

    def found(times_ms: tuple[int, ...]) -> None:
        window.qc.set_shot_changes(times_ms)
        label.setText(f"{len(times_ms)} shot changes" if times_ms else "")
        label.setVisible(bool(times_ms))

    window.timeline.shot_progress_changed.connect(progress)
    window.timeline.shot_changes_found.connect(found)
