"""`python main.py sweep`: grids of studies, locally and on a local Ray cluster (tiny data, JAX).

The points train on JAX whatever KERAS_BACKEND this test process has (one backend is enough for
the sweep machinery; the studies themselves are tested per backend elsewhere). A local sweep
runs in a child process or in --workers processes, and Ray's workers are processes of their
own, so this process never imports Keras. One Ray cluster (num_cpus=2) serves the module.
"""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from main import main
from study.sweep.folder import open_sweep
from study.sweep.point import FAIL_DIR_ENV, FAIL_HOOK_ENV

ROOT = Path(__file__).resolve().parents[2]
GRID = ["--grid", "lr=1e-3,3e-3", "--grid", "head=softmax,report"]
PROGRESS = re.compile(r"^\[(\d+)/(\d+)\] (p\d_\S+): (finished in .*?|FAILED: .*?)\s+"
                      r"\((ETA \S+|done)\)$")


def tiny(data_dir) -> list[str]:
    """Study options of a tiny two-seed study: 2 networks, 1 epoch, 256/128 images, JAX."""
    return ["--backend", "jax", "--data", str(data_dir), "--epochs", "1", "--batch-size", "64",
            "--train-limit", "256", "--test-limit", "128", "--networks", "NetA1-HF,NetA2-DT",
            "--seeds", "2"]


def _env(**extra):
    return dict(os.environ, KERAS_BACKEND="jax", TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1",
                **extra)


def _sweep(args, **extra):
    return subprocess.run([sys.executable, "main.py", "sweep", *args], cwd=ROOT,
                          capture_output=True, text=True, env=_env(**extra), timeout=900)


def _csv(folder: Path) -> list[dict]:
    with open(folder / "sweep.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def _only_folder(root: Path) -> Path:
    (folder,) = root.iterdir()
    return folder


@pytest.fixture(scope="module")
def local_sweep(tmp_path_factory, synthetic_data_dir) -> Path:
    """The 2 × 2 grid run by --executor local in two worker processes."""
    out = tmp_path_factory.mktemp("local-sweep")
    done = _sweep([*tiny(synthetic_data_dir), *GRID, "--executor", "local", "--workers", "2",
                   "--out", str(out)])
    assert done.returncode == 0, done.stderr
    return _only_folder(out)


@pytest.fixture(scope="module")
def ray_cluster():
    """One local Ray cluster (2 CPUs) for the module's Ray tests; its startup is slow."""
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             logging_level="warning")
    yield ray
    ray.shutdown()


# ----- bad input: one line, exit 2, no folder -----------------------------------------------


# ----- local and Ray ------------------------------------------------------------------------


def test_a_local_sweep_writes_a_study_per_point_and_the_table(local_sweep):
    sweep = open_sweep(local_sweep)
    assert sweep.state == "finished"
    assert [p.name for p in sweep.points] == [
        "p1_lr=0.001_head=softmax", "p2_lr=0.001_head=report",
        "p3_lr=0.003_head=softmax", "p4_lr=0.003_head=report"]
    record = json.loads((local_sweep / "sweep.json").read_text())
    assert record["grid"] == {"lr": [0.001, 0.003], "head": ["softmax", "report"]}
    assert record["base"]["seeds"] == [0, 1] and record["base"]["mode"] == "all-at-once"
    for point in sweep.points:
        config = json.loads((local_sweep / point.name / "config.json").read_text())
        assert config["learning_rate"] == point.values["lr"]
        assert config["head"] == point.values["head"]
        status = json.loads((local_sweep / point.name / "status.json").read_text())
        assert status["state"] == "finished" and status["backend"] == "jax"
    rows = _csv(local_sweep)
    assert list(rows[0]) == [
        "point", "lr", "head", "network", "n_seeds", "peak_test_accuracy_mean",
        "peak_test_accuracy_ci_low", "peak_test_accuracy_ci_high", "final_test_accuracy_mean",
        "final_test_accuracy_ci_low", "final_test_accuracy_ci_high", "state"]
    assert len(rows) == 4 * 2
    # Each row is the point study's own aggregate.csv (the statistics of
    # study/analysis/statistics.py).
    for row in rows:
        with open(local_sweep / row["point"] / "aggregate.csv", newline="") as fh:
            aggregate = {(r["network"], r["metric"]): r for r in csv.DictReader(fh)}
        for metric in ("peak_test_accuracy", "final_test_accuracy"):
            mine = aggregate[row["network"], metric]
            assert row["n_seeds"] == mine["n_seeds"] == "2"
            assert float(row[f"{metric}_mean"]) == float(mine["mean"])
            assert row[f"{metric}_ci_low"] == mine["ci_low"]
            assert row[f"{metric}_ci_high"] == mine["ci_high"]
        assert row["state"] == "finished"


def test_a_grid_on_a_local_ray_cluster_gives_the_local_numbers(ray_cluster, local_sweep,
                                                              tmp_path, synthetic_data_dir,
                                                              capsys):
    code = main(["sweep", *tiny(synthetic_data_dir), *GRID, "--executor", "ray",
                 "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    folder = _only_folder(tmp_path)
    assert _csv(folder) == _csv(local_sweep)
    progress = [m for m in map(PROGRESS.match, out.splitlines()) if m]
    assert [m.group(1, 2) for m in progress] == [("1", "4"), ("2", "4"), ("3", "4"), ("4", "4")]
    assert progress[0].group(5).startswith("ETA ") and progress[-1].group(5) == "done"
    assert json.loads((folder / "sweep.json").read_text())["executor"] == "ray"


def test_a_point_raising_once_is_retried_and_one_always_failing_is_recorded(
        ray_cluster, tmp_path, synthetic_data_dir, capsys, monkeypatch):
    markers = tmp_path / "markers"
    markers.mkdir()
    monkeypatch.setenv(FAIL_HOOK_ENV, "p1_head=softmax=once;p2_head=report=always")
    monkeypatch.setenv(FAIL_DIR_ENV, str(markers))
    out = tmp_path / "out"
    code = main(["sweep", *tiny(synthetic_data_dir), "--grid", "head=softmax,report",
                 "--executor", "ray", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 1, captured.err
    # p1 raised (its marker says so), Ray ran it again, and it finished.
    assert (markers / "p1_head=softmax.failed-once").exists()
    folder = _only_folder(out)
    sweep = open_sweep(folder)
    assert sweep.state == "finished"
    assert [sweep.point_state(p) for p in sweep.points] == ["finished", "failed"]
    assert "injected failure of p2_head=report" in sweep.states["p2_head=report"]["error"]
    assert not (folder / "p2_head=report").exists()
    rows = _csv(folder)
    assert [(r["point"], r["state"]) for r in rows] == [
        ("p1_head=softmax", "finished"), ("p1_head=softmax", "finished"),
        ("p2_head=report", "failed"), ("p2_head=report", "failed")]
    assert rows[0]["peak_test_accuracy_mean"] != "" and rows[2]["peak_test_accuracy_mean"] == ""
    assert "FAILED: injected failure of p2_head=report" in captured.out
    assert "1 point(s) failed" in captured.err


# ----- Ctrl-C and --resume ------------------------------------------------------------------


def test_ctrl_c_keeps_the_finished_points_and_resume_runs_only_the_missing(
        tmp_path, synthetic_data_dir, local_sweep):
    markers = tmp_path / "markers"
    markers.mkdir()
    out = tmp_path / "out"
    # In this process one after another; p1 raises once and is tried again here too.
    proc = subprocess.Popen(
        [sys.executable, "main.py", "sweep", *tiny(synthetic_data_dir), *GRID,
         "--out", str(out)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env=_env(**{FAIL_HOOK_ENV: "p1_lr=0.001_head=softmax=once",
                               FAIL_DIR_ENV: str(markers)}))
    deadline = time.monotonic() + 600
    for line in proc.stdout:
        if line.startswith("[1/4]") or time.monotonic() > deadline:
            break
    assert line.startswith("[1/4] p1_lr=0.001_head=softmax: finished"), line
    proc.send_signal(signal.SIGINT)
    rest, err = proc.communicate(timeout=300)
    assert proc.returncode == 130, err
    assert "sweep --resume" in err
    folder = _only_folder(out)
    sweep = open_sweep(folder)
    assert sweep.state == "stopped"
    finished = [p.name for p in sweep.points if sweep.point_finished(p)]
    assert finished[0] == "p1_lr=0.001_head=softmax" and len(finished) < 4
    assert not list(folder.glob(".partial-*"))
    kept = {name: (folder / name / "status.json").stat().st_mtime_ns for name in finished}

    done = _sweep(["--resume", str(folder)])
    assert done.returncode == 0, done.stderr
    todo = 4 - len(finished)
    assert f"{todo} to run" in done.stdout
    progress = [m for m in map(PROGRESS.match, done.stdout.splitlines()) if m]
    assert [m.group(3) for m in progress] == [p.name for p in sweep.points
                                              if p.name not in finished]
    assert {name: (folder / name / "status.json").stat().st_mtime_ns
            for name in finished} == kept
    assert open_sweep(folder).state == "finished"
    # The same numbers as the sweep that was never interrupted.
    assert _csv(folder) == _csv(local_sweep)


def test_resume_refuses_new_settings_and_a_finished_sweep_has_nothing_to_run(
        local_sweep, capsys):
    assert main(["sweep", "--resume", str(local_sweep), "--epochs", "3"]) == 2
    assert "leave out --epochs" in capsys.readouterr().err
    before = (local_sweep / "sweep.csv").read_text()
    assert main(["sweep", "--resume", str(local_sweep)]) == 0
    assert "0 to run" in capsys.readouterr().out
    assert (local_sweep / "sweep.csv").read_text() == before
