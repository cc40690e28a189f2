"""At start, offer the autosave of a session that crashed; restore it as unsaved work or drop it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from subtitler.errors import UserError
from subtitler.formats.registry import format_for_path, read_document
from subtitler.gui.dialogs import messages, restore as restore_dialog
from subtitler.gui.dialogs.restore import RestoreChoice
from subtitler.gui.file_controller import TextEncoding
from subtitler.gui.file_ops import is_file

if TYPE_CHECKING:
    from subtitler.gui.main_window import MainWindow


def offer_restore(window: "MainWindow") -> bool:
    """Ask about each crashed session (newest first); True when one was restored into the window."""
    store = window.autosaver.store
    if store is None:  # autosave is off (its folder could not be used): nothing to offer
        return False
    restored = False
    for recovery in store.crashed_sessions():
        if restored:
            store.release(recovery)  # one document per window: the others wait for the next start
            continue
        choice = restore_dialog.ask_restore(window, recovery)
        if choice == RestoreChoice.DISCARD:
            store.discard(recovery)
        elif choice == RestoreChoice.LATER or not window.files.confirm_discard():
            store.release(recovery)
        else:
            restored = _restore(window, recovery)
    return restored


def _restore(window: "MainWindow", recovery) -> bool:
    store = window.autosaver.store
    try:
        document = store.restore(recovery)
    except UserError as exc:
        messages.show_error(window, "Could not restore autosave", f"{exc}\nThe autosave file stays at {recovery.autosave_path}.")
        store.release(recovery)
        return False
    source = Path(recovery.source_path) if recovery.source_path else None
    window.files.path, window.files.format = source, (format_for_path(source) if source else None)
    window.files.text_encoding = _text_encoding_of(source)
    window.set_document(document, dirty=True)
    if document.media_path and is_file(document.media_path):
        window.load_media(document.media_path)
    window.autosaver.save_now()  # our own autosave holds the work before the old one goes
    store.discard(recovery)
    window.status.show_hint("Restored unsaved work from the autosave; save it to keep it")
    return True


def _text_encoding_of(source: Path | None) -> TextEncoding:
    """The restored work is saved back in the encoding and line ends its file has on disk."""
    if source is None or not is_file(source):
        return TextEncoding()
    try:
        read = read_document(source)
    except UserError:
        return TextEncoding()
    return TextEncoding(read.encoding, read.bom, read.newline)
