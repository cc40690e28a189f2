"""`subtitler check FILE`: quality checks against a reading profile, core only.

Exit status: 0 when clean, 1 when there are findings, 2 when the file cannot be
read (the dispatcher turns the FormatError into one line).
"""

from __future__ import annotations

import argparse
from collections import Counter

from subtitler.core.reading_rules import PROFILES


def register(sub: "argparse._SubParsersAction") -> None:
    """Add `check` to the `subtitler` parser."""
    parser = sub.add_parser(
        "check",
        help="check subtitles against reading rules (length, lines, speed, duration, gaps, overlaps)",
        description="Print one line per finding and a summary; exit 0 when clean, 1 with findings, 2 if unreadable.",
    )
    parser.add_argument("file", metavar="FILE", help="subtitle or project file to check")
    parser.add_argument("--profile", choices=sorted(PROFILES), help="reading profile (default: by the file's language, else en)")
    parser.add_argument("--min-probability", type=float, default=0.5, metavar="P",
                        help="flag recognised words below this probability (default 0.5)")
    parser.add_argument("--fix", action="store_true",
                        help="apply the proposed fixes and save them beside FILE as NAME.fixed.EXT (atomically)")
    parser.add_argument("--output", metavar="OUT", help="with --fix, write here instead")
    parser.add_argument("--in-place", action="store_true", help="with --fix, overwrite FILE itself")
    parser.set_defaults(func=run_check)


def run_check(args: argparse.Namespace) -> int:
    from subtitler.core.qc import CheckOptions, check
    from subtitler.core.reading_rules import get_profile, profile_for_language
    from subtitler.errors import UserError
    from subtitler.formats.registry import read_document

    read = read_document(args.file)
    document = read.document
    profile = get_profile(args.profile) if args.profile else profile_for_language(document.language)
    if not 0.0 <= args.min_probability <= 1.0:
        raise UserError(f"--min-probability must be between 0 and 1, not {args.min_probability}")
    options = CheckOptions(min_probability=args.min_probability)
    findings = check(document, profile, options)
    for finding in findings:
        print(f"{args.file}:{finding.row + 1}: {finding.severity}: {finding.rule}: {finding.message}")
    print(_summary(findings, len(document), profile.name))
    if args.fix and findings:
        findings = _fix(document, findings, read, _fix_target(args), profile, options)
    return 1 if findings else 0


def _fix_target(args: argparse.Namespace) -> str:
    """Beside the input unless told otherwise: 'talk.en.srt' -> 'talk.en.fixed.srt'."""
    from pathlib import Path

    from subtitler.cli_paths import check_output
    from subtitler.formats.registry import format_for_path, formats

    if args.output:
        suffixes = tuple(ext for info in formats() for ext in info.extensions)
        return str(check_output(args.output, [args.file], args.in_place, suffixes))
    if args.in_place:
        return args.file
    path = Path(args.file)
    fmt = format_for_path(path)
    ext = next((e for info in formats() if info.name == fmt for e in info.extensions), path.suffix)
    stem = path.name[: -len(ext)] if path.name.lower().endswith(ext) else path.stem
    return str(path.with_name(f"{stem}.fixed{ext}"))


def _summary(findings: list, cue_count: int, profile_name: str) -> str:
    if not findings:
        return f"{cue_count} cues, no findings (profile {profile_name})"
    by_severity = Counter(f.severity for f in findings)
    parts = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in sorted(by_severity.items()))
    rows = len({f.row for f in findings})
    return f"{len(findings)} findings in {rows} of {cue_count} cues ({parts}; profile {profile_name})"


def _fix(document, findings: list, read, path: str, profile, options) -> list:
    """Apply every proposed fix as one command, save atomically in the input's encoding and line ends, and return what is left."""
    from subtitler.cli_subtitles import warn
    from subtitler.core.commands import ApplyFixes
    from subtitler.core.qc import check, fixes_for
    from subtitler.formats.registry import format_for_path, write_document

    fixes = fixes_for(document, findings)
    ApplyFixes(document, fixes).redo()
    fmt = None if format_for_path(path) else read.format  # 'subs.fixed.sub' keeps the format IN was read as
    warn(path, write_document(document, path, fmt, encoding=read.encoding, bom=read.bom, newline=read.newline))
    left = check(document, profile, options)
    print(f"fixed {len(fixes)} cues, wrote {path}; {len(left)} findings left")
    return left
