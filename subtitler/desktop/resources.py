"""Where the app's own files (icons, desktop entry, metainfo) are, in a checkout or in a PyInstaller bundle.

They live in the repository's `resources/` folder, which the spec copies to `resources/` inside the
bundle (beside the `subtitler` package in both cases), so one rule finds them in either layout.
"""

from __future__ import annotations

import sys
from pathlib import Path

from subtitler.errors import UserError

APP_ID = "org.subtitler.Subtitler"  # desktop file id, icon name, AppStream id (reverse DNS as freedesktop asks)


def is_frozen() -> bool:
    """True inside a PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False))


def resources_dir() -> Path:
    """The folder holding icons/, the .desktop entry and the metainfo file."""
    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parents[2]))
    folder = base / "resources"
    if not (folder / f"{APP_ID}.desktop").is_file():
        raise UserError(f"{folder}: the desktop files are missing from this installation; "
                        "install Subtitler from a source checkout (pip install -e .) or use the bundled app")
    return folder


def icon_path() -> Path | None:
    """The scalable icon, or None when the resources are not installed (a wheel without them)."""
    try:
        return resources_dir() / "icons" / "subtitler.svg"
    except UserError:
        return None
