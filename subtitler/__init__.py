"""Subtitler: a subtitle editor with Whisper speech recognition built in.

Importing the package must stay cheap: no torch, no Qt here.
"""

__version__ = "0.1.0"
