"""Sweeps: one study per point of a grid of settings, run here or on a Ray cluster.

`python main.py sweep [study options] --grid lr=1e-4,1e-3 --grid head=softmax,report …` makes a
sweep folder:

    sweep.json    the grid, the base settings, the executor and each point's state
    sweep.csv     one row per point × network: the swept values, n_seeds, peak and final test
                  accuracy (mean and 95 % interval over the seeds) and the point's state
    p1_lr=0.0001_head=softmax/ …   one ordinary study folder per finished point (all-at-once,
                  its seeds inside), so open, export, compare and resume work on it unchanged

A point runs as `run_point`: a study in a temporary folder whose files come back as bytes, which
the driver writes into the sweep folder (a hidden staging folder, renamed into place), so Ray
workers need not share a filesystem with the driver. `--executor local` runs the points in this
process one after another (or in `--workers N` processes); `--executor ray` submits each as a
Ray task. A point that fails for good is recorded as failed and the sweep goes on; Ctrl-C
cancels what has not finished and keeps the finished points; `sweep --resume DIR` runs only what
is missing.

No Qt here, and neither Keras nor Ray is imported at module level: the app reads sweep folders
through this module, and `--executor local` never needs Ray.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import json
import math
import os
import secrets
import shutil
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from study.analysis.statistics import aggregate_rows
from study.config import StudyConfig
from study.folder.csvio import StoreError
from study.folder.layout import check_out_root, new_study_folder
from study.folder.liveness import writer_gone
from study.protocol.exit_codes import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_STOPPED,
    EXIT_TERMINATED,
    EXIT_USAGE,
)
from study.protocol.files import replace_atomically
from study.state import open_study

SWEEP_FILE = "sweep.json"
SWEEP_CSV = "sweep.csv"
FORMAT = "kernel-lab/sweep"
EXECUTORS = ("local", "ray")
STAGING_PREFIX = ".partial-"
# Ray retries a point whose worker was lost (max_retries); a point's own error is final unless
# it is a TransientPointError (what the test hook raises).
DEFAULT_MAX_RETRIES = 2
# The env var a test sets to make points fail: "NAME=once" or "NAME=always", ";"-separated;
# "once" remembers its failure by a file in FAIL_DIR_ENV's folder (default: a temp folder of the
# run), so the workers must share that folder with the driver (a local cluster does).
FAIL_HOOK_ENV = "KERNEL_LAB_SWEEP_FAIL"
FAIL_DIR_ENV = "KERNEL_LAB_SWEEP_FAIL_DIR"

# Grid keys: the name in --grid and sweep.csv → (StudyConfig field, type of a value).
GRID_KEYS = {
    "lr": ("learning_rate", float),
    "batch_size": ("batch_size", int),
    "head": ("head", str),
    "epochs": ("epochs", int),
    "train_limit": ("train_limit", int),
    "test_limit": ("test_limit", int),
}
ALIASES = {"learning_rate": "lr"}
# Settings that stay the same across a sweep: given once as a study option, never swept.
FIXED_KEYS = ("networks", "seed", "seeds", "mode", "backend", "device", "data", "data_dir",
              "kernels", "config", "shuffle", "no_shuffle")
# Where each grid key is given as a study option (refused together with --grid of that key).
OPTION_OF = {"lr": "lr", "batch_size": "batch_size", "head": "head", "epochs": "epochs",
             "train_limit": "train_limit", "test_limit": "test_limit"}

# The driver rewrites sweep.json's heartbeat this often (seconds) while points run.
HEARTBEAT_SECONDS = 60.0
_SAVE_LOCK = threading.RLock()

FINISHED, FAILED, PENDING, RUNNING, STOPPED, INTERRUPTED = (
    "finished", "failed", "pending", "running", "stopped", "interrupted")
METRICS = ("peak_test_accuracy", "final_test_accuracy")


class SweepError(ValueError):
    """A sweep that cannot start (bad grid, folder, address): one line, exit 2."""


class TransientPointError(RuntimeError):
    """A point's error worth another try (Ray's retry_exceptions; the local executors alike)."""


class PointFailed(RuntimeError):
    """A point's study failed; the message says why."""


class PointStopped(RuntimeError):
    """A point's study was asked to stop before it finished (Ctrl-C)."""


# ---------------------------------------------------------------------------------------------
# The grid


def canonical_key(key: str) -> str:
    """A grid key as sweep.json and sweep.csv spell it (`batch-size` → batch_size)."""
    key = key.strip().replace("-", "_").lower()
    return ALIASES.get(key, key)


def _value(key: str, text: str):
    kind = GRID_KEYS[key][1]
    text = text.strip()
    if not text:
        raise SweepError(f"Invalid sweep grid: {key} has an empty value; write "
                         f"{key}=V1,V2,… with no empty entries")
    try:
        value = kind(text)
    except ValueError:
        what = {float: "a number", int: "a whole number"}.get(kind, "a value")
        raise SweepError(f"Invalid sweep grid: {key} value {text!r} is not {what}") from None
    if kind is float and not math.isfinite(value):
        raise SweepError(f"Invalid sweep grid: {key} value {text!r} is not a finite number")
    return value


def parse_grid(texts) -> dict[str, list]:
    """--grid KEY=V1,V2,… options (in order) as {key: [values]}; SweepError for anything else."""
    grid: dict[str, list] = {}
    if not texts:
        raise SweepError("a sweep needs at least one --grid KEY=V1,V2,… (e.g. --grid "
                         "lr=1e-4,1e-3); keys: " + ", ".join(GRID_KEYS))
    for text in texts:
        if "=" not in text:
            raise SweepError(f"Invalid sweep grid: --grid {text!r} is not KEY=V1,V2,… (e.g. "
                             "lr=1e-4,1e-3)")
        raw_key, _, raw_values = text.partition("=")
        key = canonical_key(raw_key)
        if not key:
            raise SweepError(f"Invalid sweep grid: --grid {text!r} has no key before '='")
        if key in FIXED_KEYS:
            option = "no-shuffle" if key in ("shuffle", "no_shuffle") else key.replace("_", "-")
            raise SweepError(f"Invalid sweep grid: {key} is fixed across a sweep and cannot be "
                             f"swept; give it once as --{option} (grid keys: "
                             f"{', '.join(GRID_KEYS)})")
        if key not in GRID_KEYS:
            raise SweepError(f"Invalid sweep grid: unknown key {raw_key.strip()!r}; grid keys: "
                             f"{', '.join(GRID_KEYS)}")
        if key in grid:
            raise SweepError(f"Invalid sweep grid: {key} is given twice; list all its values "
                             "in one --grid")
        if not raw_values.strip():
            raise SweepError(f"Invalid sweep grid: {key} has no values; write {key}=V1,V2,…")
        values = [_value(key, part) for part in raw_values.split(",")]
        if len(set(values)) != len(values):
            raise SweepError(f"Invalid sweep grid: {key} lists a value twice ({raw_values})")
        grid[key] = values
    return grid


def format_value(value) -> str:
    """A swept value as a folder name and a table show it (0.000335, 64, softmax)."""
    if isinstance(value, float):
        return format(value, "g")
    return str(value)


@dataclass(frozen=True)
class Point:
    """One grid point: its number (from 1), folder name and swept values."""

    index: int
    name: str
    values: dict

    def label(self) -> str:
        """`lr=0.001 head=report`."""
        return " ".join(f"{k}={format_value(v)}" for k, v in self.values.items())


def grid_points(grid: dict[str, list]) -> list[Point]:
    """Every combination of the grid's values, the first key varying slowest."""
    keys = list(grid)
    combos = list(itertools.product(*(grid[k] for k in keys)))
    width = len(str(len(combos)))
    points = []
    for index, combo in enumerate(combos, start=1):
        values = dict(zip(keys, combo, strict=True))
        name = f"p{index:0{width}d}_" + "_".join(f"{k}={format_value(v)}"
                                                   for k, v in values.items())
        points.append(Point(index, name, values))
    return points


def point_config(base: StudyConfig, values: dict) -> StudyConfig:
    """The study a point runs: the base settings with the point's values (validated)."""
    changes = {GRID_KEYS[key][0]: value for key, value in values.items()}
    return base.replace(**changes).validated()


# ---------------------------------------------------------------------------------------------
# Running one point (in this process, a worker process or a Ray worker)


def _fail_hook(name: str, spec: str | None, marker_dir: str | None) -> None:
    """The test hook: `spec` "once" raises TransientPointError on the first try only (a marker
    file in `marker_dir` remembers the try), "always" raises PointFailed on every try."""
    if not spec:
        return
    if spec == "always":
        raise PointFailed(f"injected failure of {name} (test hook {FAIL_HOOK_ENV})")
    if spec == "once":
        marker = Path(marker_dir or ".") / f"{name}.failed-once"
        try:
            with open(marker, "x"):
                pass
        except FileExistsError:
            return
        raise TransientPointError(f"injected one-time failure of {name} (test hook)")


def run_point(name: str, config_json: str, fail: str | None = None,
              marker_dir: str | None = None, stop_event: threading.Event | None = None) -> dict:
    """Run one point's study in a temporary folder and return its files.

    Returns {"files": {relative path: bytes}, "seconds": wall time, "host": hostname}.
    PointFailed when the study failed, PointStopped when `stop_event` stopped it. KERAS_BACKEND
    is set from the config before Keras is imported (study.run.runner imports it lazily).
    """
    import tempfile

    _fail_hook(name, fail, marker_dir)
    config = StudyConfig.from_json(config_json)
    os.environ["KERAS_BACKEND"] = config.backend
    from study.run.runner import run_study

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kernel-lab-point-") as tmp:
        try:
            folder = run_study(config, stop_event=stop_event, out_root=tmp)
        except KeyboardInterrupt:
            raise PointStopped(f"{name} was interrupted") from None
        except (TransientPointError, PointFailed):
            raise
        except Exception as exc:  # noqa: BLE001 - the point fails, the sweep goes on
            raise PointFailed(f"{type(exc).__name__}: {exc}") from None
        if folder is None or (stop_event is not None and stop_event.is_set()):
            raise PointStopped(f"{name} was stopped before it finished")
        files = {path.relative_to(folder).as_posix(): path.read_bytes()
                 for path in sorted(Path(folder).rglob("*"))
                 if path.is_file() and not path.is_symlink()}
    return {"files": files, "seconds": time.monotonic() - started,
            "host": socket.gethostname()}


def _worker_init(backend: str) -> None:
    """A --workers process: the backend before any Keras import; Ctrl-C is the driver's; on
    Linux it ends with its driver (a driver killed outright leaves no orphans training)."""
    os.environ["KERAS_BACKEND"] = backend
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PDEATHSIG
        except (OSError, AttributeError):
            pass


# ---------------------------------------------------------------------------------------------
# The sweep folder


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
        state = self.record.get("state", "unknown")
        if state == RUNNING and writer_gone(self.record):
            return INTERRUPTED
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
        record = json.loads(path.read_text(encoding="utf-8"))
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
    """Write a point's study files into sweep_folder/name: a hidden staging folder first, then
    one rename, so a point folder is whole or absent. A stale folder of that name is replaced."""
    target = sweep_folder / name
    staging = sweep_folder / f"{STAGING_PREFIX}{name}-{secrets.token_hex(4)}"
    staging.mkdir()
    try:
        for relative, payload in files.items():
            path = Path(relative)
            if path.is_absolute() or ".." in path.parts or not path.parts:
                raise StoreError(f"{name}: refused file name {relative!r} from a worker")
            (staging / path).parent.mkdir(parents=True, exist_ok=True)
            replace_atomically(staging / path, payload)
        if target.exists() or target.is_symlink():
            old = sweep_folder / f"{STAGING_PREFIX}{name}-old-{secrets.token_hex(4)}"
            os.rename(target, old)
            shutil.rmtree(old, ignore_errors=True)
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def remove_staging(folder: Path) -> None:
    """Remove staging folders a killed driver left behind."""
    for path in folder.glob(f"{STAGING_PREFIX}*"):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Executors: each yields (point, result dict or exception) as points end


def failure_hooks() -> dict[str, str]:
    """{point name: "once" | "always"} from the test hook's env var."""
    hooks = {}
    for part in os.environ.get(FAIL_HOOK_ENV, "").split(";"):
        name, _, how = part.rpartition("=")
        if name.strip() and how.strip() in ("once", "always"):
            hooks[name.strip()] = how.strip()
    return hooks


class LocalExecutor:
    """Points one after another in this process; a TransientPointError is tried again."""

    def __init__(self, max_retries: int, stop_event: threading.Event):
        self.max_retries = max_retries
        self.stop_event = stop_event

    def run(self, jobs):
        for point, config_json, fail, marker_dir in jobs:
            if self.stop_event.is_set():
                return
            for attempt in range(self.max_retries + 1):
                try:
                    result = run_point(point.name, config_json, fail, marker_dir,
                                       self.stop_event)
                except TransientPointError as exc:
                    if attempt < self.max_retries and not self.stop_event.is_set():
                        continue
                    yield point, exc
                except Exception as exc:  # noqa: BLE001 - recorded as the point's failure
                    yield point, exc
                else:
                    yield point, result
                break

    def cancel(self) -> None:
        """Nothing to cancel: the running study stops at its stop event."""


class ProcessExecutor:
    """Points in `workers` processes (concurrent.futures); a lost worker or a
    TransientPointError is tried again up to max_retries times."""

    def __init__(self, workers: int, backend: str, max_retries: int,
                 stop_event: threading.Event):
        self.workers = workers
        self.backend = backend
        self.max_retries = max_retries
        self.stop_event = stop_event
        self.pool = None

    def _new_pool(self):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        return ProcessPoolExecutor(max_workers=self.workers,
                                   mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_worker_init, initargs=(self.backend,))

    def run(self, jobs):
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        self.pool = self._new_pool()
        attempts: dict[str, int] = {}
        futures = {}

        def submit(job):
            attempts[job[0].name] = attempts.get(job[0].name, 0) + 1
            futures[self.pool.submit(run_point, job[0].name, *job[1:])] = job

        for job in jobs:
            submit(job)
        try:
            while futures and not self.stop_event.is_set():
                done, _ = wait(list(futures), timeout=0.5, return_when=FIRST_COMPLETED)
                broken = []
                for future in done:
                    job = futures.pop(future)
                    try:
                        yield job[0], future.result()
                    except (TransientPointError, BrokenProcessPool) as exc:
                        if attempts[job[0].name] <= self.max_retries:
                            broken.append(job) if isinstance(exc, BrokenProcessPool) \
                                else submit(job)
                        else:
                            yield job[0], PointFailed(f"{type(exc).__name__}: {exc}")
                    except Exception as exc:  # noqa: BLE001 - recorded as the point's failure
                        yield job[0], exc
                if broken:
                    # A lost worker breaks the whole pool: every point still in it starts again.
                    broken += list(futures.values())
                    futures.clear()
                    self.pool.shutdown(wait=False, cancel_futures=True)
                    self.pool = self._new_pool()
                    for job in broken:
                        submit(job)
        finally:
            self.cancel()

    def cancel(self) -> None:
        """Cancel the pending points and end the running ones (they are run again on resume)."""
        pool, self.pool = self.pool, None
        if pool is None:
            return
        processes = list(getattr(pool, "_processes", {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=10)


class RayExecutor:
    """Each point a Ray task (num_cpus, num_gpus), retried by Ray when its worker is lost."""

    def __init__(self, ray, cpus: float, gpus: float, max_retries: int,
                 stop_event: threading.Event):
        self.ray = ray
        self.stop_event = stop_event
        self.remote = ray.remote(run_point).options(
            num_cpus=cpus, num_gpus=gpus, max_retries=max_retries,
            retry_exceptions=[TransientPointError])
        self.pending = {}

    def run(self, jobs):
        ray = self.ray
        for job in jobs:
            self.pending[self.remote.remote(job[0].name, *job[1:])] = job
        try:
            while self.pending and not self.stop_event.is_set():
                done, _ = ray.wait(list(self.pending), num_returns=1, timeout=0.5)
                for ref in done:
                    job = self.pending.pop(ref)
                    try:
                        yield job[0], ray.get(ref)
                    except Exception as exc:  # noqa: BLE001 - recorded as the point's failure
                        yield job[0], PointFailed(_ray_reason(exc))
        finally:
            self.cancel()

    def cancel(self) -> None:
        """ray.cancel every task not yet finished."""
        for ref in list(self.pending):
            try:
                self.ray.cancel(ref, force=True)
            except Exception:  # noqa: BLE001, S110 - already finished or gone
                pass
        self.pending.clear()


def _ray_reason(exc: BaseException) -> str:
    """The point's own error out of a RayTaskError (its cause), else the Ray error's first
    line."""
    cause = getattr(exc, "cause", None)
    if isinstance(cause, BaseException):
        return str(cause) if isinstance(cause, PointFailed) else \
            f"{type(cause).__name__}: {cause}"
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"


# ---------------------------------------------------------------------------------------------
# Ray connection


def connect_ray(address: str | None, cpus: int | None):
    """Import Ray and connect: to `address` (a running cluster or "auto"), else start a local
    cluster (num_cpus=cpus). An existing connection in this process is reused. Returns
    (ray, whether we must shut it down). SweepError (exit 2) when Ray is missing or the cluster
    cannot be reached."""
    try:
        import ray
    except ImportError:
        raise SweepError("--executor ray needs Ray: pip install -e '.[cluster]'") from None
    import logging

    if address and address != "auto":
        _check_reachable(address.removeprefix("ray://"))
    if ray.is_initialized():
        # This process is connected already (a test's cluster, a notebook): use it as it is.
        return ray, False
    kwargs = {"logging_level": logging.WARNING, "include_dashboard": False,
              "log_to_driver": False}
    if address:
        root = Path(__file__).resolve().parents[1]
        kwargs["runtime_env"] = {"py_modules": [str(root / "study"),
                                                str(root / "keras_models")]}
        kwargs.pop("include_dashboard")
    else:
        kwargs["num_cpus"] = cpus or os.cpu_count() or 1
    try:
        ray.init(address=address or None, **kwargs)
    except (ConnectionError, RuntimeError, ValueError, TimeoutError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        hint = ("" if not address or os.environ.get("RAY_AUTH_MODE") == "token" else
                "; a cluster with token authentication needs RAY_AUTH_MODE=token and its "
                "token (~/.ray/auth_token) here too")
        raise SweepError(f"cannot reach the Ray cluster at --address {address}: {first}{hint}"
                         ) from None
    return ray, True


def _check_reachable(address: str, timeout: float = 5.0) -> None:
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise SweepError(f"--address {address!r} is not HOST:PORT, ray://HOST:PORT or auto")
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as exc:
        raise SweepError(f"cannot reach the Ray cluster at --address {address}: "
                         f"{exc.strerror or exc}") from None


# ---------------------------------------------------------------------------------------------
# The command


def add_parser(commands) -> argparse.ArgumentParser:
    """Register `main.py sweep`: the study options plus --grid, --executor, --address, …"""
    from study.cli.study import add_study_arguments

    parser = commands.add_parser(
        "sweep", help="run one study per point of a grid of settings, here or on a Ray cluster")
    add_study_arguments(parser)
    for action in parser._actions:
        if action.dest == "out":
            action.help = "where the sweep folder is made (default: studies/)"
        elif action.dest == "resume":
            action.metavar = "SWEEP_DIR"
            action.help = "run the points of this sweep that have not finished"
        elif action.dest == "mode":
            action.help = "a sweep's points run all-at-once"
        elif action.dest == "events":
            action.help = argparse.SUPPRESS
    parser.add_argument("--grid", action="append", metavar="KEY=V1,V2,…",
                        help=f"a swept setting and its values (repeat for more); keys: "
                             f"{', '.join(GRID_KEYS)}")
    parser.add_argument("--executor", choices=EXECUTORS, default="local",
                        help="local: points one after another here (or --workers processes); "
                             "ray: one Ray task per point")
    parser.add_argument("--address", help="Ray cluster to submit to (HOST:PORT, ray://…, or "
                        "auto); default: start a local one")
    parser.add_argument("--workers", type=int, metavar="N", help="local: points at once in "
                        "N processes; ray: the CPUs of the local cluster")
    parser.add_argument("--cpus-per-point", type=float, default=1.0, metavar="N",
                        help="Ray: CPUs each point asks for (default 1)")
    parser.add_argument("--max-retries", type=int, default=DEFAULT_MAX_RETRIES, metavar="N",
                        help="tries again of a point whose worker was lost (default 2)")
    return parser


def _refuse_options(args) -> None:
    from study.cli.study import SETTING_OPTIONS

    if args.events != "text":
        raise SweepError("a sweep prints text progress only; leave out --events")
    if args.workers is not None and args.workers < 1:
        raise SweepError(f"--workers must be at least 1, got {args.workers}")
    if args.max_retries < 0:
        raise SweepError(f"--max-retries must be 0 or more, got {args.max_retries}")
    if not args.cpus_per_point > 0:
        raise SweepError(f"--cpus-per-point must be above 0, got {args.cpus_per_point}")
    if args.address and args.executor != "ray":
        raise SweepError("--address goes with --executor ray")
    if args.resume:
        given = [f"--{name.replace('_', '-')}" for name in SETTING_OPTIONS
                 if getattr(args, name, None) not in (None, False)]
        if args.no_shuffle:
            given.append("--no-shuffle")
        if args.grid:
            given.append("--grid")
        if given:
            raise SweepError(f"--resume continues a sweep with its own grid and settings; "
                             f"leave out {', '.join(given)}")


def _plan_new(args) -> tuple[dict, StudyConfig, list[Point]]:
    from study.cli.study import config_from_args

    grid = parse_grid(args.grid)
    swept_options = [f"--{OPTION_OF[k].replace('_', '-')}" for k in grid
                     if getattr(args, OPTION_OF[k], None) is not None]
    if swept_options:
        raise SweepError(f"{', '.join(swept_options)} is swept by --grid; leave the option out")
    if args.mode == "sequential":
        raise SweepError("a sweep's points run all-at-once; leave out --mode sequential")
    base = config_from_args(args).replace(mode="all-at-once").validated()
    if base.data_dir:
        # The points (and a later --resume from elsewhere) find the data by an absolute path.
        base = base.replace(data_dir=str(Path(base.data_dir).expanduser().absolute()))
    points = grid_points(grid)
    for point in points:
        point_config(base, point.values)
    return grid, base, points


def run_sweep_command(args) -> int:
    """`main.py sweep`: plan (every refusal before any folder), run, report; the exit status."""
    from study.cli.study import USAGE_ERRORS

    out = sys.stdout
    try:
        _refuse_options(args)
        if args.resume:
            sweep = open_sweep(args.resume)
            if sweep.state == RUNNING:
                raise SweepError(f"{sweep.folder}: cannot resume: it is still running (pid "
                                 f"{sweep.record.get('pid')} on {sweep.record.get('host')})")
            grid, base, points = sweep.grid, sweep.base, sweep.points
        else:
            grid, base, points = _plan_new(args)
            check_out_root(args.out)
            if args.executor == "local":
                from study.data import load_dataset

                load_dataset(base.data_dir)
        ray, shutdown = (None, False)
        if args.executor == "ray":
            ray, shutdown = connect_ray(args.address, args.workers)
    except (SweepError, *USAGE_ERRORS) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE

    stop_event = threading.Event()
    terminated = threading.Event()
    previous = _install_signals(stop_event, terminated)
    beating = threading.Event()
    failed = 0
    try:
        if args.resume:
            remove_staging(sweep.folder)
        else:
            sweep = Sweep(new_sweep_folder(args.out), grid, base, points)
        sweep.save(state=RUNNING, pid=os.getpid(), host=socket.gethostname(),
                   executor=args.executor, address=args.address,
                   started=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
        sweep.write_csv()
        threading.Thread(target=sweep.keep_alive, args=(beating,), daemon=True).start()
        todo = sweep.missing()
        print(f"Sweep folder: {sweep.folder}", file=out)
        print(f"{len(points)} points ({' × '.join(str(len(v)) for v in grid.values())}: "
              f"{', '.join(grid)}), {len(base.seed_list)} seed(s) each; "
              f"{len(todo)} to run on --executor {args.executor}", file=out, flush=True)
        if args.executor == "ray":
            gpus = 1.0 if base.device.startswith("gpu") else 0.0
            executor = RayExecutor(ray, args.cpus_per_point, gpus, args.max_retries, stop_event)
        elif args.workers and args.workers > 1:
            executor = ProcessExecutor(args.workers, base.backend, args.max_retries, stop_event)
        else:
            executor = LocalExecutor(args.max_retries, stop_event)
        failed = _run_points(sweep, todo, executor, stop_event, out)
    except KeyboardInterrupt:
        stop_event.set()
        if not args.resume and "sweep" not in locals():
            return EXIT_TERMINATED if terminated.is_set() else EXIT_STOPPED
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        beating.set()
        _restore_signals(previous)
        if ray is not None and shutdown:
            ray.shutdown()
    state = STOPPED if stop_event.is_set() else FINISHED
    sweep.save(state=state)
    sweep.write_csv()
    print(f"\nSweep {state}: {sweep.folder}", file=out)
    print(sweep_table(sweep), file=out, flush=True)
    if stop_event.is_set():
        left = len(sweep.missing())
        print(f"{left} point(s) not finished; run them with: python main.py sweep --resume "
              f"{sweep.folder}", file=sys.stderr)
        return EXIT_TERMINATED if terminated.is_set() else EXIT_STOPPED
    if failed:
        print(f"{failed} point(s) failed (sweep.json says why); `sweep --resume "
              f"{sweep.folder}` runs them again", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _run_points(sweep: Sweep, todo: list[Point], executor, stop_event, out) -> int:
    """Run `todo`, writing each finished point and printing a line with the ETA; returns the
    number of points that failed."""
    import tempfile

    hooks = failure_hooks()
    marker_dir = os.environ.get(FAIL_DIR_ENV) or (tempfile.mkdtemp(prefix="kernel-lab-hook-")
                                                  if hooks else None)
    jobs = [(p, point_config(sweep.base, p.values).to_json(), hooks.get(p.name), marker_dir)
            for p in todo]
    started = time.monotonic()
    done = failed = 0
    for point, result in executor.run(jobs):
        if isinstance(result, PointStopped) or (stop_event.is_set()
                                                and isinstance(result, BaseException)):
            continue
        done += 1
        if isinstance(result, BaseException):
            failed += 1
            message = str(result) or type(result).__name__
            sweep.set_point(point, state=FAILED, error=message)
            outcome = f"FAILED: {message}"
        else:
            write_point(sweep.folder, point.name, result["files"])
            sweep.set_point(point, state=FINISHED, seconds=result["seconds"],
                            host=result["host"])
            outcome = f"finished in {_duration(result['seconds'])}  {_best(sweep, point)}"
        sweep.write_csv()
        elapsed = time.monotonic() - started
        left = len(todo) - done
        eta = f"ETA {_duration(elapsed / done * left)}" if left else "done"
        print(f"[{done}/{len(todo)}] {point.name}: {outcome}  ({eta})", file=out, flush=True)
    return failed


def _duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


def _best(sweep: Sweep, point: Point) -> str:
    """The point's best network by mean peak accuracy, for the progress line."""
    try:
        study = open_study(sweep.folder / point.name)
        rows = [r for r in aggregate_rows(study.summary, study.config.networks)
                if r["metric"] == "peak_test_accuracy"]
    except StoreError:
        return ""
    if not rows:
        return ""
    best = max(rows, key=lambda r: r["mean"])
    return f"best peak {100 * best['mean']:.2f} % ({best['network']})"


def sweep_table(sweep: Sweep) -> str:
    """sweep.csv as aligned text, accuracies in % with ± half the 95 % interval."""
    keys = list(sweep.grid)
    widths = {k: max(len(k), *(len(format_value(v)) for v in sweep.grid[k])) + 2 for k in keys}
    header = ("".join(f"{k:<{widths[k]}}" for k in keys)
              + f"{'network':<10}{'n':>3}{'peak acc %':>17}{'final acc %':>17}  state")
    lines = [header]

    def cell(row, metric):
        mean = row[f"{metric}_mean"]
        if mean == "":
            return "–"
        low, high = row[f"{metric}_ci_low"], row[f"{metric}_ci_high"]
        half = "" if low == "" else f" ± {100 * (high - low) / 2:.2f}"
        return f"{100 * mean:.2f}{half}"

    for row in sweep.rows():
        lines.append("".join(f"{format_value(row[k]):<{widths[k]}}" for k in keys)
                     + f"{row['network']:<10}{row['n_seeds']!s:>3}"
                     + f"{cell(row, 'peak_test_accuracy'):>17}"
                     + f"{cell(row, 'final_test_accuracy'):>17}  {row['state']}")
    return "\n".join(lines)


def _install_signals(stop_event: threading.Event, terminated: threading.Event):
    """First Ctrl-C (or SIGTERM): cancel what has not finished, keep the finished points.
    A second one aborts."""

    def on_int(signum, frame):
        if stop_event.is_set():
            raise KeyboardInterrupt
        stop_event.set()
        print("\nStopping: cancelling the points not finished (Ctrl-C again to abort)…",
              file=sys.stderr, flush=True)

    def on_term(signum, frame):
        terminated.set()
        on_int(signum, frame)

    previous = {}
    for signum, handler in ((signal.SIGINT, on_int), (signal.SIGTERM, on_term)):
        try:
            previous[signum] = signal.signal(signum, handler)
        except ValueError:
            pass
    return previous


def _restore_signals(previous: dict) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)
