"""Where a study folder keeps what: file names and paths, and naming a new study folder.

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

import os
import time
from pathlib import Path

from study.folder.csvio import StoreError, explain
from study.protocol.status import StudyStatus

IDENTITY_COLUMNS = ("check", "norm")
DEFAULT_ROOT = Path("studies")
# Bytes set aside when a study starts, given back on a full disk so that summary.csv and
# status.json can still say what happened.
RESERVE_BYTES = 1 << 20
RESERVE_NAME = ".reserve"
CHECKPOINT_DIR = "checkpoints"
# The states from which `study --resume` continues a study.
RESUMABLE_STATES = tuple(s.value for s in StudyStatus if s.resumable)
COMBINED_CHECKPOINT = "all_at_once"
MODELS_DIR = "models"
# The kinds of stored model: the final epoch's, and the peak test accuracy's.
MODEL_KINDS = ("final", "best")


def file_stem(network: str, seed: int, seeds) -> str:
    """How a network's per-seed files are named: NET alone in a one-seed study, else NET.seed-S."""
    return network if len(tuple(seeds)) <= 1 else f"{network}.seed-{int(seed)}"


def weights_path(folder, network: str, which: str, seed: int, seeds) -> Path:
    """weights/NET[.seed-S].WHICH.npz ("initial" or "final") of a study folder."""
    return Path(folder) / "weights" / f"{file_stem(network, seed, seeds)}.{which}.npz"


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
        raise StoreError(explain(root, exc)) from exc
    stamp = time.strftime(f"{kind}-%Y%m%d-%H%M%S")
    for attempt in range(1, 1000):
        folder = root / (stamp if attempt == 1 else f"{stamp}-{attempt}")
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        except OSError as exc:
            raise StoreError(explain(folder, exc)) from exc
        return folder
    raise StoreError(f"could not find a free {kind} folder name under {root}")


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
