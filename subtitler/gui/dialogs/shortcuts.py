"""Rebind shortcuts: pick a scheme, edit any action's keys, refuse conflicts."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox, QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPushButton, QTableWidget, QTableWidgetItem,
    QVBoxLayout, QWidget,
)

from subtitler.gui.actions import ACTION_SPECS, Scheme, Shortcuts, default_shortcuts, find_conflicts, SPECS_BY_ID

SCHEME_LABELS = {Scheme.SUBTITLE_EDIT: "Subtitle Edit 5", Scheme.AEGISUB: "Aegisub-style audio keys"}
SEPARATOR = "; "


class ShortcutsDialog(QDialog):
    """Keys are typed as text (e.g. 'Ctrl+Shift+M; F5'), so every key can be entered without a key grabber."""

    def __init__(self, scheme: Scheme, shortcuts: Shortcuts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(560, 600)
        self._init_widgets(scheme)
        self._fill(shortcuts)

    def _init_widgets(self, scheme: Scheme) -> None:
        self.scheme_box = QComboBox()
        for value, label in SCHEME_LABELS.items():
            self.scheme_box.addItem(label, value.value)
        self.scheme_box.setCurrentIndex(list(SCHEME_LABELS).index(scheme))
        reset = QPushButton("Reset to scheme")
        reset.clicked.connect(self._on_reset_clicked)
        self.table = QTableWidget(len(ACTION_SPECS), 2)
        self.table.setHorizontalHeaderLabels(["Action", "Keys"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b00020")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(QLabel("Scheme:"))
        top.addWidget(self.scheme_box, 1)
        top.addWidget(reset)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def _fill(self, shortcuts: Shortcuts) -> None:
        for row, spec in enumerate(ACTION_SPECS):
            name = QTableWidgetItem(spec.text.replace("&", ""))
            name.setFlags(name.flags() & ~name.flags().ItemIsEditable)
            self.table.setItem(row, 0, name)
            native = [QKeySequence(s).toString(QKeySequence.SequenceFormat.NativeText) for s in shortcuts.get(spec.id, ())]
            self.table.setItem(row, 1, QTableWidgetItem(SEPARATOR.join(native)))
        self.table.resizeColumnToContents(0)

    def _on_reset_clicked(self) -> None:
        self._fill(default_shortcuts(self.scheme()))

    def scheme(self) -> Scheme:
        return Scheme(self.scheme_box.currentData())

    def shortcuts(self) -> Shortcuts:
        result: Shortcuts = {}
        for row, spec in enumerate(ACTION_SPECS):
            item = self.table.item(row, 1)
            parts = [p.strip() for p in (item.text() if item else "").split(";")]
            keys = [QKeySequence.fromString(p, QKeySequence.SequenceFormat.NativeText) for p in parts if p]
            result[spec.id] = tuple(k.toString(QKeySequence.SequenceFormat.PortableText) for k in keys if not k.isEmpty())
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
