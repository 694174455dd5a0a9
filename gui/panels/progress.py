"""Training progress: a bar for the whole study with network, epoch, batch and ETA in words.

Where the study is and its ETA come from study.analysis.eta.StudyProgress, the tracker the
command line's progress line follows too; this widget only draws it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QProgressBar, QWidget

from study.analysis.eta import StudyProgress, format_eta  # noqa: F401 - format_eta re-exported
from study.protocol.events import (
    BatchProgress,
    EpochEnded,
    NetworkStarted,
    StudyFinished,
    StudyStarted,
)
from study.protocol.status import StudyStatus

STEPS = 1000


class TrainingProgress(QProgressBar):
    """Fraction of the study's batches done, and where it is, as the bar's text."""

    def __init__(self, parent: QWidget | None = None, model=None):
        super().__init__(parent)
        self.tracker = StudyProgress()
        self.setRange(0, STEPS)
        self.setTextVisible(True)
        self.setMinimumHeight(24)
        self.reset_idle()

        if model is not None:
            self.bind(model)

    def reset_idle(self, text: str = "Ready: choose the settings and press Run (Ctrl+R)") -> None:
        """No study running."""
        self.tracker.reset()
        self.setValue(0)
        self.setFormat(text)

    def bind(self, model) -> None:
        """Follow the runs of a gui.study_model.StudyModel (its steps, which its state omits)."""
        self.model = model
        model.sig_event.connect(self.follow)

    def follow(self, event) -> None:
        """Show where the run is after one of its events."""
        if isinstance(event, StudyStarted):
            config = self.model.state.config
            self.start(event, together=config is not None and config.mode == "all-at-once")
        elif isinstance(event, NetworkStarted):
            self.network_started(event)
        elif isinstance(event, BatchProgress):
            self.batch_done(event)
        elif isinstance(event, EpochEnded):
            self.epoch_done(event)
        elif isinstance(event, StudyFinished):
            self.finish(event.state, f"Study {event.state}: {Path(event.folder).name}")

    def start(self, event, together: bool = False) -> None:
        """A StudyStarted event: the size of the whole study; `together` for all-at-once."""
        self.tracker.start(event, together=together)
        self.setValue(0)
        self.setFormat(self.tracker.text)

    def network_started(self, event) -> None:
        """A NetworkStarted event."""
        self.tracker.network_started(event)
        if self.tracker.together:
            self.setFormat(self.tracker.text)  # building, then timing each network alone
        else:
            self._show()

    def batch_done(self, event) -> None:
        """A BatchProgress event (the child throttles them to a few per second)."""
        if self.tracker.batch_done(event):
            self._show()

    def epoch_done(self, event) -> None:
        """An EpochEnded event."""
        if self.tracker.epoch_done(event):
            self._show()

    def finish(self, state: str, text: str = "") -> None:
        """The study ended ("finished", "stopped", "failed")."""
        if state == StudyStatus.FINISHED:
            self.setValue(STEPS)
        self.setFormat(text or f"Study {state}")

    def done_fraction(self) -> float:
        """Fraction of all the study's batches completed."""
        return self.tracker.done_fraction()

    def eta_seconds(self) -> float | None:
        """Estimated seconds left: remaining batches at the current rate, plus evaluations."""
        return self.tracker.eta_seconds()

    def _show(self) -> None:
        self.setValue(int(STEPS * self.tracker.done_fraction()))
        self.setFormat(self.tracker.text + "   (%p%)")
