"""`subtitler --install-desktop-entry`: the app menu entry, icons, metainfo and file associations for one user.

Follows the freedesktop specifications: files go under $XDG_DATA_HOME (~/.local/share) and the
associations into $XDG_CONFIG_HOME/mimeapps.list. Subtitler is offered for every video, audio and
subtitle type in the entry's MimeType line ("Open with"), and becomes the default only for subtitle
and project files that have no default yet (a video keeps opening in the user's player). The caches
are refreshed with update-desktop-database, update-mime-database and gtk-update-icon-cache when
those tools exist; without them desktops rescan at the next login.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from subtitler.desktop import mimeapps
from subtitler.desktop.resources import APP_ID, is_frozen, resources_dir
from subtitler.errors import UserError

DESKTOP_ID = f"{APP_ID}.desktop"
GUI_EXECUTABLE = "subtitler-gui"
# Types whose default application becomes Subtitler when the user has none (it is their editor).
DEFAULT_FOR = ("application/x-subrip", "text/vtt", "text/x-ssa", "application/x-subtitler-project")
# Characters that make an Exec argument need quoting (Desktop Entry spec, "The Exec key").
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


@dataclass(frozen=True)
class XdgDirs:
    data_home: Path
    config_home: Path

    @classmethod
    def from_environment(cls) -> "XdgDirs":
        home = Path.home()
        data = os.environ.get("XDG_DATA_HOME") or str(home / ".local" / "share")
        config = os.environ.get("XDG_CONFIG_HOME") or str(home / ".config")
        return cls(Path(data), Path(config))

    @property
    def applications(self) -> Path:
        return self.data_home / "applications"

    @property
    def hicolor(self) -> Path:
        return self.data_home / "icons" / "hicolor"

    @property
    def mime(self) -> Path:
        return self.data_home / "mime"

    @property
    def mimeapps_list(self) -> Path:
        return self.config_home / "mimeapps.list"


@dataclass(frozen=True)
class InstallReport:
    """What an install or uninstall did, for the CLI to print."""

    files: tuple[Path, ...]
    refreshed: tuple[str, ...]  # cache tools that ran
    missing_tools: tuple[str, ...]
    exec_line: str = ""


def launch_command() -> list[str]:
    """How the desktop starts the editor: the bundle's windowed executable, the venv's script, or python -m."""
    here = Path(sys.executable).absolute().parent  # not resolve(): a venv's python links outside the venv
    suffix = ".exe" if sys.platform == "win32" else ""
    gui = here / f"{GUI_EXECUTABLE}{suffix}"
    if gui.is_file():
        return [str(gui)]
    if is_frozen():
        return [str(Path(sys.executable).resolve())]
    return [str(Path(sys.executable).absolute()), "-m", "subtitler"]


def quote_exec_argument(arg: str) -> str:
    """One Exec argument: double-quoted with \\ " ` $ escaped when it holds a reserved character; % doubled."""
    arg = arg.replace("%", "%%")
    if any(ch in _RESERVED for ch in arg):
        arg = '"' + "".join("\\" + ch if ch in '"`$\\' else ch for ch in arg) + '"'
    return arg.replace("\\", "\\\\")  # the keyfile's own string escaping comes on top


def desktop_entry_text(template: str, command: list[str]) -> str:
    """The resource entry with Exec and TryExec pointing at this installation's executable."""
    exec_value = " ".join(quote_exec_argument(arg) for arg in command) + " %F"
    lines = []
    for line in template.splitlines():
        if line.startswith("Exec="):
            line = f"Exec={exec_value}"
        elif line.startswith("TryExec="):
            line = "TryExec=" + command[0].replace("\\", "\\\\")  # a plain string value: only keyfile escaping
        lines.append(line)
    return "\n".join(lines) + "\n"


def mime_types(entry_text: str) -> list[str]:
    for line in entry_text.splitlines():
        if line.startswith("MimeType="):
            return [item for item in line.partition("=")[2].split(";") if item]
    return []


def _planned_files(resources: Path, dirs: XdgDirs) -> list[tuple[Path | None, Path]]:
    """(source, target) pairs; the desktop entry itself is written from a template (source None)."""
    icons = resources / "icons"
    pairs: list[tuple[Path | None, Path]] = [
        (None, dirs.applications / DESKTOP_ID),
        (icons / "subtitler.svg", dirs.hicolor / "scalable" / "apps" / f"{APP_ID}.svg"),
        (resources / f"{APP_ID}.metainfo.xml", dirs.data_home / "metainfo" / f"{APP_ID}.metainfo.xml"),
        (resources / f"{APP_ID}.mime.xml", dirs.mime / "packages" / f"{APP_ID}.xml"),
    ]
    for png in sorted((icons / "hicolor").glob(f"*/apps/{APP_ID}.png")):
        pairs.append((png, dirs.hicolor / png.relative_to(icons / "hicolor")))
    return pairs


def _require_freedesktop() -> None:
    if sys.platform == "win32" or sys.platform == "darwin":
        raise UserError("desktop entries are a Linux (freedesktop) feature; on Windows and macOS use the "
                        "bundled app's shortcut or Subtitler.app (see packaging/README.md)")


def install(dirs: XdgDirs | None = None, command: list[str] | None = None) -> InstallReport:
    """Install the entry, icons, metainfo and MIME type for this user and register the associations."""
    _require_freedesktop()
    dirs = dirs or XdgDirs.from_environment()
    resources = resources_dir()
    command = command or launch_command()
    entry = desktop_entry_text((resources / DESKTOP_ID).read_text(encoding="utf-8"), command)
    written = []
    try:
        for source, target in _planned_files(resources, dirs):
            target.parent.mkdir(parents=True, exist_ok=True)
            if source is None:
                target.write_text(entry, encoding="utf-8")
            else:
                shutil.copyfile(source, target)
            written.append(target)
        mimeapps.register(dirs.mimeapps_list, DESKTOP_ID, mime_types(entry), list(DEFAULT_FOR))
    except OSError as exc:
        raise UserError(f"{exc.filename or dirs.data_home}: could not install the desktop entry ({exc.strerror}); "
                        "check that the folder is writable") from exc
    ran, missing = refresh_caches(dirs)
    exec_line = next(line for line in entry.splitlines() if line.startswith("Exec="))
    return InstallReport(tuple(written + [dirs.mimeapps_list]), ran, missing, exec_line)


def uninstall(dirs: XdgDirs | None = None) -> InstallReport:
    """Remove what install() wrote (other applications' associations stay)."""
    _require_freedesktop()
    dirs = dirs or XdgDirs.from_environment()
    targets = [dirs.applications / DESKTOP_ID, dirs.hicolor / "scalable" / "apps" / f"{APP_ID}.svg",
               dirs.data_home / "metainfo" / f"{APP_ID}.metainfo.xml", dirs.mime / "packages" / f"{APP_ID}.xml"]
    targets += sorted(dirs.hicolor.glob(f"*/apps/{APP_ID}.png"))
    removed = []
    for target in targets:
        if target.is_file():
            target.unlink()
            removed.append(target)
    if mimeapps.unregister(dirs.mimeapps_list, DESKTOP_ID):
        removed.append(dirs.mimeapps_list)
    ran, missing = refresh_caches(dirs)
    return InstallReport(tuple(removed), ran, missing)


def refresh_caches(dirs: XdgDirs) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Run the cache tools that exist; a failing tool is reported as missing, never fatal."""
    jobs = (
        ("update-desktop-database", [str(dirs.applications)], dirs.applications),
        ("update-mime-database", [str(dirs.mime)], dirs.mime / "packages"),
        ("gtk-update-icon-cache", ["--force", "--ignore-theme-index", "--quiet", str(dirs.hicolor)], dirs.hicolor),
    )
    ran, missing = [], []
    for tool, args, needed in jobs:
        path = shutil.which(tool)
        if path is None or not needed.is_dir():
            if path is None:
                missing.append(tool)
            continue
        result = subprocess.run([path, *args], capture_output=True, text=True, timeout=120, check=False)
        (ran if result.returncode == 0 else missing).append(tool)
    return tuple(ran), tuple(missing)
