"""Takes resources/screenshot.png: the real window under Xvfb, playing jfk.mp4 with word-timed cues and the spectrogram on.

Needs Xvfb, xdotool and ImageMagick's `import` (Debian packages). The cues come from the word-timed
reference transcription in tests/core/fixtures, segmented by our reading rules, so the overlay's word
highlight and the low-confidence colouring show. Run: .venv/bin/python packaging/screenshot.py   (SHOT_DISPLAY picks the X display, default :77)
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))


def make_project(folder: Path) -> Path:
    from subtitler.core.cue import Word
    from subtitler.core.document import Document
    from subtitler.core.segmentation import segment
    from subtitler.formats.registry import write_document

    fixture = json.loads((ROOT / "tests/core/fixtures/jfk.words.json").read_text())
    words = [Word(w["text"], w["start_ms"], w["end_ms"], w["probability"]) for s in fixture["segments"] for w in s["words"]]
    (folder / "jfk.mp4").symlink_to(DATA / "jfk.mp4")
    document = Document(cues_list=segment(words), media_path=str(folder / "jfk.mp4"), language="en")
    project = folder / "jfk.subtitler.json"
    write_document(document, project)
    return project


@contextlib.contextmanager
def app_on_xvfb(project: Path, work: Path, display: str, size: str) -> Iterator[dict[str, str]]:
    """Xvfb on `display` and the installed app on `project`, with settings and data in `work`; yields the env.

    Shared by the screenshot scripts: each then drives the window with xdotool and takes its picture.
    """
    env = dict(os.environ, DISPLAY=display, XDG_CONFIG_HOME=str(work / "config"), XDG_DATA_HOME=str(work / "data"),
               XDG_CACHE_HOME=str(work / "cache"))
    env.pop("QT_QPA_PLATFORM", None)
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", f"{size}x24"], stderr=subprocess.DEVNULL)
    time.sleep(1.5)
    app = subprocess.Popen([str(ROOT / ".venv/bin/subtitler"), str(project)], env=env)
    try:
        yield env
    finally:
        app.terminate()
        app.wait(10)
        xvfb.terminate()


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="subtitler-shot-"))
    config = work / "config"
    (config / "Subtitler").mkdir(parents=True)
    (config / "Subtitler" / "Subtitler.ini").write_text("[view]\nspectrogram_visible=true\n")
    project = make_project(work)
    with app_on_xvfb(project, work, os.environ.get("SHOT_DISPLAY", ":77"), "1280x800") as env:
        time.sleep(float(os.environ.get("SHOT_WAIT", "8")))  # a busy machine needs longer for the spectrogram
        # No window manager on Xvfb: a click gives the window the keyboard focus (it selects the second cue).
        subprocess.run(["xdotool", "mousemove", "900", "70", "click", "1"], env=env, check=False)
        time.sleep(0.5)
        subprocess.run(["xdotool", "key", "F5"], env=env, check=False)  # play the current cue
        time.sleep(float(os.environ.get("SHOT_DELAY", "1.6")))
        out = ROOT / "resources" / "screenshot.png"
        subprocess.run(["import", "-window", "root", str(out)], env=env, check=True)
        print(out)


if __name__ == "__main__":
    main()
