"""Run → first batch, for benchmark.py --first-batch and --warm-worker: a fresh `main.py study`
child (cold and warm compiled-program cache) against the app's warm worker (`study
--warm-start`), each backend and mode side by side in one run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import installed_backends, machine_line

ROOT = Path(__file__).resolve().parents[1]


def time_to_first_batch(backend: str, mode: str, cache: str, args) -> float | str:
    """Seconds from starting `main.py study` (as the app's Run starts its worker process) to
    its first batch's progress event; the study is then stopped (SIGTERM). Or an error line."""
    command = [sys.executable, "main.py", "study", "--backend", backend, "--mode", mode,
               "--epochs", "1", "--events", "json", "--seed", str(args.seed)]
    for flag, value in (("--data", args.data), ("--train-limit", args.train_limit),
                        ("--test-limit", args.test_limit)):
        if value is not None:
            command += [flag, str(value)]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1",
               KERNEL_LAB_COMPILE_CACHE=cache)
    with tempfile.TemporaryDirectory(prefix="kernel-lab-first-batch-") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(command + ["--out", out], cwd=ROOT, env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        return _first_batch_after(proc, started)


def _first_batch_after(proc, started: float) -> float | str:
    """Seconds from `started` to the first batch's progress event on proc's stdout; then the
    study is stopped (SIGTERM)."""
    import signal

    seconds: float | str = "no batch reported"
    for line in proc.stdout:
        if '"event":"BatchProgress"' in line.replace(" ", ""):
            seconds = time.perf_counter() - started
            break
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=600)
    return seconds


def time_warm_worker(backend: str, mode: str, cache: str, args) -> tuple[float | str, float]:
    """A warm worker (`study --warm-start`, as the app keeps one ready) started and waited for;
    then (seconds from writing its job to the first batch, or an error line; seconds it took
    to get ready)."""
    from study.config import StudyConfig

    config = StudyConfig(backend=backend, mode=mode, epochs=1, seed=args.seed,
                         data_dir=args.data, train_limit=args.train_limit,
                         test_limit=args.test_limit)
    command = [sys.executable, "main.py", "study", "--warm-start", "--backend", backend,
               "--events", "json", "--stop-on-stdin"]
    if args.data is not None:
        command += ["--data", str(args.data)]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1",
               KERNEL_LAB_COMPILE_CACHE=cache)
    with tempfile.TemporaryDirectory(prefix="kernel-lab-warm-") as out:
        config_path = Path(out) / "config.json"
        config_path.write_text(config.to_json())
        t0 = time.perf_counter()
        proc = subprocess.Popen(command, cwd=ROOT, env=env, text=True, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        ready_line = proc.stdout.readline()
        ready = time.perf_counter() - t0
        if '"WorkerReady"' not in ready_line:
            proc.kill()
            proc.communicate()
            return "no WorkerReady", ready
        started = time.perf_counter()
        proc.stdin.write(json.dumps({"config": str(config_path),
                                     "out": str(Path(out) / "studies")}) + "\n")
        proc.stdin.flush()
        return _first_batch_after(proc, started), ready


def warm_worker_check(args) -> int:
    """Run → first batch with the compiled programs cached: a fresh child against a warm
    worker, for each backend and mode, side by side in one run."""
    backends = args.backends.split(",") if args.backends else ["jax"]
    modes = args.modes.split(",")
    print(f"Machine: {machine_line()}", flush=True)
    header = (f"{'backend':<12}{'mode':<13}{'cold s':>8}{'fresh s':>9}{'worker s':>10}"
              f"{'ratio':>7}{'ready s':>9}{'worker cold s':>15}")
    print(header + "\n" + "-" * len(header), flush=True)
    rows = []
    for backend in backends:
        for mode in modes:
            with tempfile.TemporaryDirectory(prefix="kernel-lab-cache-") as cache:
                cold = time_to_first_batch(backend, mode, cache, args)
                fresh = time_to_first_batch(backend, mode, cache, args)
                worker, ready = time_warm_worker(backend, mode, cache, args)
            with tempfile.TemporaryDirectory(prefix="kernel-lab-cache-") as cache:
                worker_cold, _ = time_warm_worker(backend, mode, cache, args)
            cells = [f"{v:>{w}.1f}" if isinstance(v, float) else f"  {v}"
                     for v, w in ((cold, 8), (fresh, 9), (worker, 10))]
            ratio = (f"{worker / fresh:>7.2f}" if isinstance(worker, float)
                     and isinstance(fresh, float) else f"{'-':>7}")
            last = (f"{worker_cold:>15.1f}" if isinstance(worker_cold, float)
                    else f"  {worker_cold}")
            print(f"{backend:<12}{mode:<13}{''.join(cells)}{ratio}{ready:>9.1f}{last}",
                  flush=True)
            rows.append({"backend": backend, "mode": mode, "cold": cold, "fresh": fresh,
                         "worker": worker, "ready": ready, "worker_cold": worker_cold})
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


def first_batch_check(args) -> int:
    """Run → first batch, cold (an empty compiled-program cache) and warm (the cache the cold
    run filled), for each backend and mode."""
    backends = args.backends.split(",") if args.backends else installed_backends()
    modes = args.modes.split(",")
    print(f"Machine: {machine_line()}", flush=True)
    header = (f"{'backend':<12}{'mode':<13}{'cold s':>8}{'warm s':>8}"
              "   targets: cold <= 8, warm <= 4")
    print(header + "\n" + "-" * len(header), flush=True)
    for backend in backends:
        for mode in modes:
            with tempfile.TemporaryDirectory(prefix="kernel-lab-cache-") as cache:
                cold = time_to_first_batch(backend, mode, cache, args)
                warm = time_to_first_batch(backend, mode, cache, args)
            cells = [f"{v:>8.1f}" if isinstance(v, float) else f"  {v}" for v in (cold, warm)]
            print(f"{backend:<12}{mode:<13}{''.join(cells)}", flush=True)
    return 0
