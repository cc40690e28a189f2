"""Formatting tags inside cue text: the core's helpers (subtitler.core.markup), where the timeline and overlay import them."""

from __future__ import annotations

from subtitler.core.markup import TAG, masked, strip_tags

__all__ = ["TAG", "masked", "strip_tags"]
