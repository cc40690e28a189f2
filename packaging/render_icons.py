"""Renders resources/icons/subtitler.svg into the PNG sizes of the hicolor theme and the Windows/macOS icon files.

Run after editing the SVG: .venv/bin/python packaging/render_icons.py
Writes resources/icons/hicolor/NxN/apps/org.subtitler.Subtitler.png (what the desktop entry installs),
packaging/subtitler.ico (Windows executable icon) and packaging/subtitler.icns (macOS .app icon); the
spec picks up the last two. Uses Qt's own SVG renderer and ICO/ICNS writers, so no other tool is needed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "resources" / "icons" / "subtitler.svg"
APP_ID = "org.subtitler.Subtitler"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def render(size: int):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(SOURCE)).render(painter)
    painter.end()
    return image


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - image plugins need it
    for size in SIZES:
        out = ROOT / "resources" / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        if not render(size).save(str(out), "PNG"):
            raise SystemExit(f"could not write {out}")
    # ICO holds one picture per size; Qt's writer takes the largest it supports (256).
    if not render(256).save(str(ROOT / "packaging" / "subtitler.ico"), "ICO"):
        raise SystemExit("could not write subtitler.ico (Qt's qico image plugin missing?)")
    if not render(512).save(str(ROOT / "packaging" / "subtitler.icns"), "ICNS"):
        raise SystemExit("could not write subtitler.icns (Qt's qicns image plugin missing?)")
    print(f"rendered {len(SIZES)} PNG sizes, subtitler.ico and subtitler.icns from {SOURCE.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
