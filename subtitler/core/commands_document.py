"""Commands on the document's own fields: the media it belongs to, its language, its frame rate.

These were plain attribute writes, so binding media to a document could not be undone
and did not reach the autosave (nothing signalled it); as commands they go through the
undo stack and Document.changed like every other edit.
"""

from __future__ import annotations

from subtitler.core.commands_base import Command
from subtitler.core.document import PROPERTIES, Document


class SetProperties(Command):
    """Set some of media_path, language and frame_rate (see Document.set_properties)."""

    def __init__(self, doc: Document, text: str, **values: object) -> None:
        unknown = set(values) - set(PROPERTIES)
        if unknown or not values:
            raise ValueError(f"SetProperties needs some of {', '.join(PROPERTIES)}, not {sorted(unknown) or 'nothing'}")
        self.doc = doc
        self.text = text
        self.new = dict(values)
        self.old = {name: getattr(doc, name) for name in values}

    def redo(self) -> None:
        self.doc.set_properties(**self.new)

    def undo(self) -> None:
        self.doc.set_properties(**self.old)


def attach_media(doc: Document, media_path: str) -> SetProperties:
    return SetProperties(doc, "Attach media", media_path=media_path)
