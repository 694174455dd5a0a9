"""A study folder on disk: config, per-epoch metrics appended as they come, summary, weights.

Layout:
    config.json          the StudyConfig
    byhand.json          the ByHand kernels the study used
    status.json          state (running / finished / stopped / failed), backend, device, dataset
    metrics.csv          one row per network, seed and epoch, appended and flushed as each ends
    summary.csv          one row per (network, seed), rewritten as each network finishes
    aggregate.csv        per network and summary metric: mean, sd, 95 % interval over the seeds
    init_identity.csv    check,norm
    weights/NET.initial.npz, weights/NET.final.npz   arrays "conv1/kernel", "conv1/bias", …
    predictions/NET.npz  predicted classes on the test set at the end of training, and the labels
    (a study of several seeds names these per seed: NET.seed-S.initial.npz, NET.seed-S.npz)
    checkpoints/NET[.seed-S].npz (sequential) or checkpoints/all_at_once.npz (all-at-once)
                         weights, optimizer state and epoch after the last completed epoch,
                         rewritten atomically after each; `study --resume` continues from them
    models/NET[.seed-S].keras, models/NET[.seed-S].best.keras
                         the trained network as a Keras file: final epoch and peak test
                         accuracy (keras_models/saving.py); predictions/NET[.seed-S].best.npz
                         holds the best model's test predictions (`evaluate` compares to them)

Every file but the append-only metrics is written atomically (temp file, then rename), so a
crash or a full disk never leaves a half-written file behind.
"""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from study.analysis.statistics import AGGREGATE_COLUMNS, aggregate_rows
from study.analysis.summary import (
    LEGACY_METRICS_COLUMNS,
    METRICS_COLUMNS,
    SUMMARY_COLUMNS,
    SummaryRow,
    summarize_all,
)
from study.config import ConfigError, StudyConfig
from study.protocol import byhand
from study.protocol.files import replace_atomically

IDENTITY_COLUMNS = ("check", "norm")
DEFAULT_ROOT = Path("studies")
# The writer of a running study rewrites status.json's heartbeat at most this often (seconds),
# on each epoch and on training progress; a study from another host whose heartbeat is older
# than STALE_SECONDS is taken to have lost its writer.
HEARTBEAT_SECONDS = 10.0
STALE_SECONDS = 300.0
# On this host a live pid may be another process that reused the number (after a reboot): a
# heartbeat this old means the writer is gone even so.
REUSED_PID_SECONDS = 3600.0
# Bytes set aside when a study starts, given back on a full disk so that summary.csv and
# status.json can still say what happened.
RESERVE_BYTES = 1 << 20
RESERVE_NAME = ".reserve"
CHECKPOINT_DIR = "checkpoints"
# The states from which `study --resume` continues a study.
RESUMABLE_STATES = ("stopped", "failed", "interrupted")
COMBINED_CHECKPOINT = "all_at_once"
MODELS_DIR = "models"
# The kinds of stored model: the final epoch's, and the peak test accuracy's.
MODEL_KINDS = ("final", "best")


class StoreError(RuntimeError):
    """A study folder that cannot be written or read; says which file and why."""


def _explain(path: Path, exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    hint = ""
    if getattr(exc, "errno", None) == 28:
        hint = " Free some disk space; what was already written is kept."
    elif getattr(exc, "errno", None) in (13, 30):
        hint = " Choose a folder you can write to (--out DIR)."
    return f"could not write {path}: {reason}.{hint}"


def atomic_write_bytes(path: Path, payload: bytes) -> None:
    """Write `payload` to `path` via an exclusive temp file and rename (never through a planted
    link); StoreError on failure."""
    try:
        replace_atomically(path, payload)
    except OSError as exc:
        raise StoreError(_explain(path, exc)) from exc


def atomic_write_text(path: Path, text: str) -> None:
    """Text version of atomic_write_bytes (UTF-8)."""
    atomic_write_bytes(path, text.encode("utf-8"))


def csv_text(columns, rows) -> str:
    """CSV of dict rows with the given columns; floats keep full precision."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(row[key]) for key in columns})
    return buffer.getvalue()


def _cell(value):
    if isinstance(value, float):
        return repr(value)
    return value


def file_stem(network: str, seed: int, seeds) -> str:
    """How a network's per-seed files are named: NET alone in a one-seed study, else NET.seed-S."""
    return network if len(tuple(seeds)) <= 1 else f"{network}.seed-{int(seed)}"


def check_out_root(root) -> None:
    """StoreError, before anything is loaded or made, when `root` cannot hold study folders:
    it, or a folder it would be made in, is an existing file."""
    root = Path(root)
    for path in (root, *root.parents):
        if path.exists() or path.is_symlink():
            if not path.is_dir():
                which = "is" if path == root else f"is inside {path}, which is"
                raise StoreError(f"--out {root} {which} a file, not a folder; give a folder "
                                 "for the study folders")
            return


def new_study_folder(root, kind: str = "study") -> Path:
    """Create a new, empty folder KIND-YYYYmmdd-HHMMSS (a study's, or a sweep's) under `root`,
    never reusing an existing name."""
    root = Path(root)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(_explain(root, exc)) from exc
    stamp = time.strftime(f"{kind}-%Y%m%d-%H%M%S")
    for attempt in range(1, 1000):
        folder = root / (stamp if attempt == 1 else f"{stamp}-{attempt}")
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        except OSError as exc:
            raise StoreError(_explain(folder, exc)) from exc
        return folder
    raise StoreError(f"could not find a free {kind} folder name under {root}")


class StudyWriter:
    """Writes one study folder as the study runs."""

    def __init__(self, folder: Path, config: StudyConfig):
        self.folder = Path(folder)
        self.config = config
        self.metrics_path = self.folder / "metrics.csv"
        self.epochs: list[dict] = []
        self.status: dict = {"state": "running", "started": _now(), "pid": os.getpid(),
                             "host": socket.gethostname(), "heartbeat": time.time()}
        self._last_beat = time.monotonic()
        (self.folder / "weights").mkdir(exist_ok=True)
        self._make_reserve()
        atomic_write_text(self.folder / "config.json", config.to_json() + "\n")
        byhand.save_kernels(self.folder / "byhand.json", config.byhand_kernels())
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
        rows = [row for row in _read_metrics(own_file(writer.folder, writer.metrics_path),
                                             config.seed)
                if row["epoch"] <= completed.get((row["network"], row["seed"]), 0)]
        atomic_write_text(writer.metrics_path, csv_text(METRICS_COLUMNS, rows))
        writer.epochs = rows
        writer.status = {key: value for key, value in status.items() if key != "error"}
        writer.status.update(state="running", resumed=_now(), pid=os.getpid(),
                             host=socket.gethostname(), heartbeat=time.time())
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
        if self.status.get("state") != "running":
            # The study has ended: the reserve's room is for writing how it ended.
            self.release_reserve()
        self.status["updated"] = _now()
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
            raise StoreError(_explain(self.metrics_path, exc)) from exc
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

    def _stem(self, network: str, seed: int | None) -> str:
        return file_stem(network, self.config.seed if seed is None else seed,
                         self.config.seed_list)

    def save_predictions(self, network: str, predicted: np.ndarray, labels: np.ndarray,
                         seed: int | None = None, kind: str = "final") -> Path:
        """Save a network's predicted classes on the test set beside the true labels (kind
        "best": its peak-accuracy model's, predictions/NET.best.npz)."""
        (self.folder / "predictions").mkdir(exist_ok=True)
        path = predictions_path(self.folder, network, self.config.seed if seed is None else seed,
                                self.config.seed_list, kind)
        buffer = io.BytesIO()
        np.savez(buffer, predicted=np.asarray(predicted, np.int8),
                 labels=np.asarray(labels, np.int8))
        atomic_write_bytes(path, buffer.getvalue())
        return path

    def save_weights(self, network: str, which: str, flat: dict[str, np.ndarray],
                     seed: int | None = None) -> Path:
        """Save a network's weights ("initial" or "final") as weights/NET[.seed-S].WHICH.npz."""
        path = self.folder / "weights" / f"{self._stem(network, seed)}.{which}.npz"
        buffer = io.BytesIO()
        np.savez(buffer, **flat)
        atomic_write_bytes(path, buffer.getvalue())
        return path


def model_path(folder, network: str, seed: int, seeds, kind: str = "final") -> Path:
    """models/NET[.seed-S].keras (kind "final") or models/NET[.seed-S].best.keras ("best")."""
    if kind not in MODEL_KINDS:
        raise ValueError(f"kind must be one of {', '.join(MODEL_KINDS)}, got {kind!r}")
    suffix = ".keras" if kind == "final" else f".{kind}.keras"
    return Path(folder) / MODELS_DIR / f"{file_stem(network, seed, seeds)}{suffix}"


def predictions_path(folder, network: str, seed: int, seeds, kind: str = "final") -> Path:
    """predictions/NET[.seed-S].npz (the final model's) or predictions/NET[.seed-S].best.npz."""
    suffix = ".npz" if kind == "final" else f".{kind}.npz"
    return Path(folder) / "predictions" / f"{file_stem(network, seed, seeds)}{suffix}"


def checkpoint_path(folder, network: str | None, seed: int, seeds) -> Path:
    """checkpoints/NET[.seed-S].npz of a study folder, or checkpoints/all_at_once.npz for the
    all-at-once model (network None)."""
    stem = COMBINED_CHECKPOINT if network is None else file_stem(network, seed, seeds)
    return Path(folder) / CHECKPOINT_DIR / f"{stem}.npz"


def checkpoint_epoch(folder, network: str | None, seed: int, seeds) -> int:
    """The epoch a checkpoint was saved after; 0 when there is none. StoreError when it cannot
    be read."""
    path = own_file(folder, checkpoint_path(folder, network, seed, seeds))
    if not path.is_file():
        return 0
    npz = _load_npz(path)
    try:
        with npz:
            return int(npz["epoch"])
    except Exception as exc:  # noqa: BLE001 - a bad CRC, a cut member, no epoch
        raise StoreError(f"{path}: cannot be read ({_reason(exc)})") from None


def remove_orphans(folder) -> list[Path]:
    """Remove what a killed writer leaves behind in a study folder: temp files of
    replace_atomically (.NAME.*.tmp) and the disk reserve. Returns what was removed."""
    folder = Path(folder)
    removed = []
    for where in (folder, folder / "weights", folder / "predictions", folder / CHECKPOINT_DIR,
                  folder / MODELS_DIR):
        if not where.is_dir() or where.is_symlink():
            continue
        candidates = [*where.glob(".*.tmp")]
        if where == folder:
            candidates.append(where / RESERVE_NAME)
        for path in candidates:
            if path.is_file() or path.is_symlink():
                try:
                    path.unlink()
                    removed.append(path)
                except OSError:
                    pass
    return removed


def data_fingerprint(dataset) -> str:
    """A short hash identifying a dataset's arrays (shapes, dtypes and bytes of all four)."""
    import hashlib

    digest = hashlib.blake2b(digest_size=16)
    for array in (dataset.x_train, dataset.y_train, dataset.x_test, dataset.y_test):
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape};".encode())
        digest.update(memoryview(array).cast("B"))
    return digest.hexdigest()


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


@dataclass
class StoredStudy:
    """A study folder read back: config, metrics rows, summary, identity rows, status."""

    folder: Path
    config: StudyConfig
    epochs: list[dict]
    status: dict
    init_identity: list[tuple[str, float]] = field(default_factory=list)
    # What could not be read and was left out (a damaged status.json, …), one line each.
    problems: list[str] = field(default_factory=list)

    @property
    def seeds(self) -> tuple[int, ...]:
        """The seeds every network was trained with."""
        return self.config.seed_list

    @property
    def summary(self) -> list[SummaryRow]:
        """Summary rows, one per (network, seed), recomputed from the metrics (the source of
        truth)."""
        return summarize_all(self.config.networks, self.epochs, self.seeds)

    def _seed(self, seed: int | None) -> int:
        return self.seeds[0] if seed is None else int(seed)

    def networks_with_epochs(self) -> list[str]:
        """Networks that completed at least one epoch, in config order."""
        present = {r["network"] for r in self.epochs}
        return [n for n in self.config.networks if n in present]

    def curve(self, network: str, column: str,
              seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(epochs, values) of one metrics column for one network and seed (None: the first)."""
        seed = self._seed(seed)
        rows = sorted((r for r in self.epochs if r["network"] == network and r["seed"] == seed),
                      key=lambda r: r["epoch"])
        return (np.array([r["epoch"] for r in rows], dtype=int),
                np.array([r[column] for r in rows], dtype=float))

    def predictions(self, network: str,
                    seed: int | None = None) -> tuple[np.ndarray, np.ndarray] | None:
        """(predicted, labels) of a network (and seed; None: the first) on the test set at the
        end of training, or None."""
        return read_predictions(self.folder, network, self._seed(seed), self.seeds)

    def weights(self, network: str, which: str,
                seed: int | None = None) -> dict[str, np.ndarray] | None:
        """Stored weights ("initial" or "final") of a network and seed (None: the first), or None
        if not saved."""
        return read_weights(self.folder, network, which, self._seed(seed), self.seeds)


def read_predictions(folder, network: str, seed: int, seeds,
                     kind: str = "final") -> tuple[np.ndarray, np.ndarray] | None:
    """(predicted, labels) from predictions/NET[.seed-S].npz of a study folder (kind "best":
    NET[.seed-S].best.npz), or None."""
    path = own_file(folder, predictions_path(folder, network, seed, seeds, kind))
    if not path.is_file():
        return None
    npz = _load_npz(path)
    try:
        with npz:
            missing = [key for key in ("predicted", "labels") if key not in npz.files]
            if missing:
                raise StoreError(f"{path}: damaged: it lacks {', '.join(missing)}")
            return npz["predicted"].astype(int), npz["labels"].astype(int)
    except StoreError:
        raise
    except Exception as exc:  # noqa: BLE001 - a bad CRC, a cut member, a non-number dtype
        raise StoreError(f"{path}: cannot be read ({_reason(exc)})") from None


def read_weights(folder, network: str, which: str, seed: int,
                 seeds) -> dict[str, np.ndarray] | None:
    """A network's weights from weights/NET[.seed-S].WHICH.npz of a study folder, or None."""
    path = own_file(folder, Path(folder) / "weights"
                    / f"{file_stem(network, seed, seeds)}.{which}.npz")
    if not path.is_file():
        return None
    npz = _load_npz(path)
    try:
        with npz:
            weights = {key: npz[key] for key in npz.files}
    except Exception as exc:  # noqa: BLE001 - a bad CRC, a cut member
        raise StoreError(f"{path}: cannot be read ({_reason(exc)})") from None
    for key, value in weights.items():
        if value.dtype == np.bool_ or not (np.issubdtype(value.dtype, np.integer)
                                           or np.issubdtype(value.dtype, np.floating)):
            raise StoreError(f"{path}: damaged: {key} holds {value.dtype}, not real numbers")
    return weights


def _reason(exc: BaseException) -> str:
    """One short line for an exception: its message, or its type when it has none."""
    text = " ".join(str(exc).split())
    return text if text else type(exc).__name__


def _load_npz(path: Path):
    """np.load of an .npz archive (never unpickled); StoreError for anything else."""
    try:
        npz = np.load(path, allow_pickle=False)
    except Exception as exc:  # noqa: BLE001 - truncated, not a zip, pickled, …
        raise StoreError(f"{path}: cannot be read ({_reason(exc)})") from None
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise StoreError(f"{path}: damaged: a single .npy array, not an .npz archive")
    return npz


def pid_alive(pid: int) -> bool:
    """Whether a process `pid` exists on this host (one we may not signal counts)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except (OSError, OverflowError):
        return False
    return True


def writer_gone(status: dict, now: float | None = None) -> bool:
    """Whether a study status.json calls "running" has lost its writer: its pid is not alive on
    this host (or its heartbeat is older than REUSED_PID_SECONDS: the pid was reused), or (from
    another host) its heartbeat is older than STALE_SECONDS. A status
    without pid and host (written before they were recorded) is taken at its word."""
    if status.get("state") != "running":
        return False
    pid, host = status.get("pid"), status.get("host")
    if not isinstance(pid, int) or not isinstance(host, str):
        return False
    beat = status.get("heartbeat")
    age = ((time.time() if now is None else now) - float(beat)
           if isinstance(beat, (int, float)) else None)
    if host == socket.gethostname():
        return not pid_alive(pid) or (age is not None and age > REUSED_PID_SECONDS)
    return age is not None and age > STALE_SECONDS


def truthful_status(status: dict) -> dict:
    """status.json as readers should show it: "interrupted" (with a note) for a study whose
    writer is gone, never "running"."""
    if not writer_gone(status):
        return status
    status = dict(status)
    status["state"] = "interrupted"
    status.setdefault("error", f"the process that ran it (pid {status.get('pid')} on "
                               f"{status.get('host')}) ended without finishing it")
    return status


def own_file(folder, path) -> Path:
    """`path` if it may be read as one of the study's files: absent, or a regular file whose real
    location is inside the study folder. StoreError for a link out of the folder or a non-file."""
    path = Path(path)
    if not os.path.lexists(path):
        return path
    inside = Path(os.path.realpath(path)).is_relative_to(Path(os.path.realpath(folder)))
    if not inside:
        raise StoreError(f"{path}: a link to {os.path.realpath(path)}, outside the study folder; "
                         "Kernel Lab reads only the study's own files (replace the link with "
                         "the file itself)")
    if not path.is_file():
        raise StoreError(f"{path}: not a regular file; a study's files are plain files")
    return path


def open_study(folder, strict: bool = True) -> StoredStudy:
    """Read a study folder; StoreError says plainly when it is not one or is damaged.

    `strict=False` (the app) reads a damaged init_identity.csv as empty and says so in
    `problems`; the config and the metrics must always be readable."""
    folder = Path(folder)
    if not folder.is_dir():
        raise StoreError(f"{folder} is not a folder")
    config_path = own_file(folder, folder / "config.json")
    metrics_path = own_file(folder, folder / "metrics.csv")
    if not config_path.is_file() or not metrics_path.is_file():
        raise StoreError(
            f"{folder} is not a Kernel Lab study folder (it has no config.json and metrics.csv); "
            "open the folder a study run created, e.g. studies/study-YYYYmmdd-HHMMSS"
        )
    try:
        config = StudyConfig.from_json(config_path.read_text(encoding="utf-8"))
    except (ConfigError, OSError, UnicodeDecodeError) as exc:
        raise StoreError(f"{config_path}: {exc}") from None
    epochs = _read_metrics(metrics_path, config.seed)
    status = {}
    problems = []
    status_path = folder / "status.json"
    if os.path.lexists(status_path):
        try:
            status = json.loads(own_file(folder, status_path).read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError, StoreError) as exc:
            status = None
            problems.append(f"{status_path}: cannot be read ({_reason(exc)}); its state is "
                            "unknown")
        if not isinstance(status, dict):
            # Damaged (e.g. `[]`): the rest of the study is still worth showing.
            if status is not None:
                problems.append(f"{status_path}: damaged (a JSON {type(status).__name__}, not "
                                "an object); its state is unknown")
            status = {"state": "unknown"}
    status = truthful_status(status)
    identity = []
    identity_path = folder / "init_identity.csv"
    if os.path.lexists(identity_path):
        try:
            identity = _read_identity(own_file(folder, identity_path))
        except StoreError as exc:
            if strict:
                raise
            problems.append(str(exc))
    return StoredStudy(folder, config, epochs, status, identity, problems)


def _read_identity(path: Path) -> list[tuple[str, float]]:
    """init_identity.csv's (check, norm) rows; StoreError names the file and the damage."""
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            if tuple(reader.fieldnames or ()) != IDENTITY_COLUMNS:
                raise StoreError(f"{path}: columns are {reader.fieldnames}, expected "
                                 f"{list(IDENTITY_COLUMNS)}")
            raws = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise StoreError(f"{path}: cannot be read ({_reason(exc)})") from None
    rows = []
    for index, raw in enumerate(raws):
        try:
            rows.append((str(raw["check"]), float(raw["norm"])))
        except (TypeError, ValueError):
            raise StoreError(f"{path}: line {index + 2}: norm {raw.get('norm')!r} is not a "
                             "number") from None
    return rows


def _read_metrics(path: Path, default_seed: int = 0) -> list[dict]:
    """Metrics rows with typed values; a file from before seeds existed gets `default_seed`."""
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            columns = tuple(reader.fieldnames or ())
            if columns not in (METRICS_COLUMNS, LEGACY_METRICS_COLUMNS):
                raise StoreError(
                    f"{path}: columns are {reader.fieldnames}, expected {list(METRICS_COLUMNS)}"
                )
            raws = list(reader)
    except UnicodeDecodeError as exc:
        raise StoreError(f"{path}: not UTF-8 text (byte {exc.start:,}: {exc.reason}); "
                         "the file is damaged") from None
    except (OSError, csv.Error) as exc:
        raise StoreError(f"{path}: cannot be read ({_reason(exc)})") from None
    rows = []
    for index, raw in enumerate(raws):
        try:
            rows.append({
                "network": raw["network"],
                "seed": int(raw["seed"]) if "seed" in raw else int(default_seed),
                "epoch": int(raw["epoch"]),
                **{c: float(raw[c]) for c in METRICS_COLUMNS[3:]},
            })
        except (TypeError, ValueError):
            # A last line cut short by a crash is the only damage an append-only file takes;
            # keep every complete row before it.
            if index == len(raws) - 1:
                break
            raise StoreError(f"{path}: line {index + 2} is not a metrics row") from None
    return rows
