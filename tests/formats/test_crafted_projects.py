"""Crafted `.subtitler.json` files: every writer either refuses with FormatError or writes a file that
reads back with the same cues (no crash, and no cue injected through a line break in a name or setting)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from subtitler.errors import FormatError
from subtitler.formats import project
from subtitler.formats.registry import read_text, render_text

FORMATS = ("srt", "vtt", "ass", "ssa", "txt")
NASTY = st.sampled_from(["", " ", "\n", "\r", "\n\n", ",", "a, b", "-->", "00:00:01.000 --> 00:00:02.000",
                         "\nDialogue: 0,0:00:00.00,0:00:01.00,Default,,0,0,0,,INJECTED", "\n\n00:05.000 --> 00:06.000\nINJECTED",
                         "x", "{\\i1}", "<v A, B>", "NOTE x", "STYLE", "[Events]", "1e999", "-5", "abc", "\x00"])
VALUES = NASTY | st.text(max_size=12) | st.integers(-10**12, 10**12).map(str)
JSON_ANY = st.recursive(st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=False) | VALUES,
                        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(VALUES, inner, max_size=3), max_leaves=8)
EXTRA_KEYS = st.sampled_from(["vtt.id", "vtt.line", "vtt.align", "vtt.position", "vtt.size", "vtt.region", "vtt.voice_class",
                              "vtt.karaoke", "vtt.bad key", "vtt.", "srt.position", "ass.layer", "ass.marginl",
                              "ass.marginr", "ass.marginv", "ass.effect"])
META_KEYS = st.sampled_from(["vtt.header", "vtt.blocks", "ass.info", "ass.styles", "ass.comments"])
TIMES = st.integers(0, 30_000_000)


def cue_json():
    return st.fixed_dictionaries({
        "start_ms": TIMES, "end_ms": TIMES, "text": VALUES | st.text(max_size=30),
    }, optional={
        "speaker": st.none() | VALUES, "style": st.none() | VALUES,
        "extras": st.lists(st.tuples(EXTRA_KEYS, VALUES).map(list), max_size=4),
    })


def project_json():
    return st.fixed_dictionaries({
        "format": st.just("subtitler-project"), "version": st.just(1),
        "cues": st.lists(cue_json(), max_size=4),
        "metadata": st.dictionaries(META_KEYS, JSON_ANY | st.lists(st.tuples(st.integers(-2, 5) | VALUES, VALUES).map(list)),
                                    max_size=3),
    })


@pytest.mark.parametrize("name", FORMATS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=project_json())
def test_crafted_project_never_crashes_a_writer_nor_injects_cues(name, data):
    document = project.parse(json.dumps(data), "crafted.subtitler.json").document
    try:
        text, _warnings = render_text(document, name)
    except FormatError as exc:
        assert str(exc)
        return
    back = read_text(text, name).document
    if name == "txt":  # plain text: one paragraph per cue that has words left
        assert len(back) <= len(document)
        return
    assert len(back) == len(document), text
    slack = 5 if name in ("ass", "ssa") else 0  # ASS times are centiseconds
    assert all(abs(a.start_ms - b.start_ms) <= slack for a, b in zip(back, document))


def test_the_six_crashes_found_by_hand():
    """The crafted files that crashed the ASS and WebVTT writers, one per field."""
    cases = [
        ({"extras": [["ass.layer", "abc"]]}, {}),
        ({}, {"ass.comments": [{"before_cue": "x", "start": 0, "end": 10, "text": "c"}]}),
        ({}, {"ass.comments": [{"before_cue": 0, "start": "soon", "bogus": 1}]}),
        ({}, {"ass.styles": {"Default": {"fontsize": float("nan")}}}),
        ({}, {"vtt.blocks": [["first", "NOTE x"]]}),
        ({"extras": [["vtt.line", "0\n\n00:09.000 --> 00:10.000\nINJECTED"]]}, {}),
    ]
    for cue_fields, metadata in cases:
        cue = {"start_ms": 0, "end_ms": 1000, "text": "hi", **cue_fields}
        text = json.dumps({"format": "subtitler-project", "version": 1, "cues": [cue], "metadata": metadata})
        document = project.parse(text).document
        for name in FORMATS:
            written, _ = render_text(document, name)
            assert len(read_text(written, name).document) == 1, (cue_fields, metadata, name, written)
