"""Word highlighting on export (``transcribe --highlight-words``): the spoken word marked as it is spoken.

In the spirit of openai-whisper's ``--highlight_words``:
- SRT and WebVTT: each cue becomes a run of cues with the same text, the word being spoken
  underlined (``<u>``) during its time and the plain text in the gaps between words. Every player
  shows underline; WebVTT's own karaoke timestamps need a style sheet most players do not apply.
- ASS/SSA: one event per cue with ``{\\k}`` karaoke tags (centiseconds per word), which every ASS
  renderer animates by filling the words with the style's secondary colour.

A cue whose words no longer match its text (edited by hand) is written as it is.
"""

from __future__ import annotations

from dataclasses import replace

from subtitler.core.cue import Cue, Word
from subtitler.core.document import Document

UNDERLINE_FORMATS = ("srt", "vtt")
KARAOKE_FORMATS = ("ass", "ssa")
FORMATS = UNDERLINE_FORMATS + KARAOKE_FORMATS


def word_spans(cue: Cue) -> list[tuple[int, int]] | None:
    """(start, end) character offsets of each word's text in the cue text, in order; None when they do not match."""
    spans, cursor = [], 0
    for word in cue.words:
        text = word.text.strip()
        if not text:
            return None
        at = cue.text.find(text, cursor)
        if at < 0 or cue.text[cursor:at].strip():  # only whitespace may lie between words
            return None
        spans.append((at, at + len(text)))
        cursor = at + len(text)
    return spans if spans and not cue.text[cursor:].strip() else None


def underlined(cue: Cue) -> list[Cue]:
    """The cue as a run of cues, each word underlined while it is spoken (the cue unchanged when its words do not match)."""
    spans = word_spans(cue)
    if spans is None:
        return [cue]
    plain = replace(cue, words=())
    out: list[Cue] = []
    last = cue.start_ms
    for word, (a, b) in zip(cue.words, spans):
        start = min(max(word.start_ms, last), cue.end_ms)
        end = min(max(word.end_ms, start), cue.end_ms)
        if start > last:
            out.append(replace(plain, start_ms=last, end_ms=start))
        if end > start:
            out.append(replace(plain, start_ms=start, end_ms=end, text=f"{cue.text[:a]}<u>{cue.text[a:b]}</u>{cue.text[b:]}"))
            last = end
    if cue.end_ms > last:
        out.append(replace(plain, start_ms=last, end_ms=cue.end_ms))
    return out or [cue]


def karaoke(cue: Cue) -> Cue:
    """The cue with an ASS ``{\\kN}`` tag before each word: N centiseconds until the next word starts (the last: its own length)."""
    spans = word_spans(cue)
    if spans is None:
        return cue
    words: list[Word] = list(cue.words)
    # Cumulative times in centiseconds from the cue start, so rounding never drifts.
    marks = [max(0, round((w.start_ms - cue.start_ms) / 10)) for w in words]
    marks.append(max(marks[-1], round((min(words[-1].end_ms, cue.end_ms) - cue.start_ms) / 10)))
    for k in range(1, len(marks)):
        marks[k] = max(marks[k], marks[k - 1])
    pieces = [f"{{\\k{marks[0]}}}" if marks[0] else ""]
    cursor = 0
    for k, (a, b) in enumerate(spans):
        pieces.append(cue.text[cursor:a])
        pieces.append(f"{{\\k{marks[k + 1] - marks[k]}}}{cue.text[a:b]}")
        cursor = b
    pieces.append(cue.text[cursor:])
    return replace(cue, text="".join(pieces), words=())


def highlighted(document: Document, format_name: str) -> Document:
    """A copy of ``document`` with its words highlighted for ``format_name`` (one of FORMATS)."""
    if format_name in UNDERLINE_FORMATS:
        cues = [piece for cue in document for piece in underlined(cue)]
    elif format_name in KARAOKE_FORMATS:
        cues = [karaoke(cue) for cue in document]
    else:
        raise ValueError(f"word highlighting is for {', '.join(FORMATS)}, not {format_name}")
    return Document(cues_list=cues, media_path=document.media_path, frame_rate=document.frame_rate,
                    language=document.language, metadata=dict(document.metadata))
