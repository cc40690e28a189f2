"""The core never imports Qt: proven in a fresh interpreter."""

import subprocess
import sys

CORE_MODULES = [
    "subtitler", "subtitler.core", "subtitler.formats", "subtitler.media", "subtitler.asr", "subtitler.desktop",
]


def test_core_packages_do_not_import_qt():
    import pkgutil

    names = list(CORE_MODULES)
    for pkg in ("core", "formats", "media", "asr", "desktop"):
        mod = __import__(f"subtitler.{pkg}", fromlist=["_"])
        names += [f"subtitler.{pkg}.{m.name}" for m in pkgutil.iter_modules(mod.__path__)]
    names.append("subtitler.cli")
    code = (
        "import sys, importlib\n"
        f"for n in {names!r}: importlib.import_module(n)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6')]\n"
        "print(','.join(bad)); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, f"Qt imported by the core: {result.stdout} {result.stderr}"


def test_importing_package_is_cheap():
    code = "import sys, subtitler; print(any(m in sys.modules for m in ('torch', 'PySide6', 'numpy')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"
