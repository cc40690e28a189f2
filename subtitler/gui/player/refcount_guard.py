"""Guard against PySide6 6.12.0's refcount bug on `SignalInstance.emit`.

PySide6 6.12.0 (CPython 3.11) returns the bool from `emit()` without a new
reference, so every signal emitted from Python - ours and pyqtgraph's - takes
one reference from `True`; after a few thousand emits CPython aborts with
"bool_dealloc: deallocating True or False". 6.11.2 does not have the bug and
CPython >= 3.12 makes bools immortal. Where a probe shows the leak, this gives
True and False a large reference reserve (they are never freed anyway), which
is what CPython 3.12 does for them.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

_RESERVE = 1 << 40
_installed = False


class _Probe(QObject):
    fired = Signal(int)


def emit_leaks_bool_refs() -> bool:
    """True when emitting a signal from Python takes a reference from True/False."""
    probe = _Probe()
    before = sys.getrefcount(True) + sys.getrefcount(False)
    for _ in range(8):
        probe.fired.emit(1)
    after = sys.getrefcount(True) + sys.getrefcount(False)
    return after < before - 4


def install() -> bool:
    """Apply the reserve once per process if the bug is present; returns whether it was needed."""
    global _installed
    if _installed or sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return _installed
    if emit_leaks_bool_refs():
        for value in (True, False):
            ctypes.c_ssize_t.from_address(id(value)).value += _RESERVE
        _installed = True
    return _installed


install()
