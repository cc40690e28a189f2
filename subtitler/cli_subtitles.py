"""`subtitler convert IN OUT`: subtitle and project files from one format to another, core only."""

from __future__ import annotations

import argparse
import sys


def register(sub: "argparse._SubParsersAction") -> None:
    """Add `convert` to the `subtitler` parser."""
    parser = sub.add_parser(
        "convert",
        help="convert between subtitle formats (srt, vtt, ass, ssa, txt, .subtitler.json)",
        description="Read IN (format from its extension or content) and write OUT atomically.",
    )
    parser.add_argument("input", metavar="IN", help="subtitle or project file to read")
    parser.add_argument("output", metavar="OUT", help="file to write; its extension picks the format")
    parser.add_argument("--format", dest="out_format", metavar="F", help="output format, overriding OUT's extension")
    parser.add_argument("--encoding", dest="out_encoding", metavar="E", default="utf-8", help="output encoding (default utf-8)")
    parser.add_argument("--input-format", metavar="F", help="read IN as this format")
    parser.add_argument("--input-encoding", metavar="E", help="read IN in this encoding (default: detect)")
    parser.set_defaults(func=run_convert)


def run_convert(args: argparse.Namespace) -> int:
    """Warnings go to stderr; a FormatError reaches the dispatcher, which prints one line and exits 2."""
    from subtitler.formats.registry import read_document, write_document

    result = read_document(args.input, format=args.input_format, encoding=args.input_encoding)
    for warning in result.warnings:
        print(f"subtitler: warning: {args.input}: {warning}", file=sys.stderr)
    write_document(result.document, args.output, format=args.out_format, encoding=args.out_encoding)
    print(f"{args.output}: {len(result.document)} cues written")
    return 0
