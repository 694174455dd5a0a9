"""Keras 3's promise, checked on a study: models trained on one backend load and predict alike on
the other two.

A tiny study (three networks: both architectures, a frozen and a trained conv1; one epoch) is
trained on JAX in all-at-once mode, so its .keras files are branches copied into standalone
networks; then `main.py evaluate` runs on torch and on TensorFlow, each in a process of its own
(KERAS_BACKEND is fixed before Keras is imported). Every model's test accuracy must be within
0.05 points of the one the study recorded, and its predicted classes must agree with the stored
ones on at least 99.9 % of the test images.

Marked `crossbackend`, not `backend`: every process here picks its own backend, so it runs once
(in the first pass of scripts/run-tests.sh), whatever KERAS_BACKEND the test process has.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.synthetic import write_synthetic_idx

pytestmark = pytest.mark.crossbackend

ROOT = Path(__file__).resolve().parents[2]
TRAIN_ON = "jax"
EVALUATE_ON = ("torch", "tensorflow")
NETWORKS = ("NetA1-HF", "NetA1-DT", "NetA2-HT")
# 2,000 test images: one image is 0.05 points, so the accuracy bound allows one flip, as the
# agreement bound (99.9 %) allows two.
TEST_IMAGES = 2000


def _main(*argv, backend: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="2",
               QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "main.py", *argv], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


def test_models_trained_on_one_backend_predict_alike_on_the_others(tmp_path):
    data = write_synthetic_idx(tmp_path / "data", n_train=512, n_test=TEST_IMAGES)
    done = _main("study", "--backend", TRAIN_ON, "--mode", "all-at-once", "--epochs", "1",
                 "--timing-rounds", "0",
                 "--networks", ",".join(NETWORKS),
                 "--batch-size", "64", "--data", str(data), "--out", str(tmp_path / "studies"),
                 backend=TRAIN_ON)
    assert done.returncode == 0, done.stderr[-3000:]
    (folder,) = (tmp_path / "studies").iterdir()
    for backend in EVALUATE_ON:
        out = tmp_path / f"evaluation-{backend}.csv"
        done = _main("evaluate", str(folder), "--out", str(out), backend=backend)
        assert done.returncode == 0, done.stderr[-3000:]
        with open(out, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert len(rows) == len(NETWORKS) * 2  # final and best
        for row in rows:
            assert row["backend"] == backend
            where = f"{row['network']} {row['model']} on {backend}"
            accuracy, recorded = float(row["test_accuracy"]), float(row["recorded_test_accuracy"])
            assert abs(accuracy - recorded) <= 0.0005 + 1e-9, where
            assert float(row["agreement"]) >= 0.999, where
        # Not a trivial task: the networks do not all get everything right.
        assert min(float(row["test_accuracy"]) for row in rows) < 1.0
