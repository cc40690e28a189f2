"""Right-click menus on the cue list and the timeline, made of the window's actions (same texts and keys).

On the list the Menu key / Shift+F10 opens the same menu at the current row. On the
timeline a right click selects the cue under the pointer (without moving the
playhead) and adds "Insert cue here" and "Play from here" for that time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from subtitler.gui.main_window import MainWindow

CUE_ITEMS = ("insert_cue_before", "insert_cue", "delete_cues", None, "split_cue", "merge_cues", None, "play_cue",
             "loop", None, "transcribe_selection", "translate_selection", "snap_to_words", "set_style")


class ContextMenus:
    def __init__(self, window: "MainWindow") -> None:
        self.w = window
        self.menu: QMenu | None = None
        window.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        window.table.customContextMenuRequested.connect(self._on_table_context_menu_requested)
        window.timeline.context_menu_requested.connect(self._on_timeline_context_menu_requested)

    def cue_menu(self) -> QMenu:
        menu = QMenu(self.w)
        menu.setObjectName("cue_context_menu")
        for item in CUE_ITEMS:
            if item is None:
                menu.addSeparator()
                continue
            menu.addAction(self.w.actions[item])
        return menu

    def timeline_menu(self, at_ms: int) -> QMenu:
        menu = self.cue_menu()
        first = menu.actions()[0]
        insert = menu.addAction("Insert cue &here")
        insert.triggered.connect(lambda: self.w.edits.insert_cue(at_ms=at_ms))
        play = menu.addAction("&Play from here")
        play.triggered.connect(lambda: (self.w.player.seek(at_ms), self.w.player.play()))
        menu.insertActions(first, [insert, play])
        menu.insertSeparator(first)
        return menu

    def _on_table_context_menu_requested(self, pos: QPoint) -> None:
        self.menu = self.cue_menu()
        self.menu.popup(self.w.table.viewport().mapToGlobal(pos))

    def _on_timeline_context_menu_requested(self, at_s: float, global_pos: QPoint) -> None:
        at_ms = round(at_s * 1000)
        row = self.w.document.index_at(at_ms)
        if row is not None and row not in self.w.table.selected_rows():
            self.w.timeline.current_row_changed.emit(row)  # select as a click on the cue does, playhead unmoved
        self.menu = self.timeline_menu(at_ms)
        self.menu.popup(global_pos)
