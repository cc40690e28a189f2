"""Help → About shows this installation: version, the user's model folder, bundled parts with licence texts."""

from __future__ import annotations

import importlib.metadata as metadata
from pathlib import Path

import pytest

from subtitler import __version__
from tests.gui.window_helpers import dialogs, window  # noqa: F401 - fixtures


def test_about_dialog_shows_version_model_folder_and_licences(qtbot, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SUBTITLER_MODELS_DIR", str(tmp_path / "models"))
    from subtitler.gui.dialogs.about import AboutDialog

    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    assert __version__ in dialog.findChild(type(dialog.model_folder_label), "about_title").text()
    assert dialog.model_folder_label.text() == str(tmp_path / "models")
    rows = {dialog.table.item(r, 0).text(): r for r in range(dialog.table.rowCount())}
    torch_row = rows["PyTorch"]
    assert dialog.table.item(torch_row, 1).text() == metadata.version("torch")
    dialog.table.selectRow(torch_row)
    assert "Copyright" in dialog.licence_view.toPlainText()
    dialog.table.selectRow(rows["Qt for Python (PySide6)"])  # its wheel carries no licence file: the name is shown
    assert "LGPL-3.0" in dialog.licence_view.toPlainText()
    labels = " ".join(label.text() for label in dialog.findChildren(type(dialog.model_folder_label)))
    assert "tiny.en" in labels  # the test extra's weight package, found as the CLI finds it
    assert "GPL" in labels  # the FFmpeg line names the binary's licence


def test_help_menu_opens_about(window, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811 - fixture
    from subtitler.gui.dialogs import about

    shown = []
    monkeypatch.setattr(about, "show_about", lambda parent: shown.append(parent))
    assert window.actions["about"] in window.menus["help"].actions()
    window.actions["about"].trigger()
    assert shown == [window]
