"""Save As names (issue 11, fault 6): a typed extension wins over the filter, and switching the filter gives sensible names."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit

from subtitler.core.cue import Cue
from subtitler.core.document import Document
from subtitler.formats.registry import read_document
from subtitler.gui.dialogs import file_dialogs
from subtitler.gui.file_ops import bare_stem, dialog_filters, name_for_format, save_target
from tests.gui.window_helpers import dialogs, window  # noqa: F401 - fixtures

PROJECT_FILTER = next(f for f, name in dialog_filters(writable=True) if name == "project")
SRT_FILTER = next(f for f, name in dialog_filters(writable=True) if name == "srt")


def test_names_for_a_format():
    assert bare_stem("talk.subtitler.srt") == bare_stem("talk.subtitler.json") == bare_stem("talk.srt") == "talk"
    assert bare_stem("talk.en.vtt") == "talk.en" and bare_stem(".srt") == ".srt"
    assert name_for_format("talk.subtitler.json", "srt") == "talk.srt"
    assert name_for_format("talk.srt", "project") == "talk.subtitler.json"
    assert save_target(Path("x.vtt"), "project") == (Path("x.vtt"), "vtt")
    assert save_target(Path("x"), "srt") == (Path("x.srt"), "srt")
    assert save_target(Path("notes.v2"), None) == (Path("notes.v2.subtitler.json"), "project")


def test_save_as_keeps_the_typed_extension_through_the_window(window, tmp_path, monkeypatch):
    window.set_document(Document([Cue(0, 1000, "Hello")]), dirty=True)
    typed = tmp_path / "x.vtt"
    monkeypatch.setattr(file_dialogs, "ask_save_path", lambda *args, **kwargs: (str(typed), PROJECT_FILTER))
    assert window.files.ask_and_save_as()
    assert typed.is_file() and not (tmp_path / "x.vtt.subtitler.json").exists()
    assert typed.read_text(encoding="utf-8").startswith("WEBVTT")
    assert window.files.format == "vtt" and [c.text for c in read_document(typed).document] == ["Hello"]


def test_switching_the_filter_renames_sensibly_in_the_real_dialog(window, tmp_path, qtbot):
    captured = {}

    def open_and_switch(dialog):
        combo = dialog.findChild(QComboBox, "fileTypeCombo")
        edit = dialog.findChild(QLineEdit, "fileNameEdit")
        assert edit.text() == "talk.subtitler.json"
        combo.setFocus()
        qtbot.keyClick(combo, Qt.Key.Key_Down)  # the user picks the next filter: SubRip
        captured["after_srt"] = edit.text()
        qtbot.keyClick(combo, Qt.Key.Key_Up)
        captured["back"] = edit.text()

    filters = [f for f, _ in dialog_filters(writable=True)]
    assert filters[:2] == [PROJECT_FILTER, SRT_FILTER]
    by_filter = dict(dialog_filters(writable=True))
    dialog = file_dialogs.save_dialog(window, "Save As", str(tmp_path / "talk.subtitler.json"), ";;".join(filters),
                                      rename=lambda name, chosen: name_for_format(name, by_filter[chosen]))
    dialog.setOption(dialog.Option.DontUseNativeDialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    open_and_switch(dialog)
    dialog.reject()
    assert captured == {"after_srt": "talk.srt", "back": "talk.subtitler.json"}
