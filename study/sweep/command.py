"""Sweeps: one study per point of a grid of settings, run here or on a Ray cluster.

`python main.py sweep [study options] --grid lr=1e-4,1e-3 --grid head=softmax,report …` makes a
sweep folder:

    sweep.json    the grid, the base settings, the executor and each point's state
    sweep.csv     one row per point × network: the swept values, n_seeds, peak and final test
                  accuracy (mean and 95 % interval over the seeds) and the point's state
    p1_lr=0.0001_head=softmax/ …   one ordinary study folder per finished point (all-at-once,
                  its seeds inside), so open, export, compare and resume work on it unchanged

A point runs as `run_point` (point.py): a study in a temporary folder whose files come back as
bytes, which the driver writes into the sweep folder (folder.py: built hidden, then moved into
place), so Ray workers need not share a filesystem with the driver. `--executor local` runs the
points in this process one after another (or in `--workers N` processes); `--executor ray`
submits each as a Ray task (executors.py). A point that fails for good is recorded as failed and
the sweep goes on; Ctrl-C cancels what has not finished and keeps the finished points;
`sweep --resume DIR` runs only what is missing.

No Qt here, and neither Keras nor Ray is imported at module level: the app reads sweep folders
through folder.py, and `--executor local` never needs Ray.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from dataclasses import dataclass

from study.analysis.formats import format_duration, mean_ci_text
from study.analysis.statistics import aggregate_rows
from study.config import StudyConfig
from study.folder.csvio import StoreError
from study.folder.layout import check_out_root
from study.protocol.exit_codes import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_STOPPED,
    EXIT_TERMINATED,
    EXIT_USAGE,
)
from study.protocol.status import StudyStatus
from study.run.job import USAGE_ERRORS
from study.run.signals import install_stop_signals, restore_signals
from study.state import open_study
from study.sweep.executors import (
    DEFAULT_MAX_RETRIES,
    LocalExecutor,
    ProcessExecutor,
    RayExecutor,
    connect_ray,
)
from study.sweep.folder import (
    Sweep,
    new_sweep_folder,
    open_sweep,
    remove_staging,
    write_point,
)
from study.sweep.grid import Point, SweepError, format_value, grid_points, point_config
from study.sweep.point import FAIL_DIR_ENV, PointStopped, failure_hooks

INTERRUPT_MESSAGE = "\nStopping: cancelling the points not finished (Ctrl-C again to abort)…"


@dataclass(frozen=True)
class SweepRequest:
    """A new sweep (`grid` over the `base` settings, made under `out`) or the resume of the one
    in `resume`, and where and how its points run."""

    out: str
    resume: str | None = None
    grid: dict | None = None
    base: StudyConfig | None = None
    executor: str = "local"
    address: str | None = None
    workers: int | None = None
    cpus_per_point: float = 1.0
    max_retries: int = DEFAULT_MAX_RETRIES


def _plan(request: SweepRequest):
    """(sweep to resume or None, grid, base, points); every refusal before any folder."""
    if request.resume:
        sweep = open_sweep(request.resume)
        if sweep.state == StudyStatus.RUNNING:
            raise SweepError(f"{sweep.folder}: cannot resume: it is still running (pid "
                             f"{sweep.record.get('pid')} on {sweep.record.get('host')})")
        return sweep, sweep.grid, sweep.base, sweep.points
    points = grid_points(request.grid)
    for point in points:
        point_config(request.base, point.values)
    check_out_root(request.out)
    if request.executor == "local":
        from study.data import load_dataset

        for dataset in request.grid.get("dataset", [request.base.dataset]):
            load_dataset(request.base.data_dir, dataset)
    return None, request.grid, request.base, points


def _executor(request: SweepRequest, base: StudyConfig, ray, stop_event: threading.Event):
    if request.executor == "ray":
        gpus = 1.0 if base.device.startswith("gpu") else 0.0
        return RayExecutor(ray, request.cpus_per_point, gpus, request.max_retries, stop_event)
    if request.workers and request.workers > 1:
        return ProcessExecutor(request.workers, base.backend, request.max_retries, stop_event)
    return LocalExecutor(request.max_retries, stop_event)


def run_sweep(request: SweepRequest) -> int:
    """Plan (every refusal before any folder), run, report; the exit status."""
    out = sys.stdout
    try:
        sweep, grid, base, points = _plan(request)
        ray, shutdown = (None, False)
        if request.executor == "ray":
            ray, shutdown = connect_ray(request.address, request.workers)
    except (SweepError, *USAGE_ERRORS) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE

    stop_event = threading.Event()
    terminated = threading.Event()
    previous = install_stop_signals(stop_event, terminated, INTERRUPT_MESSAGE)
    beating = threading.Event()
    failed = 0
    try:
        if sweep is not None:
            remove_staging(sweep.folder)
        else:
            sweep = Sweep(new_sweep_folder(request.out), grid, base, points)
        sweep.save(state=StudyStatus.RUNNING, pid=os.getpid(), host=socket.gethostname(),
                   executor=request.executor, address=request.address,
                   started=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
        sweep.write_csv()
        threading.Thread(target=sweep.keep_alive, args=(beating,), daemon=True).start()
        todo = sweep.missing()
        print(f"Sweep folder: {sweep.folder}", file=out)
        print(f"{len(points)} points ({' × '.join(str(len(v)) for v in grid.values())}: "
              f"{', '.join(grid)}), {len(base.seed_list)} seed(s) each; "
              f"{len(todo)} to run on --executor {request.executor}", file=out, flush=True)
        executor = _executor(request, base, ray, stop_event)
        failed = _run_points(sweep, todo, executor, stop_event, out)
    except KeyboardInterrupt:
        stop_event.set()
        if sweep is None:
            return EXIT_TERMINATED if terminated.is_set() else EXIT_STOPPED
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        beating.set()
        restore_signals(previous)
        if ray is not None and shutdown:
            ray.shutdown()
    return _report(sweep, stop_event, terminated, failed, out)


def _report(sweep: Sweep, stop_event, terminated, failed: int, out) -> int:
    """Record how the sweep ended, print its table; the exit status."""
    state = StudyStatus.STOPPED if stop_event.is_set() else StudyStatus.FINISHED
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
            sweep.set_point(point, state=StudyStatus.FAILED, error=message)
            outcome = f"FAILED: {message}"
        else:
            write_point(sweep.folder, point.name, result["files"])
            sweep.set_point(point, state=StudyStatus.FINISHED, seconds=result["seconds"],
                            host=result["host"])
            outcome = f"finished in {format_duration(result['seconds'])}  {_best(sweep, point)}"
        sweep.write_csv()
        elapsed = time.monotonic() - started
        left = len(todo) - done
        eta = f"ETA {format_duration(elapsed / done * left)}" if left else "done"
        print(f"[{done}/{len(todo)}] {point.name}: {outcome}  ({eta})", file=out, flush=True)
    return failed


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
        def value(part):
            found = row[f"{metric}_{part}"]
            return None if found == "" else found

        return mean_ci_text(value("mean"), value("ci_low"), value("ci_high"), scale=100)

    for row in sweep.rows():
        lines.append("".join(f"{format_value(row[k]):<{widths[k]}}" for k in keys)
                     + f"{row['network']:<10}{row['n_seeds']!s:>3}"
                     + f"{cell(row, 'peak_test_accuracy'):>17}"
                     + f"{cell(row, 'final_test_accuracy'):>17}  {row['state']}")
    return "\n".join(lines)

