"""The cue table model follows the document row by row, edits cells through undoable commands, and colours QC findings."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack

from subtitler.core.commands import DeleteCues, InsertCue, MergeCues, SetText
from subtitler.core.cue import Cue
from subtitler.core.document import Document
from subtitler.core.qc import check
from subtitler.gui.cue_table import SEVERITY_COLOURS, Column, CueTableModel, CueTableView
from subtitler.gui.undo import push_command

DISPLAY, EDIT = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole


@pytest.fixture
def setup(qtbot):
    document = Document([Cue(0, 2000, "one"), Cue(2500, 4000, "two\nlines"), Cue(5000, 6000, "three")])
    stack = QUndoStack()
    model = CueTableModel(document, lambda command: push_command(stack, command))
    return document, stack, model


def test_model_passes_qt_model_tester_through_edits(setup, qtmodeltester):
    document, stack, model = setup
    qtmodeltester.check(model, force_py=True)
    push_command(stack, InsertCue(document, 1, Cue(2100, 2400, "new")))
    push_command(stack, MergeCues(document, 2, 3))
    stack.undo()
    stack.undo()
    qtmodeltester.check(model, force_py=True)


def test_rows_follow_document_changes_precisely(setup, qtbot):
    document, stack, model = setup
    inserted, removed, changed = [], [], []
    model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    model.rowsRemoved.connect(lambda _p, first, last: removed.append((first, last)))
    model.dataChanged.connect(lambda tl, br, _roles=None: changed.append((tl.row(), br.row())))
    push_command(stack, InsertCue(document, 1, Cue(2100, 2400, "new")))
    assert inserted == [(1, 1)] and model.rowCount() == 4
    assert model.data(model.index(1, Column.TEXT)) == "new"
    assert model.headerData(3, Qt.Orientation.Vertical) == "4"  # the "#" column
    push_command(stack, DeleteCues(document, [0, 2]))
    assert sorted(removed) == [(0, 0), (2, 2)]
    assert model.rowCount() == 2
    changed.clear()
    push_command(stack, SetText(document, 1, "THREE"))
    assert (1, 1) in changed
    assert [model.data(model.index(r, Column.TEXT)) for r in range(2)] == ["new", "THREE"]


def test_cell_edits_push_commands_and_undo(setup):
    document, stack, model = setup
    assert model.data(model.index(1, Column.TEXT), DISPLAY) == "two | lines"
    assert model.setData(model.index(1, Column.TEXT), "deux|lignes", EDIT)
    assert document[1].text == "deux\nlignes"
    assert model.setData(model.index(0, Column.START), "00:00:00,500", EDIT)
    assert model.setData(model.index(0, Column.DURATION), "1.25", EDIT)
    assert (document[0].start_ms, document[0].end_ms) == (500, 1750)
    assert model.data(model.index(0, Column.DURATION)) == "1.250"
    assert not model.setData(model.index(0, Column.END), "not a time", EDIT)
    assert not model.setData(model.index(0, Column.END), "00:00:00,100", EDIT)  # before the start
    assert stack.count() == 3  # every cell edit is its own step (only typing in the editor merges)
    while stack.canUndo():
        stack.undo()
    assert document.cues == (Cue(0, 2000, "one"), Cue(2500, 4000, "two\nlines"), Cue(5000, 6000, "three"))


def test_cps_and_qc_colours(setup):
    document, stack, model = setup
    push_command(stack, SetText(document, 2, "far too many characters for one short second of screen time"))
    findings = check(document)
    model.set_findings(findings)
    assert float(model.data(model.index(2, Column.CPS))) > 40
    fast_rows = {f.row for f in findings if f.rule == "too_fast"}
    assert 2 in fast_rows
    severities = {f.severity for f in findings if f.row == 2}
    colour = model.data(model.index(2, Column.TEXT), Qt.ItemDataRole.BackgroundRole).color()
    expected = "error" if "error" in severities else "warning"
    assert colour == SEVERITY_COLOURS[expected]
    tooltip = model.data(model.index(2, 0), Qt.ItemDataRole.ToolTipRole)
    assert all(f.message in tooltip for f in findings if f.row == 2)


def test_view_keeps_selection_helpers(setup, qtbot):
    document, stack, model = setup
    view = CueTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    rows = []
    view.current_row_changed.connect(rows.append)
    view.select_rows([0, 2])
    assert view.selected_rows() == [0, 2] and rows == [0]
    view.select_row(1)
    assert view.current_row() == 1 and view.selected_rows() == [1]


def test_one_cue_edit_does_not_remeasure_every_row(qtbot):
    """Typing in a long document stays cheap: the view must not query all rows for one changed cue."""

    class CountingModel(CueTableModel):
        calls = 0

        def data(self, index, role=Qt.ItemDataRole.DisplayRole):
            CountingModel.calls += 1
            return super().data(index, role)

    document = Document([Cue(i * 2000, i * 2000 + 1800, f"cue {i}") for i in range(2000)])
    stack = QUndoStack()
    model = CountingModel(document, lambda command: push_command(stack, command))
    view = CueTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(900, 500)
    view.show()
    qtbot.waitExposed(view)
    view.select_row(1000)
    qtbot.wait(50)
    CountingModel.calls = 0
    push_command(stack, SetText(document, 1000, "cue 1000, edited"))
    qtbot.wait(50)
    assert CountingModel.calls < 2000, CountingModel.calls  # a visible page of rows, not 2,000 rows x 5 columns


def test_markup_is_rendered_and_vtt_voices_are_named_in_the_list(qtbot, tmp_path):
    """Issue 11, fault 8: VTT voices were shown nowhere and raw <i> showed in the list."""
    from subtitler.formats.registry import read_document
    from subtitler.gui.cue_table import HTML_ROLE, CueTableView

    path = tmp_path / "voices.vtt"
    path.write_text("WEBVTT\n\n00:00.000 --> 00:02.000\n<v Anna>I said <i>no</i>.\n\n"
                    "00:02.500 --> 00:04.000\n<v Ben>Why?</v>\n<v Anna>Because.</v>\n\n"
                    "00:04.500 --> 00:06.000\n{\\an8}<b>Top</b> & line\n", encoding="utf-8")
    document = read_document(path).document
    assert document[0].speaker == "Anna"
    stack = QUndoStack()
    model = CueTableModel(document, lambda c: push_command(stack, c))
    text = [model.data(model.index(r, Column.TEXT), DISPLAY) for r in range(3)]
    assert text == ["Anna: I said no.", "Ben: Why? | Anna: Because.", "Top & line"]
    html = model.data(model.index(0, Column.TEXT), HTML_ROLE)
    assert "<i>no</i>" in html and "Anna:</b>" in html and "&lt;" not in html
    assert "&amp; line" in model.data(model.index(2, Column.TEXT), HTML_ROLE)
    assert model.data(model.index(0, Column.TEXT), EDIT) == "I said <i>no</i>.", "the editor gets the source"
    view = CueTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(600, 200)
    view.show()
    qtbot.waitExposed(view)
    assert not view.grab().isNull()  # the rich-text delegate paints every row
