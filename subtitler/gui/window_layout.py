"""The window's splitters, and saving/restoring geometry and splitter positions in QSettings."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QBoxLayout, QMainWindow, QSplitter, QWidget

from subtitler.gui.settings import SettingsKey


def splitter(orientation: Qt.Orientation, name: str, first: QWidget, second: QWidget, stretch: tuple[int, int]) -> QSplitter:
    result = QSplitter(orientation)
    result.setObjectName(f"splitter_{name}")
    result.addWidget(first)
    result.addWidget(second)
    result.setStretchFactor(0, stretch[0])
    result.setStretchFactor(1, stretch[1])
    result.setChildrenCollapsible(False)
    return result


def panel(orientation: Qt.Orientation, *widgets: QWidget) -> QWidget:
    """A plain container laying out `widgets` in a row or a column; more can be added to its layout later."""
    result = QWidget()
    direction = QBoxLayout.Direction.TopToBottom if orientation == Qt.Orientation.Vertical else QBoxLayout.Direction.LeftToRight
    layout = QBoxLayout(direction, result)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    for widget in widgets:
        layout.addWidget(widget, 1)
    return result


def save_layout(settings: QSettings, window: QMainWindow, splitters: dict[SettingsKey, QSplitter]) -> None:
    settings.setValue(SettingsKey.WINDOW_GEOMETRY.value, window.saveGeometry())
    settings.setValue(SettingsKey.WINDOW_STATE.value, window.saveState())
    for key, item in splitters.items():
        settings.setValue(key.value, item.saveState())


def restore_layout(settings: QSettings, window: QMainWindow, splitters: dict[SettingsKey, QSplitter]) -> None:
    """Whatever was saved wins over the first-start sizes; nothing saved leaves them."""
    geometry = settings.value(SettingsKey.WINDOW_GEOMETRY.value)
    if geometry is not None:
        window.restoreGeometry(geometry)
    state = settings.value(SettingsKey.WINDOW_STATE.value)
    if state is not None:
        window.restoreState(state)
    for key, item in splitters.items():
        value = settings.value(key.value)
        if value is not None:
            item.restoreState(value)
