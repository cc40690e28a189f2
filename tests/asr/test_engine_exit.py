"""The engine's process exit: the interpreter's last collection over torch's objects is skipped."""

from __future__ import annotations

import subprocess
import sys


def test_a_process_that_imported_the_engine_exits_without_collecting_every_object() -> None:
    # The handler registered first runs last: by then the engine's handler has frozen the heap.
    script = ("import atexit, gc\n"
              "atexit.register(lambda: print('frozen at exit:', gc.get_freeze_count() > 10000))\n"
              "import subtitler.asr.engine\n"
              "print('frozen before exit:', gc.get_freeze_count() > 0)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True).stdout
    assert out.split("\n")[:2] == ["frozen before exit: False", "frozen at exit: True"]
