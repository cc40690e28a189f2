"""Formatting tags inside cue text: the core's markup helpers, re-exported where the timeline and overlay import them."""

from subtitler.core.markup import TAG, masked, strip_tags

__all__ = ["TAG", "masked", "strip_tags"]
