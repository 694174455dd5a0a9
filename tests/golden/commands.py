"""The golden commands: a small study in both modes, its export, a compare and a sweep.

`produce(workdir)` runs them through `main.py` in child processes (JAX, synthetic data, two
seeds) and returns every file they wrote as {normalised path: normalised content}: CSV cells that
hold times are blanked, study and sweep folder names (timestamps) become stable names, absolute
paths are cut. PNG and other binary files are kept by name only. `python -m tests.golden.record`
writes the result to snapshot.json; tests/integration/test_golden.py compares a fresh run with it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.synthetic import write_synthetic_idx

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = Path(__file__).with_name("snapshot.json")
STUDY = ["--backend", "jax", "--seeds", "2", "--epochs", "2", "--batch-size", "64",
         "--lr", "0.003", "--train-limit", "256", "--test-limit", "128"]
# Columns whose values are clock readings or durations: they differ run to run.
HEADER_WORDS = {"second", "seconds", "time", "times", "duration", "wall", "started", "finished",
                "eta", "date", "heartbeat", "elapsed", "total", "path"}
# A row that names one of these is about a time (an aggregate's seconds_per_epoch, a "fastest"
# claim, a difference in time per epoch): only its first cell, which names it, is stable.
ROW_WORDS = {"second", "seconds", "time", "duration", "wall", "fastest", "faster"}


def _run(args: list[str], env: dict) -> str:
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), *args], env=env,
                            capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        raise RuntimeError(f"main.py {' '.join(args)} exited {result.returncode}:\n"
                           f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result.stdout


def _only_child(folder: Path) -> Path:
    children = [p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")]
    if len(children) != 1:
        raise RuntimeError(f"expected one folder in {folder}, found {children}")
    return children[0]


def _words(text: str) -> set[str]:
    return set(re.split(r"[^a-z]+", text.lower()))


def _is_time_column(name: str) -> bool:
    return bool(_words(name) & HEADER_WORDS)


def _normalise_text(text: str, names: dict[str, str]) -> str:
    for real, stable in sorted(names.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(real, stable)
    return text


def _normalise_csv(text: str, names: dict[str, str]) -> str:
    rows = list(csv.reader(io.StringIO(_normalise_text(text, names))))
    if not rows:
        return ""
    header = rows[0]
    blank = {i for i, name in enumerate(header) if _is_time_column(name)}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows[1:]:
        if any(_words(cell) & ROW_WORDS or "per epoch" in cell or "s/epoch" in cell
               for cell in row):
            row = row[:1] + ["<time>"] * (len(row) - 1)
        writer.writerow(["<time>" if i in blank else cell for i, cell in enumerate(row)])
    return out.getvalue()


def _array_digest(path: Path) -> str:
    """A digest of the arrays in an .npz (its zip bytes carry dates): weights, predictions."""
    import numpy as np

    digest = hashlib.sha256()
    with np.load(path) as arrays:
        for key in sorted(arrays.files):
            value = np.ascontiguousarray(arrays[key])
            digest.update(f"{key}:{value.dtype}:{value.shape}:".encode())
            digest.update(value.tobytes())
    return "sha256:" + digest.hexdigest()


def collect(folder: Path, names: dict[str, str]) -> dict[str, str]:
    """Every file under `folder`: CSVs normalised, other files by name only."""
    files = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        rel = _normalise_text(path.relative_to(folder).as_posix(), names)
        if path.suffix == ".csv":
            files[rel] = _normalise_csv(path.read_text(encoding="utf-8"), names)
        elif path.suffix == ".npz" and path.parent.name in ("weights", "predictions"):
            files[rel] = _array_digest(path)
        else:
            files[rel] = "<file>"
    return files


def produce(workdir) -> dict[str, str]:
    """Run the golden commands in `workdir` and return their normalised files."""
    workdir = Path(workdir)
    data = write_synthetic_idx(workdir / "data")
    env = {**os.environ, "KERAS_BACKEND": "jax", "KERNEL_LAB_DATA_CACHE": "off",
           "KERNEL_LAB_COMPILE_CACHE": "off", "QT_QPA_PLATFORM": "offscreen",
           "TF_CPP_MIN_LOG_LEVEL": "2"}
    names = {str(workdir): "<work>"}
    studies = {}
    for mode in ("sequential", "all-at-once"):
        out = workdir / mode
        _run(["study", *STUDY, "--mode", mode, "--data", str(data), "--out", str(out)], env)
        folder = _only_child(out)
        names[folder.name] = f"<study-{mode}>"
        studies[mode] = folder
    _run(["export", str(studies["all-at-once"]), "--out", str(workdir / "export")], env)
    _run(["compare", str(studies["sequential"]), str(studies["all-at-once"]),
          "--out", str(workdir / "compare")], env)
    sweep_out = workdir / "sweep"
    _run(["sweep", *STUDY[:2], "--seeds", "1", "--epochs", "1", "--batch-size", "64",
          "--train-limit", "256", "--test-limit", "128", "--data", str(data),
          "--grid", "lr=0.001,0.003", "--out", str(sweep_out)], env)
    names[_only_child(sweep_out).name] = "<sweep>"
    files = {}
    for part in ("sequential", "all-at-once", "export", "compare", "sweep"):
        for rel, content in collect(workdir / part, names).items():
            files[f"{part}/{rel}"] = content
    return files


def machine() -> str:
    """The CPU the snapshot was made on: numbers are compared exactly on the same CPU only."""
    from study.folder.environment import cpu_model

    return cpu_model()


def snapshot_payload(files: dict[str, str]) -> dict:
    return {"machine": machine(), "files": files}


def load_snapshot() -> dict:
    return json.loads(SNAPSHOT.read_text(encoding="utf-8"))
