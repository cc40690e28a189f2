"""Stand-in until gui-timeline's TimelineWidget lands (removed then)."""
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget


class TimelinePlaceholder(QWidget):
    current_row_changed = Signal(int)
    seek_requested = Signal(int)

    def set_player(self, player): pass
    def set_document(self, doc): pass
    def set_undo_stack(self, stack): pass
    def load_media(self, path): pass
    def set_spectrogram_visible(self, visible): pass
    def select_row(self, row): pass
