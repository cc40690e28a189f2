"""Helpers for tests that make a real decode leave something out, as Whisper sometimes does."""

from __future__ import annotations


def without_pieces_saying(tokens: tuple[int, ...], word: str, tokenizer) -> tuple[int, ...]:
    """A decode's tokens with every piece (between timestamp pairs) whose text holds ``word`` left out; a lone last
    timestamp stays."""
    stamps = [i for i, t in enumerate(tokens) if t >= tokenizer.timestamp_begin]
    pieces = [tokens[a: b + 1] for a, b in zip(stamps[::2], stamps[1::2])]
    tail = tokens[stamps[-1]:] if len(stamps) % 2 else tokens[stamps[-1] + 1:]
    kept = [p for p in pieces if word not in tokenizer.decode_text_only(list(p)).lower()]
    return tuple(t for piece in kept for t in piece) + tuple(tail)
