"""`main.py sweep --grid kernels=byhand,sobel` on the local executor and on a local Ray cluster:
each point is a study with its own bank (config.json, conv1's initial kernels) and `list` names
it. Tiny studies on JAX, as in tests/integration/test_sweep.py."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from main import main
from study.protocol import banks
from study.protocol.byhand import REPORT_KERNELS
from study.state import open_study

ROOT = Path(__file__).resolve().parents[2]
POINTS = ("p1_kernels=byhand", "p2_kernels=sobel")


def _options(data_dir, out) -> list[str]:
    return ["--backend", "jax", "--data", str(data_dir), "--epochs", "1", "--batch-size", "64",
            "--train-limit", "256", "--test-limit", "128", "--networks", "NetA1-HF,NetA2-HT",
            "--grid", "kernels=byhand,sobel", "--out", str(out)]


def _check_points(out: Path, capsys) -> None:
    (folder,) = out.iterdir()
    assert sorted(p.name for p in folder.iterdir() if p.is_dir()) == list(POINTS)
    report = json.loads((folder / POINTS[0] / "config.json").read_text())
    sobel = json.loads((folder / POINTS[1] / "config.json").read_text())
    # The report's kernels record no bank (as a study without --kernels); sobel records its spec.
    assert report.get("kernel_bank") is None and report.get("kernels") is None
    assert sobel["kernel_bank"] == "sobel:size=3,norm=l2"
    starts = {}
    for point in POINTS:
        state = open_study(folder / point)
        assert state.status["state"] == "finished"
        for network in ("NetA1-HF", "NetA2-HT"):
            starts[point, network] = state.stored_weights(network, "initial")["conv1/kernel"]
    for network in ("NetA1-HF", "NetA2-HT"):
        assert np.array_equal(starts[POINTS[0], network], banks.conv_kernel(REPORT_KERNELS))
        assert np.array_equal(starts[POINTS[1], network],
                              banks.conv_kernel(banks.resolve("sobel")[1]))
    with open(folder / "sweep.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {(r["point"], r["kernels"]) for r in rows} == {(POINTS[0], "byhand"),
                                                          (POINTS[1], "sobel")}
    capsys.readouterr()
    assert main(["list", str(folder), "--format", "csv"]) == 0
    listed = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    assert {(r["study"].split("/")[-1], r["bank"]) for r in listed} == {
        (POINTS[0], "byhand"), (POINTS[1], "sobel:size=3,norm=l2")}


def test_a_bank_grid_on_the_local_executor(tmp_path, synthetic_data_dir, capsys):
    env = dict(os.environ, KERAS_BACKEND="jax", TF_CPP_MIN_LOG_LEVEL="2")
    done = subprocess.run([sys.executable, "main.py", "sweep",
                           *_options(synthetic_data_dir, tmp_path), "--executor", "local"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    _check_points(tmp_path, capsys)


def test_a_bank_grid_on_a_local_ray_cluster(tmp_path, synthetic_data_dir, capsys):
    ray = pytest.importorskip("ray")
    started = not ray.is_initialized()
    if started:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
                 logging_level="warning")
    try:
        code = main(["sweep", *_options(synthetic_data_dir, tmp_path), "--executor", "ray"])
        assert code == 0, capsys.readouterr().out
        (folder,) = tmp_path.iterdir()
        assert json.loads((folder / "sweep.json").read_text())["executor"] == "ray"
        _check_points(tmp_path, capsys)
    finally:
        if started:
            ray.shutdown()
