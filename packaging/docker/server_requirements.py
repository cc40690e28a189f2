"""Print the runtime requirements `subtitler serve` needs: pyproject's dependencies without the GUI and torch.

The container image installs these (torch comes first, from the CPU wheel index), so the
list is read from pyproject.toml at build time and cannot drift from it.
Usage: python packaging/docker/server_requirements.py [--torch] [pyproject.toml] > requirements.txt
(--torch prints only pyproject's torch requirement, for the CPU-index install)
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

GUI_ONLY = ("pyside6", "pyside6-essentials", "pyside6-addons", "pyqtgraph")
INSTALLED_FIRST = ("torch",)  # from the CPU index before this list, so pip never pulls a CUDA build


def server_requirements(pyproject: Path) -> list[str]:
    skip = GUI_ONLY + INSTALLED_FIRST
    return [d for d in _dependencies(pyproject) if _name(d) not in skip]


def torch_requirement(pyproject: Path) -> str:
    return next(d for d in _dependencies(pyproject) if _name(d) == "torch")


def _dependencies(pyproject: Path) -> list[str]:
    return tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")


if __name__ == "__main__":
    args = sys.argv[1:]
    only_torch = "--torch" in args
    paths = [a for a in args if a != "--torch"]
    path = Path(paths[0]) if paths else Path(__file__).resolve().parents[2] / "pyproject.toml"
    print(torch_requirement(path) if only_torch else "\n".join(server_requirements(path)))
