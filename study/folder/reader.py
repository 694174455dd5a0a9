"""The raw reader of a study folder, private to StudyState.from_folder and the folder package:
the files read back, checked, and turned into the events a run emitted (`folder_events`).

Every read goes through `own_file` (regular files inside the folder, never a link out of it)
and names the file and the damage in a StoreError.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from study.analysis.summary import LEGACY_METRICS_COLUMNS, METRICS_COLUMNS, summarize
from study.config import ConfigError, StudyConfig
from study.folder.csvio import StoreError, reason
from study.folder.layout import (
    IDENTITY_COLUMNS,
    checkpoint_path,
    own_file,
    predictions_path,
    weights_path,
)
from study.folder.liveness import truthful_status
from study.protocol.events import (
    EPOCH_VALUES,
    EpochEnded,
    Failed,
    InitIdentity,
    KernelsUpdated,
    NetworkDiverged,
    NetworkFinished,
    SharedEpochTimed,
    StudyFinished,
    StudyStarted,
)
from study.protocol.jsonfile import load_json_limited
from study.protocol.status import StudyStatus


@dataclass
class FolderFiles:
    """What a study folder's text files hold: config, metrics rows, status, identity rows."""

    folder: Path
    config: StudyConfig
    epochs: list[dict]
    status: dict
    init_identity: list[tuple[str, float]] = field(default_factory=list)
    # What could not be read and was left out (a damaged status.json, …), one line each.
    problems: list[str] = field(default_factory=list)


def read_folder(folder, strict: bool = True) -> FolderFiles:
    """Read a study folder's text files; StoreError says plainly when it is not one or is damaged.

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
    epochs = read_metrics(metrics_path, config.seed)
    problems: list[str] = []
    status = read_status(folder, problems)
    identity = []
    identity_path = folder / "init_identity.csv"
    if os.path.lexists(identity_path):
        try:
            identity = read_identity(own_file(folder, identity_path))
        except StoreError as exc:
            if strict:
                raise
            problems.append(str(exc))
    return FolderFiles(folder, config, epochs, status, identity, problems)


def read_status(folder, problems: list[str] | None = None) -> dict:
    """status.json as readers should see it (truthful_status); {} when absent, and
    {"state": "unknown"} when damaged (the damage is added to `problems`)."""
    status_path = Path(folder) / "status.json"
    if not os.path.lexists(status_path):
        return {}
    try:
        status = load_json_limited(own_file(folder, status_path))
    except (OSError, ValueError, RecursionError, StoreError) as exc:
        status = None
        if problems is not None:
            problems.append(f"{status_path}: cannot be read ({reason(exc)}); its state is "
                            "unknown")
    if not isinstance(status, dict):
        # Damaged (e.g. `[]`): the rest of the study is still worth showing.
        if status is not None and problems is not None:
            problems.append(f"{status_path}: damaged (a JSON {type(status).__name__}, not "
                            "an object); its state is unknown")
        return {"state": StudyStatus.UNKNOWN.value}
    return truthful_status(status)


def read_identity(path: Path) -> list[tuple[str, float]]:
    """init_identity.csv's (check, norm) rows; StoreError names the file and the damage."""
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            if tuple(reader.fieldnames or ()) != IDENTITY_COLUMNS:
                raise StoreError(f"{path}: columns are {reader.fieldnames}, expected "
                                 f"{list(IDENTITY_COLUMNS)}")
            raws = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise StoreError(f"{path}: cannot be read ({reason(exc)})") from None
    rows = []
    for index, raw in enumerate(raws):
        try:
            rows.append((str(raw["check"]), float(raw["norm"])))
        except (TypeError, ValueError):
            raise StoreError(f"{path}: line {index + 2}: norm {raw.get('norm')!r} is not a "
                             "number") from None
    return rows


def read_metrics(path: Path, default_seed: int = 0) -> list[dict]:
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
        raise StoreError(f"{path}: cannot be read ({reason(exc)})") from None
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


def _load_npz(path: Path):
    """np.load of an .npz archive (never unpickled); StoreError for anything else."""
    try:
        npz = np.load(path, allow_pickle=False)
    except Exception as exc:  # noqa: BLE001 - truncated, not a zip, pickled, …
        raise StoreError(f"{path}: cannot be read ({reason(exc)})") from None
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise StoreError(f"{path}: damaged: a single .npy array, not an .npz archive")
    return npz


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
        raise StoreError(f"{path}: cannot be read ({reason(exc)})") from None


def read_weights(folder, network: str, which: str, seed: int,
                 seeds) -> dict[str, np.ndarray] | None:
    """A network's weights from weights/NET[.seed-S].WHICH.npz of a study folder, or None."""
    path = own_file(folder, weights_path(folder, network, which, seed, seeds))
    if not path.is_file():
        return None
    npz = _load_npz(path)
    try:
        with npz:
            weights = {key: npz[key] for key in npz.files}
    except Exception as exc:  # noqa: BLE001 - a bad CRC, a cut member
        raise StoreError(f"{path}: cannot be read ({reason(exc)})") from None
    for key, value in weights.items():
        if value.dtype == np.bool_ or not (np.issubdtype(value.dtype, np.integer)
                                           or np.issubdtype(value.dtype, np.floating)):
            raise StoreError(f"{path}: damaged: {key} holds {value.dtype}, not real numbers")
    return weights


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
        raise StoreError(f"{path}: cannot be read ({reason(exc)})") from None


# ----- the folder as the events that wrote it -------------------------------------------------
def _readable_weights(files: FolderFiles, network: str, which: str, seed: int, seeds,
                      problems: list[str] | None):
    """A network's stored weights, or None when absent; a damaged file is None too when
    `problems` is given (its message is added there), else StoreError."""
    try:
        return read_weights(files.folder, network, which, seed, seeds)
    except StoreError as exc:
        if problems is None:
            raise
        problems.append(str(exc))
        return None


def folder_events(files: FolderFiles, problems: list[str] | None = None,
                  weights: bool = True) -> list:
    """The events a stored study's files stand for, in the order a run emits them.

    With `problems`, a damaged weights file is left out and its message added there; without
    `weights` no weights file is read (no KernelsUpdated events)."""
    config, status = files.config, files.status
    seeds = list(config.seed_list)
    events: list = [StudyStarted(
        folder=str(files.folder), backend=status.get("backend", config.backend),
        device=status.get("device", config.device), networks=list(config.networks),
        epochs=config.epochs, train_size=0, test_size=0, batches_per_epoch=0,
        dataset=status.get("dataset", ""), seeds=seeds,
        dataset_info=status.get("dataset_info") if isinstance(status.get("dataset_info"), dict)
        else {})]
    if files.init_identity:
        events.append(InitIdentity(list(files.init_identity)))
    by_key: dict[tuple[str, int], list[dict]] = {}
    for row in files.epochs:
        by_key.setdefault((row["network"], int(row.get("seed", config.seed))), []).append(row)
    for seed in seeds if weights else ():
        for network in config.networks:
            initial = _readable_weights(files, network, "initial", seed, seeds, problems)
            if initial is not None and "conv1/kernel" in initial:
                events.append(_kernels_event(network, 0, initial, seed))
    for row in files.epochs:
        # In the file's order, as the run emitted them (all-at-once: epoch by epoch).
        events.append(EpochEnded(row["network"], row["epoch"],
                                 *(row[c] for c in EPOCH_VALUES),
                                 seed=int(row.get("seed", config.seed))))
    for entry in status.get("diverged") or []:
        try:
            events.append(NetworkDiverged(str(entry["network"]), int(entry["epoch"]),
                                          int(entry["batch"]), str(entry["message"]),
                                          int(entry.get("seed", config.seed))))
        except (KeyError, TypeError, ValueError, AttributeError):
            if problems is not None:
                problems.append(f"{files.folder / 'status.json'}: a damaged diverged entry")
    for epoch, seconds in enumerate(status.get("shared_epoch_seconds") or [], start=1):
        events.append(SharedEpochTimed(epoch, float(seconds), 0.0))
    for (network, seed), rows in by_key.items():
        final = _readable_weights(files, network, "final", seed, seeds, problems) \
            if weights else None
        if final is not None and "conv1/kernel" in final:
            events.append(_kernels_event(network, max(r["epoch"] for r in rows), final, seed))
        row = summarize(network, rows, seed)
        events.append(NetworkFinished(network, len(rows), row.peak_test_accuracy,
                                      row.peak_epoch, row.final_test_accuracy,
                                      row.seconds_per_epoch, row.total_seconds, seed=seed))
    state = status.get("state")
    if state == StudyStatus.FAILED:
        events.append(Failed(status.get("error", "the study failed"), str(files.folder)))
    elif state in (StudyStatus.FINISHED, StudyStatus.STOPPED):
        events.append(StudyFinished(str(files.folder), state))
    return events


def _kernels_event(network: str, epoch: int, flat: dict, seed: int) -> KernelsUpdated:
    conv2 = flat.get("conv2/kernel")
    return KernelsUpdated(network, int(epoch), np.asarray(flat["conv1/kernel"]).tolist(),
                          None if conv2 is None else np.asarray(conv2).tolist(), seed=seed)
