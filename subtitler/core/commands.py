"""Every document mutation as an undoable command (the edit-command protocol).

A command has `text` (shown by Undo), `merge_id` (-1 never merges), `redo()`,
`undo()` and `merge_with(other)`. It is built with the document and arguments,
raises ValueError for bad arguments before changing anything, and does nothing
until `redo()`. `History` (subtitler.core.history) and the GUI's QUndoStack
adapter drive the same objects.
"""

from subtitler.core.commands_base import NO_MERGE, Command, Composite, ReplaceAllCues, ReplaceRows
from subtitler.core.commands_speakers import RenameSpeaker, SetSpeaker, SetSpeakerColour
from subtitler.core.commands_text import DeleteCues, InsertCue, MergeCues, ReplaceTexts, SetStyle, SetText, SplitCue
from subtitler.core.commands_time import (
    ApplyFixes,
    ChangeSpeed,
    MoveCues,
    SetTimes,
    ShiftTimes,
    SnapToWords,
    TwoPointSync,
)
from subtitler.core.commands_words import SetWords

__all__ = [
    "NO_MERGE", "Command", "Composite", "ReplaceAllCues", "ReplaceRows",
    "SetText", "ReplaceTexts", "SetStyle", "InsertCue", "DeleteCues", "SplitCue", "MergeCues",
    "SetSpeaker", "RenameSpeaker", "SetSpeakerColour",
    "SetTimes", "MoveCues", "ShiftTimes", "ChangeSpeed", "TwoPointSync", "SnapToWords", "ApplyFixes", "SetWords",
]
