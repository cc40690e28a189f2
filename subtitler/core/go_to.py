"""What a user may type into "Go to": a cue number or a time, in the forms subtitlers use.

- `12` or `#12`: cue 12 (a whole number without a unit is a cue number, as in Subtitle Edit's Go to line);
- `1:02.5`, `01:02`, `00:01:02,500`: a time ([HH:]MM:SS with an optional fraction after '.' or ',');
- `62.5`, `62.5s`, `90s`: seconds (a fraction or an `s` makes it a time);
- `1550f`: a frame number; `00:01:02:12` (four fields, SMPTE): hours, minutes, seconds and frames;
both frame forms use the document's frame rate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from subtitler.core.timecode import parse_timecode

_CUE = re.compile(r"^#?\s*(\d+)$")
_SECONDS = re.compile(r"^(\d+(?:[.,]\d*)?|[.,]\d+)\s*s?$", re.I)
_FRAMES = re.compile(r"^(\d+)\s*f$", re.I)
_SMPTE = re.compile(r"^(\d+):(\d{1,2}):(\d{1,2})[:;](\d{1,2})$")


@dataclass(frozen=True)
class GoToTarget:
    """Exactly one of `row` (0-based) and `time_ms` is set."""

    row: int | None = None
    time_ms: int | None = None


def parse_go_to(text: str, frame_rate: float, cue_count: int) -> GoToTarget:
    """The target `text` names; ValueError with a message the user can act on otherwise."""
    text = text.strip()
    if not text:
        raise ValueError("type a cue number (12) or a time (1:02.5, 00:01:02,500, 1550f)")
    cue = _CUE.match(text)
    if cue and not text.lower().endswith("s"):
        number = int(cue.group(1))
        if not 1 <= number <= cue_count:
            raise ValueError(f"there is no cue {number}: the document has {cue_count} cue(s)" if cue_count else
                             "the document has no cues yet; type a time instead")
        return GoToTarget(row=number - 1)
    return GoToTarget(time_ms=_time_ms(text, frame_rate))


def _time_ms(text: str, frame_rate: float) -> int:
    frames = _FRAMES.match(text)
    if frames:
        return round(int(frames.group(1)) * 1000.0 / frame_rate)
    smpte = _SMPTE.match(text)
    if smpte:
        hours, minutes, seconds, frame = (int(g) for g in smpte.groups())
        if frame >= frame_rate:
            raise ValueError(f"{text!r}: frame {frame} does not exist at {frame_rate:g} frames a second")
        return ((hours * 60 + minutes) * 60 + seconds) * 1000 + round(frame * 1000.0 / frame_rate)
    seconds = _SECONDS.match(text)
    if seconds:
        return round(float(seconds.group(1).replace(",", ".")) * 1000)
    try:
        return parse_timecode(text)
    except ValueError:
        raise ValueError(f"{text!r} is neither a cue number nor a time (try 12, 1:02.5, 00:01:02,500 or 1550f)") from None
