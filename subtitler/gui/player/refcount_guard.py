"""Guard against PySide6 6.12.0's refcount bugs on None and True (CPython < 3.12).

In PySide6 6.12.0 every Qt method that returns nothing hands back `None`
without a new reference, and `SignalInstance.emit()` does the same with
`True`. Each call takes one reference from those singletons; after some
thousands of calls (a 60 Hz clock gets there in minutes) CPython aborts with
"none_dealloc: deallocating None" or "bool_dealloc". PySide6 6.11.2 does not
have the bug and CPython >= 3.12 makes these objects immortal. Where a probe
shows the leak, this gives None, True and False a reserve of references they
can never use up (they are never freed anyway): what CPython 3.12 does.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

_RESERVE = 1 << 40
_PROBE_CALLS = 16
_installed = False


class _Probe(QObject):
    fired = Signal(int)


def leaked_references() -> dict[str, int]:
    """References lost by `_PROBE_CALLS` void Qt calls (None) and signal emits (True)."""
    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(_PROBE_CALLS):
        probe.setObjectName("probe")
    none_after = sys.getrefcount(None)
    for _ in range(_PROBE_CALLS):
        probe.fired.emit(1)
    true_after = sys.getrefcount(True)
    return {"None": none_before - none_after, "True": true_before - true_after}


def install() -> bool:
    """Apply the reserve once per process if either leak is present; returns whether it is applied."""
    global _installed
    if _installed or sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return _installed
    leaks = leaked_references()
    if any(count >= _PROBE_CALLS // 2 for count in leaks.values()):
        for value in (None, True, False):
            ctypes.c_ssize_t.from_address(id(value)).value += _RESERVE
        _installed = True
    return _installed


install()
