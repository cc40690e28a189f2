"""Errors a user can act on. Their message names the file and what to do.

The CLI prints the message on one line and exits with status 2; the GUI shows it
in a dialog. Anything that is not a UserError is a bug and keeps its traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """Wrong input or environment: one clear line for the user."""


class MediaError(UserError):
    """A media file could not be probed or decoded (missing, not media, no audio, corrupt, no ffmpeg)."""


class ModelError(UserError):
    """A model could not be found, downloaded or loaded."""


class FormatError(UserError):
    """A subtitle or project file could not be read or written."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class Cancelled(Exception):
    """A long job stopped because the caller asked it to; not an error."""
