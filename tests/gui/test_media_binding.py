"""Binding media to open cues is an edit like any other (issue 11, fault 8): undoable, and it reaches the autosave."""

from __future__ import annotations

import json

from subtitler.core.commands_document import SetProperties
from subtitler.core.document import Document
from subtitler.core.history import History
from tests.gui.window_helpers import dialogs, jfk_srt, window  # noqa: F401 - fixtures


def test_set_properties_undoes_and_refuses_unknown_fields():
    doc, history, changes = Document(), History(), []
    doc.changed.connect(changes.append)
    history.push(SetProperties(doc, "Set language", language="ja", frame_rate=24.0))
    assert (doc.language, doc.frame_rate) == ("ja", 24.0) and changes[-1].kind == "properties"
    history.undo()
    assert (doc.language, doc.frame_rate) == (None, 25.0)
    try:
        SetProperties(doc, "Bad", cues_list=[])
    except ValueError as exc:
        assert "cues_list" in str(exc)
    else:
        raise AssertionError("an unknown property must be refused")


def test_opening_media_for_open_cues_is_undoable_and_autosaved(window, jfk_srt, data_dir, qtbot):
    assert window.files.open_subtitles(jfk_srt)
    assert window.document.media_path is None and window.undo_stack.count() == 0
    window.autosaver.save_now()  # nothing changed yet: nothing to write
    with qtbot.waitSignal(window.player.media_loaded, timeout=10_000):
        assert window.files.open_media(data_dir / "jfk.mp4")
    assert window.document.media_path == str(data_dir / "jfk.mp4")
    assert window.undo_stack.count() == 1 and window.undo_stack.undoText() == "Attach media"
    assert not window.isWindowModified(), "an SRT cannot store its media: nothing new to save in it"
    assert window.autosaver.save_now(), "the binding reaches the autosave"
    saved = json.loads(window.autosaver.store.autosave_path.read_text(encoding="utf-8"))
    assert saved["media_path"].endswith("jfk.mp4")
    window.undo_stack.undo()
    assert window.document.media_path is None and len(window.document) == 3
