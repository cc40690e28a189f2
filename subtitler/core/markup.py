"""Formatting tags inside cue text: SRT's <i>/<b>/<u> and ASS override blocks such as {\\an8} (Qt-free: search and spelling use them too)."""

from __future__ import annotations

import re

TAG = re.compile(r"</?[ibu]>|\{\\[^}]*\}", re.IGNORECASE)


def strip_tags(text: str) -> str:
    """The text a viewer reads (labels, search)."""
    return TAG.sub("", text)


def masked(text: str) -> str:
    """The text with tags blanked out (same length), so positions still match the original."""
    return TAG.sub(lambda m: "\0" * len(m.group()), text)
