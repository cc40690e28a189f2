"""Rebind shortcuts: pick a scheme, press the keys for any action (two per action), refuse conflicts."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QHBoxLayout, QKeySequenceEdit, QLabel, QPushButton, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

from subtitler.gui.actions import ACTION_SPECS, SPECS_BY_ID, Scheme, Shortcuts, default_shortcuts, find_conflicts

SCHEME_LABELS = {Scheme.SUBTITLE_EDIT: "Subtitle Edit 5", Scheme.AEGISUB: "Aegisub-style audio keys"}
KEY_COLUMNS = 2  # a key and an alternative, as Subtitle Edit and Aegisub offer


def key_edit() -> QKeySequenceEdit:
    """Records the key combination the user presses (one chord; Esc and Backspace are keys too, hence the clear button)."""
    edit = QKeySequenceEdit()
    edit.setMaximumSequenceLength(1)
    edit.setClearButtonEnabled(True)
    return edit


class ShortcutsDialog(QDialog):
    """Click a key cell and press the combination; the clear button empties it."""

    def __init__(self, scheme: Scheme, shortcuts: Shortcuts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(620, 600)
        self._init_widgets(scheme)
        self._fill(shortcuts)

    def _init_widgets(self, scheme: Scheme) -> None:
        self.scheme_box = QComboBox()
        for value, label in SCHEME_LABELS.items():
            self.scheme_box.addItem(label, value.value)
        self.scheme_box.setCurrentIndex(list(SCHEME_LABELS).index(scheme))
        reset = QPushButton("Reset to scheme")
        reset.clicked.connect(self._on_reset_clicked)
        self.table = QTableWidget(len(ACTION_SPECS), 1 + KEY_COLUMNS)
        self.table.setHorizontalHeaderLabels(["Action", "Key", "Alternative key"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.edits: dict[str, list[QKeySequenceEdit]] = {}
        for row, spec in enumerate(ACTION_SPECS):
            name = QTableWidgetItem(spec.text.replace("&", ""))
            name.setFlags(name.flags() & ~name.flags().ItemIsEditable)
            self.table.setItem(row, 0, name)
            self.edits[spec.id] = [key_edit() for _ in range(KEY_COLUMNS)]
            for column, edit in enumerate(self.edits[spec.id], start=1):
                self.table.setCellWidget(row, column, edit)
                edit.keySequenceChanged.connect(self._on_edit_key_sequence_changed)
        self.table.resizeColumnToContents(0)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b00020")
        self.problem.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(QLabel("Scheme:"))
        top.addWidget(self.scheme_box, 1)
        top.addWidget(reset)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(QLabel("Click a key cell and press the keys; the ✕ in a cell removes its key."))
        layout.addWidget(self.table)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def _fill(self, shortcuts: Shortcuts) -> None:
        for spec in ACTION_SPECS:
            keys = list(shortcuts.get(spec.id, ()))[:KEY_COLUMNS]
            for column, edit in enumerate(self.edits[spec.id]):
                edit.setKeySequence(QKeySequence(keys[column]) if column < len(keys) else QKeySequence())

    def _on_reset_clicked(self) -> None:
        self._fill(default_shortcuts(self.scheme()))

    def _on_edit_key_sequence_changed(self, _sequence: QKeySequence) -> None:
        self.problem.setText("\n".join(self.problems()))  # a conflict shows as soon as it is pressed

    def scheme(self) -> Scheme:
        return Scheme(self.scheme_box.currentData())

    def shortcuts(self) -> Shortcuts:
        result: Shortcuts = {}
        for spec in ACTION_SPECS:
            keys = [edit.keySequence().toString(QKeySequence.SequenceFormat.PortableText) for edit in self.edits[spec.id]]
            result[spec.id] = tuple(dict.fromkeys(k for k in keys if k))
        return result

    def problems(self) -> list[str]:
        return [
            f"{key} is bound to both “{SPECS_BY_ID[a].text.replace('&', '')}” and “{SPECS_BY_ID[b].text.replace('&', '')}”"
            for key, a, b in find_conflicts(self.shortcuts())
        ]

    def accept(self) -> None:
        problems = self.problems()
        if problems:
            self.problem.setText("\n".join(problems))
            return
        super().accept()
