"""Training progress: a bar for the whole study with network, epoch, batch and ETA in words."""

from __future__ import annotations

from PySide6.QtWidgets import QProgressBar, QWidget

STEPS = 1000


def format_eta(seconds: float) -> str:
    """Remaining time as "m:ss" (or "h:mm:ss" past an hour)."""
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class TrainingProgress(QProgressBar):
    """Fraction of the study's batches done, and where it is, as the bar's text."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setRange(0, STEPS)
        self.setTextVisible(True)
        self.setMinimumHeight(24)
        self.reset_idle()

    def reset_idle(self, text: str = "Ready: choose the settings and press Run (Ctrl+R)") -> None:
        """No study running."""
        self.networks: list[str] = []
        self.epochs = self.batches = 0
        self.network = ""
        self.index = self.epoch = self.batch = 0
        self.seconds_per_batch = 0.0
        self.eval_seconds: list[float] = []
        self.setValue(0)
        self.setFormat(text)

    def start(self, event) -> None:
        """A StudyStarted event: the size of the whole study."""
        self.reset_idle()
        self.networks = list(event.networks)
        self.epochs = event.epochs
        self.batches = event.batches_per_epoch
        self.setFormat(f"Building {len(self.networks)} network(s) on {event.backend} / "
                       f"{event.device}…")

    def network_started(self, event) -> None:
        """A NetworkStarted event."""
        self.network, self.index = event.network, event.index
        self.epoch, self.batch = 1, 0
        self._show()

    def batch_done(self, event) -> None:
        """A BatchProgress event (the child throttles them to a few per second)."""
        self.network, self.epoch, self.batch = event.network, event.epoch, event.batch
        self.batches = event.batches or self.batches
        if event.batch:
            self.seconds_per_batch = event.seconds / event.batch
        self._show()

    def epoch_done(self, event) -> None:
        """An EpochEnded event."""
        self.network, self.epoch, self.batch = event.network, event.epoch, self.batches
        self.eval_seconds.append(event.eval_seconds)
        self._show()

    def finish(self, state: str, text: str = "") -> None:
        """The study ended ("finished", "stopped", "failed")."""
        if state == "finished":
            self.setValue(STEPS)
        self.setFormat(text or f"Study {state}")

    def done_fraction(self) -> float:
        """Fraction of all the study's batches completed."""
        total = len(self.networks) * self.epochs * self.batches
        if not total:
            return 0.0
        done = (self.index * self.epochs + max(0, self.epoch - 1)) * self.batches + self.batch
        return min(1.0, done / total)

    def eta_seconds(self) -> float | None:
        """Estimated seconds left: remaining batches at the current rate, plus evaluations."""
        if not self.seconds_per_batch or not self.networks:
            return None
        total = len(self.networks) * self.epochs * self.batches
        remaining_batches = total * (1.0 - self.done_fraction())
        epochs_left = len(self.networks) * self.epochs - (self.index * self.epochs + self.epoch)
        if self.batch < self.batches:
            epochs_left += 1
        eval_each = sum(self.eval_seconds) / len(self.eval_seconds) if self.eval_seconds else 0.0
        return remaining_batches * self.seconds_per_batch + max(0, epochs_left) * eval_each

    def _show(self) -> None:
        self.setValue(int(STEPS * self.done_fraction()))
        parts = [f"{self.network} ({self.index + 1}/{len(self.networks) or 1})",
                 f"epoch {self.epoch}/{self.epochs}", f"batch {self.batch}/{self.batches}"]
        eta = self.eta_seconds()
        if eta is not None:
            parts.append(f"ETA {format_eta(eta)}")
        self.setFormat("  ·  ".join(parts) + "   (%p%)")
