"""Times are integer milliseconds everywhere in documents and formats.

Float seconds exist only at the ASR boundary; these helpers convert and format.
"""

from __future__ import annotations

import re


def seconds_to_ms(seconds: float) -> int:
    return int(round(seconds * 1000.0))


def ms_to_seconds(ms: int) -> float:
    return ms / 1000.0


def format_timecode(ms: int, separator: str = ",", hours_always: bool = True) -> str:
    """Format as HH:MM:SS,mmm (SRT) or with '.' (VTT); negative times clamp to zero."""
    ms = max(0, int(ms))
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    if hours or hours_always:
        return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"
    return f"{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


_TIMECODE = re.compile(r"^\s*(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?\s*$")


def parse_timecode(text: str) -> int:
    """Parse [HH:]MM:SS[.,mmm]; raises ValueError naming the text when it is not a timecode."""
    match = _TIMECODE.match(text)
    if not match:
        raise ValueError(f"not a timecode: {text!r} (expected HH:MM:SS,mmm)")
    hours, minutes, seconds, frac = match.groups()
    millis = int((frac or "0").ljust(3, "0")[:3])
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + millis


def frame_ms(frame_rate: float) -> int:
    """Duration of one frame in whole milliseconds (at least 1)."""
    return max(1, int(round(1000.0 / frame_rate)))


def parse_offset(text: str) -> int:
    """A signed shift: milliseconds ('-1500', '+250') or a timecode ('-00:00:01,500'); ValueError otherwise."""
    text = text.strip()
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-").strip()
    if ":" in body:
        return sign * parse_timecode(body)
    try:
        return sign * int(round(float(body.replace(",", "."))))
    except ValueError:
        raise ValueError(f"not a shift: {text!r} (type milliseconds like -1500, or -00:00:01,500)") from None
