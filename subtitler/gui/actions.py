"""Every window action, its menu, and its shortcuts in two schemes (Subtitle Edit 5, Aegisub-style).

Shortcut design (Space and plain letters): the cue text editor claims printable keys,
so Space types a space there and plays/pauses everywhere else; Ctrl+Space plays/pauses
everywhere. Keys with Ctrl/Alt/Meta or function keys always reach the window (the
editor lets them through), so Ctrl+Z undoes through the one QUndoStack even while typing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum
from typing import Callable, Iterable, Mapping

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from subtitler.gui.settings import SettingsKey, read_str


class Scheme(str, Enum):
    SUBTITLE_EDIT = "subtitle_edit"
    AEGISUB = "aegisub"


@dataclass(frozen=True)
class ActionSpec:
    """One action: Subtitle Edit 5 keys, and the Aegisub-style keys (None: the same)."""

    id: str
    text: str
    menu: str
    se5: tuple[str, ...] = ()
    aegisub: tuple[str, ...] | None = None
    checkable: bool = False

    def keys(self, scheme: Scheme) -> tuple[str, ...]:
        if scheme is Scheme.AEGISUB and self.aegisub is not None:
            return self.aegisub
        return self.se5


A = ActionSpec
ACTION_SPECS: tuple[ActionSpec, ...] = (
    A("open", "&Open…", "file", ("Ctrl+O",)),
    A("import_subtitles", "&Import subtitles…", "file", ("Ctrl+Shift+O",)),
    A("save", "&Save", "file", ("Ctrl+S",)),
    A("save_as", "Save &As…", "file", ("Ctrl+Shift+S",)),
    A("export_srt", "Export SRT…", "export"),
    A("export_vtt", "Export WebVTT…", "export"),
    A("export_ass", "Export ASS…", "export"),
    A("export_txt", "Export plain text…", "export"),
    A("quit", "&Quit", "file", ("Ctrl+Q",)),
    A("undo", "&Undo", "edit", ("Ctrl+Z",)),
    A("redo", "&Redo", "edit", ("Ctrl+Y", "Ctrl+Shift+Z")),
    A("insert_cue", "&Insert cue after", "edit", ("Alt+Ins",)),
    A("delete_cues", "&Delete cues", "edit", ("Del",)),
    A("split_cue", "S&plit at text cursor", "edit", ("Ctrl+Alt+V",)),
    A("merge_cues", "&Merge cues", "edit", ("Ctrl+Shift+M",)),
    A("set_start", "Set start at playhead", "edit", ("F11",)),
    A("set_end", "Set end at playhead", "edit", ("F12",)),
    A("nudge_start_earlier", "Start one frame earlier", "edit", ("Alt+Left",)),
    A("nudge_start_later", "Start one frame later", "edit", ("Alt+Right",)),
    A("nudge_end_earlier", "End one frame earlier", "edit", ("Alt+Shift+Left",)),
    A("nudge_end_later", "End one frame later", "edit", ("Alt+Shift+Right",)),
    A("previous_cue", "Previous cue", "navigate", ("Alt+Up",), ("Alt+Up", "Z")),
    A("next_cue", "Next cue", "navigate", ("Alt+Down",), ("Alt+Down", "X")),
    A("next_low_confidence", "Next low-confidence word", "navigate", ("Ctrl+F3",)),  # F3 finds next, as in SE5
    A("previous_low_confidence", "Previous low-confidence word", "navigate", ("Ctrl+Shift+F3",)),
    A("focus_editor", "Edit cue text", "navigate", ("F2",)),
    A("focus_table", "Back to cue list", "navigate", ("Esc",)),
    A("play_pause", "Play/Pause", "playback", ("Space", "Ctrl+Space")),
    A("play_cue", "Play current cue", "playback", ("F5",), ("F5", "S")),
    A("play_around_cursor", "Play around text cursor", "playback", ("F6",)),
    A("play_before", "Play 500 ms before cue", "playback", (), ("Q",)),
    A("play_after", "Play 500 ms after cue", "playback", (), ("W",)),
    A("play_first", "Play first 500 ms of cue", "playback", (), ("E",)),
    A("play_last", "Play last 500 ms of cue", "playback", (), ("D",)),
    A("seek_back", "Back 1 second", "playback", ("Ctrl+Alt+Left",)),
    A("seek_forward", "Forward 1 second", "playback", ("Ctrl+Alt+Right",)),
    A("transcribe", "&Transcribe media…", "speech", ("Ctrl+T",)),
    A("transcribe_selection", "Transcribe &selection again…", "speech", ("Ctrl+Shift+R",)),
    A("translate_selection", "Translate selection to &English…", "speech"),
    A("cancel_transcription", "&Cancel transcription", "speech", ("Ctrl+Shift+T",)),
    A("align_words", "&Align words of selection", "speech", ("Ctrl+Shift+L",)),
    A("cancel_alignment", "Cancel word a&lignment", "speech"),
    A("live_captions", "&Live captions…", "speech", ("Ctrl+Alt+L",)),
    A("label_speakers", "Label spea&kers (whole file or selection)", "speech", ("Ctrl+Alt+D",)),
    A("set_speaker", "Set c&ue speaker…", "speech", ("Ctrl+Alt+K",)),
    A("rename_speaker", "&Rename or merge speaker…", "speech"),
    A("toggle_spectrogram", "&Spectrogram", "view", checkable=True),
    A("shortcuts", "&Keyboard shortcuts…", "view"),
    # Editing tools (issue 13); SE5's keys where it has one: Ctrl+G, Ctrl+F, F3, Ctrl+R, F8, Ctrl+F8, Alt+F7, Ctrl+Shift+A.
    A("insert_cue_before", "Insert cue &before", "edit", ("Alt+Shift+Ins",)),
    A("set_style", "Set st&yle…", "edit", ("F9",)),
    A("go_to", "&Go to cue or time…", "navigate", ("Ctrl+G",)),
    A("find", "&Find…", "tools", ("Ctrl+F",)),
    A("replace", "&Replace…", "tools", ("Ctrl+H", "Ctrl+R")),
    A("find_next", "Find &next", "tools", ("F3",)),
    A("find_previous", "Find pre&vious", "tools", ("Shift+F3",)),
    A("spell_check", "&Spell check: next misspelling with suggestions", "tools", ("Alt+F7",)),
    A("next_misspelling", "Next misspelt word", "tools", ("F7",)),
    A("previous_misspelling", "Previous misspelt word", "tools", ("Shift+F7",)),
    A("add_to_dictionary", "&Add word to dictionary", "tools", ("Ctrl+F7",)),
    A("ignore_word", "&Ignore word", "tools", ("Ctrl+Shift+F7",)),
    A("toggle_qc_panel", "&Quality checks panel", "tools", ("Ctrl+F8",), checkable=True),
    A("next_finding", "Next QC finding", "tools", ("F8",)),
    A("previous_finding", "Previous QC finding", "tools", ("Shift+F8",)),
    A("fix_finding", "Fix this QC finding", "tools", ("Ctrl+Shift+F8",)),
    A("fix_all_of_kind", "Fix all QC findings of this kind", "tools", ("Ctrl+Alt+F8",)),
    A("shift_times", "S&hift times…", "timing", ("Ctrl+Shift+A",)),
    A("change_speed", "Change &speed / frame rate…", "timing", ("Ctrl+Shift+E",)),
    A("two_point_sync", "&Two-point sync…", "timing", ("Ctrl+Shift+P",)),
    A("snap_to_words", "Snap to &words", "timing", ("Ctrl+Shift+W",)),
    A("frame_back", "One frame back", "playback", (",",)),
    A("frame_forward", "One frame forward", "playback", (".",)),
    A("speed_down", "Slower", "playback", ("[",)),
    A("speed_up", "Faster", "playback", ("]",)),
    A("speed_reset", "Normal speed", "playback", ("=",)),
    A("volume_down", "Volume down", "playback", ("Ctrl+Shift+Down",)),
    A("volume_up", "Volume up", "playback", ("Ctrl+Shift+Up",)),
    A("mute", "Mute", "playback", ("Ctrl+Alt+M",), checkable=True),
    A("loop", "&Loop cue or selection", "playback", ("Ctrl+L",), checkable=True),
    A("follow_playback", "&Follow playback in the list", "playback", ("Ctrl+Shift+F",), checkable=True),
    A("open_original", "Open &original (translation view)…", "translation", ("Ctrl+Alt+O",)),
    A("new_translation", "&New translation of this file", "translation", ("Ctrl+Alt+N",)),
    A("save_original", "&Save original", "translation", ("Ctrl+Alt+S",)),
    A("overlay_original", "Overlay shows the o&riginal", "translation", ("Ctrl+Alt+T",), checkable=True),
    A("close_original", "&Close original", "translation", ("Ctrl+Alt+W",)),
    A("about", "&About Subtitler", "help"),
)
del A

SPECS_BY_ID: dict[str, ActionSpec] = {spec.id: spec for spec in ACTION_SPECS}
Shortcuts = dict[str, tuple[str, ...]]


def default_shortcuts(scheme: Scheme) -> Shortcuts:
    return {spec.id: spec.keys(scheme) for spec in ACTION_SPECS}


def normalized(sequence: str) -> str:
    """Portable text of a key sequence, so 'ctrl+z' and 'Ctrl+Z' compare equal."""
    return QKeySequence(sequence).toString(QKeySequence.SequenceFormat.PortableText)


def find_conflicts(shortcuts: Mapping[str, Iterable[str]]) -> list[tuple[str, str, str]]:
    """(key sequence, first action id, second action id) for every sequence bound twice."""
    owner: dict[str, str] = {}
    conflicts = []
    for action_id, sequences in shortcuts.items():
        for sequence in sequences:
            key = normalized(sequence)
            if not key:
                continue
            if key in owner and owner[key] != action_id:
                conflicts.append((key, owner[key], action_id))
            owner.setdefault(key, action_id)
    return conflicts


def load_shortcuts(settings: QSettings) -> tuple[Scheme, Shortcuts]:
    """The stored scheme with the user's rebindings on top."""
    try:
        scheme = Scheme(read_str(settings, SettingsKey.SHORTCUT_SCHEME, Scheme.SUBTITLE_EDIT.value))
    except ValueError:
        scheme = Scheme.SUBTITLE_EDIT
    shortcuts = default_shortcuts(scheme)
    shortcuts.update(_read_overrides(settings))
    return scheme, shortcuts


def save_shortcuts(settings: QSettings, scheme: Scheme, shortcuts: Mapping[str, Iterable[str]]) -> None:
    """Store only what differs from the scheme, so later default changes still reach the user."""
    defaults = default_shortcuts(scheme)
    overrides = {k: list(v) for k, v in shortcuts.items() if k in defaults and tuple(v) != defaults[k]}
    settings.setValue(SettingsKey.SHORTCUT_SCHEME.value, scheme.value)
    settings.setValue(SettingsKey.SHORTCUT_OVERRIDES.value, json.dumps(overrides))


def _read_overrides(settings: QSettings) -> Shortcuts:
    try:
        raw = json.loads(read_str(settings, SettingsKey.SHORTCUT_OVERRIDES, "{}") or "{}")
    except json.JSONDecodeError:
        return {}
    if not isinstance(raw, dict):
        return {}
    return {k: tuple(str(s) for s in v) for k, v in raw.items() if k in SPECS_BY_ID and isinstance(v, list)}


class ActionRegistry:
    """Creates one QAction per spec on the window, so every shortcut works even outside the menus."""

    def __init__(self, window: QWidget) -> None:
        self._actions: dict[str, QAction] = {}
        for spec in ACTION_SPECS:
            action = QAction(spec.text, window)
            action.setObjectName(f"action_{spec.id}")
            action.setCheckable(spec.checkable)
            window.addAction(action)
            self._actions[spec.id] = action

    def __getitem__(self, action_id: str) -> QAction:
        return self._actions[action_id]

    def __contains__(self, action_id: object) -> bool:
        return action_id in self._actions

    def connect(self, handlers: Mapping[str, Callable[[], object]]) -> None:
        for action_id, handler in handlers.items():
            self._actions[action_id].triggered.connect(lambda _checked=False, h=handler: h())

    def apply(self, shortcuts: Mapping[str, Iterable[str]]) -> None:
        for action_id, action in self._actions.items():
            action.setShortcuts([QKeySequence(s) for s in shortcuts.get(action_id, ())])

    def in_menu(self, menu: str) -> list[QAction]:
        return [self._actions[spec.id] for spec in ACTION_SPECS if spec.menu == menu]

    def window_keys(self) -> set[str]:
        """Bound sequences that carry Ctrl/Alt/Meta or are function keys: the text editor passes these on."""
        keys = set()
        for action in self._actions.values():
            for sequence in action.shortcuts():
                if sequence.isEmpty():
                    continue
                combo = sequence[0]
                if _is_window_key(combo.keyboardModifiers(), combo.key()):
                    keys.add(sequence.toString(QKeySequence.SequenceFormat.PortableText))
        return keys


def _is_window_key(modifiers: Qt.KeyboardModifier, key: Qt.Key) -> bool:
    command_mods = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier
    if modifiers & command_mods:
        return True
    return Qt.Key.Key_F1.value <= key.value <= Qt.Key.Key_F35.value
