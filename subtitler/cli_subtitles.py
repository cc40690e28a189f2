"""Subcommands registered by the subtitles area (filled in by its module owner)."""

import argparse


def register(sub: "argparse._SubParsersAction") -> None:
    """Add this area's subcommands to the `subtitler` parser."""
