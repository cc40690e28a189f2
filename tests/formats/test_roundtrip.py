"""Property tests: write then read gives back what each format can carry, and warns about the rest.

Generated texts include what used to break: blank and whitespace-only lines inside a cue, '-->' in
text (even whole timecode lines), '\\r', control and separator characters. Where the format cannot
carry something the writer normalises it and says so; each test states that normalisation
(`expected_*`) and checks the warning comes exactly when it changed the text.
What is still not generated, per format:
- all: lone surrogates (not text a file can hold).
- WebVTT: text that is itself a WebVTT tag (<v …>, <00:01.000>) reads back as markup by design (test_vtt).
- ASS/SSA: backslashes (\\N, \\h are ASS codes, ASS has no escape for them); times round to 10 ms; SSA has no layer.
- TXT: text only (times are re-estimated).
- Project: carries everything.
"""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from subtitler.core.cue import Cue, Word
from subtitler.core.document import Document
from subtitler.formats.markup import translate
from subtitler.formats.registry import read_text, render_text, write_text
from subtitler.formats.srt import TIMING
from subtitler.formats.vtt import _TAG

CHARS = st.characters(blacklist_categories=("Cs",))
TRICKY_LINES = st.sampled_from(["", "   ", "\t", "a --> b", "-->", "00:00:01,000 --> 00:00:02,000", "12", "\r",
                                "x\r\ny", "NOTE", "WEBVTT"])
TIMES = st.integers(0, 36_000_000)
DURATIONS = st.integers(0, 60_000)
NAMES = st.sampled_from(["Ann", "Bob Smith", "Zoë"])
SETTINGS = dict(max_examples=100, deadline=None)


def line(exclude: str = "") -> st.SearchStrategy[str]:
    return st.text(CHARS, min_size=1, max_size=20).filter(lambda s: not any(x in s for x in exclude.split("|") if x))


def texts(exclude: str = "", max_lines: int = 3) -> st.SearchStrategy[str]:
    lines = line(exclude) | TRICKY_LINES.filter(lambda s: not any(x in s for x in exclude.split("|") if x))
    return st.lists(lines, max_size=max_lines).map("\n".join)


def single_lines(text: str) -> list[str]:
    """What every text format does with line ends: '\\r\\n' and '\\r' are line ends too."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def without_blank(lines: list[str]) -> list[str]:
    return [line for line in lines if line.strip()]


def warned(document: Document, name: str, fragment: str) -> bool:
    return any(fragment in str(w) for w in render_text(document, name)[1])


def timed(text_strategy, step: int = 1, **fields) -> st.SearchStrategy[Cue]:
    return st.builds(lambda start, length, text, **rest: Cue(start * step, (start + length) * step, text, **rest),
                     TIMES.map(lambda t: t // step), DURATIONS.map(lambda d: d // step), text_strategy, **fields)


def documents(cue_strategy) -> st.SearchStrategy[Document]:
    return st.lists(cue_strategy, max_size=6).map(lambda cues: Document(cues_list=cues))


def round_trip(document: Document, name: str) -> Document:
    return read_text(write_text(document, name), name).document


def expected_srt(text: str) -> str:
    """Blank lines dropped (a blank line ends a cue), spaces at line ends dropped, a timecode-like text line's arrow broken."""
    lines = without_blank([line.rstrip() for line in single_lines(text)])
    return "\n".join(line.replace("-->", "->") if TIMING.match(line) else line for line in lines)


@settings(**SETTINGS)
@given(documents(timed(texts())))
def test_srt(document):
    back = round_trip(document, "srt")
    assert [c.text for c in back] == [expected_srt(c.text) for c in document]
    assert [(c.start_ms, c.end_ms) for c in back] == [(c.start_ms, c.end_ms) for c in document]
    blank = any(len(without_blank(single_lines(c.text))) != len(single_lines(c.text)) and c.text.strip() for c in document)
    assert warned(document, "srt", "blank lines") == blank


VTT_SETTINGS = st.dictionaries(st.sampled_from(["vtt.align", "vtt.line", "vtt.position", "vtt.size"]),
                               st.sampled_from(["start", "0", "10%", "50%"]), max_size=3)
VTT_IDS = st.none() | line() | TRICKY_LINES


def vtt_cue(start, length, text, speaker, identifier, settings):
    extras = dict(settings)
    if identifier:
        extras["vtt.id"] = identifier
    return Cue(start, start + length, text, speaker=speaker, extras=tuple(sorted(extras.items())))


def expected_vtt(cue: Cue) -> Cue:
    """Blank lines dropped; an identifier on one line, and none if it is empty or holds '-->' (it would read as a timing)."""
    text = "\n".join(without_blank(single_lines(cue.text)))
    extras = dict(cue.extras)
    identifier = " ".join(single_lines(extras.pop("vtt.id", ""))).strip()
    if identifier and "-->" not in identifier:
        extras["vtt.id"] = identifier
    return Cue(cue.start_ms, cue.end_ms, text, speaker=cue.speaker, extras=tuple(sorted(extras.items())))


@settings(**SETTINGS)
@given(documents(st.builds(vtt_cue, TIMES, DURATIONS, texts().filter(lambda t: not _TAG.search(t)),
                           st.none() | NAMES, VTT_IDS, VTT_SETTINGS)))
def test_vtt(document):
    assert round_trip(document, "vtt").cues == tuple(expected_vtt(c) for c in document)
    blank = any(len(without_blank(single_lines(c.text))) != len(single_lines(c.text)) and c.text.strip() for c in document)
    assert warned(document, "vtt", "blank lines") == blank


def ass_cue(start, length, text, speaker, style, layer):
    extras = (("ass.layer", str(layer)),) if layer else ()
    return Cue(start * 10, (start + length) * 10, text, speaker=speaker, style=style, extras=extras)


ASS_TEXT = st.lists(st.text(CHARS, max_size=20).filter(lambda s: "\\" not in s and "\r" not in s) | TRICKY_LINES,
                    max_size=3).map("\n".join)
ASS_NAMES = NAMES | st.sampled_from(["Smith, John", "a\nb", "Top,Left"])


def expected_ass(cue: Cue) -> Cue:
    """ASS carries blank lines (\\N\\N) but not spaces at the end of an event (the line is stripped);
    fields are comma-separated, so commas in names become full-width ones."""
    def name(value):
        return None if value is None else " ".join(value.replace("\r", "\n").split("\n")).strip().replace(",", "\uff0c")

    text = cue.text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\N").rstrip().replace("\\N", "\n")
    return Cue(cue.start_ms, cue.end_ms, text, speaker=name(cue.speaker), style=name(cue.style), extras=cue.extras)


@settings(**SETTINGS)
@given(documents(st.builds(ass_cue, st.integers(0, 3_500_000), DURATIONS.map(lambda d: d // 10), ASS_TEXT,
                           st.none() | ASS_NAMES, st.sampled_from(["Default", "Top", "Side, left"]), st.integers(0, 3))))
def test_ass(document):
    assert round_trip(document, "ass").cues == tuple(expected_ass(c) for c in document)


@settings(**SETTINGS)
@given(documents(st.builds(ass_cue, st.integers(0, 3_500_000), DURATIONS.map(lambda d: d // 10), ASS_TEXT,
                           st.none() | ASS_NAMES, st.sampled_from(["Default", "Top"]), st.just(0))))
def test_ssa(document):
    assert round_trip(document, "ssa").cues == tuple(expected_ass(c) for c in document)


@settings(**SETTINGS)
@given(st.lists(texts(max_lines=3), max_size=6))
def test_txt_keeps_text(paragraphs):
    """Plain text keeps every cue's words and drops its formatting: a cue that was only tags ("<FONT>",
    found by this test in CI) has no text to keep."""
    document = Document(cues_list=[Cue(0, 1000, text) for text in paragraphs])
    plain = [translate(p, "txt").text for p in paragraphs]
    expected = ["\n".join(line.rstrip() for line in without_blank(single_lines(p))) for p in plain]
    assert [c.text for c in round_trip(document, "txt")] == [p for p in expected if p]


def test_txt_writes_the_words_without_their_formatting():
    document = Document(cues_list=[Cue(0, 1000, "<i>Hello</i> <font color=red>there</font>"), Cue(1000, 2000, "<FONT>"),
                                   Cue(2000, 3000, "{\\an8}Top <3 and 1 < 2")])
    assert [c.text for c in round_trip(document, "txt")] == ["Hello there", "Top <3 and 1 < 2"]


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
