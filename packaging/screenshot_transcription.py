"""Takes resources/transcription.png: the real window under Xvfb while Whisper (base) transcribes a 60-s clip.

It shows the progress window (phase, language found, progress, Cancel), the cues of the
first 30 s already in the list and on the waveform, and the video. The clip is the shared
multilingual.mp3 (English, then German) under a generated test picture. Needs Xvfb and
ImageMagick's `import`. Run: .venv/bin/python packaging/screenshot_transcription.py [--display :82]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))


def make_video(folder: Path) -> Path:
    """A test picture under the 60-s multilingual clip (the shared data has no long video with speech)."""
    from subtitler.media.ffmpeg_binary import find_ffmpeg

    out = folder / "license-reading.mp4"
    subprocess.run([find_ffmpeg(), "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=640x360:r=25:d=60",
                    "-i", str(DATA / "multilingual.mp3"), "-shortest", "-c:v", "libx264", "-preset", "ultrafast",
                    "-pix_fmt", "yuv420p", "-c:a", "aac", str(out)], check=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--display", default=":82")
    parser.add_argument("--model", default="base")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="subtitler-shot-"))
    xvfb = subprocess.Popen(["Xvfb", args.display, "-screen", "0", "1280x800x24"], stderr=subprocess.DEVNULL)
    time.sleep(1.5)
    os.environ["DISPLAY"] = args.display
    os.environ.pop("QT_QPA_PLATFORM", None)
    try:
        shoot(work, args.model, args.display)
    finally:
        xvfb.terminate()


def shoot(work: Path, model: str, display: str) -> None:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from subtitler.asr.transcribe import TranscribeOptions
    from subtitler.gui.main_window import MainWindow
    from subtitler.gui.settings import open_settings
    from subtitler.gui.transcription import dialog
    from subtitler.gui.transcription.choice import TranscribeChoice

    def pump(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    video = make_video(work)
    app = QApplication(sys.argv)
    window = MainWindow(open_settings(work / "settings.ini"), work / "autosave")
    window.move(0, 0)
    window.resize(1280, 800)
    window.show()
    window.files.open_media(video)
    pump(2500)
    dialog.ask_transcription = lambda *a, **k: TranscribeChoice(model, TranscribeOptions(), device="cpu")
    batches: list[int] = []
    window.transcription.cues_added.connect(batches.append)
    window.actions["transcribe"].trigger()
    progress = window.transcription_flow.progress_dialog
    progress.move(660, 430)
    while not batches and window.transcription.is_running:
        pump(100)
    window.table.select_row(len(window.document) - 1)
    window.player.seek(window.document[len(window.document) - 1].start_ms + 600)
    window.timeline.set_visible_range_s(0.0, 32.0)
    pump(1500)
    out = ROOT / "resources" / "transcription.png"
    subprocess.run(["import", "-window", "root", str(out)], env=dict(os.environ, DISPLAY=display), check=True)
    print(out)
    window.transcription.cancel()
    while window.transcription.is_running:
        pump(100)
    window.undo_stack.setClean()
    window.close()
    app.processEvents()


if __name__ == "__main__":
    main()
