"""Help → About: the version, where models live, and the bundled parts with their licences.

The facts come from the Qt-free `subtitler.desktop.licences` (installed distributions' metadata) and
`subtitler.asr.models` (the same model lookup the CLI uses), so the dialog shows this installation.
"""

from __future__ import annotations

import platform
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, QUrl, qVersion
from PySide6.QtGui import QDesktopServices, QIcon
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QPlainTextEdit,
    QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from subtitler import __version__
from subtitler.asr.models import list_models, user_models_dir
from subtitler.desktop.licences import InstalledComponent, ffmpeg_licence, installed_components, licence_text
from subtitler.desktop.resources import icon_path, is_frozen
from subtitler.errors import UserError

COLUMNS = ("Component", "Version", "Licence", "Used for")


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Subtitler")
        self.setObjectName("about_dialog")
        self.components = installed_components()
        layout = QVBoxLayout(self)
        layout.addLayout(self._header())
        layout.addLayout(self._facts())
        layout.addWidget(QLabel("Bundled parts and their licences (select one to read its licence text):"))
        self.table = self._component_table()
        layout.addWidget(self.table, 2)
        self.licence_view = QPlainTextEdit(readOnly=True)
        self.licence_view.setObjectName("licence_text")
        layout.addWidget(self.licence_view, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.table.currentCellChanged.connect(lambda row, *_: self._show_licence(row))
        self.table.selectRow(0)
        self.resize(760, 640)

    def _header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        icon = icon_path()
        if icon is not None:
            picture = QLabel()
            picture.setPixmap(QIcon(str(icon)).pixmap(64, 64))
            row.addWidget(picture)
        title = QLabel(f"<h2>Subtitler {__version__}</h2>Subtitle editor with Whisper speech recognition.")
        title.setObjectName("about_title")
        row.addWidget(title, 1)
        return row

    def _facts(self) -> QFormLayout:
        form = QFormLayout()
        build = "standalone bundle" if is_frozen() else "Python installation"
        form.addRow("Version:", _selectable(f"{__version__} ({build}, {platform.system()} {platform.machine()})"))
        form.addRow("Runtime:", _selectable(f"Python {platform.python_version()}, Qt {qVersion()}, "
                                            f"PySide6 {pyside_version}"))
        folder = user_models_dir()
        models_row = QHBoxLayout()
        self.model_folder_label = _selectable(str(folder))
        self.model_folder_label.setObjectName("model_folder")
        models_row.addWidget(self.model_folder_label, 1)
        open_button = QPushButton("Open folder")
        open_button.clicked.connect(lambda: self._open_folder(folder))
        models_row.addWidget(open_button)
        form.addRow("Model folder:", models_row)
        installed = [info.name for info in list_models() if info.path is not None]
        form.addRow("Installed models:", _selectable(", ".join(installed) if installed else
                                                     "none yet (Speech → Transcribe offers a download)"))
        form.addRow("FFmpeg:", _selectable(self._ffmpeg_text()))
        return form

    @staticmethod
    def _ffmpeg_text() -> str:
        from subtitler.media.ffmpeg_binary import find_ffmpeg

        try:
            binary = find_ffmpeg()
        except UserError as exc:
            return str(exc)
        return f"{binary} — {ffmpeg_licence(binary)}"

    def _component_table(self) -> QTableWidget:
        table = QTableWidget(len(self.components), len(COLUMNS))
        table.setObjectName("licence_table")
        table.setHorizontalHeaderLabels(COLUMNS)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.verticalHeader().setVisible(False)
        for row, component in enumerate(self.components):
            for column, text in enumerate((component.name, component.version, component.licence, component.role)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                table.setItem(row, column, item)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        return table

    def _show_licence(self, row: int) -> None:
        if not 0 <= row < len(self.components):
            return
        component: InstalledComponent = self.components[row]
        text = licence_text(component)
        self.licence_view.setPlainText(text or f"{component.name} {component.version} is distributed under "
                                               f"{component.licence}. Its package carries no licence file.")

    def _open_folder(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


def _selectable(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


def show_about(parent: QWidget | None = None) -> None:
    AboutDialog(parent).exec()

