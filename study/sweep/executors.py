"""Executors of a sweep's points: each yields (point, result dict or exception) as points end.
LocalExecutor runs them here one after another, ProcessExecutor in worker processes,
RayExecutor as Ray tasks (connect_ray joins or starts the cluster)."""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
from pathlib import Path

from study.sweep.grid import SweepError
from study.sweep.point import PointFailed, TransientPointError, run_point

EXECUTORS = ("local", "ray")
# Ray retries a point whose worker was lost (max_retries); a point's own error is final unless
# it is a TransientPointError (what the test hook raises).
DEFAULT_MAX_RETRIES = 2


def worker_init(backend: str) -> None:
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
                                   initializer=worker_init, initargs=(self.backend,))

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
        root = Path(__file__).resolve().parents[2]  # the repository: study/ and keras_models/
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

