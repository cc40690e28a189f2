"""Status bar: playhead position, selection, QC summary, and transient hints."""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable

from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

from subtitler.core.timecode import format_timecode

HINT_MS = 6000


class StatusPanel(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.position_label = QLabel(format_timecode(0))
        self.selection_label = QLabel("No cue")
        self.qc_label = QLabel("QC: –")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.addPermanentWidget(self.progress)
        for label in (self.selection_label, self.qc_label, self.position_label):
            self.addPermanentWidget(label)

    def show_progress(self, done: float, total: float) -> None:
        """A long job's share done (done < 0: working, nothing finished yet: the bar shows busy); hidden by hide_progress."""
        busy = done < 0 or total <= 0
        self.progress.setRange(0, 0 if busy else 1000)
        self.progress.setValue(0 if busy else int(1000 * min(1.0, done / total)))
        self.progress.setFormat("" if busy else f"{100 * min(1.0, done / total):.0f} %")
        self.progress.show()

    def hide_progress(self) -> None:
        self.progress.hide()

    def show_position_ms(self, ms: int, duration_ms: int) -> None:
        self.position_label.setText(f"{format_timecode(ms)} / {format_timecode(duration_ms)}")

    def show_selection(self, current_row: int, selected: int, total: int) -> None:
        if current_row < 0:
            self.selection_label.setText(f"{total} cues")
        elif selected > 1:
            self.selection_label.setText(f"{selected} of {total} cues selected")
        else:
            self.selection_label.setText(f"Cue {current_row + 1} of {total}")

    def show_findings(self, findings: Iterable[Any]) -> None:
        counts = Counter(str(getattr(f, "severity", "info")).lower().split(".")[-1] for f in findings)
        if not counts:
            self.qc_label.setText("QC: no findings")
            return
        parts = [f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}" for s in ("error", "warning", "info") if counts[s]]
        parts += [f"{n} {s}" for s, n in counts.items() if s not in ("error", "warning", "info")]
        self.qc_label.setText("QC: " + ", ".join(parts))

    def show_hint(self, text: str, timeout_ms: int = HINT_MS) -> None:
        self.showMessage(text, timeout_ms)
