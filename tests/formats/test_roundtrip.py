"""Property tests: write then read gives back what each format can carry.

What the generated texts leave out, per format (it cannot carry it):
- all: control characters, line/paragraph separators; '\\r' (a line end).
- SRT: empty lines inside a cue, whitespace at either end of a line, '-->' (starts a cue); no speaker, style, words.
- WebVTT: empty or whitespace-only lines; text that is itself a WebVTT tag (<i>, <v …>, <00:01.000>) reads back
  as markup; words only as karaoke starts (tested in test_vtt).
- ASS/SSA: backslashes (\\N, \\h are codes); commas in speaker and style names; times round to 10 ms; SSA has no layer.
- TXT: text only (times are re-estimated), no empty lines, no trailing whitespace.
- Project: carries everything.
"""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from subtitler.core.cue import Cue, Word
from subtitler.core.document import Document
from subtitler.formats.registry import read_text, write_text
from subtitler.formats.vtt import _TAG

CHARS = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))
TIMES = st.integers(0, 36_000_000)
DURATIONS = st.integers(0, 60_000)
NAMES = st.sampled_from(["Ann", "Bob Smith", "Zoë"])
SETTINGS = dict(max_examples=100, deadline=None)


def line(exclude: str = "") -> st.SearchStrategy[str]:
    return st.text(CHARS, min_size=1, max_size=20).filter(lambda s: s == s.strip() and s and not any(x in s for x in exclude.split("|") if x))


def texts(exclude: str = "", max_lines: int = 3) -> st.SearchStrategy[str]:
    return st.lists(line(exclude), max_size=max_lines).map("\n".join)


def timed(text_strategy, step: int = 1, **fields) -> st.SearchStrategy[Cue]:
    return st.builds(lambda start, length, text, **rest: Cue(start * step, (start + length) * step, text, **rest),
                     TIMES.map(lambda t: t // step), DURATIONS.map(lambda d: d // step), text_strategy, **fields)


def documents(cue_strategy) -> st.SearchStrategy[Document]:
    return st.lists(cue_strategy, max_size=6).map(lambda cues: Document(cues_list=cues))


def round_trip(document: Document, name: str) -> Document:
    return read_text(write_text(document, name), name).document


@settings(**SETTINGS)
@given(documents(timed(texts("-->"))))
def test_srt(document):
    assert round_trip(document, "srt").cues == document.cues


VTT_SETTINGS = st.dictionaries(st.sampled_from(["vtt.align", "vtt.line", "vtt.position", "vtt.size"]),
                               st.sampled_from(["start", "0", "10%", "50%"]), max_size=3)
VTT_IDS = st.none() | line("-->").filter(lambda s: ":" not in s)


def vtt_cue(start, length, text, speaker, identifier, settings):
    extras = dict(settings)
    if identifier:
        extras["vtt.id"] = identifier
    return Cue(start, start + length, text, speaker=speaker, extras=tuple(sorted(extras.items())))


@settings(**SETTINGS)
@given(documents(st.builds(vtt_cue, TIMES, DURATIONS, texts().filter(lambda t: not _TAG.search(t)),
                           st.none() | NAMES, VTT_IDS, VTT_SETTINGS)))
def test_vtt(document):
    assert round_trip(document, "vtt").cues == document.cues


def ass_cue(start, length, text, speaker, style, layer):
    extras = (("ass.layer", str(layer)),) if layer else ()
    return Cue(start * 10, (start + length) * 10, text, speaker=speaker, style=style, extras=extras)


ASS_TEXT = st.lists(st.text(CHARS, max_size=20).filter(lambda s: "\\" not in s and s == s.strip()), max_size=3).map("\n".join)


@settings(**SETTINGS)
@given(documents(st.builds(ass_cue, st.integers(0, 3_500_000), DURATIONS.map(lambda d: d // 10), ASS_TEXT,
                           st.none() | NAMES, st.sampled_from(["Default", "Top"]), st.integers(0, 3))))
def test_ass(document):
    assert round_trip(document, "ass").cues == document.cues


@settings(**SETTINGS)
@given(documents(st.builds(ass_cue, st.integers(0, 3_500_000), DURATIONS.map(lambda d: d // 10), ASS_TEXT,
                           st.none() | NAMES, st.sampled_from(["Default", "Top"]), st.just(0))))
def test_ssa(document):
    assert round_trip(document, "ssa").cues == document.cues


@settings(**SETTINGS)
@given(st.lists(texts(max_lines=3).filter(bool), max_size=6))
def test_txt_keeps_text(paragraphs):
    document = Document(cues_list=[Cue(0, 1000, text) for text in paragraphs])
    assert [c.text for c in round_trip(document, "txt")] == paragraphs


WORDS = st.lists(st.builds(Word, st.text(max_size=8), TIMES, TIMES, st.none() | st.floats(0, 1), st.booleans()), max_size=4)
JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                           max_leaves=6)


@settings(**SETTINGS)
@given(
    st.lists(st.builds(Cue, TIMES, TIMES, st.text(max_size=30), WORDS.map(tuple), st.none() | st.text(max_size=5),
                       st.none() | st.text(max_size=5),
                       st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3).map(lambda d: tuple(sorted(d.items())))),
             max_size=5),
    st.none() | st.text(max_size=20), st.floats(1, 120), st.none() | st.sampled_from(["en", "de"]),
    st.dictionaries(st.text(max_size=5), JSON_VALUES, max_size=3),
)
def test_project_keeps_everything(cues, media_path, frame_rate, language, metadata):
    document = Document(cues_list=cues, media_path=media_path, frame_rate=frame_rate, language=language, metadata=metadata)
    assert round_trip(document, "project").snapshot() == document.snapshot()
