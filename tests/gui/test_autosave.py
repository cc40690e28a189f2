"""Autosave writes the work atomically on a timer; a crashed session's work is offered at the next start; a clean exit leaves nothing."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from subtitler.core.commands import SetText
from subtitler.core.cue import Cue
from subtitler.core.document import Document
from subtitler.formats.registry import read_document
from subtitler.gui.autosave import AutosaveStore, Autosaver
from tests.gui.window_helpers import close_window, dialogs, make_window  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parents[2]


def crash_after_autosave(directory: Path, source: str, media: str) -> None:
    """A real process that autosaves and dies without a clean exit."""
    script = textwrap.dedent(f"""
        import os
        from subtitler.core.cue import Cue
        from subtitler.core.document import Document
        from subtitler.gui.autosave import AutosaveStore
        store = AutosaveStore({str(directory)!r})
        doc = Document([Cue(320, 3000, "And so, my fellow Americans,"), Cue(3200, 7500, "typed before the crash")], media_path={media!r})
        store.save(doc, {source!r})
        os._exit(1)
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr


def test_clean_session_leaves_nothing_and_live_sessions_are_not_offered(tmp_path):
    first = AutosaveStore(tmp_path)
    first.save(Document([Cue(0, 1000, "hello")]), None)
    second = AutosaveStore(tmp_path)
    assert second.crashed_sessions() == []  # the first window is still running
    assert read_document(first.autosave_path).document[0].text == "hello"
    first.finish()
    second.finish()
    assert list(tmp_path.iterdir()) == []


def test_autosaver_writes_on_its_timer_only_after_changes(tmp_path, qtbot):
    store = AutosaveStore(tmp_path)
    autosaver = Autosaver(store, interval_ms=50)
    document = Document([Cue(0, 1000, "first")])
    autosaver.watch(document, "/somewhere/talk.srt")
    assert not autosaver.save_now()  # nothing changed yet
    SetText(document, 0, "changed").redo()
    with qtbot.waitSignal(autosaver.autosaved, timeout=5000):
        pass
    assert read_document(store.autosave_path).document[0].text == "changed"
    assert not list(tmp_path.glob("*.tmp"))  # written through a temporary file and renamed
    autosaver.finish()
    assert not store.autosave_path.exists()


def test_crashed_session_is_offered_and_restored(tmp_path, qtbot, dialogs, data_dir):
    autosave_dir = tmp_path / "autosave"
    source = tmp_path / "jfk.srt"
    crash_after_autosave(autosave_dir, str(source), str(data_dir / "jfk.mp4"))
    window = make_window(qtbot, tmp_path, autosave_dir)
    try:
        assert window.offer_restore()
        assert len(dialogs.restore_prompts) == 1
        assert dialogs.restore_prompts[0].source_path == str(source)
        assert [c.text for c in window.document] == ["And so, my fellow Americans,", "typed before the crash"]
        assert window.isWindowModified() and window.files.path == source
        assert window.player.path == str(data_dir / "jfk.mp4")
        remaining = sorted(p.name for p in autosave_dir.iterdir())
        assert remaining == sorted(p.name for p in autosave_dir.glob(f"session-{window.autosaver.store.session_id}*"))
        assert window.autosaver.store.autosave_path.is_file()  # the work is safe under this session now
        assert window.autosaver.store.crashed_sessions() == []
    finally:
        close_window(window)
    assert list(autosave_dir.iterdir()) == []  # clean exit


def test_discarded_recovery_is_gone_and_later_keeps_it(tmp_path, qtbot, dialogs):
    from subtitler.gui.dialogs.restore import RestoreChoice

    autosave_dir = tmp_path / "autosave"
    crash_after_autosave(autosave_dir, str(tmp_path / "a.srt"), "")
    window = make_window(qtbot, tmp_path, autosave_dir)
    try:
        dialogs.restore_answer = RestoreChoice.LATER
        assert not window.offer_restore()
        assert len(window.document) == 0
        dialogs.restore_answer = RestoreChoice.DISCARD
        assert not window.offer_restore()  # offered again, then dropped
        assert len(dialogs.restore_prompts) == 2
        assert window.autosaver.store.crashed_sessions() == []
    finally:
        close_window(window)
