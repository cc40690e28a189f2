"""The Transcribe dialog's "Advanced settings": every decoding setting and guard not on its main form.

Grouped as the command line's ``--help`` groups them (option_specs.GROUP_TITLES), in a scroll area so that
it fits a small screen. The fields belong to the Transcribe dialog (it reads them for its choice whether or
not this was opened); this only lays them out, and refuses to close on a combination that cannot work.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFormLayout, QFrame, QGroupBox, QLabel, QScrollArea, QVBoxLayout, QWidget,
)

from subtitler.asr.option_specs import GROUP_TITLES
from subtitler.gui.transcription.option_fields import OptionField

ERROR_STYLE = "color: #b00020;"


class AdvancedSettingsDialog(QDialog):
    """``fields`` in group boxes; ``problem()`` says what is wrong with the whole choice (None: nothing)."""

    def __init__(self, fields: Sequence[OptionField], problem: Callable[[], str | None],
                 restore_defaults: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Advanced transcription settings")
        self._problem = problem
        intro = QLabel("The command line offers the same settings (subtitler transcribe --help). Hover over a "
                       "setting for what it does.")
        intro.setWordWrap(True)
        content = QWidget()
        column = QVBoxLayout(content)
        labels: list[QLabel] = []
        for group, title in GROUP_TITLES.items():
            members = [f for f in fields if f.spec.group == group]
            if not members:
                continue
            box = QGroupBox(title)
            form = QFormLayout(box)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
            for field in members:
                if field.is_check_box:
                    form.addRow("", field.widget)
                else:
                    labels.append(field.label)
                    form.addRow(field.label, field.widget)
            column.addWidget(box)
        column.addStretch(1)
        widest = max((label.sizeHint().width() for label in labels), default=0)
        for label in labels:  # one label column across the groups
            label.setMinimumWidth(widest)
        self.scroll = QScrollArea()
        self.scroll.setWidget(content)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.RestoreDefaults)
        self.buttons.accepted.connect(self.accept)
        self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(restore_defaults)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        width = content.sizeHint().width() + self.scroll.verticalScrollBar().sizeHint().width() + 24
        self.resize(max(560, width), 640)  # 640 px fits a 1366x768 screen with its title bar and a taskbar

    def accept(self) -> None:
        """Close only on settings that work together; otherwise say why and stay open."""
        problem = self._problem()
        self.message.setText(problem or "")
        self.message.setVisible(problem is not None)
        if problem is None:
            super().accept()
