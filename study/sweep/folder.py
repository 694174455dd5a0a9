"""A sweep folder: sweep.json (the grid, the base settings, each point's state), sweep.csv (one
row per point and network) and one ordinary study folder per finished point."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from study.analysis.statistics import aggregate_rows
from study.config import StudyConfig
from study.folder.csvio import StoreError
from study.folder.layout import new_study_folder
from study.folder.liveness import writer_gone
from study.folder.staging import remove_leftovers, staged
from study.protocol.files import replace_atomically
from study.protocol.jsonfile import load_json_limited
from study.protocol.status import StudyStatus
from study.state import open_study
from study.sweep.grid import (  # noqa: F401 - format_value: the app reads sweeps from here
    GRID_KEYS,
    Point,
    SweepError,
    canonical_key,
    format_value,
    grid_points,
)

SWEEP_FILE = "sweep.json"
SWEEP_CSV = "sweep.csv"
FORMAT = "kernel-lab/sweep"
# A point's state is its study's (StudyStatus), or PENDING while it has none.
PENDING = "pending"
FINISHED, FAILED, RUNNING = StudyStatus.FINISHED, StudyStatus.FAILED, StudyStatus.RUNNING
METRICS = ("peak_test_accuracy", "final_test_accuracy")
# The driver rewrites sweep.json's heartbeat this often (seconds) while points run.
HEARTBEAT_SECONDS = 60.0
_SAVE_LOCK = threading.RLock()


@dataclass
class Sweep:
    """A sweep folder's record (sweep.json): grid, base settings, points and their states."""

    folder: Path
    grid: dict
    base: StudyConfig
    points: list[Point]
    record: dict = field(default_factory=dict)

    @property
    def states(self) -> dict[str, dict]:
        """{point name: {"state", "error", "seconds", …}} as recorded."""
        return self.record.setdefault("point_states", {})

    def point_state(self, point: Point) -> str:
        """finished (its folder holds a finished study), failed (recorded), else pending."""
        recorded = self.states.get(point.name, {}).get("state")
        if recorded == FINISHED:
            return FINISHED if self.point_finished(point) else PENDING
        return recorded if recorded == FAILED else PENDING

    def point_finished(self, point: Point) -> bool:
        """Whether the point's folder holds a finished study."""
        try:
            study = open_study(self.folder / point.name)
        except StoreError:
            return False
        return study.status.get("state") == FINISHED

    def missing(self) -> list[Point]:
        """The points a resume runs: every one without a finished study folder."""
        return [p for p in self.points if not self.point_finished(p)]

    @property
    def state(self) -> str:
        """The sweep's state; "interrupted" for a running one whose driver is gone."""
        state = self.record.get("state", StudyStatus.UNKNOWN)
        if state == RUNNING and writer_gone(self.record):
            return StudyStatus.INTERRUPTED
        return state

    def to_json(self) -> str:
        """sweep.json's text."""
        record = dict(self.record)
        record.update(format=FORMAT, version=1, grid=self.grid, base=self.base.to_dict(),
                      points=[{"name": p.name, "values": p.values} for p in self.points])
        return json.dumps(record, indent=2) + "\n"

    def save(self, **changes) -> None:
        """Rewrite sweep.json (atomically) with `changes` to its record."""
        with _SAVE_LOCK:
            self.record.update(changes)
            self.record["updated"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
            self.record["heartbeat"] = time.time()
            _write(self.folder / SWEEP_FILE, self.to_json().encode("utf-8"))

    def keep_alive(self, stop: threading.Event, every: float = HEARTBEAT_SECONDS) -> None:
        """Rewrite sweep.json's heartbeat every `every` seconds until `stop` (a thread): a
        reader takes a running sweep whose heartbeat is old for one whose driver is gone."""
        while not stop.wait(every):
            try:
                self.save()
            except StoreError:
                pass

    def set_point(self, point: Point, **values) -> None:
        """Record a point's state (and its error, seconds, host) and save."""
        self.states[point.name] = values
        self.save()

    def rows(self) -> list[dict]:
        """sweep.csv's rows: per point and network the swept values, n_seeds, peak and final
        accuracy mean and 95 % interval, and the point's state."""
        rows = []
        for point in self.points:
            state = self.point_state(point)
            by_network = {}
            if state == FINISHED:
                study = open_study(self.folder / point.name)
                for row in aggregate_rows(study.summary, study.config.networks):
                    by_network.setdefault(row["network"], {})[row["metric"]] = row
            for network in self.base.networks:
                row = {"point": point.name, **{k: point.values[k] for k in self.grid},
                       "network": network, "n_seeds": "", "state": state}
                metrics = by_network.get(network, {})
                for metric in METRICS:
                    found = metrics.get(metric)
                    if found:
                        row["n_seeds"] = found["n_seeds"]
                    row[f"{metric}_mean"] = found["mean"] if found else ""
                    row[f"{metric}_ci_low"] = found["ci_low"] if found else ""
                    row[f"{metric}_ci_high"] = found["ci_high"] if found else ""
                rows.append(row)
        return rows

    def columns(self) -> list[str]:
        """sweep.csv's columns."""
        return ["point", *self.grid, "network", "n_seeds",
                *[f"{m}_{part}" for m in METRICS for part in ("mean", "ci_low", "ci_high")],
                "state"]

    def write_csv(self) -> None:
        """Rewrite sweep.csv from the point folders."""
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=self.columns(), lineterminator="\n")
        writer.writeheader()
        for row in self.rows():
            writer.writerow({k: repr(v) if isinstance(v, float) else v for k, v in row.items()})
        _write(self.folder / SWEEP_CSV, buffer.getvalue().encode("utf-8"))


def _write(path: Path, payload: bytes) -> None:
    try:
        replace_atomically(path, payload)
    except OSError as exc:
        raise StoreError(f"could not write {path}: {exc.strerror or exc}") from exc


def is_sweep_folder(folder) -> bool:
    """Whether `folder` is a sweep folder (it holds a sweep.json)."""
    path = Path(folder) / SWEEP_FILE
    return path.is_file() and not path.is_symlink()


def folder_signature(folder) -> tuple:
    """What changes when a running sweep makes progress, cheaply (file sizes and times only):
    sweep.json and each point folder's status.json and summary.csv. Nothing is read."""
    folder = Path(folder)
    found = []
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return ()
    for path in [folder / SWEEP_FILE, *(e / name for e in entries if e.is_dir()
                                        for name in ("status.json", "summary.csv"))]:
        try:
            stat = path.stat()
        except OSError:
            continue
        found.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(found)


def open_sweep(folder) -> Sweep:
    """Read a sweep folder; SweepError says plainly when it is not one or is damaged."""
    folder = Path(folder)
    path = folder / SWEEP_FILE
    if not folder.is_dir() or not path.is_file() or path.is_symlink():
        raise SweepError(f"{folder} is not a Kernel Lab sweep folder (it has no {SWEEP_FILE})")
    try:
        record = load_json_limited(path)
        if not isinstance(record, dict) or record.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} record")
        grid = {canonical_key(k): list(v) for k, v in record["grid"].items()}
        if not grid or any(k not in GRID_KEYS or not v for k, v in grid.items()):
            raise ValueError("its grid is damaged")
        base = StudyConfig.from_dict(record["base"])
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError,
            RecursionError) as exc:
        raise SweepError(f"{path}: cannot be read ({exc})") from None
    points = grid_points(grid)
    record.setdefault("point_states", {})
    return Sweep(folder, grid, base, points, record)


def new_sweep_folder(root) -> Path:
    """Create a new, empty sweep folder under `root`, never reusing a name."""
    return new_study_folder(root, kind="sweep")


def write_point(sweep_folder: Path, name: str, files: dict[str, bytes]) -> Path:
    """Write a point's study files into sweep_folder/name: built in a hidden staging folder,
    then moved into place, so a point folder is whole or absent. A stale folder of that name is
    replaced."""
    target = Path(sweep_folder) / name
    with staged(target, replacing=target.exists() or target.is_symlink()) as staging:
        for relative, payload in files.items():
            path = Path(relative)
            if path.is_absolute() or ".." in path.parts or not path.parts:
                raise StoreError(f"{name}: refused file name {relative!r} from a worker")
            (staging / path).parent.mkdir(parents=True, exist_ok=True)
            replace_atomically(staging / path, payload)
    return target


def remove_staging(folder: Path) -> None:
    """Remove staging folders a killed driver left behind."""
    remove_leftovers(folder)
