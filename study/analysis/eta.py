"""Where a running study is and how long it has left, from its events — no Qt.

The app's progress bar and the command line's progress line both follow a study through this
tracker. Sequential studies train one network after another. All-at-once studies train every
network in the same steps: NetworkStarted comes for all of them first, then each report
(BatchProgress, EpochEnded) once per network, so the tracker counts the shared epochs and batches
instead.
"""

from __future__ import annotations

from study.protocol.events import BatchProgress, EpochEnded, NetworkStarted, StudyStarted


def format_eta(seconds: float) -> str:
    """Remaining time as "m:ss" (or "h:mm:ss" past an hour)."""
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class StudyProgress:
    """The study's size, the run, epoch and batch it is at, its rate, and the text for a person."""

    def __init__(self):
        self.reset()

    def reset(self) -> None:
        """No study followed."""
        self.networks: list[str] = []
        self.seeds: list[int] = []
        self.seed = 0
        self.epochs = self.batches = 0
        self.network = ""
        self.index = self.epoch = self.batch = 0
        self.seconds_per_batch = 0.0
        self.eval_seconds: list[float] = []
        self.together = False
        self.started: set[tuple[str, int]] = set()
        self.epochs_done: dict[tuple[str, int], int] = {}
        self.text = ""

    def follow(self, event, together: bool | None = None) -> bool:
        """Fold one event in; True when what is shown changed. `together`: all-at-once (for a
        StudyStarted, whose event does not say the mode)."""
        if isinstance(event, StudyStarted):
            self.start(event, together=bool(together))
        elif isinstance(event, NetworkStarted):
            self.network_started(event)
        elif isinstance(event, BatchProgress):
            return self.batch_done(event)
        elif isinstance(event, EpochEnded):
            return self.epoch_done(event)
        else:
            return False
        return True

    def start(self, event, together: bool = False) -> None:
        """A StudyStarted event: the size of the whole study; `together` for all-at-once."""
        self.reset()
        self.together = together
        self.networks = list(event.networks)
        self.seeds = [int(s) for s in (getattr(event, "seeds", None) or [])]
        self.epochs = event.epochs
        self.batches = event.batches_per_epoch
        how = " as one model" if together and self.total() > 1 else ""
        times = f" × {len(self.seeds)} seeds" if len(self.seeds) > 1 else ""
        self.text = (f"Building {len(self.networks)} network(s){times}{how} on "
                     f"{event.backend} / {event.device}…")

    def network_started(self, event) -> None:
        """A NetworkStarted event."""
        seed = int(getattr(event, "seed", 0))
        if self.together:
            self.started.add((event.network, seed))
            if len(self.started) >= self.total():
                # Before the shared training each network is timed alone (isolated estimates).
                self.text = (f"{self.together_label()}  ·  timing each network alone for its "
                             "isolated estimate…")
            return
        self.network, self.seed = event.network, seed
        self.index = event.index
        if len(self.seeds) > 1 and event.count <= len(self.networks):
            # The index counts within one seed: the seeds before it ran every network.
            position = self.seeds.index(seed) if seed in self.seeds else 0
            self.index = position * len(self.networks) + event.index
        self.epoch, self.batch = 1, 0
        self.text = self.where_text()

    def batch_done(self, event) -> bool:
        """A BatchProgress event (throttled to a few per second by the runner)."""
        if self.together and (event.epoch, event.batch) == (self.epoch, self.batch):
            return False  # the same shared step, reported again for the next network
        self.network, self.epoch, self.batch = event.network, event.epoch, event.batch
        self.batches = event.batches or self.batches
        if event.batch:
            self.seconds_per_batch = event.seconds / event.batch
        self.text = self.where_text()
        return True

    def epoch_done(self, event) -> bool:
        """An EpochEnded event."""
        self.network, self.epoch, self.batch = event.network, event.epoch, self.batches
        if self.together:
            # Each network carries an even share of the shared evaluation: sum them per epoch.
            key = (event.network, int(getattr(event, "seed", 0)))
            if self.epochs_done.get(key, 0) >= event.epoch:
                return False
            self.epochs_done[key] = event.epoch
            if len(self.eval_seconds) < event.epoch:
                self.eval_seconds.append(0.0)
            self.eval_seconds[event.epoch - 1] += event.eval_seconds
        else:
            self.eval_seconds.append(event.eval_seconds)
        self.text = self.where_text()
        return True

    def total(self) -> int:
        """How many (network, seed) runs the study has."""
        return len(self.networks) * max(1, len(self.seeds))

    def runs(self) -> int:
        """How many runs train one after another (1 when they all train together)."""
        return 1 if self.together else self.total()

    def done_fraction(self) -> float:
        """Fraction of all the study's batches completed."""
        total = self.runs() * self.epochs * self.batches
        if not total:
            return 0.0
        done = (self.index * self.epochs + max(0, self.epoch - 1)) * self.batches + self.batch
        return min(1.0, done / total)

    def eta_seconds(self) -> float | None:
        """Estimated seconds left: remaining batches at the current rate, plus evaluations."""
        if not self.seconds_per_batch or not self.networks:
            return None
        total = self.runs() * self.epochs * self.batches
        remaining_batches = total * (1.0 - self.done_fraction())
        epochs_left = self.runs() * self.epochs - (self.index * self.epochs + self.epoch)
        if self.batch < self.batches:
            epochs_left += 1
        evals = self.eval_seconds
        if self.together:
            evals = evals[:self._complete_epochs()] or evals
        eval_each = sum(evals) / len(evals) if evals else 0.0
        return remaining_batches * self.seconds_per_batch + max(0, epochs_left) * eval_each

    def _complete_epochs(self) -> int:
        """All-at-once: the epochs every network has reported (their shared evaluation whole)."""
        if self.seeds:
            return min((self.epochs_done.get((n, s), 0) for n in self.networks
                        for s in self.seeds), default=0)
        # an older runner's events name no seeds
        return min((max((d for (m, _s), d in self.epochs_done.items() if m == n), default=0)
                    for n in self.networks), default=0)

    def together_label(self) -> str:
        """What trains in an all-at-once study: "all 6 networks × 3 seeds together"."""
        count = len(self.networks)
        seeds = f" × {len(self.seeds)} seeds" if len(self.seeds) > 1 else ""
        if count > 1 or seeds:
            return f"all {count} networks{seeds} together"
        return f"{self.networks[0]}" if self.networks else ""

    def where_text(self) -> str:
        """"NetA1-HF (1/6)  ·  epoch 2/60  ·  batch 40/469  ·  ETA 12:03"."""
        if self.together:
            where = self.together_label()
        else:
            seed = f" seed {self.seed}" if len(self.seeds) > 1 else ""
            where = f"{self.network}{seed} ({self.index + 1}/{self.total() or 1})"
        parts = [where, f"epoch {self.epoch}/{self.epochs}", f"batch {self.batch}/{self.batches}"]
        eta = self.eta_seconds()
        if eta is not None:
            parts.append(f"ETA {format_eta(eta)}")
        return "  ·  ".join(parts)
