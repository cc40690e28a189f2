"""RTTM, the NIST "rich transcription time marked" format diarization tools exchange.

One line per turn: ``SPEAKER <file> 1 <start> <duration> <NA> <NA> <name> <NA> <NA>``. Fields are
separated by spaces, so a space inside a speaker's name is written as an underscore.
"""

from __future__ import annotations

from collections.abc import Iterable

from subtitler.asr.speakers.diarize import SpeakerTurn
from subtitler.errors import FormatError


def rttm_text(turns: Iterable[SpeakerTurn], file_id: str) -> str:
    """The turns as RTTM lines (``file_id`` without spaces: the media file's stem)."""
    file_id = "_".join(file_id.split()) or "audio"
    return "".join(f"SPEAKER {file_id} 1 {t.start:.3f} {t.end - t.start:.3f} <NA> <NA> {'_'.join(t.speaker.split())} <NA> <NA>\n"
                   for t in turns)


def parse_rttm(text: str, source: str = "<rttm>") -> list[SpeakerTurn]:
    """SPEAKER lines of an RTTM file as turns in time order (other line types are skipped)."""
    turns = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts or parts[0] != "SPEAKER":
            continue
        try:
            start, duration, name = float(parts[3]), float(parts[4]), parts[7]
        except (IndexError, ValueError):
            raise FormatError(f"{source} line {number}: expected 'SPEAKER file 1 start duration <NA> <NA> name ...'", line=number) from None
        turns.append(SpeakerTurn(start, start + duration, name))
    return sorted(turns, key=lambda t: t.start)
