"""What the steps of one run share: settings, data, the event stream and the epochs so far.

The runner and the all-at-once trainer report through `RunContext.emit`; the folder observer and
the caller's emit both listen (see `fan_out`). Nothing here writes a file but the Keras files a
model must save itself (checkpoints, models/*.keras), which `paths` names.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from study.analysis.summary import SummaryRow, summarize_all
from study.config import StudyConfig
from study.protocol.events import (
    LOCAL_EVENTS,
    EpochEnded,
    KernelsUpdated,
    NetworkFinished,
    NetworkPredictions,
    RunRecorded,
)


def fan_out(observer: Callable, outer: Callable) -> Callable:
    """One emit for both: the observer first (a file it cannot write stops the run before the
    caller hears of the event), then the caller, who never sees LOCAL_EVENTS."""

    def emit(event) -> None:
        observer(event)
        if not isinstance(event, LOCAL_EVENTS):
            outer(event)

    return emit


@dataclass
class RunContext:
    """One run in progress; see the module doc."""

    config: StudyConfig
    dataset: object
    emit: Callable
    stop_event: threading.Event
    folder: Path
    # The folder's paths for the files Keras saves: checkpoint_path(network, seed) and
    # model_path(network, seed, kind), each making its folder.
    paths: object
    # What a resumed run was: its status.json, and each (network, seed)'s checkpoint epoch.
    status: dict = field(default_factory=dict)
    completed: dict = field(default_factory=dict)
    rows: list[dict] = field(default_factory=list)
    saver: object = None
    eval_batch_size: int = 1000
    current: tuple[str, int] = ("", 0)

    @property
    def seeds(self) -> tuple[int, ...]:
        """The seeds every network trains with."""
        return self.config.seed_list

    def epoch_ended(self, name: str, seed: int, result) -> None:
        """Report one completed epoch (the folder observer appends its metrics row)."""
        self.emit(EpochEnded(name, result.epoch, result.train_loss, result.test_loss,
                             result.test_accuracy, result.train_seconds, result.eval_seconds,
                             seed))
        self.rows.append({"network": name, "seed": int(seed), "epoch": result.epoch,
                          "train_loss": result.train_loss, "test_loss": result.test_loss,
                          "test_accuracy": result.test_accuracy,
                          "train_seconds": result.train_seconds,
                          "eval_seconds": result.eval_seconds})

    def summary_rows(self) -> list[SummaryRow]:
        """Summary of every (network, seed) with at least one epoch so far."""
        return summarize_all(self.config.networks, self.rows, self.seeds)

    def has_epochs(self, name: str, seed: int) -> bool:
        """Whether (name, seed) completed an epoch (kept ones of a resumed run count)."""
        return any(row["network"] == name and row["seed"] == seed for row in self.rows)

    def save_models(self, name: str, seed: int, weights: dict) -> None:
        """models/NET.keras from the final weights, and the best model's test predictions."""
        best = self.saver.finished(name, seed, weights, self.dataset.x_test,
                                   self.eval_batch_size)
        if best is not None:
            self.emit(NetworkPredictions(name, best, self.dataset.y_test, seed, "best"))
        # What keeping the .keras files cost this run (README: a new peak's file is cheap).
        self.emit(RunRecorded({"model_files_saved": self.saver.files,
                               "model_save_seconds": self.saver.seconds}))


def kernels_event(name: str, epoch: int, weights: dict, seed: int = 0) -> KernelsUpdated:
    """The conv1 (and conv2) kernels of layer weights {layer: [kernel, bias]} as an event."""
    conv2 = weights.get("conv2")
    return KernelsUpdated(name, epoch, weights["conv1"][0].tolist(),
                          conv2[0].tolist() if conv2 else None, seed)


def finished_event(row: SummaryRow, epochs_done: int) -> NetworkFinished:
    """A (network, seed)'s summary row as the event that reports it."""
    return NetworkFinished(row.network, epochs_done, row.peak_test_accuracy, row.peak_epoch,
                           row.final_test_accuracy, row.seconds_per_epoch, row.total_seconds,
                           row.seed)
