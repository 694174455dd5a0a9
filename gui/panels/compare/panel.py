"""The compare panel: the comparisons, the report's conclusions as checks, init identity and
confusion matrices, all drawn from the StudyModel's state (never from the folder during a run;
confusion matrices appear once the run has ended and its predictions are on disk).
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gui.panels.compare.cells import (
    EMPTY_TEXT,
)
from gui.panels.compare.comparisons import ComparisonsTab
from gui.panels.compare.conclusions import ConclusionsTab
from gui.panels.compare.confusion import ConfusionTab
from gui.study_model import StudyModel
from study.analysis.comparisons import study_rows
from study.folder.csvio import StoreError


class ComparePanel(ComparisonsTab, ConclusionsTab, ConfusionTab, QWidget):
    """Comparisons (Inset, Architecture, Recovery), conclusions, init identity, confusion."""

    def __init__(self, parent: QWidget | None = None, model: StudyModel | None = None):
        super().__init__(parent)
        self.model = model if model is not None else StudyModel(self)
        self._rows: dict[str, dict] = {}
        self._confusions: dict = {}
        self._comparison_drawn: dict[str, dict] = {}

        self.study_label = QLabel(EMPTY_TEXT)
        self.study_label.setWordWrap(True)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_comparisons_tab(), "Comparisons")
        self.tabs.addTab(self._build_conclusions_tab(), "Conclusions")
        self.tabs.addTab(self._build_identity_tab(), "Init identity")
        self.tabs.addTab(self._build_confusion_tab(), "Confusion")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.study_label)
        layout.addWidget(self.tabs, 1)
        self.tabs.currentChanged.connect(self._fit_rows_timer.start)
        # Changes arriving together (six networks finishing in one all-at-once step) redraw once.
        self._rebuild_timer = QTimer(self)
        self._rebuild_timer.setSingleShot(True)
        self._rebuild_timer.setInterval(0)
        self._rebuild_timer.timeout.connect(self.rebuild)
        self.model.sig_reset.connect(self.rebuild)
        for signal in (self.model.sig_summary_changed, self.model.sig_identity_changed,
                       self.model.sig_status_changed):
            signal.connect(self._rebuild_timer.start)
        self.rebuild()

    @property
    def stored(self):
        """The study shown (the model's StudyState), or None when there is none."""
        state = self.model.state
        return state if state.folder is not None or state.rows else None

    def set_study(self, stored) -> None:
        """Show a stored study's state (None clears the panel) through the model."""
        self.model.show_stored(stored)
        self.rebuild()

    def handle_event(self, event) -> None:
        """Apply a study event to the model and redraw at once (the window lets it coalesce)."""
        self.model.apply(event)
        self.rebuild()

    def rebuild(self) -> None:
        """Redraw every view from the model's state (in memory: no file is read mid-run)."""
        self._rebuild_timer.stop()
        state = self.model.state
        stored = self.stored
        # Each network's figures averaged over the seeds (one seed: its own row).
        self._rows = study_rows(stored) if stored is not None else {}
        try:
            self._confusions = state.confusions() if stored is not None else {}
        except (StoreError, ValueError) as exc:
            self._confusions = {}
            self.confusion_label.setText(f"Predictions cannot be read: {exc}")
        if state.running:
            name = state.folder.name if state.folder is not None else ""
            self.study_label.setText(
                f"Study {name} is running; comparisons fill in as networks finish.")
        elif stored is None:
            self.study_label.setText(EMPTY_TEXT)
        else:
            done = len(self._rows)
            name = state.folder.name if state.folder is not None else ""
            seeds = (f" Figures are means over {len(state.seeds)} seeds "
                     f"({', '.join(str(s) for s in state.seeds)}) with 95 % intervals."
                     if len(state.seeds) > 1 else "")
            self.study_label.setText(
                f"Study {name} ({state.state}): {done} of {len(state.networks)} "
                f"networks have results.{seeds}")
        self._show_comparison()
        self._fill_conclusions()
        self._fill_identity()
        self._fill_confusion_selector()
