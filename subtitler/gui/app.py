"""`subtitler` with no subcommand: the editor window, with any files given opened in it."""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from subtitler import __version__
from subtitler.desktop.resources import APP_ID, icon_path
from subtitler.gui.settings import APPLICATION, ORGANIZATION


def create_application(argv: list[str]) -> QApplication:
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "subtitler", *argv])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)  # Wayland's app id: the desktop entry's icon and name for the window
    icon = icon_path()
    if icon is not None:
        app.setWindowIcon(QIcon(str(icon)))
    return app


def main(argv: list[str] | None = None) -> int:
    """Open the window, offer a crash restore or open the files named, then (no model yet) offer a model download."""
    paths = [a for a in (sys.argv[1:] if argv is None else argv) if not a.startswith("-")]
    app = create_application([a for a in (argv or []) if a.startswith("-")])
    from subtitler.gui.dialogs import first_start
    from subtitler.gui.main_window import MainWindow

    window = MainWindow()
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.show()

    def start() -> None:
        if not window.offer_restore() and paths:
            window.files.open_paths(paths)
        first_start.offer_model_download(window, window.settings, lambda: first_start.open_model_dialog(window))

    QTimer.singleShot(0, start)
    return int(app.exec())
