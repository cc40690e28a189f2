"""Shared fixtures: the real data folder, offscreen Qt."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    if not DATA_DIR.is_dir():
        pytest.fail(f"shared data folder not found at {DATA_DIR}: tests read ../shared/data beside the checkout")
    return DATA_DIR


@pytest.fixture(scope="session")
def manifest(data_dir: Path) -> list[dict]:
    return json.loads((data_dir / "manifest.json").read_text())


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """A banner at the end of the run when reference tests were skipped (see tests/reference.py): never a quiet hole."""
    from tests.reference import SKIP_PREFIX

    skipped = [r for r in terminalreporter.stats.get("skipped", []) if SKIP_PREFIX in str(getattr(r, "longrepr", ""))]
    if skipped:
        terminalreporter.write_sep("!", f"{len(skipped)} REFERENCE TEST(S) SKIPPED: openai-whisper is not installed; "
                                        "equality with it was NOT checked", red=True, bold=True)
