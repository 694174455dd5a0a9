"""The Training tab: the progress bar, the three live plots and the summary table under them,
in a splitter that gives the summary room for six rows."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from gui.panels.live_plots import LivePlots
from gui.panels.progress import TrainingProgress
from gui.panels.summary import SummaryTable
from gui.study_model import StudyModel


class TrainingTab(QWidget):
    """Progress, plots and summary of the study shown; all three bound to `model`."""

    def __init__(self, model: StudyModel, parent: QWidget | None = None):
        super().__init__(parent)
        # Every panel is given the model it renders from, and follows its signals.
        self.progress = TrainingProgress(model=model)
        self.plots = LivePlots(model=model)
        self.summary = SummaryTable(model=model)
        self.summary.setMinimumHeight(self.summary.height_for_rows(3))
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.plots)
        summary_box = QWidget()
        summary_layout = QVBoxLayout(summary_box)
        summary_layout.setContentsMargins(0, 0, 0, 0)
        summary_layout.addWidget(self.summary, 1)
        summary_layout.addWidget(self.summary.note)
        self.splitter.addWidget(summary_box)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        # Whether the splitter has its sizes (remembered, or given on first show).
        self.summary_sized = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.progress)
        layout.addWidget(self.splitter, 1)
        # A study's rows (and an all-at-once study's note) may need more room than the first
        # layout gave the summary: it grows, up to half the tab, to show all six rows.
        for signal in (model.sig_reset, model.sig_status_changed, model.sig_summary_changed):
            signal.connect(lambda *_: QTimer.singleShot(0, self.fit_summary_rows))

    def restore_splitter(self, state) -> None:
        """The splitter's remembered sizes."""
        self.splitter.restoreState(state)
        self.summary_sized = True

    def size_on_first_show(self) -> None:
        """Without remembered sizes, give the summary room for six rows once laid out."""
        if not self.summary_sized:
            self.summary_sized = True
            # After the window's show event the layout has given the splitter its real height.
            QTimer.singleShot(0, self._size_summary)

    def _size_summary(self) -> None:
        total = sum(self.splitter.sizes())
        rows = min(total // 3, self.summary.height_for_rows(6) + self._summary_note_height())
        self.splitter.setSizes([total - rows, rows])

    def _summary_note_height(self) -> int:
        note = self.summary.note
        return note.heightForWidth(self.summary.width()) + 6 if not note.isHidden() else 0

    def fit_summary_rows(self) -> None:
        """Grow the summary (never past half the tab) until six rows fit without scrolling."""
        need = self.summary.height_for_rows(6) - self.summary.height()
        sizes = self.splitter.sizes()
        if need <= 0 or len(sizes) != 2:
            return
        total = sum(sizes)
        grow = min(need, max(0, total // 2 - sizes[1]))
        if grow > 0:
            self.splitter.setSizes([sizes[0] - grow, sizes[1] + grow])
