"""kill -9 a study at a random moment, resume it, and compare with an uninterrupted run.

    .venv/bin/python benchmarks/kill_resume_trials.py --trials 5 --epochs 3
    .venv/bin/python benchmarks/kill_resume_trials.py --mode all-at-once --trials 5 --epochs 3

For each mode: one uninterrupted reference study, then TRIALS studies killed with SIGKILL at a
uniformly random time between the first epoch's end and the reference's wall time, each resumed
with `study --resume` until it finishes. A trial counts as identical when its metrics.csv
network, seed, epoch, train_loss, test_loss and test_accuracy columns equal the reference's
exactly. Prints one line per trial and the count; writes nothing outside --out.
"""

from __future__ import annotations

import argparse
import csv
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMPARED = ("network", "seed", "epoch", "train_loss", "test_loss", "test_accuracy")


def metrics(folder: Path) -> list[tuple]:
    """The compared columns of a study's metrics.csv, in file order."""
    with open(folder / "metrics.csv", encoding="utf-8", newline="") as fh:
        return [tuple(row[c] for c in COMPARED) for row in csv.DictReader(fh)]


def study_args(args, out: Path) -> list[str]:
    """The `main.py study` command line of every run of this benchmark."""
    command = [sys.executable, str(ROOT / "main.py"), "study", "--backend", args.backend,
               "--mode", args.mode, "--epochs", str(args.epochs), "--out", str(out)]
    if args.train_limit:
        command += ["--train-limit", str(args.train_limit)]
    if args.seeds:
        command += ["--seeds", str(args.seeds)]
    return command


def only_folder(out: Path) -> Path:
    """The one study folder under `out`."""
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    return folder


def main(argv=None) -> int:
    """Run the trials and print the count of identical resumed results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", default="sequential", choices=("sequential", "all-at-once"))
    parser.add_argument("--backend", default="jax")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--seeds", type=int, default=0, help="--seeds N for every run")
    parser.add_argument("--train-limit", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1, help="seed of the random kill times")
    parser.add_argument("--out", default=None, help="folder for the studies (default: a temp)")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    base = Path(args.out or tempfile.mkdtemp(prefix="kill-trials-"))

    start = time.perf_counter()
    reference_out = base / "reference"
    subprocess.run(study_args(args, reference_out), check=True, capture_output=True, cwd=ROOT)
    wall = time.perf_counter() - start
    reference = metrics(only_folder(reference_out))
    print(f"{args.mode}: reference {len(reference)} metrics rows in {wall:.1f} s")

    identical = 0
    for trial in range(1, args.trials + 1):
        out = base / f"trial-{trial}"
        kill_at = rng.uniform(0.15 * wall, 0.95 * wall)
        process = subprocess.Popen(study_args(args, out), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, cwd=ROOT)
        try:
            process.wait(timeout=kill_at)
            killed = False
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait()
            killed = True
        folders = [p for p in out.iterdir() if p.is_dir()] if out.is_dir() else []
        if not folders:
            print(f"trial {trial}: killed at {kill_at:.1f} s before a folder existed; skipped")
            continue
        folder = folders[0]
        rows_at_kill = len(metrics(folder))
        resumes = 0
        result = None
        while killed and resumes < 3:
            resumes += 1
            result = subprocess.run([sys.executable, str(ROOT / "main.py"), "study",
                                     "--resume", str(folder)], capture_output=True, text=True,
                                    cwd=ROOT)
            if result.returncode == 0:
                break
        same = metrics(folder) == reference
        identical += same
        how = (f"killed at {kill_at:.1f} s with {rows_at_kill} rows, resumed "
               f"(exit {result.returncode if result else '-'})") if killed else "finished first"
        tail = "" if same or result is None else f" — {result.stderr.strip()[-200:]}"
        print(f"trial {trial}: {how}: {'identical' if same else 'DIFFERENT'}{tail}", flush=True)
    print(f"{args.mode}: {identical} of {args.trials} resumed studies identical to the "
          "uninterrupted run")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
