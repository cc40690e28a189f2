"""Speakers in the real window: label the file's speakers on a worker, the speaker column, set, rename/merge, undo."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import soundfile
from PySide6.QtCore import Qt

from subtitler.core.timecode import format_timecode
from subtitler.gui.cue_table import Column
from tests.gui.window_helpers import dialogs, window  # noqa: F401 - fixtures

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import diarization_sets as sets  # noqa: E402


@pytest.fixture
def dialogue(tmp_path: Path):
    """Two voices in turn as a WAV, and an SRT with one cue per turn (the truth's speaker kept aside)."""
    clip = sets.joined("jfk+librispeech1272")
    media = tmp_path / "dialogue.wav"
    soundfile.write(media, clip.audio, sets.RATE)
    spans = clip.text_spans
    srt = "".join(f"{k + 1}\n{format_timecode(int(s.start * 1000))} --> {format_timecode(int(s.end * 1000))}\nLine {k + 1}\n\n"
                  for k, s in enumerate(spans))
    subtitles = tmp_path / "dialogue.srt"
    subtitles.write_text(srt, encoding="utf-8")
    return subtitles, media, [s.speaker for s in spans]


@pytest.mark.slow
def test_label_rename_set_and_undo(window, dialogue, qtbot, dialogs):  # noqa: F811
    subtitles, media, truth = dialogue
    assert window.files.open_paths([subtitles, media])
    assert window.table.isColumnHidden(Column.SPEAKER)
    window.actions["label_speakers"].trigger()
    controller = window.tools.speakers
    assert controller.worker is not None
    qtbot.waitUntil(lambda: controller.worker is None, timeout=600_000)
    assert not dialogs.errors
    found = [c.speaker for c in window.document.cues]
    mapping = dict(zip(truth, found))
    assert len(set(mapping.values())) == 2 and found == [mapping[t] for t in truth]
    assert not window.table.isColumnHidden(Column.SPEAKER)
    model = window.table_model
    assert model.data(model.index(0, Column.SPEAKER)) == "Speaker 1"
    assert model.data(model.index(0, Column.SPEAKER), Qt.ItemDataRole.DecorationRole).name() == "#0072b2"  # the palette's first colour

    window.undo_stack.undo()
    assert all(c.speaker is None for c in window.document.cues)
    window.undo_stack.redo()

    window.actions["rename_speaker"].trigger()
    dialog = controller.dialog
    dialog.which.setCurrentText("Speaker 2")
    dialog.name.setCurrentText("Reader")
    dialog.accept()
    assert {c.speaker for c in window.document.cues} == {"Speaker 1", "Reader"}
    assert all(w.speaker in ("Speaker 1", "Reader") for c in window.document.cues for w in c.words)
    assert window.undo_stack.undoText().startswith("Rename speaker")

    window.table.select_row(0)
    window.actions["set_speaker"].trigger()
    controller.dialog.name.setCurrentText("Kennedy")
    controller.dialog.accept()
    assert window.document[0].speaker == "Kennedy"
    assert window.document[1].speaker == "Reader"
    assert model.setData(model.index(1, Column.SPEAKER), "Kennedy")  # typed in the cell
    assert window.document[1].speaker == "Kennedy" and not model.setData(model.index(1, Column.SPEAKER), "Kennedy")


@pytest.mark.slow
def test_labelling_without_media_says_why(window, dialogs, tmp_path):  # noqa: F811
    subtitles = tmp_path / "x.srt"
    subtitles.write_text("1\n00:00:01,000 --> 00:00:02,000\nHi\n\n", encoding="utf-8")
    assert window.files.open_paths([subtitles])
    window.actions["label_speakers"].trigger()
    assert dialogs.errors and "no media" in dialogs.errors[0][1]
    assert window.tools.speakers.worker is None


def test_timeline_regions_carry_their_speakers_colour(window, tmp_path):  # noqa: F811
    from subtitler.core.commands import SetSpeaker, SetSpeakerColour

    subtitles = tmp_path / "two.srt"
    subtitles.write_text("1\n00:00:01,000 --> 00:00:02,000\nHi\n\n2\n00:00:02,500 --> 00:00:03,500\nHello\n\n", encoding="utf-8")
    assert window.files.open_paths([subtitles])
    window.timeline.set_visible_range_s(0.0, 5.0)
    window.push(SetSpeaker(window.document, [0], "Ana"))
    window.push(SetSpeaker(window.document, [1], "Ben"))
    layer = window.timeline.regions
    assert [layer.active[r].band.name() for r in (0, 1)] == ["#0072b2", "#e69f00"]
    window.push(SetSpeakerColour(window.document, "Ben", "#ff00ff"))
    assert layer.active[1].band.name() == "#ff00ff"
    window.undo_stack.undo()
    assert layer.active[1].band.name() == "#e69f00"
