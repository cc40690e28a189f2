"""Words in the real editor with real tiny.en: after Ctrl+T cues carry words; next/previous low-confidence word
(Ctrl+F3 / Ctrl+Shift+F3 since F3 is Find next) walks them; the timeline marks them; playback lights the spoken word;
Ctrl+Alt+V splits at a word; F6 plays a word; a retyped word is re-aligned on a worker thread (one undo step, cancel
changes nothing); a cue typed by hand is aligned the same way. Keys are typed as bound, so a rebinding is followed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from subtitler.core.word_alignment import covers, spoken_text
from subtitler.gui.word_spans import word_spans
from tests.gui.window_helpers import dialogs, jfk_srt, open_with_media, window  # noqa: F401 - fixtures

JOB_TIMEOUT_MS = 180_000


def press(qtbot, window, action_id: str) -> None:
    """The key the action is bound to (in the default scheme), typed at the window as a user does."""
    combo = window.actions[action_id].shortcuts()[0][0]
    qtbot.keyClick(window, combo.key(), combo.keyboardModifiers())


def transcribe_jfk(window, qtbot, data_dir, monkeypatch) -> None:
    from subtitler.asr.transcribe import TranscribeOptions
    from subtitler.gui.transcription import dialog
    from subtitler.gui.transcription.choice import TranscribeChoice

    choice = TranscribeChoice("tiny.en", TranscribeOptions(language="en"), device="cpu")
    monkeypatch.setattr(dialog, "ask_transcription", lambda *_a, **_k: choice)
    with qtbot.waitSignal(window.player.media_loaded, timeout=10_000):
        assert window.files.open_paths([data_dir / "jfk.mp4"])
    with qtbot.waitSignal(window.transcription.finished, timeout=JOB_TIMEOUT_MS):
        press(qtbot, window, "transcribe")
    qtbot.waitUntil(lambda: window.actions["transcribe"].isEnabled(), timeout=10_000)


def find_word(window, needle: str) -> tuple[int, int]:
    for row, cue in enumerate(window.document):
        for index, word in enumerate(cue.words):
            if word.text.strip().lower().strip(",.") == needle:
                return row, index
    raise AssertionError(f"no word {needle!r}")


@pytest.mark.slow
def test_words_through_the_editor(window, dialogs, data_dir, qtbot, monkeypatch):
    transcribe_jfk(window, qtbot, data_dir, monkeypatch)
    doc = window.document
    assert len(doc) > 0 and all(cue.words and covers(cue.words, spoken_text(cue)) for cue in doc)
    assert all(w.probability is not None and not w.needs_alignment for cue in doc for w in cue.words)

    # F3 / Shift+F3 land on the least sure words, in order, wrapping around
    words = [(row, i, w) for row, cue in enumerate(doc) for i, w in enumerate(cue.words)]
    ranked = sorted(words, key=lambda item: item[2].probability)
    threshold = (ranked[1][2].probability + ranked[2][2].probability) / 2  # exactly two words below it
    window.low_confidence_threshold = threshold
    window.table.select_row(0)
    window.table.setFocus()
    seen = []
    for _ in range(3):
        press(qtbot, window, "next_low_confidence")
        row, cursor = window.table.current_row(), window.editor.textCursor()
        seen.append((row, cursor.selectedText().lower()))
    expected = [(r, w.text.strip().lower()) for r, _, w in sorted(ranked[:2], key=lambda item: item[:2])]
    assert seen[:2] == expected
    assert seen[2] == seen[0]  # wrapped around
    press(qtbot, window, "previous_low_confidence")
    assert (window.table.current_row(), window.editor.textCursor().selectedText().lower()) == seen[1]

    # the timeline shows the words; the word under the playhead is lit there and in the editor
    row, index = find_word(window, "fellow")
    window.table.select_row(row)
    word = doc[row].words[index]
    window.timeline.set_visible_range_s(0.0, 6.0)
    window.timeline.plot.grab()
    assert window.timeline.word_marks.painted_words >= 5
    middle = (word.start_ms + word.end_ms) // 2
    window.player.position_ms_changed.emit(middle)  # what the one clock sends while playing
    assert window.timeline.word_marks.spoken == word
    start, end = window.editor.spoken_word_range()
    assert window.editor.toPlainText()[start:end].lower() == "fellow"

    # F6 plays the word under the text cursor, a little before and after
    played = []
    monkeypatch.setattr(window.player, "play_range", lambda a, b: played.append((a, b)))
    cursor = window.editor.textCursor()
    cursor.setPosition(start + 2)
    window.editor.setTextCursor(cursor)
    press(qtbot, window, "play_around_cursor")
    assert played == [(max(0, word.start_ms - 500), word.end_ms + 500)]

    # Ctrl+Alt+V splits words and time at the word under the cursor
    cues_before, previous = len(doc), doc[row].words[index - 1]
    cursor.setPosition(start)
    window.editor.setTextCursor(cursor)
    press(qtbot, window, "split_cue")
    assert len(doc) == cues_before + 1
    first, second = doc[row], doc[row + 1]
    assert second.words[0] == word and first.words[-1] == previous
    assert first.end_ms == first.words[-1].end_ms and second.start_ms == word.start_ms
    assert second.text.lower().startswith("fellow")
    window.undo_stack.undo()
    assert len(doc) == cues_before


@pytest.mark.slow
def test_retyped_word_is_realigned_and_one_undo_restores(window, dialogs, data_dir, qtbot, monkeypatch):
    transcribe_jfk(window, qtbot, data_dir, monkeypatch)
    doc = window.document
    row, index = find_word(window, "country")
    original = doc[row].words
    window.table.select_row(row)
    # retype the word in the editor, as a user does: select it and type
    span = next(s for s in word_spans(window.editor.toPlainText(), original) if s.index == index)
    cursor = window.editor.textCursor()
    cursor.setPosition(span.start)
    cursor.setPosition(span.end, QTextCursor.MoveMode.KeepAnchor)
    window.editor.setTextCursor(cursor)
    window.editor.setFocus()
    qtbot.keyClicks(window.editor, "nation")
    typed = doc[row].words
    assert typed[index].text.strip() == "nation" and typed[index].needs_alignment
    assert [w for i, w in enumerate(typed) if i != index] == [w for i, w in enumerate(original) if i != index]
    window.timeline.set_visible_range_s(0.0, 11.0)
    window.timeline.plot.grab()  # the unaligned word is drawn in its own colour (no crash on the flag)

    # cancel first: nothing changes
    with qtbot.waitSignal(window.alignment.cancelled, timeout=JOB_TIMEOUT_MS):
        press(qtbot, window, "align_words")
        assert window.alignment.is_running and window.actions["cancel_alignment"].isEnabled()
        window.actions["cancel_alignment"].trigger()
    qtbot.waitUntil(lambda: not window.alignment.is_running, timeout=10_000)
    assert doc[row].words == typed and not dialogs.errors

    # then align: the GUI stays live (the job runs on its thread) and one undo step comes back
    depth = window.undo_stack.count()
    with qtbot.waitSignal(window.alignment.finished, timeout=JOB_TIMEOUT_MS):
        press(qtbot, window, "align_words")
        assert window.alignment.is_running and window.table.isEnabled()
    assert not dialogs.errors, dialogs.errors
    aligned = doc[row].words
    assert all(aligned[i] == typed[i] for i in range(len(typed)) if i != index)
    new = aligned[index]
    assert not new.needs_alignment and (new.start_ms, new.end_ms) != (typed[index].start_ms, typed[index].end_ms)
    assert abs(new.start_ms - original[index].start_ms) <= 200
    assert window.undo_stack.count() == depth + 1
    window.undo_stack.undo()
    assert doc[row].words == typed


@pytest.mark.slow
def test_cues_typed_by_hand_are_aligned(window, dialogs, data_dir, jfk_srt, qtbot):
    from subtitler.gui.transcription.choice import KEY_MODEL

    window.settings.setValue(KEY_MODEL, "tiny.en")  # the model the Transcribe dialog remembers
    open_with_media(window, qtbot, jfk_srt, data_dir / "jfk.mp4")
    doc = window.document
    assert all(not cue.words for cue in doc)
    window.table.select_rows(range(len(doc)))
    with qtbot.waitSignal(window.alignment.finished, timeout=JOB_TIMEOUT_MS):
        window.actions["align_words"].trigger()
    assert not dialogs.errors, dialogs.errors
    assert all(cue.words and covers(cue.words, spoken_text(cue)) for cue in doc)
    starts = [w.start_ms for cue in doc for w in cue.words]
    assert starts == sorted(starts)
    window.undo_stack.undo()
    assert all(not cue.words for cue in doc)


def test_align_without_media_or_words_to_align_says_so(window, dialogs, jfk_srt, qtbot):
    assert window.files.open_paths([jfk_srt])
    window.table.select_row(0)
    window.actions["align_words"].trigger()
    assert dialogs.errors and "Open the video or audio" in dialogs.errors[-1][1]
    assert not window.alignment.is_running


@pytest.mark.slow
def test_text_that_is_not_spoken_there_gets_a_dialog_and_nothing_changes(window, dialogs, data_dir, jfk_srt, qtbot):
    from subtitler.core.commands import SetText
    from subtitler.gui.transcription.choice import KEY_MODEL

    window.settings.setValue(KEY_MODEL, "tiny.en")
    open_with_media(window, qtbot, jfk_srt, data_dir / "jfk.mp4")
    window.push(SetText(window.document, 1, "Las arenas son blanquecinas de grano medio y tiene muy poca asistencia."))
    before = window.document.cues
    window.table.select_row(1)
    with qtbot.waitSignal(window.alignment.failed, timeout=JOB_TIMEOUT_MS):
        window.actions["align_words"].trigger()
    qtbot.waitUntil(lambda: not window.alignment.is_running, timeout=10_000)
    assert dialogs.errors and "cue 2" in dialogs.errors[-1][1] and "does not match the speech" in dialogs.errors[-1][1]
    assert window.document.cues == before and window.actions["align_words"].isEnabled()
