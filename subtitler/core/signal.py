"""A tiny Qt-free signal with weak references to bound-method slots.

The core must not import Qt, yet the GUI needs change notifications; weak
references keep a closed view from being kept alive by the document.
"""

from __future__ import annotations

import weakref
from typing import Any, Callable


class Signal:
    """Connect callables and emit to all of them in connection order."""

    def __init__(self) -> None:
        self._slots: list[Callable[[], Callable[..., Any] | None]] = []

    def connect(self, slot: Callable[..., Any]) -> None:
        if hasattr(slot, "__self__") and hasattr(slot, "__func__"):
            ref: Callable[[], Callable[..., Any] | None] = weakref.WeakMethod(slot)  # type: ignore[arg-type]
        else:
            ref = _strong(slot)
        self._slots.append(ref)

    def disconnect(self, slot: Callable[..., Any]) -> None:
        self._slots = [r for r in self._slots if r() is not None and r() != slot]

    def emit(self, *args: Any) -> None:
        alive = []
        for ref in list(self._slots):
            slot = ref()
            if slot is None:
                continue
            alive.append(ref)
            slot(*args)
        if len(alive) != len(self._slots):
            self._slots = [r for r in self._slots if r() is not None]

    def __len__(self) -> int:
        return sum(1 for r in self._slots if r() is not None)


def _strong(slot: Callable[..., Any]) -> Callable[[], Callable[..., Any]]:
    return lambda: slot
