"""Make ffmpeg's stderr useful in an error message.

ffmpeg ends most failures with generic lines ("Conversion failed!", "Error
opening input file X.") after the line that names the cause; the user needs
the cause.
"""

from __future__ import annotations

import re
import threading
from collections import deque
from typing import IO

_PREFIX = re.compile(r"^(?:\[[^\]]*@ 0x[0-9a-fA-F]+\]\s*)+")
_BOILERPLATE = (
    "At least one output file must be specified",
    "Conversion failed!",
    "Error opening input file ",
    "Exiting normally",
    "Press [q] to stop",
)
_LEADS = re.compile(r"^(?:Error opening input files?|Error opening input): ")


def last_meaningful_line(stderr: str) -> str:
    """The last stderr line that says something, without '[demuxer @ 0x…]' prefixes or generic leads."""
    for line in reversed(stderr.splitlines()):
        text = _LEADS.sub("", _PREFIX.sub("", line.strip()))
        if text and not text.startswith(_BOILERPLATE):
            return text
    return ""


class StderrTail:
    """Drains a pipe on a thread, keeping the last lines.

    Draining is needed because a full stderr pipe would block ffmpeg (and the
    decode with it); the tail is bounded because a damaged file can make
    ffmpeg print one line per broken frame.
    """

    def __init__(self, stream: IO[bytes], max_lines: int = 200) -> None:
        self._lines: deque[str] = deque(maxlen=max_lines)
        self._thread = threading.Thread(target=self._drain, args=(stream,), daemon=True)
        self._thread.start()

    def _drain(self, stream: IO[bytes]) -> None:
        for raw in stream:
            self._lines.append(raw.decode("utf-8", errors="replace").rstrip())
        stream.close()

    def text(self, timeout_s: float = 5.0) -> str:
        """All kept lines, after waiting for ffmpeg to close its stderr."""
        self._thread.join(timeout_s)
        return "\n".join(self._lines)
