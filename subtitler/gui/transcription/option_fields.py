"""One editor widget per decoding setting and guard, built from ``subtitler.asr.option_specs.SPECS``.

The Transcribe dialog shows these instead of hand-made fields so that it offers exactly the settings the
command line does, with the same bounds, defaults and wording (the spec's help is the tooltip). By kind:
a yes/no setting is a check box, a number a spin box within the spec's bounds (with an "Off" check box
beside it when it can be switched off), a text with choices a list, any other text a line edit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDoubleSpinBox, QHBoxLayout, QLabel, QLineEdit, QSpinBox, QWidget,
)

from subtitler.asr.option_specs import OptionSpec

# The number an "Off" setting shows once switched on, where its default is off: the value a user most likely
# wants (openai-whisper's and faster-whisper's command-line values), rather than the spin box's lowest.
SUGGESTED = {"beam_size": 5, "best_of": 5, "patience": 1.0, "length_penalty": 1.0,
             "hallucination_silence_threshold": 2.0, "batch_size": 8}
TEXT_HINTS = {"initial_prompt": "e.g. A lecture on Kubernetes by Dr. Nguyen.",
              "hotwords": "e.g. Kubernetes, Dr. Nguyen",
              "prefix": "none",
              "suppress_tokens": "none"}
UNBOUNDED = 1e6  # a spin box needs a top; a spec without ``high`` has none


class _WheelOnlyWhenFocused:
    """A number or list that the mouse wheel changes only once it has the focus (a click or Tab gives it).

    The advanced settings scroll: Qt's spin boxes and lists take the wheel as soon as the pointer passes over
    them, so scrolling down the list changed whichever setting slid under the pointer (the no-speech limit went
    from 0.60 to 0.00 on the way to the guards). Unfocused, the wheel goes on to the scroll area.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # not WheelFocus: the wheel alone must not take it

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 (Qt's name)
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()


class SpinBox(_WheelOnlyWhenFocused, QSpinBox):
    """A whole-number setting (see _WheelOnlyWhenFocused)."""


class DoubleSpinBox(_WheelOnlyWhenFocused, QDoubleSpinBox):
    """A decimal setting (see _WheelOnlyWhenFocused)."""


class ComboBox(_WheelOnlyWhenFocused, QComboBox):
    """A setting with choices (see _WheelOnlyWhenFocused)."""


class OptionField:
    """The widget for one spec: ``widget`` goes in a form row (``label_text``), ``value()`` is what apply_settings takes."""

    def __init__(self, spec: OptionSpec, mnemonic_label: str) -> None:
        self.spec = spec
        self.label_text = mnemonic_label
        self.off: QCheckBox | None = None
        if spec.kind is bool:
            self.editor: QWidget = QCheckBox(mnemonic_label)
        elif spec.kind in (int, float):
            self.editor = _spin(spec)
        elif spec.choices:
            combo = ComboBox()
            combo.addItems(list(spec.choices))
            self.editor = combo
        else:
            edit = QLineEdit()
            edit.setPlaceholderText(TEXT_HINTS.get(spec.field, ""))
            edit.setClearButtonEnabled(True)
            self.editor = edit
        self.editor.setToolTip(_sentence(spec.help))
        self.widget: QWidget = self.editor
        self.label: QLabel | None = None
        if not self.is_check_box:
            self.label = QLabel(mnemonic_label + ":")
            self.label.setBuddy(self.editor)
            self.label.setToolTip(self.editor.toolTip())
        if spec.can_be_off:
            self.off = QCheckBox("Off")
            self.off.setToolTip(f"Switch “{spec.label}” off")
            self.off.toggled.connect(self._show_off)
            self.widget = QWidget()
            row = QHBoxLayout(self.widget)
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(self.editor)
            row.addWidget(self.off)
            row.addStretch(1)

    def _show_off(self, off: bool) -> None:
        """A number switched off is greyed; its label's key then goes to the "Off" box, which can switch it on."""
        self.editor.setEnabled(not off)
        if self.label is not None and self.off is not None:
            self.label.setBuddy(self.off if off else self.editor)

    def on_change(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` whenever the user changes the value (or switches it off or on)."""
        editor = self.editor
        signal = (editor.toggled if isinstance(editor, QCheckBox) else editor.currentIndexChanged
                  if isinstance(editor, QComboBox) else editor.textChanged if isinstance(editor, QLineEdit)
                  else editor.valueChanged)
        signal.connect(lambda *_: callback())
        if self.off is not None:
            self.off.toggled.connect(lambda *_: callback())

    @property
    def is_check_box(self) -> bool:
        return self.spec.kind is bool

    def value(self) -> Any:
        """The setting as ``apply_settings`` takes it (None: off, or an empty text)."""
        if self.off is not None and self.off.isChecked():
            return None
        editor = self.editor
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QSpinBox):
            return editor.value()
        if isinstance(editor, QDoubleSpinBox):
            return round(editor.value(), editor.decimals())
        if isinstance(editor, QComboBox):
            return editor.currentText()
        assert isinstance(editor, QLineEdit)
        return editor.text().strip() or None

    def set_value(self, value: Any) -> None:
        editor = self.editor
        if self.off is not None:
            self.off.setChecked(value is None)
            self._show_off(value is None)
            if value is None:
                value = SUGGESTED.get(self.spec.field, self.spec.default if self.spec.default is not None else self.spec.low)
        if isinstance(editor, QCheckBox):
            editor.setChecked(bool(value))
        elif isinstance(editor, (QSpinBox, QDoubleSpinBox)):
            editor.setValue(value)
        elif isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findText(str(value))))
        else:
            assert isinstance(editor, QLineEdit)
            editor.setText(_text(value))


def _text(value: Any) -> str:
    """A text setting as the line edit shows it (token ids as given to the CLI: comma-separated)."""
    if value is None:
        return ""
    if isinstance(value, (tuple, list)):
        return ",".join(str(v) for v in value)
    return str(value)


def _spin(spec: OptionSpec) -> QSpinBox | QDoubleSpinBox:
    low = spec.low if spec.low is not None else -UNBOUNDED
    high = spec.high if spec.high is not None else UNBOUNDED
    if spec.kind is int:
        spin: QSpinBox | QDoubleSpinBox = SpinBox()
        spin.setRange(int(low), int(high))
    else:
        spin = DoubleSpinBox()
        spin.setDecimals(2)
        spin.setRange(low, high)
        spin.setSingleStep(0.05 if high - low <= 1 else 0.5 if high - low >= 20 else 0.1)
    spin.setMinimumWidth(110)  # every number the same width, with its "Off" right beside it
    spin.setMaximumWidth(110)
    return spin


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def with_mnemonic(label: str, used: set[str]) -> str:
    """``label`` with an &-key not in ``used`` (first a word's initial, then any letter), which it adds to ``used``.

    Qt's own automatic mnemonics exist only on some platforms (KDE); the dialog's keys must not collide.
    """
    candidates = [i for i, ch in enumerate(label) if ch.isalpha() and (i == 0 or label[i - 1] == " ")]
    candidates += [i for i, ch in enumerate(label) if ch.isalpha()]
    for index in candidates:
        key = label[index].lower()
        if key not in used:
            used.add(key)
            return label[:index] + "&" + label[index:]
    return label


def mnemonics_of(labels: Iterable[str]) -> set[str]:
    """The &-keys ``labels`` already use (lower case)."""
    keys = set()
    for label in labels:
        index = label.find("&")
        if 0 <= index < len(label) - 1:
            keys.add(label[index + 1].lower())
    return keys
