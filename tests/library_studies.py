"""A folder of stored studies of every kind, written without training, for the library and
study-comparison tests: finished (one seed; five seeds with the report's head), stopped,
interrupted (its writer gone), running (its writer alive: this process), half-written, damaged,
and one inside a sweep folder.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from study.config import StudyConfig
from study.folder.writer import StudyWriter
from study.protocol.events import EpochResult
from tests.known_study import (
    ACCURACY,
    EVAL_SECONDS,
    TRAIN_SECONDS,
    loss_for,
    write_known_seeded_study,
    write_known_study,
)

SOFTMAX = "softmax-1seed"
REPORT = "report-5seeds"
THREE_SEEDS = "sweep-lr/lr-0.01"
STOPPED = "stopped-study"
INTERRUPTED = "interrupted-study"
RUNNING = "running-study"
HALF_WRITTEN = "half-written"
DAMAGED = "damaged-config"
# Shifts every network of the three-seed study by this much (so its difference is known).
THREE_SEED_SHIFT = 0.03


def _rename(folder: Path, name: str) -> Path:
    # Studies are written in ROOT/.scratch and moved to ROOT/NAME.
    target = folder.parent.parent / name
    target.parent.mkdir(parents=True, exist_ok=True)
    os.rename(folder, target)
    return target


def _partial_study(root: Path, epochs_done: int) -> Path:
    """A two-network study of 3 planned epochs with `epochs_done` epochs of NetA1-HF."""
    config = StudyConfig(networks=("NetA1-HF", "NetA1-DT"), epochs=3, train_limit=256,
                         test_limit=128)
    writer = StudyWriter.create(root, config)
    writer.write_status(backend="torch", device="cpu",
                        dataset="synthetic: 256 train / 128 test")
    for epoch in range(1, epochs_done + 1):
        acc = ACCURACY["NetA1-HF"][epoch - 1]
        writer.append_epoch("NetA1-HF", EpochResult(epoch, 1.0, loss_for(acc), acc,
                                                    TRAIN_SECONDS["NetA1-HF"][epoch - 1],
                                                    EVAL_SECONDS))
    return writer.folder


def write_library(root) -> dict[str, Path]:
    """Write every kind of study under `root`; returns {name: folder}."""
    root = Path(root)
    scratch = root / ".scratch"
    folders = {
        SOFTMAX: _rename(write_known_study(scratch), SOFTMAX),
        REPORT: _rename(write_known_seeded_study(scratch, head="report"), REPORT),
    }
    shifted = {n: tuple(a + THREE_SEED_SHIFT for a in values) for n, values in ACCURACY.items()}
    folders[THREE_SEEDS] = _rename(
        write_known_seeded_study(scratch, seeds=(0, 1, 2), accuracy=shifted,
                                 learning_rate=0.01), "sweep-lr/lr-0.01")

    stopped = _partial_study(scratch, 2)
    _set_status(stopped, state="stopped")
    folders[STOPPED] = _rename(stopped, STOPPED)

    interrupted = _partial_study(scratch, 1)
    # Its writer ran on another host and has not been heard of for a day: gone.
    _set_status(interrupted, state="running", host="elsewhere.invalid", pid=4242,
                heartbeat=1.0)
    folders[INTERRUPTED] = _rename(interrupted, INTERRUPTED)

    running = _partial_study(scratch, 1)  # status.json: running, pid = this (live) process
    folders[RUNNING] = _rename(running, RUNNING)

    half = root / HALF_WRITTEN
    half.mkdir()
    (half / "config.json").write_text(StudyConfig(epochs=3).to_json() + "\n")
    folders[HALF_WRITTEN] = half

    damaged = _rename(write_known_study(scratch, networks=("NetA1-HF",)), DAMAGED)
    (damaged / "config.json").write_text('{"epochs": 3, "networks": ["NetA1-HF"]')
    folders[DAMAGED] = damaged

    scratch.rmdir()
    return folders


def _set_status(folder: Path, **changes) -> None:
    path = folder / "status.json"
    status = json.loads(path.read_text())
    status.update(changes)
    path.write_text(json.dumps(status))


def snapshot(root) -> dict[str, tuple]:
    """{relative path: (mtime_ns, bytes)} of every file under `root`, and (mtime_ns,) of every
    folder (a file made and removed again changes its folder's mtime)."""
    root = Path(root)
    return {str(p.relative_to(root)): (p.stat().st_mtime_ns, p.read_bytes()) if p.is_file()
            else (p.stat().st_mtime_ns,)
            for p in sorted([root, *root.rglob("*")])}
