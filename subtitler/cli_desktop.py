"""`subtitler --install-desktop-entry` / `--uninstall-desktop-entry`: the app in the desktop's menu and "Open with"."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--install-desktop-entry", action="store_true",
                       help="add Subtitler to this user's applications menu and 'Open with' for video, audio and "
                            "subtitle files (Linux; XDG data and config folders)")
    group.add_argument("--uninstall-desktop-entry", action="store_true",
                       help="remove what --install-desktop-entry added")


def run(args: argparse.Namespace) -> int | None:
    """Handle the flags; None when neither was given."""
    if not (args.install_desktop_entry or args.uninstall_desktop_entry):
        return None
    from subtitler.desktop import xdg_entry

    if args.install_desktop_entry:
        report = xdg_entry.install()
        print(f"installed {xdg_entry.DESKTOP_ID} ({report.exec_line})")
    else:
        report = xdg_entry.uninstall()
        print(f"removed {len(report.files)} file(s) of {xdg_entry.DESKTOP_ID}" if report.files
              else "nothing to remove: the desktop entry was not installed")
    for path in report.files:
        print(f"  {path}")
    if report.refreshed:
        print(f"refreshed: {', '.join(report.refreshed)}")
    if report.missing_tools:
        print(f"not run (not installed or failed): {', '.join(report.missing_tools)}; "
              "the desktop picks the changes up at the next login")
    return 0
