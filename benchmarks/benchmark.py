"""Kernel Lab against the report's plain PyTorch loop: seconds per study-epoch, memory, accuracy.

    .venv/bin/python benchmarks/benchmark.py                 # full Fashion-MNIST, 2 epochs
    .venv/bin/python benchmarks/benchmark.py --train-limit 6000 --test-limit 1000
    .venv/bin/python benchmarks/benchmark.py --seeds-check 5     # N seeds against 1, all-at-once
    .venv/bin/python benchmarks/benchmark.py --seeds-scaling 5   # ms per step for 1..N seeds
    .venv/bin/python benchmarks/benchmark.py --first-batch       # Run -> first batch, cold/warm
    .venv/bin/python benchmarks/benchmark.py --warm-worker       # the same, fresh child vs the
                                                                 # app's worker kept ready

Side by side on the same data: (a) a plain PyTorch loop written as the report's code is
(DataLoader over a TensorDataset, batch 128, Adam 3.35e-4, the six networks one after another,
no Keras; with the correct head), (b) Kernel Lab sequential and (c) Kernel Lab all-at-once on
every installed backend, each as `main.py study` runs it (files written, events emitted). Each
run is a child process of its own (a process can load Keras on one backend only), so its peak
RSS is its own.

A study-epoch is one epoch of all six networks, training and test evaluation. "s/epoch" is its
steady cost, the mean wall time of epochs 2 and later; "one-time s" is the rest of the run's wall
time (building, compiling, all-at-once's isolated timing, saving); "60 ep" projects the report's
60-epoch study as one-time + 60 × s/epoch. With --epochs 1 there is no steady epoch: s/epoch is
then the first epoch, compilation included, and nothing is projected. Run it on an idle machine:
the runs take turns, so load from elsewhere lands on whichever is running.

--first-batch runs, instead, each backend and mode's `main.py study` as the app's Run does and
times its first batch: cold (an empty compiled-program cache, KERNEL_LAB_COMPILE_CACHE) and warm
(the cache the cold run filled). The table's runs each start with an empty cache (cold).

--warm-worker compares, with the compiled programs cached (a first, cold run fills the cache),
a fresh child (`main.py study`, as Run starts one when no worker is ready) against the app's warm
worker (`study --warm-start`, study/run/warm.py, started and ready beforehand): seconds from the job
being handed over (the child started, or the job line written) to the first batch; and the
warm worker once more with an empty cache (its first batch then waits for compilation).

--seeds-check N runs, instead, the same all-at-once study (on the first of --backends, JAX by
default) with 1 seed and with N seeds (--seeds N) side by side, and prints what N seeds cost
against 1: per steady epoch, per projected 60-epoch study, and for the whole run measured.

--seeds-scaling N explains that ratio: in one process, the all-at-once model of 1, 2, … N seeds
(the study's own combined model, the first 16,384 training images, batch 128, no shuffling,
train steps only) is fitted in turn, round after round; the best round's milliseconds per step
for each seed count are fitted with a straight line (scipy.stats.linregress), fixed + per-seed
cost. N seeds cost (fixed + N × per-seed) / (fixed + per-seed) of one seed per step, so the
2.5× target for 5 seeds needs the per-seed cost at most 0.6 × the fixed cost.

--device gpu (or gpu:N) runs Kernel Lab's studies and the scaling on a GPU (the reference loop
stays on the CPU).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Sibling modules: this folder is on the path when the script runs.
from machine import installed_backends, machine_line  # noqa: E402
from reference_loop import run_reference  # noqa: E402
from startup_times import first_batch_check, warm_worker_check  # noqa: E402

from study.protocol.exit_codes import EXIT_FAILED, EXIT_USAGE  # noqa: E402 (after the path)

RESULT_TAG = "BENCHMARK-RESULT "
REPORT_EPOCHS = 60
SHORT_NAMES = {"NetA1-HF": "A1-HF", "NetA1-HT": "A1-HT", "NetA1-DT": "A1-DT",
               "NetA2-HF": "A2-HF", "NetA2-HT": "A2-HT", "NetA2-DT": "A2-DT"}


# ----------------------------------------------------------------------------- children


def peak_rss_mb() -> float:
    """This process's peak resident memory in MiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_kernel_lab(spec: dict) -> dict:
    """(b)/(c) One Kernel Lab study, as `main.py study` runs it, with timestamped events."""
    from keras_models.backend import select_backend

    select_backend(spec["backend"])
    import keras

    from study.config import StudyConfig
    from study.protocol.events import (
        BatchProgress,
        EpochEnded,
        NetworkStarted,
        StudyFinished,
        StudyStarted,
    )
    from study.run.runner import run_study

    config = StudyConfig(
        backend=spec["backend"], mode=spec["mode"], epochs=spec["epochs"], seed=spec["seed"],
        seeds=tuple(spec["seeds"]) if spec.get("seeds") else None,
        batch_size=spec["batch_size"], learning_rate=spec["learning_rate"],
        train_limit=spec["train_limit"], test_limit=spec["test_limit"], data_dir=spec["data"],
        device=spec.get("device", "cpu"),
    ).validated()
    timeline = []

    def emit(event):
        timeline.append((time.perf_counter(), event))

    with tempfile.TemporaryDirectory(prefix="kernel-lab-benchmark-") as out:
        run_study(config, emit=emit, out_root=out)

    def when(kind, **match):
        return [t for t, e in timeline
                if isinstance(e, kind) and all(getattr(e, k) == v for k, v in match.items())]

    walls = []
    for epoch in range(1, config.epochs + 1):
        if config.mode == "all-at-once":
            # The shared epoch starts after the isolated timing: its first progress report
            # tells how long after the start it came.
            if epoch == 1:
                first = next((t, e) for t, e in timeline if isinstance(e, BatchProgress))
                begin = first[0] - first[1].seconds
            else:
                begin = min(when(EpochEnded, epoch=epoch - 1))
            walls.append(min(when(EpochEnded, epoch=epoch)) - begin)
        else:
            total = 0.0
            for name in config.networks:
                begin = (when(NetworkStarted, network=name) if epoch == 1
                         else when(EpochEnded, network=name, epoch=epoch - 1))[0]
                total += when(EpochEnded, network=name, epoch=epoch)[0] - begin
            walls.append(total)
    (started,), (finished,) = when(StudyStarted), when(StudyFinished)
    summary = next(e for _, e in timeline if isinstance(e, StudyFinished)).summary
    return {"study_seconds": finished - started, "epoch_walls": walls,
            "peak_accuracy": {r["network"]: r["peak_test_accuracy"] for r in summary},
            "versions": f"keras {keras.__version__}"}


def steady_figures(result: dict) -> tuple[float, float | None]:
    """(s/epoch, one-time s): the mean of epochs 2+ and the rest; epoch 1 and None if alone."""
    walls = result["epoch_walls"]
    if len(walls) < 2:
        return walls[0], None
    steady = sum(walls[1:]) / (len(walls) - 1)
    return steady, result["study_seconds"] - steady * len(walls)


SCALING_CALLS = 8  # calls of the train function per timed fit (16 steps each on JAX/TensorFlow)


def run_seeds_scaling(spec: dict) -> dict:
    """Milliseconds per all-at-once training step for 1..N seeds, the best of several rounds."""
    from keras_models.backend import resolve_device, select_backend

    backend = select_backend(spec["backend"])
    import keras

    from keras_models.combined import build_combined, combined_arrays, compile_combined
    from keras_models.training import fit_options
    from study.data import load_dataset
    from study.protocol.networks import NETWORKS

    per_call = int(fit_options(all_at_once=True).get("steps_per_execution", 1))
    n = SCALING_CALLS * per_call * spec["batch_size"]
    data = load_dataset(spec["data"])
    # Up to n images: a small dataset (the tests' synthetic one) is timed whole.
    data = data.limited(min(n, len(data.x_train)), spec["test_limit"])
    counts = list(range(1, spec["seeds_max"] + 1))
    timings: dict[int, list[float]] = {count: [] for count in counts}
    with keras.device(resolve_device(spec.get("device", "cpu"), backend)):
        models = {}
        for count in counts:
            seeds = tuple(range(spec["seed"], spec["seed"] + count))
            combined = build_combined(NETWORKS, spec["seed"], seeds=seeds)
            compile_combined(combined, spec["learning_rate"])
            x, y = combined_arrays(combined, data, 1, shuffle=False)
            # The first fit compiles; it is not timed.
            combined.model.fit(x, y, batch_size=spec["batch_size"], epochs=1, verbose=0,
                               shuffle=False)
            models[count] = (combined, x, y)
        steps = -(-len(data.x_train) // spec["batch_size"])
        for _ in range(spec["rounds"]):
            for count in counts:
                combined, x, y = models[count]
                start = time.perf_counter()
                combined.model.fit(x, y, batch_size=spec["batch_size"], epochs=1, verbose=0,
                                   shuffle=False)
                timings[count].append(1000 * (time.perf_counter() - start) / steps)
    return {"ms_per_step": {str(count): values for count, values in timings.items()},
            "steps": steps, "versions": f"keras {keras.__version__} ({backend})"}


def child_main(spec: dict) -> None:
    """Run one benchmark entry and print its result as one tagged JSON line."""
    from study.protocol.backends import BackendError

    runs = {"reference": run_reference, "kernel-lab": run_kernel_lab,
            "seeds-scaling": run_seeds_scaling}
    try:
        result = runs[spec["kind"]](spec)
    except BackendError as exc:  # no such backend or device here: one line, not a traceback
        print(f"error: {exc}", file=sys.stderr, flush=True)
        sys.exit(EXIT_USAGE)
    result["peak_rss_mb"] = peak_rss_mb()
    print(RESULT_TAG + json.dumps(result), flush=True)


# ----------------------------------------------------------------------------- parent


def run_child(spec: dict) -> dict:
    """Run one entry in a fresh Python process; its result, or its error output."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1")
    if spec.get("backend"):
        env["KERAS_BACKEND"] = spec["backend"]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kernel-lab-cache-") as cache:
        # An empty compiled-program cache: each run compiles everything, as a first run does.
        env["KERNEL_LAB_COMPILE_CACHE"] = cache
        done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child",
                               json.dumps(spec)], capture_output=True, text=True, env=env,
                              cwd=ROOT)
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT_TAG)]
    if done.returncode != 0 or not lines:
        tail = (done.stderr or done.stdout).strip().splitlines()[-15:]
        return {"error": f"exit {done.returncode}: " + "\n".join(tail)}
    result = json.loads(lines[-1][len(RESULT_TAG):])
    result["process_seconds"] = time.perf_counter() - started
    return result


def format_minutes(seconds: float) -> str:
    """Seconds as m:ss.s."""
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:04.1f}"


def table(entries: list[tuple[str, dict]], networks) -> str:
    """The results as aligned text, one line per run, ratios against the first (reference)."""
    header = (f"{'run':<28}{'s/epoch':>9}{'x ref':>7}{'one-time s':>12}{'60 ep':>9}{'x ref':>7}"
              f"{'peak RSS':>10}  peak test accuracy %: "
              + " ".join(f"{SHORT_NAMES[n]:>5}" for n in networks))
    lines = [header, "-" * len(header)]
    reference = None if "error" in entries[0][1] else steady_figures(entries[0][1])
    for label, result in entries:
        if "error" in result:
            lines.append(f"{label:<28}failed: {result['error'].splitlines()[-1][:120]}")
            continue
        steady, one_time = steady_figures(result)
        ratio = study = study_ratio = "-"
        if reference:
            ratio = f"{steady / reference[0]:.2f}"
        if one_time is not None:
            projected = one_time + REPORT_EPOCHS * steady
            study = format_minutes(projected)
            if reference and reference[1] is not None:
                study_ratio = f"{projected / (reference[1] + REPORT_EPOCHS * reference[0]):.2f}"
        accuracies = " ".join(f"{100 * result['peak_accuracy'][n]:5.1f}" for n in networks)
        lines.append(
            f"{label:<28}{steady:>9.2f}{ratio:>7}"
            f"{'-' if one_time is None else f'{one_time:.1f}':>12}{study:>9}{study_ratio:>7}"
            f"{result['peak_rss_mb']:>7.0f} MB  {'':<21}{accuracies}"
        )
    return "\n".join(lines)


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line options of the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=2,
                        help="epochs per network (default 2: the first compiles, the second "
                             "gives the steady cost)")
    parser.add_argument("--train-limit", type=int, metavar="N", help="first N training images")
    parser.add_argument("--test-limit", type=int, metavar="N", help="first N test images")
    parser.add_argument("--data", metavar="DIR", help="dataset folder (default: the system's "
                        "Fashion-MNIST)")
    parser.add_argument("--backends", help="comma-separated (default: every installed one)")
    parser.add_argument("--modes", default="sequential,all-at-once",
                        help="comma-separated Kernel Lab modes (default: both)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seeds-check", type=int, metavar="N", help="instead of the table: "
                        "all-at-once with 1 seed against N seeds (target: N=5 within 2.5x)")
    parser.add_argument("--seeds-scaling", type=int, metavar="N", help="instead of the table: "
                        "ms per all-at-once training step for 1..N seeds, and the fixed and "
                        "per-seed cost fitted to them")
    parser.add_argument("--rounds", type=int, default=3, metavar="R",
                        help="--seeds-scaling: rounds over the seed counts (the best counts)")
    parser.add_argument("--device", default="cpu", help="cpu (default), gpu or gpu:N for "
                        "Kernel Lab's runs")
    parser.add_argument("--first-batch", action="store_true", help="instead of the table: "
                        "seconds from starting a study to its first batch, with an empty and "
                        "with a filled compiled-program cache (targets: 8 s and 4 s)")
    parser.add_argument("--warm-worker", action="store_true", help="instead of the table: "
                        "Run -> first batch for a fresh child and for a warm worker kept "
                        "ready, the compiled programs cached")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error("--epochs must be at least 1")
    if args.seeds_check is not None and args.seeds_check < 2:
        parser.error("--seeds-check needs at least 2 seeds")
    if args.seeds_scaling is not None and args.seeds_scaling < 2:
        parser.error("--seeds-scaling needs at least 2 seeds")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    from study.protocol.backends import BackendError, parse_device

    try:
        parse_device(args.device)
    except BackendError as exc:
        parser.error(str(exc))
    return args


def seeds_check(args, data, backend: str) -> int:
    """All-at-once with 1 seed, then with N seeds, each in its own process; the ratios."""
    common = {"data": args.data, "train_limit": args.train_limit, "test_limit": args.test_limit,
              "epochs": args.epochs, "seed": args.seed, "batch_size": 128,
              "learning_rate": 3.35e-4, "kind": "kernel-lab", "backend": backend,
              "mode": "all-at-once", "device": args.device}
    n = args.seeds_check
    plan = [(f"all-at-once {backend}, 1 seed", {**common, "seeds": None}),
            (f"all-at-once {backend}, {n} seeds",
             {**common, "seeds": list(range(args.seed, args.seed + n))})]
    print(f"Data: {data.describe()}; {args.epochs} epoch(s); batch 128", flush=True)
    print(f"Machine: {machine_line()}", flush=True)
    results = []
    for label, spec in plan:
        print(f"  running {label} …", file=sys.stderr, flush=True)
        result = run_child(spec)
        if "error" in result:
            print(f"  {label} failed:\n{result['error']}", file=sys.stderr, flush=True)
            return EXIT_FAILED
        results.append((label, result))
    print(f"Versions: {results[0][1]['versions']}\n")
    header = (f"{'run':<30}{'s/epoch':>9}{'one-time s':>12}{'60 ep':>9}{'run s':>8}"
              f"{'peak RSS':>10}")
    lines = [header, "-" * len(header)]
    figures = []
    for label, result in results:
        steady, one_time = steady_figures(result)
        projected = None if one_time is None else one_time + REPORT_EPOCHS * steady
        figures.append((steady, projected, result["study_seconds"]))
        lines.append(f"{label:<30}{steady:>9.2f}"
                     f"{'-' if one_time is None else f'{one_time:.1f}':>12}"
                     f"{'-' if projected is None else format_minutes(projected):>9}"
                     f"{result['study_seconds']:>8.1f}{result['peak_rss_mb']:>7.0f} MB")
    (one, one_study, one_run), (many, many_study, many_run) = figures
    print("\n".join(lines))
    epoch_kind = "steady epoch" if args.epochs > 1 else "first epoch"
    print(f"\n{n} seeds / 1 seed: {many / one:.2f}x per {epoch_kind}"
          + ("" if one_study is None else f", {many_study / one_study:.2f}x per 60-epoch study")
          + f", {many_run / one_run:.2f}x for these {args.epochs}-epoch runs (target: 5 seeds "
          "within 2.5x)")
    return 0


def seeds_scaling(args, backend: str) -> int:
    """Per-step cost of the all-at-once model for 1..N seeds, and the line fitted to it."""
    from scipy import stats

    spec = {"kind": "seeds-scaling", "backend": backend, "device": args.device,
            "data": args.data, "test_limit": args.test_limit, "seed": args.seed,
            "seeds_max": args.seeds_scaling, "rounds": args.rounds, "batch_size": 128,
            "learning_rate": 3.35e-4}
    print(f"Machine: {machine_line()}", flush=True)
    print(f"  timing 1..{args.seeds_scaling} seeds on {backend} ({args.device}), "
          f"{args.rounds} round(s) …", file=sys.stderr, flush=True)
    result = run_child(spec)
    if "error" in result:
        print(f"  seeds scaling failed:\n{result['error']}", file=sys.stderr, flush=True)
        return EXIT_FAILED
    print(f"Versions: {result['versions']}; {result['steps']} steps of 128 images per fit, "
          "train steps only\n")
    rounds = {int(count): values for count, values in result["ms_per_step"].items()}
    counts = sorted(rounds)
    best = {count: min(rounds[count]) for count in counts}
    header = f"{'seeds':>5}{'best ms/step':>14}{'x 1 seed':>10}   every round"
    lines = [header, "-" * len(header)]
    for count in counts:
        lines.append(f"{count:>5}{best[count]:>14.2f}{best[count] / best[1]:>10.2f}   "
                     + ", ".join(f"{v:.2f}" for v in rounds[count]))
    print("\n".join(lines))
    fit = stats.linregress(counts, [best[count] for count in counts])
    fixed, per_seed = fit.intercept, fit.slope
    n = counts[-1]
    print(f"\nfitted: {fixed:.2f} ms fixed + {per_seed:.2f} ms per seed (r² {fit.rvalue ** 2:.3f})")
    need = (f"; within 2.5x needs the per-seed cost at most {1.5 / (n - 2.5):.2f} x the "
            "fixed cost" if n > 2.5 else "")
    print(f"{n} seeds / 1 seed per step: {best[n] / best[1]:.2f}x measured, "
          f"{(fixed + n * per_seed) / (fixed + per_seed):.2f}x from the line{need}")
    if args.json:
        Path(args.json).write_text(json.dumps({"ms_per_step": rounds, "fixed_ms": fixed,
                                               "per_seed_ms": per_seed}, indent=2) + "\n")
    return 0


def main(argv=None) -> int:
    """Run every entry, one process each, and print the table."""
    args = parse_args(argv)
    if args.child:
        child_main(json.loads(args.child))
        return 0
    from study.data import DataError, load_dataset
    from study.protocol.networks import NETWORKS

    try:
        data = load_dataset(args.data).limited(args.train_limit, args.test_limit)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.first_batch:
        return first_batch_check(args)
    if args.warm_worker:
        return warm_worker_check(args)
    if args.seeds_check:
        return seeds_check(args, data, args.backends.split(",")[0] if args.backends else "jax")
    if args.seeds_scaling:
        return seeds_scaling(args, args.backends.split(",")[0] if args.backends else "jax")
    backends = args.backends.split(",") if args.backends else installed_backends()
    modes = args.modes.split(",")
    common = {"data": args.data, "train_limit": args.train_limit, "test_limit": args.test_limit,
              "epochs": args.epochs, "seed": args.seed, "batch_size": 128,
              "learning_rate": 3.35e-4}
    plan = [("(a) PyTorch loop (reference)", {"kind": "reference", **common})]
    for mode in modes:
        letter = "(b)" if mode == "sequential" else "(c)"
        for backend in backends:
            plan.append((f"{letter} {mode} {backend}",
                         {"kind": "kernel-lab", "backend": backend, "mode": mode,
                          "device": args.device, **common}))
    print(f"Data: {data.describe()}; {args.epochs} epoch(s) per network; batch 128",
          flush=True)
    print(f"Machine: {machine_line()}", flush=True)
    entries = []
    for label, spec in plan:
        print(f"  running {label} …", file=sys.stderr, flush=True)
        result = run_child(spec)
        entries.append((label, result))
        if "error" in result:
            print(f"  {label} failed:\n{result['error']}", file=sys.stderr, flush=True)
        else:
            print(f"  {label}: {result['process_seconds']:.0f} s in all", file=sys.stderr,
                  flush=True)
    versions = sorted({r["versions"] for _, r in entries if "versions" in r})
    print(f"Versions: {', '.join(versions)}")
    print()
    print(table(entries, NETWORKS))
    if args.json:
        Path(args.json).write_text(json.dumps(dict(entries), indent=2) + "\n", encoding="utf-8")
    return 0 if all("error" not in r for _, r in entries) else 1


if __name__ == "__main__":
    sys.exit(main())
