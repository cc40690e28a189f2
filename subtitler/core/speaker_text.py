"""Speakers written into the text, for formats without a speaker field (SRT, plain text).

``name_labels`` starts each speaker's turn with "Name: " (the caption convention for naming an
off-screen or unclear speaker); a cue that continues the previous cue's speaker gets no label. In a
two-speaker cue the dialogue dash of each line is replaced by that line's speaker's name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from subtitler.core.cue import Cue

DASHES = "-–—"


def line_speakers(cue: Cue) -> list[str | None]:
    """Speaker of each line of ``cue``: its own speaker, or for a dialogue cue the runs of its words' speakers."""
    if cue.speaker is not None or not cue.words:
        return [cue.speaker] * len(cue.lines)
    runs: list[str | None] = []
    for word in cue.words:
        if word.speaker is not None and (not runs or runs[-1] != word.speaker):
            runs.append(word.speaker)
    return runs if len(runs) == len(cue.lines) else [runs[0] if len(runs) == 1 else None] * len(cue.lines)


def name_labels(cues: Sequence[Cue]) -> list[Cue]:
    """Cues whose text names the speaker at every change of speaker (see the module docstring)."""
    out: list[Cue] = []
    previous: str | None = None
    for cue in cues:
        speakers = line_speakers(cue)
        lines = cue.lines
        dialogue = cue.speaker is None and len(set(speakers)) > 1
        new_lines = []
        for k, (line, speaker) in enumerate(zip(lines, speakers)):
            if dialogue and speaker is not None:
                line = f"{speaker}: {line.lstrip(DASHES).lstrip()}"
            elif k == 0 and speaker is not None and speaker != previous:
                line = f"{speaker}: {line}"
            new_lines.append(line)
        previous = speakers[-1] if speakers else previous
        out.append(replace(cue, text="\n".join(new_lines)))
    return out
