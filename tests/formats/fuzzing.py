"""Input generators for fuzzing the subtitle parsers, shared by the tests and benchmarks/fuzz_parsers.py."""

from __future__ import annotations

import codecs
import time
from functools import partial

from hypothesis import strategies as st

from subtitler.core.cue import Cue, Word
from subtitler.core.document import Document
from subtitler.errors import FormatError
from subtitler.formats import ass, project, srt, txt, vtt
from subtitler.formats.registry import write_text

# The parsers themselves, called as the registry calls them but without its exception wrapping.
PARSERS = {
    "srt": srt.parse,
    "vtt": vtt.parse,
    "ass": partial(ass.parse, dialect="ass"),
    "ssa": partial(ass.parse, dialect="ssa"),
    "txt": txt.parse,
    "project": project.parse,
}
SLOW_S = 2.0  # CPU seconds (not wall time: a busy shared machine stalls a process); a parser stuck in a loop takes far longer


def _valid(name: str) -> bytes:
    words = (Word("Hello", 1000, 1400, 0.9), Word("you", 1500, 1900))
    cues = [Cue(1000, 2000, "Hello you\n<i>two</i>", words, speaker="Ann", extras=(("vtt.align", "start"),)),
            Cue(2500, 4000, "Zweite Zeile €", style="Default")]
    document = Document(cues_list=cues, metadata={"vtt.blocks": [[1, "NOTE hi"]]})
    return write_text(document, name).encode("utf-8")


VALID = {name: _valid(name) for name in PARSERS}


def parse_directly(name: str, text: str) -> None:
    """Parse; a document or FormatError (with a message) is fine, anything else propagates and fails."""
    began = time.process_time()
    try:
        PARSERS[name](text, "fuzz")
    except FormatError as exc:
        assert str(exc), "a FormatError must say what is wrong"
    used = time.process_time() - began
    assert used < SLOW_S, f"{name} took {used:.1f} s of CPU"


@st.composite
def mutated(draw, name: str) -> bytes:
    """A valid file with a few slices deleted, duplicated, or replaced by random bytes."""
    data = bytearray(VALID[name])
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(data)))
        end = draw(st.integers(start, min(len(data), start + 40)))
        action = draw(st.sampled_from(["delete", "duplicate", "replace", "insert"]))
        if action == "delete":
            del data[start:end]
        elif action == "duplicate":
            data[start:start] = data[start:end]
        else:
            data[start:end if action == "replace" else start] = draw(st.binary(max_size=12))
    return bytes(data)


PIECES = ["-->", " --> ", "00:00:01,000 --> 00:00:02,000", "00:01.000 --> 00:02.000", "\n", "\n\n", "\r\n", "\r",
          "\n \n", "\ufeff", "1", "<i>", "</i>", "{\\i1}", "{\\an8}", "<v Smith, John>", "&amp;", "NOTE", "STYLE",
          "Dialogue: 0,0:00:00.00,0:00:01.00,Default,,0,0,0,,x", "[Events]", '"cues": [', "\x00", "\u2028"]


@st.composite
def tricky_files(draw, name: str) -> str:
    """Valid file text with arrows, blank lines, BOMs and tags spliced in at random places."""
    text = VALID[name].decode("utf-8")
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(PIECES)) + text[at:]
    return text


ENCODINGS = ["utf-16-le", "utf-16-be", "utf-32", "cp1252", "cp1251", "cp1250", "shift_jis", "gb18030", "koi8-r",
             "latin-1", "utf-8-sig", "mac-roman"]


@st.composite
def encoded_files(draw, name: str) -> bytes:
    """A file written in another encoding, with or without its BOM, sometimes with stray bytes."""
    text = VALID[name].decode("utf-8").replace("€", draw(st.sampled_from(["é", "Привет", "日本語", "ż", "€"])))
    encoding = draw(st.sampled_from(ENCODINGS))
    data = text.encode(encoding, errors="replace")
    if draw(st.booleans()) and encoding.startswith("utf-16"):
        data = (codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE) + data
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=3)) + data[at:]
    return data
