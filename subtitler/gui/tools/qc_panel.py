"""The QC panel: the core's findings as a live list, with fixes.

Selecting a finding goes to its cue; F8 / Shift+F8 step through the findings from
anywhere; Fix applies the selected finding's proposed fix, Fix all of this kind
every fix of its rule, each as one undo step. The reading profile is chosen here
(Automatic follows the document's language). The list follows every edit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDockWidget, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableView,
    QVBoxLayout, QWidget,
)

from subtitler.core.commands import ApplyFixes
from subtitler.core.qc import Finding, fixes_for
from subtitler.core.reading_rules import PROFILES
from subtitler.gui.cue_table import SEVERITY_COLOURS

if TYPE_CHECKING:
    from subtitler.gui.main_window import MainWindow

Index = QModelIndex | QPersistentModelIndex
HEADERS = ("Cue", "Rule", "Message")
AUTOMATIC = "Automatic (by language)"


class FindingsModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.findings: list[Finding] = []

    def set_findings(self, findings: Sequence[Finding]) -> None:
        self.beginResetModel()
        self.findings = list(findings)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(self.findings)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.findings):
            return None
        finding = self.findings[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (str(finding.row + 1), finding.rule.replace("_", " "), finding.message)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{finding.severity}: {finding.message}" + ("" if finding.fix is None else "\n(a fix is proposed)")
        if role == Qt.ItemDataRole.BackgroundRole and index.column() == 0:
            return SEVERITY_COLOURS.get(finding.severity)
        return None


class QcPanel(QDockWidget):
    """The dock's widgets; QcController drives them."""

    closed = Signal()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        super().closeEvent(event)
        self.closed.emit()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Quality checks", parent)
        self.setObjectName("qc_panel")
        self.profile = QComboBox()
        self.profile.setObjectName("qc_profile")
        self.profile.addItem(AUTOMATIC, None)
        for name, profile in PROFILES.items():
            self.profile.addItem(f"{name}: {profile.max_chars_per_line} chars × {profile.max_lines} lines, "
                                 f"{profile.max_cps:g} cps", name)
        self.model = FindingsModel()
        self.list = QTableView()
        self.list.setObjectName("qc_list")
        self.list.setModel(self.model)
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.verticalHeader().setVisible(False)
        self.list.verticalHeader().setDefaultSectionSize(20)
        header = self.list.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.list.setWordWrap(False)
        self.summary = QLabel()
        self.fix_button = QPushButton("Fi&x")  # Alt+F is the File menu
        self.fix_kind_button = QPushButton("Fix all of this &kind")
        self._init_layout()

    def _init_layout(self) -> None:
        profile_row = QHBoxLayout()
        label = QLabel("Pr&ofile:")  # Alt+P is the Playback menu
        label.setBuddy(self.profile)
        profile_row.addWidget(label)
        profile_row.addWidget(self.profile, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.fix_button)
        buttons.addWidget(self.fix_kind_button)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(profile_row)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.setWidget(body)

    def current_index(self) -> int:
        index = self.list.currentIndex()
        return index.row() if index.isValid() else -1

    def select(self, index: int) -> None:
        if 0 <= index < self.model.rowCount():
            self.list.setCurrentIndex(self.model.index(index, 0))
            self.list.scrollTo(self.model.index(index, 0))


class QcController:
    def __init__(self, window: "MainWindow") -> None:
        self.w = window
        self.panel = QcPanel(window)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.panel)
        self.panel.hide()
        toggle = window.actions["toggle_qc_panel"]
        toggle.toggled.connect(self._on_toggle_toggled)
        self.panel.closed.connect(lambda: toggle.setChecked(False))  # closed with its own button: the action follows
        self.panel.visibilityChanged.connect(lambda visible: toggle.setChecked(True) if visible else None)  # restored open
        self.panel.profile.activated.connect(self._on_profile_activated)
        self.panel.list.selectionModel().currentRowChanged.connect(self._on_list_current_row_changed)
        self.panel.list.activated.connect(lambda index: self.go_to(index.row(), focus_editor=True))
        self.panel.fix_button.clicked.connect(self.fix_current)
        self.panel.fix_kind_button.clicked.connect(self.fix_all_of_kind)
        window.qc.findings_changed.connect(self._on_qc_findings_changed)
        self._on_qc_findings_changed(window.qc.findings)

    def handlers(self) -> dict[str, Callable[[], Any]]:
        return {"next_finding": lambda: self.step(1), "previous_finding": lambda: self.step(-1),
                "fix_finding": self.fix_current, "fix_all_of_kind": self.fix_all_of_kind}

    def _on_toggle_toggled(self, on: bool) -> None:
        self.panel.setVisible(on)
        if on:
            self.panel.list.setFocus()
            if self.panel.current_index() < 0:
                self.panel.select(0)

    def _on_profile_activated(self, index: int) -> None:
        name = self.panel.profile.itemData(index)
        self.w.qc.set_profile(PROFILES[name] if name else None)
        self.w.timeline.min_gap_ms = self.w.qc.profile.min_gap_ms

    # --- the list -------------------------------------------------------------------
    @property
    def findings(self) -> list[Finding]:
        return self.panel.model.findings

    def _on_qc_findings_changed(self, findings: list) -> None:
        """Keep the same finding selected (same cue and rule) when the list is rebuilt after an edit."""
        old = self.current()
        self.panel.model.set_findings(findings)
        fixable = sum(1 for f in findings if f.fix is not None)
        self.panel.summary.setText(f"{len(findings)} finding(s), {fixable} with a fix; profile {self.w.qc.profile.name}")
        if old is not None:
            same = next((i for i, f in enumerate(findings) if (f.row, f.rule) == (old.row, old.rule)), None)
            if same is not None:
                self._select_quietly(same)

    def _select_quietly(self, index: int) -> None:
        model = self.panel.list.selectionModel()
        model.blockSignals(True)
        self.panel.select(index)
        model.blockSignals(False)
        self.panel.list.viewport().update()

    def current(self) -> Finding | None:
        index = self.panel.current_index()
        return self.findings[index] if 0 <= index < len(self.findings) else None

    def _on_list_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.go_to(current.row())

    def go_to(self, index: int, focus_editor: bool = False) -> None:
        if not 0 <= index < len(self.findings):
            return
        row = self.findings[index].row
        if row != self.w.table.current_row():
            self.w.table.select_row(row)
        if focus_editor:
            self.w.editor.setFocus()

    def step(self, direction: int) -> Finding | None:
        """The next (previous) finding, from the selected one, else from the current cue; wraps round."""
        if not self.findings:
            self.w.status.show_hint("No QC findings")
            return None
        index = self.panel.current_index()
        if index < 0 or self.findings[index].row != self.w.table.current_row():
            row = self.w.table.current_row()
            later = [i for i, f in enumerate(self.findings) if (f.row > row if direction > 0 else f.row < row)]
            index = (later[0] if direction > 0 else later[-1]) if later else (0 if direction > 0 else len(self.findings) - 1)
        else:
            index = (index + direction) % len(self.findings)
        self.panel.select(index)
        self.go_to(index)
        finding = self.findings[index]
        self.w.status.show_hint(f"Cue {finding.row + 1}: {finding.message}")
        return finding

    # --- fixes ------------------------------------------------------------------------
    def _fresh(self) -> list[Finding]:
        """Findings of the document as it is now (the list may be up to one debounce behind)."""
        self.w.qc.run_now()
        return self.findings

    def fix_current(self) -> bool:
        finding = self.current()
        if finding is None:
            self.w.status.show_hint("Select a finding first (F8)")
            return False
        fresh = next((f for f in self._fresh() if (f.row, f.rule) == (finding.row, finding.rule)), None)
        if fresh is None or fresh.fix is None:
            self.w.status.show_hint("No fix is proposed for this finding; edit the cue by hand" if fresh else "Already fixed")
            return False
        self.w.push(ApplyFixes(self.w.document, fixes_for(self.w.document, [fresh]), f"Fix {fresh.rule.replace('_', ' ')}"))
        self.w.qc.run_now()  # the list shows the fix at once
        return True

    def fix_all_of_kind(self) -> int:
        finding = self.current()
        if finding is None:
            self.w.status.show_hint("Select a finding first (F8)")
            return 0
        same = [f for f in self._fresh() if f.rule == finding.rule and f.fix is not None]
        if not same:
            self.w.status.show_hint(f"No fixes are proposed for “{finding.rule.replace('_', ' ')}”")
            return 0
        fixes = fixes_for(self.w.document, same)
        self.w.push(ApplyFixes(self.w.document, fixes, f"Fix all: {finding.rule.replace('_', ' ')}"))
        self.w.qc.run_now()
        self.w.status.show_hint(f"Fixed {len(fixes)} cue(s): {finding.rule.replace('_', ' ')}")
        return len(fixes)
