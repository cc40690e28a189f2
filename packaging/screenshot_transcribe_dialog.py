"""Takes resources/transcribe_dialog.png and resources/transcribe_dialog_advanced.png: the Transcribe dialog and
its Advanced settings, on a 1366x768 screen (the smallest common laptop screen: both must fit it).

The real app under Xvfb on a project with jfk.mp4 and no cues; Ctrl+T opens the dialog, Alt+A its advanced
part. Needs Xvfb, xdotool and ImageMagick's `import`, and an installed model (the test extra's).
Run: .venv/bin/python packaging/screenshot_transcribe_dialog.py   (SHOT_DISPLAY picks the X display, default :84)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "packaging"))


def make_empty_project(folder: Path) -> Path:
    from subtitler.core.document import Document
    from subtitler.formats.registry import write_document

    (folder / "jfk.mp4").symlink_to(DATA / "jfk.mp4")
    project = folder / "jfk.subtitler.json"
    write_document(Document(cues_list=[], media_path=str(folder / "jfk.mp4"), language="en"), project)
    return project


def xdo(env: dict[str, str], *args: str, wait: float = 0.4) -> None:
    subprocess.run(["xdotool", *args], env=env, check=False)
    time.sleep(wait)


def shoot(env: dict[str, str], name: str) -> None:
    out = ROOT / "resources" / name
    subprocess.run(["import", "-window", "root", str(out)], env=env, check=True)
    print(out)


def main() -> None:
    from screenshot import app_on_xvfb  # packaging/screenshot.py: Xvfb and the app, shared

    work = Path(tempfile.mkdtemp(prefix="subtitler-dialog-shot-"))
    (work / "config" / "Subtitler").mkdir(parents=True)
    project = make_empty_project(work)
    with app_on_xvfb(project, work, os.environ.get("SHOT_DISPLAY", ":84"), "1366x768") as env:
        time.sleep(float(os.environ.get("SHOT_WAIT", "10")))
        xdo(env, "search", "--onlyvisible", "--name", "Subtitler", "windowsize", "1366", "768")
        xdo(env, "mousemove", "680", "95", "click", "1")  # no window manager: a click gives the window the keys
        xdo(env, "key", "ctrl+t", wait=float(os.environ.get("SHOT_DIALOG_WAIT", "6")))  # imports torch the first time
        shoot(env, "transcribe_dialog.png")
        xdo(env, "key", "alt+a", wait=2.0)
        shoot(env, "transcribe_dialog_advanced.png")
        xdo(env, "key", "Escape")
        xdo(env, "key", "Escape")


if __name__ == "__main__":
    main()
