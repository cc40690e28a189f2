"""The Transcribe dialog's decoding settings and guards: built from option_specs, as the CLI's flags are (issue 9)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QCheckBox, QComboBox, QDialog, QDoubleSpinBox, QLabel, QLineEdit, QSpinBox

from subtitler.asr.models import ModelInfo
from subtitler.asr.option_specs import SPECS, TEMPERATURE_SPECS, settings_of
from subtitler.asr.transcribe import TranscribeOptions
from subtitler.cli_decoding import add_decoding_args, decoding_options
from subtitler.gui.transcription.choice import DECODING_PREFIX, KEY_MODEL, OPTION_PREFIX, load_options
from subtitler.gui.transcription.dialog import TranscribeDialog

MODELS = [ModelInfo("base", Path("/m/base"), "package", True, 145_000_000)]
ALL_SPECS = (*TEMPERATURE_SPECS, *SPECS)


@pytest.fixture
def settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)


def open_dialog(qtbot, settings: QSettings) -> TranscribeDialog:
    dialog = TranscribeDialog(settings, MODELS)
    qtbot.addWidget(dialog)
    return dialog


def cli_options(*flags: str) -> TranscribeOptions:
    """The options `subtitler transcribe` builds from ``flags``."""
    parser = argparse.ArgumentParser()
    add_decoding_args(parser)
    return decoding_options(parser.parse_args(list(flags)), TranscribeOptions())


def set_number(dialog: TranscribeDialog, field: str, value: float | None) -> None:
    """As a user does it: the "Off" box, then the number."""
    widget = dialog.fields[field]
    if widget.off is not None:
        widget.off.setChecked(value is None)
    if value is not None:
        widget.editor.setValue(value)


def test_every_setting_has_a_widget_of_its_kind_with_its_bounds_help_and_place(qtbot, settings):
    dialog = open_dialog(qtbot, settings)
    assert set(dialog.fields) == {spec.field for spec in ALL_SPECS}
    for spec in ALL_SPECS:
        field = dialog.fields[spec.field]
        editor = field.editor
        expected = {bool: QCheckBox, int: QSpinBox, float: QDoubleSpinBox}.get(spec.kind) or (
            QComboBox if spec.choices else QLineEdit)
        assert isinstance(editor, expected) and not isinstance(editor, QCheckBox) or expected is QCheckBox, spec.field
        if spec.kind in (int, float):
            assert (editor.minimum(), editor.maximum()) == (spec.low, spec.high), spec.field
        if spec.choices:
            assert [editor.itemText(i) for i in range(editor.count())] == list(spec.choices)
        assert spec.help[1:] in editor.toolTip(), spec.field
        assert (field.off is not None) == spec.can_be_off, spec.field
        assert spec.label in field.label_text.replace("&", "")
        in_advanced = dialog.advanced.isAncestorOf(field.widget)
        assert in_advanced == spec.advanced and dialog.isAncestorOf(field.widget) != spec.advanced, spec.field
    hotwords, prompt = dialog.fields["hotwords"], dialog.fields["initial_prompt"]
    assert not hotwords.spec.advanced and not prompt.spec.advanced and hotwords.editor is not prompt.editor


def test_the_defaults_shown_are_transcribe_options(qtbot, settings):
    dialog = open_dialog(qtbot, settings)
    assert dialog.settings_shown() == settings_of(TranscribeOptions())
    assert dialog.choice().options == TranscribeOptions()
    beam = dialog.fields["beam_size"]  # beam search 5 (subtitler.asr.defaults): the box is on
    assert not beam.off.isChecked() and beam.editor.isEnabled() and beam.editor.value() == 5
    assert dialog.advanced_note.text() == "all at their defaults"


def change_like_the_flags(dialog: TranscribeDialog) -> tuple[str, ...]:
    """Sets main and advanced fields; returns the CLI flags that say the same."""
    set_number(dialog, "beam_size", 3)
    set_number(dialog, "best_of", 2)
    set_number(dialog, "patience", 1.5)
    set_number(dialog, "speech_threshold", None)
    set_number(dialog, "hallucination_silence_threshold", 2)
    set_number(dialog, "max_repeats", None)
    set_number(dialog, "repeat_lookback", 0)
    set_number(dialog, "temperature_increment_on_fallback", None)
    set_number(dialog, "no_speech_threshold", 0.45)
    dialog.fields["hotwords"].editor.setText("Kubernetes, Dr. Nguyen")
    dialog.fields["initial_prompt"].editor.setText("A talk on containers.")
    dialog.fields["vad_filter"].editor.setChecked(True)
    dialog.fields["drop_fillers"].editor.setChecked(False)
    dialog.fields["word_timing"].editor.setCurrentText("reference")
    dialog.fields["suppress_tokens"].editor.setText("-1,50363")
    return ("--beam-size", "3", "--best-of", "2", "--patience", "1.5", "--speech-threshold", "off",
            "--hallucination-silence-threshold", "2", "--max-repeats", "off", "--repeat-lookback", "0",
            "--temperature-increment-on-fallback", "off", "--no-speech-threshold", "0.45",
            "--hotwords", "Kubernetes, Dr. Nguyen", "--initial-prompt", "A talk on containers.", "--vad",
            "--no-drop-fillers", "--word-timing", "reference", "--suppress-tokens=-1,50363")


def test_changed_settings_reach_the_options_exactly_as_the_cli_builds_them(qtbot, settings):
    dialog = open_dialog(qtbot, settings)
    flags = change_like_the_flags(dialog)
    options = dialog.choice().options
    assert options == cli_options(*flags)
    assert (options.beam_size, options.best_of, options.speech_threshold, options.hallucination_silence_threshold,
            options.temperature) == (3, 2, None, 2.0, (0.0,))
    dialog._show_advanced_note()
    assert dialog.advanced_note.text().startswith("changed: ") and "more" in dialog.advanced_note.text()


def other_value(spec):
    """A value of ``spec`` other than its default, within its bounds."""
    if spec.kind is bool:
        return not spec.default
    if spec.choices:
        return next(choice for choice in spec.choices if choice != spec.default)
    if spec.kind is str:
        return "-1,50363" if spec.field == "suppress_tokens" else "Kubernetes"
    if spec.default is None:
        return 2 if spec.kind is int else 0.5
    return spec.default + 1 if spec.default + 1 <= spec.high else spec.low


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.field)
def test_each_setting_changed_alone_gives_what_its_flag_gives(qtbot, settings, spec):
    dialog = open_dialog(qtbot, settings)
    value = other_value(spec)
    flags = ["--beam-size", "2"] if spec.field == "patience" else []
    if spec.field == "patience":
        set_number(dialog, "beam_size", 2)
    field = dialog.fields[spec.field]
    if spec.kind is bool:
        field.editor.setChecked(value)
        flags.append(spec.flag if value else "--no-" + spec.flag[2:])
    elif spec.choices:
        field.editor.setCurrentText(value)
        flags += [spec.flag, value]
    elif spec.kind is str:
        field.editor.setText(value)
        flags.append(f"{spec.flag}={value}")
    else:
        set_number(dialog, spec.field, value)
        flags += [spec.flag, str(value)]
    options = dialog.choice().options
    assert getattr(options, spec.field) != spec.default and options == cli_options(*flags)


def test_every_setting_is_remembered_for_the_next_dialog(qtbot, settings):
    dialog = open_dialog(qtbot, settings)
    flags = change_like_the_flags(dialog)
    set_number(dialog, "temperature_increment_on_fallback", 0.25)
    set_number(dialog, "temperature", 0.1)
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    again = open_dialog(qtbot, settings)
    expected = cli_options(*flags[:14], *flags[16:], "--temperature", "0.1", "--temperature-increment-on-fallback", "0.25")
    assert again.choice().options == expected and expected.temperature == (0.1, 0.35, 0.6, 0.85)
    assert again.settings_shown() == dialog.settings_shown()
    assert settings.value(DECODING_PREFIX + "speech_threshold") == "off"  # the CLI's spelling


def test_damaged_and_old_stored_values(qtbot, settings):
    """A damaged value keeps its default; a stored combination that cannot work keeps what can; the first
    dialog's keys (beam "1" meant greedy) still count until the new dialog saves."""
    settings.setValue(OPTION_PREFIX + "beam_size", "4")
    settings.setValue(OPTION_PREFIX + "initial_prompt", "Dr. Nguyen")
    settings.setValue(OPTION_PREFIX + "vad_filter", True)
    settings.setValue(OPTION_PREFIX + "condition_on_previous_text", "false")
    settings.setValue(DECODING_PREFIX + "speech_threshold", "7")  # out of bounds
    settings.setValue(DECODING_PREFIX + "word_timing", "fancy")
    settings.setValue(DECODING_PREFIX + "max_repeats", "lots")
    settings.setValue(DECODING_PREFIX + "repeat_min_words", ["a", "list"])
    settings.setValue(DECODING_PREFIX + "hotwords", "Kubernetes")
    settings.setValue(DECODING_PREFIX + "prefix", "So")  # not with hotwords: the later one goes
    settings.sync()
    loaded = load_options(settings)
    defaults = TranscribeOptions()
    assert (loaded.beam_size, loaded.initial_prompt, loaded.vad_filter, loaded.condition_on_previous_text) == (
        4, "Dr. Nguyen", True, False)
    assert (loaded.speech_threshold, loaded.word_timing, loaded.max_repeats, loaded.repeat_min_words) == (
        defaults.speech_threshold, defaults.word_timing, defaults.max_repeats, defaults.repeat_min_words)
    assert (loaded.hotwords, loaded.prefix) == ("Kubernetes", None)
    dialog = open_dialog(qtbot, settings)
    assert dialog.choice().options == loaded
    dialog.accept()
    assert settings.value(OPTION_PREFIX + "beam_size") is None, "the first dialog's keys are superseded"
    settings.setValue(OPTION_PREFIX + "beam_size", "1")  # the first dialog's greedy
    settings.remove(DECODING_PREFIX + "beam_size")
    assert load_options(settings).beam_size is None


@pytest.mark.parametrize(("change", "needles"), [
    (lambda d: (set_number(d, "beam_size", None), set_number(d, "patience", 1.5)),
     ("“Beam patience” goes with beam search", "Advanced settings")),
    (lambda d: (d.fields["hotwords"].editor.setText("Kubernetes"), d.fields["prefix"].editor.setText("So")),
     ("“Names and terms” is not used with “First words”",)),
    (lambda d: d.fields["suppress_tokens"].editor.setText("-1, x"), ("“Suppressed tokens” -1, x",)),
])
def test_a_bad_combination_keeps_the_dialog_open_with_a_message(qtbot, settings, change, needles):
    dialog = open_dialog(qtbot, settings)
    dialog.show()
    change(dialog)
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    ok.click()
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.message.isVisible() and all(n in dialog.message.text() for n in needles), dialog.message.text()
    assert settings.value(KEY_MODEL) is None, "nothing remembered"
    dialog.advanced.show()  # the advanced part refuses to close on it too
    dialog.advanced.buttons.button(dialog.advanced.buttons.StandardButton.Ok).click()
    assert dialog.advanced.isVisible() and dialog.advanced.message.isVisible()
    dialog.restore_defaults()
    dialog.advanced.buttons.button(dialog.advanced.buttons.StandardButton.Ok).click()
    assert not dialog.advanced.isVisible()
    ok.click()
    assert dialog.result() == QDialog.DialogCode.Accepted and not dialog.message.isVisible()


def test_the_message_goes_once_the_combination_is_put_right(qtbot, settings):
    dialog = open_dialog(qtbot, settings)
    set_number(dialog, "beam_size", None)
    set_number(dialog, "patience", 1.5)
    dialog.accept()
    assert not dialog.message.isHidden() and "Beam patience" in dialog.message.text()
    set_number(dialog, "beam_size", 4)
    assert dialog.message.isHidden()
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted and load_options(settings) == cli_options(
        "--beam-size", "4", "--patience", "1.5")


def test_restore_defaults_everywhere_and_in_the_advanced_part(qtbot, settings):
    dialog = open_dialog(qtbot, settings)
    change_like_the_flags(dialog)
    dialog.advanced.buttons.button(dialog.advanced.buttons.StandardButton.RestoreDefaults).click()
    shown = dialog.settings_shown()
    assert (shown["beam_size"], shown["hotwords"], shown["speech_threshold"]) == (3, "Kubernetes, Dr. Nguyen", None), \
        "the main form keeps its settings"
    defaults = TranscribeOptions()
    assert (shown["best_of"], shown["hallucination_silence_threshold"], shown["vad_filter"]) == (
        defaults.best_of, defaults.hallucination_silence_threshold, defaults.vad_filter)
    dialog.buttons.button(dialog.buttons.StandardButton.RestoreDefaults).click()
    assert dialog.settings_shown() == settings_of(TranscribeOptions())
    assert dialog.choice().options == TranscribeOptions()


def _mnemonics(widgets) -> list[str]:
    keys = []
    for widget in widgets:
        text = widget.text() if isinstance(widget, (QLabel, QAbstractButton)) else ""
        index = text.replace("&&", "").find("&")
        if index >= 0 and widget.isVisibleTo(widget.window()):
            keys.append(text.replace("&&", "")[index + 1].lower())
    return keys


def test_keyboard_keys_do_not_collide_and_reach_their_fields(qtbot, settings):
    dialog = open_dialog(qtbot, settings)
    dialog.show()
    dialog.advanced.show()
    for window in (dialog, dialog.advanced):
        widgets = [w for kind in (QLabel, QAbstractButton) for w in window.findChildren(kind) if w.window() is window]
        keys = _mnemonics(widgets)
        assert keys and len(keys) == len(set(keys)), sorted(keys)
    for field in dialog.fields.values():
        if not field.is_check_box and "&" in field.label_text:
            labels = [w for w in field.widget.window().findChildren(QLabel) if w.text() == field.label_text + ":"]
            off = field.off is not None and field.off.isChecked()
            assert labels == [field.label] and field.label.buddy() is (field.off if off else field.editor), field.spec.field


def test_alt_keys_focus_the_main_fields_and_open_the_advanced_part(qtbot, settings):
    dialog = open_dialog(qtbot, settings)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    for key, field in ((Qt.Key.Key_N, "hotwords"), (Qt.Key.Key_I, "initial_prompt"), (Qt.Key.Key_V, "speech_threshold")):
        qtbot.keyClick(dialog, key, Qt.KeyboardModifier.AltModifier)
        assert QApplication.focusWidget() is dialog.fields[field].editor, field
    beam = dialog.fields["beam_size"]  # on by default: its key reaches the number
    qtbot.keyClick(dialog, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is beam.editor
    beam.off.setChecked(True)  # off: its key reaches the "Off" box, then the number once switched on
    qtbot.keyClick(dialog, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is beam.off
    qtbot.keyClick(beam.off, Qt.Key.Key_Space)
    assert not beam.off.isChecked() and beam.editor.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(dialog, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is beam.editor
    opened = []

    def close_the_advanced_part() -> None:
        if QApplication.activeModalWidget() is not dialog.advanced:
            QTimer.singleShot(50, close_the_advanced_part)
            return
        opened.append(True)
        dialog.advanced.accept()

    QTimer.singleShot(0, close_the_advanced_part)
    qtbot.keyClick(dialog, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: bool(opened), timeout=5000)


def test_both_parts_fit_a_1366x768_screen(qtbot, settings):
    dialog = open_dialog(qtbot, settings)
    dialog.show()
    dialog.advanced.show()
    qtbot.waitExposed(dialog.advanced)
    assert dialog.sizeHint().height() <= 700 and dialog.sizeHint().width() <= 1300
    assert dialog.advanced.height() <= 700 and dialog.advanced.width() <= 1300
    assert dialog.advanced.scroll.widget().sizeHint().height() > dialog.advanced.scroll.viewport().height(), \
        "the advanced settings scroll (the test would not notice an overflow otherwise)"


def test_scrolling_the_advanced_settings_changes_none_of_them(qtbot, settings):
    """Scrolling down to the guards with the wheel changed every spin box that passed under the pointer (the
    no-speech limit went from 0.60 to 0.00). An unfocused number or list now leaves the wheel to the scroll area
    (ignores it: a real wheel event then goes to the parent, which scrolls; seen under Xvfb with xdotool)."""
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent

    dialog = open_dialog(qtbot, settings)
    dialog.advanced.show()
    qtbot.waitExposed(dialog.advanced)
    ok = dialog.advanced.buttons.button(dialog.advanced.buttons.StandardButton.Ok)
    ok.setFocus()  # the first setting has the focus when the dialog opens
    qtbot.waitUntil(ok.hasFocus)
    before = {name: field.value() for name, field in dialog.fields.items()}

    def wheel(widget, notches: int = -1) -> bool:
        centre = QPointF(widget.rect().center())
        event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, 120 * notches),
                            Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(widget, event)
        return event.isAccepted()

    numbers_and_lists = [f.editor for f in dialog.fields.values() if isinstance(f.editor, (QSpinBox, QDoubleSpinBox, QComboBox))]
    assert len(numbers_and_lists) > 10
    for editor in numbers_and_lists:
        assert editor.focusPolicy() == Qt.FocusPolicy.StrongFocus  # the wheel alone does not focus it
        assert not editor.isEnabled() or not wheel(editor) and not wheel(editor, 1)  # left to the scroll area
    assert {name: field.value() for name, field in dialog.fields.items()} == before
    spin = dialog.fields["no_speech_threshold"].editor
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    assert wheel(spin, 1) and spin.value() != before["no_speech_threshold"]  # once focused, the wheel sets it


def test_download_rows_show_only_what_is_there(qtbot, settings):
    """No empty rows under an installed model; before a download only its button, during it the bar and Stop."""
    dialog = open_dialog(qtbot, settings)
    dialog.show()
    for widget in (dialog.download_button, dialog.download_bar, dialog.cancel_download_button, dialog.download_status):
        assert not widget.isVisible()
    first_run = TranscribeDialog(settings, [ModelInfo("tiny", None, "download", True, None, 75_000_000, "the fastest")])
    qtbot.addWidget(first_run)
    first_run.show()
    assert first_run.download_button.isVisible() and first_run.model_note.isVisible()
    assert not first_run.download_bar.isVisible() and not first_run.cancel_download_button.isVisible()
    height = first_run.height()
    first_run._show_download(True)
    first_run._say_download("Downloading tiny…")
    assert first_run.download_bar.isVisible() and first_run.download_status.isVisible()
    assert first_run.height() >= height, "rows shown later make room rather than squeeze the others"
