"""`subtitler convert IN OUT`: subtitle and project files from one format to another, core only."""

from __future__ import annotations

import argparse
import sys

NEWLINES = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}


def register(sub: "argparse._SubParsersAction") -> None:
    """Add `convert` to the `subtitler` parser."""
    parser = sub.add_parser(
        "convert",
        help="convert between subtitle formats (srt, vtt, ass, ssa, txt, .subtitler.json)",
        description="Read IN (format from its extension or content) and write OUT atomically. "
                    "Formatting is translated between the formats; what OUT cannot carry is reported.",
    )
    parser.add_argument("input", metavar="IN", help="subtitle or project file to read")
    parser.add_argument("output", metavar="OUT", help="file to write; its extension picks the format")
    parser.add_argument("--format", dest="out_format", metavar="F", help="output format, overriding OUT's extension")
    parser.add_argument("--encoding", dest="out_encoding", metavar="E", default="utf-8",
                        help="output encoding (default utf-8; 'same' keeps IN's encoding and byte-order mark)")
    parser.add_argument("--newline", choices=("same", *NEWLINES), default="same",
                        help="line ends of OUT (default: the same as IN)")
    parser.add_argument("--input-format", metavar="F", help="read IN as this format")
    parser.add_argument("--input-encoding", metavar="E", help="read IN in this encoding (default: detect)")
    parser.add_argument("--force", action="store_true", help="overwrite OUT even if it is IN, a media file or not a subtitle file")
    parser.set_defaults(func=run_convert)


def run_convert(args: argparse.Namespace) -> int:
    """Warnings go to stderr; a FormatError reaches the dispatcher, which prints one line and exits 2."""
    from subtitler.cli_paths import check_output
    from subtitler.formats.registry import formats, read_document, write_document

    check_output(args.output, [args.input], args.force, tuple(ext for info in formats() for ext in info.extensions))
    result = read_document(args.input, format=args.input_format, encoding=args.input_encoding)
    warn(args.input, result.warnings)
    same = args.out_encoding == "same"
    notes = write_document(result.document, args.output, format=args.out_format,
                           encoding=result.encoding if same else args.out_encoding, bom=same and result.bom,
                           newline=result.newline if args.newline == "same" else NEWLINES[args.newline])
    warn(args.output, notes)
    print(f"{args.output}: {len(result.document)} cues written")
    return 0


def warn(path: str, warnings) -> None:
    """One stderr line per warning, naming the file."""
    for warning in warnings:
        print(f"subtitler: warning: {path}: {warning}", file=sys.stderr)
