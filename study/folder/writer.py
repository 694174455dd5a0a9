"""Writing a study folder: StudyWriter (the files) and FolderObserver, which writes them from a
run's events, as the TensorBoard writer draws from the same stream."""

from __future__ import annotations

import io
import json
import os
import socket
import time
from pathlib import Path

import numpy as np

from study.analysis.statistics import AGGREGATE_COLUMNS, aggregate_rows
from study.analysis.summary import METRICS_COLUMNS, SUMMARY_COLUMNS, SummaryRow, summarize_all
from study.config import StudyConfig
from study.folder import csvio
from study.folder.csvio import StoreError, atomic_write_text, csv_text, explain
from study.folder.environment import environment_record
from study.folder.layout import (
    CHECKPOINT_DIR,
    IDENTITY_COLUMNS,
    MODELS_DIR,
    RESERVE_BYTES,
    RESERVE_NAME,
    checkpoint_path,
    file_stem,
    model_path,
    new_study_folder,
    own_file,
    predictions_path,
    remove_orphans,
    weights_path,
)
from study.folder.liveness import HEARTBEAT_SECONDS, now_text
from study.folder.reader import read_metrics
from study.protocol import byhand
from study.protocol.events import (
    EPOCH_VALUES,
    EpochEnded,
    EpochResult,
    Failed,
    InitIdentity,
    NetworkDiverged,
    NetworkFinished,
    NetworkPredictions,
    NetworkWeights,
    RunRecorded,
    StudyFinished,
    StudyStarted,
)
from study.protocol.status import StudyStatus


class StudyWriter:
    """Writes one study folder as the study runs."""

    def __init__(self, folder: Path, config: StudyConfig):
        self.folder = Path(folder)
        self.config = config
        self.metrics_path = self.folder / "metrics.csv"
        self.epochs: list[dict] = []
        self.status: dict = {"state": StudyStatus.RUNNING.value, "started": now_text(),
                             "pid": os.getpid(), "host": socket.gethostname(),
                             "heartbeat": time.time()}
        self._last_beat = time.monotonic()
        (self.folder / "weights").mkdir(exist_ok=True)
        self._make_reserve()
        atomic_write_text(self.folder / "config.json", config.to_json() + "\n")
        byhand.save_kernels(self.folder / "byhand.json", config.byhand_kernels(), any_bank=True)
        atomic_write_text(self.metrics_path, ",".join(METRICS_COLUMNS) + "\n")
        self.write_summary()
        self.write_status()

    @classmethod
    def create(cls, root, config: StudyConfig) -> StudyWriter:
        """A writer for a brand-new folder under `root`."""
        return cls(new_study_folder(root), config)

    @classmethod
    def reopen(cls, folder, config: StudyConfig, status: dict,
               completed: dict[tuple[str, int], int]) -> StudyWriter:
        """A writer continuing a stopped study in `folder` (see `study --resume`).

        Orphan temp files and the old reserve are removed; metrics.csv keeps, for each
        (network, seed), only the rows up to `completed[network, seed]` (its checkpoint's
        epoch; 0 when it has none), rewritten atomically; the status is running again.
        """
        writer = cls.__new__(cls)
        writer.folder = Path(folder)
        writer.config = config
        writer.metrics_path = writer.folder / "metrics.csv"
        remove_orphans(writer.folder)
        rows = [row for row in read_metrics(own_file(writer.folder, writer.metrics_path),
                                            config.seed)
                if row["epoch"] <= completed.get((row["network"], row["seed"]), 0)]
        atomic_write_text(writer.metrics_path, csv_text(METRICS_COLUMNS, rows))
        writer.epochs = rows
        writer.status = {key: value for key, value in status.items() if key != "error"}
        writer.status.update(state=StudyStatus.RUNNING.value, resumed=now_text(),
                             pid=os.getpid(), host=socket.gethostname(), heartbeat=time.time())
        writer._last_beat = time.monotonic()
        (writer.folder / "weights").mkdir(exist_ok=True)
        writer._make_reserve()
        writer.write_status()
        return writer

    def checkpoint_path(self, network: str | None, seed: int | None = None) -> Path:
        """Where the checkpoint of a network and seed (None: the all-at-once model) goes."""
        (self.folder / CHECKPOINT_DIR).mkdir(exist_ok=True)
        return checkpoint_path(self.folder, network, self.config.seed if seed is None else seed,
                               self.config.seed_list)

    def model_path(self, network: str, seed: int | None, kind: str) -> Path:
        """Where the .keras file of a network and seed of kind "final" or "best" goes."""
        (self.folder / MODELS_DIR).mkdir(exist_ok=True)
        return model_path(self.folder, network, self.config.seed if seed is None else seed,
                          self.config.seed_list, kind)

    def write_status(self, **changes) -> None:
        """Update status.json (state, backend, device, dataset, …)."""
        self.status.update(changes)
        if self.status.get("state") != StudyStatus.RUNNING:
            # The study has ended: the reserve's room is for writing how it ended.
            self.release_reserve()
        self.status["updated"] = now_text()
        self.status["heartbeat"] = time.time()
        self._last_beat = time.monotonic()
        atomic_write_text(self.folder / "status.json", json.dumps(self.status, indent=2) + "\n")

    def heartbeat(self, force: bool = False) -> None:
        """Tell readers the writer is alive: rewrite status.json's heartbeat, at most every
        HEARTBEAT_SECONDS unless `force`. Cheap to call on every batch."""
        if force or time.monotonic() - self._last_beat >= HEARTBEAT_SECONDS:
            try:
                self.write_status()
            except StoreError:
                # Not fatal by itself: the next metrics row or file says what is wrong.
                self._last_beat = time.monotonic()

    def _make_reserve(self) -> None:
        """Set RESERVE_BYTES aside (see release_reserve); no reserve if the disk is too full."""
        path = self.folder / RESERVE_NAME
        try:
            with open(path, "wb") as fh:
                fh.write(b"\0" * RESERVE_BYTES)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError:
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass

    def release_reserve(self) -> None:
        """Give the reserved bytes back (on a full disk, before the last summary and status;
        and when the study ends)."""
        try:
            (self.folder / RESERVE_NAME).unlink(missing_ok=True)
        except OSError:
            pass

    def append_epoch(self, network: str, result, seed: int | None = None) -> None:
        """Append one epoch's metrics row (seed None: the study's seed) and flush it at once."""
        row = {
            "network": network, "seed": int(self.config.seed if seed is None else seed),
            "epoch": result.epoch, "train_loss": result.train_loss,
            "test_loss": result.test_loss, "test_accuracy": result.test_accuracy,
            "train_seconds": result.train_seconds, "eval_seconds": result.eval_seconds,
        }
        line = csv_text(METRICS_COLUMNS, [row]).split("\n", 1)[1]
        try:
            size = self.metrics_path.stat().st_size
        except OSError:
            size = None
        try:
            with open(self.metrics_path, "a", encoding="utf-8") as fh:
                fh.write(line)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            # A full disk may have cut the row mid-line: take the cut part back off.
            if size is not None:
                try:
                    os.truncate(self.metrics_path, size)
                except OSError:
                    pass
            raise StoreError(explain(self.metrics_path, exc)) from exc
        self.epochs.append(row)
        self.heartbeat()

    def summary_rows(self) -> list[SummaryRow]:
        """Summary of every (network, seed) with at least one epoch so far."""
        return summarize_all(self.config.networks, self.epochs, self.config.seed_list)

    def write_summary(self) -> list[SummaryRow]:
        """Rewrite summary.csv and aggregate.csv from the epochs so far; returns the summary."""
        rows = self.summary_rows()
        text = csv_text(SUMMARY_COLUMNS, [r.as_dict() for r in rows])
        atomic_write_text(self.folder / "summary.csv", text)
        aggregate = aggregate_rows(rows, self.config.networks)
        atomic_write_text(self.folder / "aggregate.csv", csv_text(AGGREGATE_COLUMNS, aggregate))
        return rows

    def write_init_identity(self, rows) -> None:
        """Write init_identity.csv (check,norm)."""
        text = csv_text(IDENTITY_COLUMNS, [{"check": c, "norm": float(n)} for c, n in rows])
        atomic_write_text(self.folder / "init_identity.csv", text)

    def _seed(self, seed: int | None) -> int:
        return self.config.seed if seed is None else seed

    def save_predictions(self, network: str, predicted: np.ndarray, labels: np.ndarray,
                         seed: int | None = None, kind: str = "final") -> Path:
        """Save a network's predicted classes on the test set beside the true labels (kind
        "best": its peak-accuracy model's, predictions/NET.best.npz)."""
        (self.folder / "predictions").mkdir(exist_ok=True)
        path = predictions_path(self.folder, network, self._seed(seed), self.config.seed_list,
                                kind)
        buffer = io.BytesIO()
        np.savez(buffer, predicted=np.asarray(predicted, np.int8),
                 labels=np.asarray(labels, np.int8))
        csvio.atomic_write_bytes(path, buffer.getvalue())
        return path

    def save_weights(self, network: str, which: str, flat: dict[str, np.ndarray],
                     seed: int | None = None) -> Path:
        """Save a network's weights ("initial" or "final") as weights/NET[.seed-S].WHICH.npz."""
        path = weights_path(self.folder, network, which, self._seed(seed), self.config.seed_list)
        buffer = io.BytesIO()
        np.savez(buffer, **flat)
        csvio.atomic_write_bytes(path, buffer.getvalue())
        return path

    def stem(self, network: str, seed: int | None) -> str:
        """NET or NET.seed-S: how this study names a (network, seed)'s files."""
        return file_stem(network, self._seed(seed), self.config.seed_list)


class FolderObserver:
    """Writes a study folder from the run's events: call it with each event, in order.

    Every event is also the writer's sign of life (the heartbeat in status.json). An epoch the
    folder already holds (a resumed study tells its kept epochs again) is not written twice.
    """

    def __init__(self, writer: StudyWriter):
        self.writer = writer
        self._recorded = {(r["network"], r["seed"], r["epoch"]) for r in writer.epochs}
        # A resumed folder's summary.csv may hold epochs its metrics no longer do.
        self._summary_stale = True

    @property
    def folder(self) -> Path:
        """The study folder being written."""
        return self.writer.folder

    def __call__(self, event) -> None:
        """Write what `event` adds to the folder."""
        handler = getattr(self, f"_on_{type(event).__name__}", None)
        if handler is not None:
            handler(event)
        if not isinstance(event, (StudyFinished, Failed)):
            self.writer.heartbeat()

    def _on_StudyStarted(self, event: StudyStarted) -> None:  # noqa: N802 - event name
        self.writer.write_status(backend=event.backend, device=event.device,
                                 dataset=event.dataset, keras_version=event.keras_version,
                                 mode=event.mode, timing=event.timing,
                                 data_fingerprint=event.data_fingerprint,
                                 dataset_info=event.dataset_info,
                                 environment=environment_record(event.backend))

    def _on_InitIdentity(self, event: InitIdentity) -> None:  # noqa: N802
        self.writer.write_init_identity(event.rows)

    def _on_EpochEnded(self, event: EpochEnded) -> None:  # noqa: N802
        key = (event.network, int(event.seed), int(event.epoch))
        if key in self._recorded:
            return
        result = EpochResult(event.epoch, *(getattr(event, c) for c in EPOCH_VALUES))
        self.writer.append_epoch(event.network, result, seed=event.seed)
        self._recorded.add(key)
        self._summary_stale = True

    def _on_NetworkWeights(self, event: NetworkWeights) -> None:  # noqa: N802
        self.writer.save_weights(event.network, event.which, event.weights, seed=event.seed)

    def _on_NetworkPredictions(self, event: NetworkPredictions) -> None:  # noqa: N802
        self.writer.save_predictions(event.network, event.predicted, event.labels,
                                     seed=event.seed, kind=event.kind)

    def _on_NetworkDiverged(self, event: NetworkDiverged) -> None:  # noqa: N802
        diverged = list(self.writer.status.get("diverged") or [])
        diverged.append({"network": event.network, "seed": event.seed, "epoch": event.epoch,
                         "batch": event.batch, "message": event.message})
        self.writer.write_status(diverged=diverged)

    def _on_NetworkFinished(self, event: NetworkFinished) -> None:  # noqa: N802
        if self._summary_stale:
            self.writer.write_summary()
            self._summary_stale = False

    def _on_RunRecorded(self, event: RunRecorded) -> None:  # noqa: N802
        self.writer.write_status(**event.facts)

    def _on_StudyFinished(self, event: StudyFinished) -> None:  # noqa: N802
        self.writer.release_reserve()
        self.writer.write_status(state=str(event.state))

    def _on_Failed(self, event: Failed) -> None:  # noqa: N802
        # On a full disk the reserve set aside at the start makes room for these last files.
        self.writer.release_reserve()
        try:
            self.writer.write_summary()
            self.writer.write_status(state=StudyStatus.FAILED.value, error=event.message)
        except Exception:  # noqa: BLE001 - the error the event reports matters more
            pass
