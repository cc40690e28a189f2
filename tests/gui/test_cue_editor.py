"""The cue text editor: typing is one undoable step per cue, unsure words are underlined, the spoken word follows the clock, a click seeks."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QTextCharFormat, QUndoStack
from PySide6.QtWidgets import QMainWindow

from subtitler.core.cue import Cue, Word
from subtitler.core.document import Document
from subtitler.gui.cue_editor import LOW_CONFIDENCE_COLOUR, UNSURE_COLOUR, CueEditor
from subtitler.gui.undo import push_command
from subtitler.gui.word_spans import next_low_confidence, time_at_char, word_spans

WORDS = (
    Word(" ask", 7800, 8100, 0.95), Word(" what", 8100, 8400, 0.3), Word(" you", 8400, 8600, 0.9),
    Word(" can", 8600, 8900, 0.99), Word(" do", 8900, 9100, 0.2),
)


@pytest.fixture
def setup(qtbot):
    document = Document([Cue(0, 3000, "And so, my fellow Americans,"), Cue(7800, 9100, "ask what you can do", WORDS)])
    stack = QUndoStack()
    host = QMainWindow()
    editor = CueEditor(document, lambda command: push_command(stack, command))
    host.setCentralWidget(editor)
    qtbot.addWidget(host)
    host.show()
    qtbot.waitExposed(host)
    return document, stack, editor, host


def test_typing_is_one_undo_step_and_undo_updates_the_editor(setup, qtbot):
    document, stack, editor, _host = setup
    editor.set_row(0)
    editor.setFocus()
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(editor, " ask not")
    assert document[0].text == "And so, my fellow Americans, ask not"
    assert stack.count() == 1
    stack.undo()
    assert editor.toPlainText() == "And so, my fellow Americans,"
    stack.redo()
    assert editor.toPlainText().endswith("ask not")
    editor.set_row(1)
    qtbot.keyClicks(editor, "x")
    assert stack.count() == 2  # another cue is another step


def test_window_shortcuts_reach_the_window_but_space_types(setup, qtbot):
    document, stack, editor, host = setup
    undo = QAction("Undo", host)
    undo.setShortcut(QKeySequence("Ctrl+Z"))
    undo.triggered.connect(stack.undo)
    play = QAction("Play", host)
    play.setShortcut(QKeySequence("Space"))
    played = []
    play.triggered.connect(lambda: played.append(True))
    host.addAction(undo)
    host.addAction(play)
    editor.set_window_keys({"Ctrl+Z"})
    editor.set_row(0)
    editor.setFocus()
    editor.moveCursor(editor.textCursor().MoveOperation.End)
    qtbot.keyClick(editor, Qt.Key.Key_Space)
    qtbot.keyClicks(editor, "x")
    assert document[0].text.endswith(", x") and not played
    qtbot.keyClick(editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert document[0].text == "And so, my fellow Americans,"  # the stack's undo, not the widget's


def test_low_confidence_words_are_underlined(setup):
    _document, _stack, editor, _host = setup
    editor.set_row(1)
    assert editor.low_confidence_ranges() == [(4, 8), (17, 19)]
    underlined = [s for s in editor.extraSelections() if s.format.underlineStyle() == QTextCharFormat.UnderlineStyle.WaveUnderline]
    assert [(s.cursor.selectionStart(), s.cursor.selectionEnd()) for s in underlined] == [(4, 8), (17, 19)]
    colours = [s.format.underlineColor() for s in underlined]
    assert colours == [UNSURE_COLOUR, LOW_CONFIDENCE_COLOUR]  # p=0.3 unsure, p=0.2 below half the threshold
    editor.set_low_confidence_threshold(0.1)
    assert editor.low_confidence_ranges() == []


def test_spoken_word_follows_the_clock_and_click_seeks(setup, qtbot):
    _document, _stack, editor, _host = setup
    editor.set_row(1)
    editor.show_position_ms(8450)
    assert editor.spoken_word_range() == (9, 12)  # "you"
    assert any(s.format.background().color().isValid() and (s.cursor.selectionStart(), s.cursor.selectionEnd()) == (9, 12)
               for s in editor.extraSelections())
    editor.show_position_ms(5000)
    assert editor.spoken_word_range() is None
    cursor = editor.textCursor()
    cursor.setPosition(14)  # inside "can"
    point = editor.cursorRect(cursor).center()
    with qtbot.waitSignal(editor.seek_requested, timeout=2000) as blocker:
        qtbot.mouseClick(editor.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert blocker.args == [8600]


def test_word_spans_and_low_confidence_search():
    cues = (Cue(0, 1000, "fine words"), Cue(7800, 9100, "ask what you can do", WORDS))
    spans = word_spans(cues[1].text, cues[1].words)
    assert [(s.start, s.end) for s in spans] == [(0, 3), (4, 8), (9, 12), (13, 16), (17, 19)]
    assert word_spans("ask WHAT", WORDS[:2])[1].start == 4  # case-insensitive
    first = next_low_confidence(cues, 0, -1, 0.5)
    assert (first.row, first.span.start) == (1, 4)
    second = next_low_confidence(cues, 1, 4, 0.5)
    assert second.span.start == 17
    assert next_low_confidence(cues, 1, 17, 0.5).span.start == 4  # wraps around
    assert next_low_confidence(cues, 1, 17, 0.5, forward=False).span.start == 4
    assert time_at_char(cues[1], 14) == 8600
    assert time_at_char(cues[0], 5) == 500  # no words: proportional


def test_a_new_empty_cue_invites_typing_instead_of_asking_for_a_selection(qtbot):
    """Issue 11, fault 8: a new empty cue showed the "Select a cue" placeholder."""
    from subtitler.core.cue import Cue
    from subtitler.core.document import Document
    from subtitler.gui.cue_editor import NO_CUE_PLACEHOLDER, CueEditor

    doc = Document([Cue(0, 1000, "one"), Cue(2000, 3000, "")])
    editor = CueEditor(doc, lambda command: command.redo())
    qtbot.addWidget(editor)
    assert editor.placeholderText() == NO_CUE_PLACEHOLDER
    editor.set_row(1)
    assert editor.toPlainText() == "" and editor.placeholderText() == "Type the text of cue 2"
    editor.set_row(-1)
    assert editor.placeholderText() == NO_CUE_PLACEHOLDER
