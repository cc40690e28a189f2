"""Menu bar of the main window, built from the action registry (the registry owns texts and shortcuts)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtWidgets import QMainWindow, QMenu

from subtitler.gui.actions import ActionRegistry
from subtitler.gui.recent_files import RecentFiles

MENUS = (("file", "&File"), ("edit", "&Edit"), ("navigate", "&Navigate"), ("timing", "T&iming"), ("tools", "&Tools"),
         ("playback", "&Playback"), ("speech", "&Speech"), ("translation", "Tr&anslation"), ("view", "&View"), ("help", "&Help"))


def build_menus(window: QMainWindow, actions: ActionRegistry, recent: RecentFiles, open_recent: Callable[[str], object]) -> dict[str, QMenu]:
    menus: dict[str, QMenu] = {}
    for key, title in MENUS:
        menu = window.menuBar().addMenu(title)
        menu.setObjectName(f"menu_{key}")
        menus[key] = menu
    file_menu = menus["file"]
    for action in actions.in_menu("file"):
        if action is actions["quit"]:
            file_menu.addMenu(_export_menu(window, actions))
            file_menu.addMenu(_recent_menu(window, recent, open_recent))
            file_menu.addSeparator()
        file_menu.addAction(action)
    for key in ("edit", "navigate", "timing", "tools", "playback", "speech", "translation", "view", "help"):
        for action in actions.in_menu(key):
            menus[key].addAction(action)
    return menus


def _export_menu(window: QMainWindow, actions: ActionRegistry) -> QMenu:
    menu = QMenu("&Export", window)
    for action in actions.in_menu("export"):
        menu.addAction(action)
    return menu


def _recent_menu(window: QMainWindow, recent: RecentFiles, open_recent: Callable[[str], object]) -> QMenu:
    """Rebuilt each time it opens, so it always shows the stored list."""
    menu = QMenu("Open &Recent", window)
    menu.setObjectName("menu_recent")

    def fill() -> None:
        menu.clear()
        paths = recent.paths()
        for index, path in enumerate(paths, start=1):
            action = menu.addAction(f"&{index % 10} {Path(path).name}")
            action.setToolTip(path)
            action.triggered.connect(lambda _checked=False, p=path: open_recent(p))
        if paths:
            menu.addSeparator()
            menu.addAction("Clear list", recent.clear)
        else:
            menu.addAction("No recent files").setEnabled(False)

    menu.aboutToShow.connect(fill)
    return menu
