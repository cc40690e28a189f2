"""Commands to QMediaPlayer, delivered by the event loop instead of from Python.

QMediaPlayer's stop() and setSource() tear down the FFmpeg backend's threads
and wait for them, and PySide keeps the GIL during those calls. A backend
thread that needs the GIL meanwhile (it does, to ask a Python-made object
about an overridden method while destroying its renderer) deadlocks the app.
Queued connections make Qt call the player from C++ in the event loop, where
the GIL is free. All commands go this way so that they keep their order.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtMultimedia import QMediaPlayer


class BackendCommands(QObject):
    """Emit a signal to send the matching command to the player, in order, from the event loop."""

    play = Signal()
    pause = Signal()
    stop = Signal()
    set_source = Signal(QUrl)
    set_position = Signal("qint64")

    def __init__(self, player: QMediaPlayer) -> None:
        super().__init__(player)
        queued = Qt.ConnectionType.QueuedConnection
        self.play.connect(player.play, queued)
        self.pause.connect(player.pause, queued)
        self.stop.connect(player.stop, queued)
        self.set_source.connect(player.setSource, queued)
        self.set_position.connect(player.setPosition, queued)
