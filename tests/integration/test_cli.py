"""End to end: `python main.py study` on a small synthetic dataset, its files, errors and Ctrl-C."""

import csv
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.backend


def _run(args, **kwargs):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, capture_output=True,
                          text=True, env=env, timeout=600, **kwargs)


def _read_csv(path):
    with open(path, newline="") as fh:
        reader = csv.DictReader(fh)
        return reader.fieldnames, list(reader)


def test_a_small_study_writes_every_file(tmp_path, synthetic_data_dir, backend_name):
    done = _run(["study", "--backend", backend_name, "--data", str(synthetic_data_dir),
                 "--epochs", "2", "--batch-size", "64", "--lr", "3e-3", "--train-limit", "256",
                 "--test-limit", "128", "--seed", "1", "--out", str(tmp_path)])
    assert done.returncode == 0, done.stderr
    epoch_lines = [line for line in done.stdout.splitlines() if re.match(r"NetA\S+ +epoch ", line)]
    assert len(epoch_lines) == 12
    assert epoch_lines[0].startswith("NetA1-HF  epoch   1/2  train loss ")
    assert "Study finished" in done.stdout
    assert done.stdout.rstrip().splitlines()[-1].startswith("NetA2-DT")

    (folder,) = tmp_path.iterdir()
    columns, metrics = _read_csv(folder / "metrics.csv")
    assert columns == ["network", "seed", "epoch", "train_loss", "test_loss", "test_accuracy",
                       "train_seconds", "eval_seconds"]
    assert len(metrics) == 12
    assert all(0.0 <= float(r["test_accuracy"]) <= 1.0 for r in metrics)

    columns, summary = _read_csv(folder / "summary.csv")
    assert columns == ["network", "seed", "peak_test_accuracy", "peak_epoch",
                       "final_test_accuracy", "seconds_per_epoch", "total_seconds"]
    assert {r["seed"] for r in summary} == {"1"}
    assert [r["network"] for r in summary] == ["NetA1-HF", "NetA1-HT", "NetA1-DT",
                                                "NetA2-HF", "NetA2-HT", "NetA2-DT"]
    for row in summary:
        accs = [float(m["test_accuracy"]) for m in metrics if m["network"] == row["network"]]
        assert float(row["peak_test_accuracy"]) == max(accs)
        assert float(row["final_test_accuracy"]) == accs[-1]

    columns, identity = _read_csv(folder / "init_identity.csv")
    assert columns == ["check", "norm"]
    assert len(identity) == 11 + 2
    assert all(float(r["norm"]) == 0.0 for r in identity)
    assert identity[-1]["check"] == "NetA2-HF: |conv1 after training - conv1 initial|"

    config = json.loads((folder / "config.json").read_text())
    assert config["epochs"] == 2 and config["backend"] == backend_name
    status = json.loads((folder / "status.json").read_text())
    assert status["state"] == "finished" and status["backend"] == backend_name
    with np.load(folder / "weights" / "NetA1-HT.initial.npz") as first, \
            np.load(folder / "weights" / "NetA1-HT.final.npz") as last:
        assert first["conv1/kernel"].shape == (5, 5, 1, 4)
        assert not np.array_equal(first["conv1/kernel"], last["conv1/kernel"])
    assert len(list((folder / "weights").glob("*.npz"))) == 12


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--epochs", "0"], "error: Invalid study settings: epochs must be a whole number"),
        (["--networks", "NetA1-XX"], "networks: 'NetA1-XX' is unknown"),
        (["--lr", "-1"], "learning_rate must be a number above 0"),
        (["--device", "tpu:0"], "device must be cpu, gpu or gpu:N"),
        (["--config", "/nonexistent/study.json"], "config file /nonexistent/study.json does not"),
        (["--seeds", "0"], "seeds must be at least 1 seed, got 0"),
        (["--seeds", "-1"], "seeds must be at least 1 seed, got -1"),
        (["--seeds", "1,1"], "seeds: each seed may be listed once"),
        (["--seeds", "abc"], "seeds 'abc' is not understood"),
        (["--seeds", "0,x"], "seeds '0,x' is not understood"),
        (["--seeds", "65"], "seeds must list 1 to 64 seeds"),
        (["--seeds", "0,-3"], "seeds must be whole numbers from 0 to"),
        (["--seed", "2", "--seeds", "0,3"], "a list of seeds gives its own"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, synthetic_data_dir, args, message):
    done = _run(["study", "--data", str(synthetic_data_dir), "--out", str(tmp_path), *args])
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
    assert not any(tmp_path.iterdir())


def test_corrupt_dataset_exits_2_naming_the_file(tmp_path, synthetic_data_dir):
    bad = tmp_path / "data"
    bad.mkdir()
    for path in synthetic_data_dir.iterdir():
        (bad / path.name).write_bytes(path.read_bytes())
    broken = bad / "train-images-idx3-ubyte.gz"
    broken.write_bytes(broken.read_bytes()[:200])
    done = _run(["study", "--data", str(bad), "--out", str(tmp_path / "out"), "--epochs", "1"])
    assert done.returncode == 2
    assert f"error: {broken}: corrupt or truncated gzip data" in done.stderr


def _signal_after_the_first_epoch(tmp_path, synthetic_data_dir, backend_name, signum):
    """A long study in a child process, sent `signum` once its first epoch line is printed."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "main.py", "study", "--backend", backend_name, "--data",
         str(synthetic_data_dir), "--epochs", "200", "--batch-size", "8", "--networks",
         "NetA1-HF,NetA2-HT", "--out", str(tmp_path)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 300
    for line in proc.stdout:
        if " epoch " in line or time.monotonic() > deadline:
            break
    proc.send_signal(signum)
    return proc


def test_ctrl_c_stops_cleanly_and_leaves_a_readable_study(tmp_path, synthetic_data_dir,
                                                          backend_name):
    proc = _signal_after_the_first_epoch(tmp_path, synthetic_data_dir, backend_name,
                                         signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Stopping after this batch" in err
    assert "Study stopped" in out

    from study.state import open_study

    (folder,) = tmp_path.iterdir()
    stored = open_study(folder)
    assert stored.status["state"] == "stopped"
    assert stored.networks_with_epochs() == ["NetA1-HF"]
    assert 1 <= len(stored.epochs) < 200
    assert [r.network for r in stored.summary] == ["NetA1-HF"]
    assert stored.weights("NetA1-HF", "final") is not None
    assert stored.weights("NetA2-HT", "final") is None


def test_a_full_disk_while_training_exits_1_once_and_keeps_the_epochs_done(
        tmp_path, synthetic_data_dir, backend_name, monkeypatch, capsys):
    import main
    from study.cli import study as cli
    from study.folder import csvio
    from study.folder.writer import StudyWriter
    from study.protocol import exit_codes

    real_append = StudyWriter.append_epoch
    calls = []

    def append_until_the_disk_fills(self, network, result, seed=None):
        calls.append(result.epoch)
        if len(calls) == 2:
            raise csvio.StoreError("could not write metrics.csv: No space left on device.")
        real_append(self, network, result, seed)

    monkeypatch.setattr(StudyWriter, "append_epoch", append_until_the_disk_fills)
    args = main.build_parser().parse_args([
        "study", "--backend", backend_name, "--data", str(synthetic_data_dir), "--epochs", "3",
        "--batch-size", "64", "--networks", "NetA1-HF", "--out", str(tmp_path)])
    assert cli.run(args) == exit_codes.EXIT_FAILED
    err = capsys.readouterr().err
    assert err.count("No space left on device") == 1

    from study.state import open_study

    (folder,) = tmp_path.iterdir()
    stored = open_study(folder)
    assert stored.status["state"] == "failed"
    assert "No space left on device" in stored.status["error"]
    assert [r["epoch"] for r in stored.epochs] == [1]
    assert [r.network for r in stored.summary] == ["NetA1-HF"]


def test_sigterm_stops_like_the_first_ctrl_c_with_exit_143(tmp_path, synthetic_data_dir,
                                                          backend_name):
    proc = _signal_after_the_first_epoch(tmp_path, synthetic_data_dir, backend_name,
                                         signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err
    assert "Terminated (SIGTERM)" in err and "Traceback" not in err
    assert "Study stopped" in out

    from study.state import open_study

    (folder,) = tmp_path.iterdir()
    stored = open_study(folder)
    assert stored.status["state"] == "stopped"
    assert 1 <= len(stored.epochs) < 200
    assert [r.network for r in stored.summary] == ["NetA1-HF"]
    assert not (folder / ".reserve").exists()


def test_a_really_full_disk_ends_failed_with_the_completed_rows(
        tmp_path, synthetic_data_dir, backend_name, monkeypatch, capsys):
    """After epoch 1 nothing more fits on the disk, except what the study set aside at its
    start: status.json and summary.csv still say what happened."""
    import errno

    import main
    from study.cli import study as cli
    from study.folder import csvio, layout
    from study.folder.writer import StudyWriter
    from study.protocol import exit_codes

    real_append, real_write = StudyWriter.append_epoch, csvio.atomic_write_bytes
    full = []

    def disk_full(path):
        if full and (path.parent / layout.RESERVE_NAME).exists() or \
                full and (path.parent.parent / layout.RESERVE_NAME).exists():
            raise csvio.StoreError(csvio.explain(path, OSError(errno.ENOSPC,
                                                                "No space left on device")))

    def append(self, network, result, seed=None):
        disk_full(self.metrics_path)
        real_append(self, network, result, seed)
        full.append(True)

    def write(path, payload):
        disk_full(path)
        real_write(path, payload)

    monkeypatch.setattr(StudyWriter, "append_epoch", append)
    monkeypatch.setattr(csvio, "atomic_write_bytes", write)
    args = main.build_parser().parse_args([
        "study", "--backend", backend_name, "--data", str(synthetic_data_dir), "--epochs", "3",
        "--batch-size", "64", "--train-limit", "128", "--test-limit", "64",
        "--networks", "NetA1-HF", "--out", str(tmp_path)])
    assert cli.run(args) == exit_codes.EXIT_FAILED
    assert "No space left on device" in capsys.readouterr().err

    from study.state import open_study

    (folder,) = tmp_path.iterdir()
    stored = open_study(folder)
    assert stored.status["state"] == "failed"
    assert "No space left on device" in stored.status["error"]
    assert [r["epoch"] for r in stored.epochs] == [1]
    _, summary = _read_csv(folder / "summary.csv")
    assert [(r["network"], r["peak_epoch"]) for r in summary] == [("NetA1-HF", "1")]
