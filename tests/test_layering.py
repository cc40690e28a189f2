"""The core never imports Qt: proven in a fresh interpreter."""

import subprocess
import sys

CORE_MODULES = [
    "subtitler", "subtitler.core", "subtitler.formats", "subtitler.media", "subtitler.asr", "subtitler.desktop",
]


def test_core_packages_do_not_import_qt():
    import pkgutil

    names = list(CORE_MODULES)
    for pkg in ("core", "formats", "media", "asr", "service", "desktop"):
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


def test_only_the_serve_command_imports_the_service():
    """The service is a shell like the CLI: the core, the GUI and the other commands never import it."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "subtitler"
    importers = sorted(
        str(path.relative_to(root)) for path in root.rglob("*.py")
        if "service" not in path.relative_to(root).parts
        and re.search(r"^\s*(from|import) subtitler\.service", path.read_text(encoding="utf-8"), re.M)
    )
    assert importers == ["cli_serve.py"]


def test_the_command_line_does_not_load_the_web_stack():
    code = ("import sys, subtitler.cli as c; c.build_parser(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('fastapi', 'uvicorn', 'starlette', 'torch')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"
