"""The word strip on the timeline: words of the cues in view, coloured by state, the spoken word lit from the clock."""

from __future__ import annotations

from subtitler.core.commands import SetText
from subtitler.core.cue import Cue, Word
from subtitler.core.document import Document
from subtitler.gui.timeline.timeline_widget import TimelineWidget
from subtitler.gui.timeline.word_marks import SPOKEN, UNALIGNED, UNSURE, WORD, word_colour

WORDS = (Word(" ask", 4560, 4800, 0.9), Word(" not", 4800, 5100, 0.3), Word(" what", 5200, 5500, 0.95))


def test_colours_say_spoken_unaligned_unsure_or_plain() -> None:
    plain, unsure = WORDS[0], WORDS[1]
    assert word_colour(plain, False, 0.5) == WORD and word_colour(unsure, False, 0.5) == UNSURE
    assert word_colour(Word(" x", 0, 1, None, True), False, 0.5) == UNALIGNED
    assert word_colour(unsure, True, 0.5) == SPOKEN


def test_strip_follows_document_view_and_clock(qtbot) -> None:
    timeline = TimelineWidget()
    qtbot.addWidget(timeline)
    timeline.resize(900, 200)
    doc = Document([Cue(1000, 3000, "before"), Cue(4560, 6000, "ask not what", WORDS)])
    timeline.set_document(doc)
    marks = timeline.word_marks
    assert marks.word_at(4560) == WORDS[0]  # a cue's first instant (a zero-width lookup found nothing)
    assert marks.word_at(5150) is None and marks.word_at(5300) == WORDS[2]
    timeline.set_visible_range_s(4.0, 7.0)
    timeline.plot.grab()
    assert marks.painted_words == 3
    marks.set_position_ms(4900)
    assert marks.spoken == WORDS[1]
    SetText(doc, 1, "ask now what").redo()  # a retyped word: still drawn, flagged, and the clock lookup follows the change
    assert doc[1].words[1].needs_alignment
    assert marks.spoken == doc[1].words[1] == Word(" now", 4800, 5200, None, True)
    timeline.set_visible_range_s(20.0, 25.0)
    timeline.plot.grab()
    assert marks.painted_words == 0
    timeline.shutdown()
