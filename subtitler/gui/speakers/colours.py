"""Each speaker's colour: the one the user chose (document metadata), else one from a fixed palette by order of appearance."""

from __future__ import annotations

from collections.abc import Sequence

from subtitler.core.commands_speakers import SPEAKER_COLOURS
from subtitler.core.document import Document

# Distinct on white and on the dark timeline (Okabe-Ito, readable with common colour blindness).
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#999999")


def speaker_colour(document: Document, speaker: str, names: Sequence[str]) -> str:
    """"#rrggbb" for ``speaker`` in ``document``; ``names``: the document's speakers in order of appearance."""
    chosen = document.metadata.get(SPEAKER_COLOURS) or {}
    if isinstance(chosen, dict) and speaker in chosen:
        return str(chosen[speaker])
    index = names.index(speaker) if speaker in names else len(names)
    return PALETTE[index % len(PALETTE)]
