"""`subtitler` command line: no arguments opens the GUI; subcommands use the core only.

Each area registers its subcommands from its own module so the shells stay thin.
Wrong input exits with status 2 and one line; `--debug` shows the traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Callable, Sequence

from subtitler import __version__, cli_desktop
from subtitler.errors import Cancelled, UserError

# Modules exposing register(subparsers) -> None; each subparser sets `func(args) -> int`.
COMMAND_MODULES = (
    "subtitler.cli_asr", "subtitler.cli_align", "subtitler.cli_subtitles", "subtitler.cli_check", "subtitler.cli_serve",
    "subtitler.cli_speakers", "subtitler.cli_live",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line and status 2, as argparse does, without the usage block
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="subtitler", description="Subtitle editor with Whisper speech recognition.")
    parser.add_argument("--version", action="version", version=f"subtitler {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    cli_desktop.add_arguments(parser)
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def _open_gui(paths: Sequence[str], commands: set[str]) -> int:
    """The editor; a word that is neither a command nor a file is a typo, not a file to open."""
    for path in paths:
        if not _exists(path):
            print(f"subtitler: error: {path}: no such command or file; commands are "
                  f"{', '.join(sorted(commands))} (see 'subtitler --help')", file=sys.stderr)
            return 2
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM")
    ):
        print("subtitler: error: no display to open the editor on (DISPLAY is not set); "
              "run it in a desktop session, or use 'subtitler transcribe FILE' on a headless machine", file=sys.stderr)
        return 2
    from subtitler.gui.app import main as gui_main

    return gui_main(list(paths))


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    parser = build_parser()
    commands = _command_names(parser)
    words = [a for a in argv if a != "--debug"]
    if not words or (words[0] not in commands and not words[0].startswith("-")):
        return _open_gui(words, commands)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors: argparse already printed its line
        return int(exc.code or 0)
    func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    try:
        if func is None:  # no subcommand: an action flag, or nothing to do
            status = cli_desktop.run(args)
            if status is None:
                parser.print_help()
            return 2 if status is None else status
        return int(func(args) or 0)
    except UserError as exc:
        if debug:
            raise
        print(f"subtitler: error: {exc}", file=sys.stderr)
        return 2
    except Cancelled:
        print("subtitler: cancelled", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("subtitler: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The program reading our output went away (`subtitler transcribe x | head -1`): stop the work,
        # and keep Python from failing again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        print("subtitler: stopped: the program reading the output closed it", file=sys.stderr)
        return 2


def _exists(path: str) -> bool:
    try:
        return Path(path).exists()
    except OSError:  # a name too long for the file system, say: not a file that can be opened
        return False


def _command_names(parser: argparse.ArgumentParser) -> set[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


if __name__ == "__main__":
    sys.exit(main())
