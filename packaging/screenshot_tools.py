"""Takes resources/screenshot_tools.png: the real window under Xvfb with the transport bar, the QC panel and shot changes.

The video is tests/cut_clip.py's (jfk's picture, a waveform picture of its speech, the picture
again: two cuts) with jfk's word-timed reference cues; one cue starts a little after a cut, so the
QC panel lists a shot-change finding beside the reading-rule ones. Everything is done with keys
(Ctrl+F8 opens the panel, Ctrl+G goes to a time). Needs Xvfb, xdotool and ImageMagick's `import`.
Run: .venv/bin/python packaging/screenshot_tools.py   (SHOT_DISPLAY picks the X display, default :83)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

DATA = ROOT.parent / "shared" / "data"


GROUPS = ((0, 5, 300, 2260), (5, 7, 2400, 3950), (7, 14, 4120, 7900), (14, 22, 8060, 10500))  # words, start, end


def make_tools_project(folder: Path) -> Path:
    """jfk's reference words in four cues on the cut clip; their edges sit near the cuts at 4.0 and 8.04 s."""
    import json

    from subtitler.core.cue import Cue, Word
    from subtitler.core.document import Document
    from subtitler.formats.registry import write_document
    from tests.cut_clip import make_cut_clip

    fixture = json.loads((ROOT / "tests/core/fixtures/jfk.words.json").read_text())
    words = [Word(w["text"], w["start_ms"], w["end_ms"], w["probability"]) for s in fixture["segments"] for w in s["words"]]
    cues = [Cue(start, end, "".join(w.text for w in words[a:b]).strip(), tuple(words[a:b])) for a, b, start, end in GROUPS]
    video = make_cut_clip(DATA, folder)
    project = folder / "cuts.subtitler.json"
    write_document(Document(cues, media_path=str(video), language="en"), project)
    return project


def xdo(env: dict[str, str], *args: str) -> None:
    subprocess.run(["xdotool", *args], env=env, check=False)
    time.sleep(0.4)


def main() -> None:
    from screenshot import app_on_xvfb  # packaging/screenshot.py: Xvfb and the app, shared

    work = Path(tempfile.mkdtemp(prefix="subtitler-tools-shot-"))
    (work / "config" / "Subtitler").mkdir(parents=True)
    project = make_tools_project(work)
    with app_on_xvfb(project, work, os.environ.get("SHOT_DISPLAY", ":83"), "1600x900") as env:
        time.sleep(10)
        xdo(env, "search", "--onlyvisible", "--name", "Subtitler", "windowsize", "1600", "900")
        time.sleep(1.0)
        xdo(env, "mousemove", "800", "95", "click", "1")  # no window manager: a click gives the window the keys
        xdo(env, "key", "ctrl+F8")  # the QC panel
        xdo(env, "key", "ctrl+g")
        xdo(env, "type", "0:04.7")
        xdo(env, "key", "Return")
        time.sleep(1.0)
        out = ROOT / "resources" / "screenshot_tools.png"
        subprocess.run(["import", "-window", "root", str(out)], env=env, check=True)
        print(out)


if __name__ == "__main__":
    main()
