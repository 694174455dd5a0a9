"""The app's warm worker (`main.py study --warm-start`, study/run/warm.py) as a process: ready, one
job, the same study as a fresh child; end of stdin before a job exits 0."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from study.config import StudyConfig

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.backend
TIMEOUT = 300


def _env():
    return dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1")


def _warm(backend, *extra):
    return subprocess.Popen(
        [sys.executable, "main.py", "study", "--warm-start", "--backend", backend,
         "--events", "json", "--stop-on-stdin", *extra],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env=_env())


def _ready(proc) -> dict:
    line = proc.stdout.readline()
    ready = json.loads(line)
    assert ready["event"] == "WorkerReady", line
    return ready


def _metrics(folder: Path) -> list[dict]:
    with open(folder / "metrics.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    # Seconds differ between any two runs; everything else must be the same.
    return [{k: v for k, v in row.items() if not k.endswith("seconds")} for row in rows]


def test_end_of_stdin_before_a_job_exits_quietly(backend_name):
    proc = _warm(backend_name)
    ready = _ready(proc)
    assert ready["backend"] == backend_name and ready["pid"] == proc.pid
    out, err = proc.communicate("", timeout=TIMEOUT)
    assert proc.returncode == 0, err
    assert out == ""


def test_a_job_runs_the_same_study_as_a_fresh_child(tmp_path, synthetic_data_dir, backend_name):
    config = StudyConfig(epochs=1, batch_size=64, learning_rate=3e-3, backend=backend_name,
                         data_dir=str(synthetic_data_dir), networks=("NetA1-HF", "NetA2-HT"),
                         train_limit=256, test_limit=128)
    config_path = tmp_path / "config.json"
    config_path.write_text(config.to_json())
    fresh = subprocess.run(
        [sys.executable, "main.py", "study", "--config", str(config_path), "--events", "json",
         "--out", str(tmp_path / "fresh")],
        cwd=ROOT, capture_output=True, text=True, env=_env(), timeout=TIMEOUT)
    assert fresh.returncode == 0, fresh.stderr

    proc = _warm(backend_name, "--data", str(synthetic_data_dir))
    ready = _ready(proc)
    assert ready["dataset"].endswith("512 train / 256 test")
    proc.stdin.write(json.dumps({"config": str(config_path), "out": str(tmp_path / "warm")})
                     + "\n")
    proc.stdin.flush()
    # stdin stays open (closing it is the app's stop): read the events to the end.
    events = [json.loads(line)["event"] for line in proc.stdout if line.strip()]
    proc.wait(timeout=TIMEOUT)
    err = proc.stderr.read()
    assert proc.returncode == 0, err
    expected = [json.loads(line)["event"] for line in fresh.stdout.splitlines() if line.strip()]
    # Batch progress is throttled by the clock (a few per second), so how many arrive differs
    # from run to run; every other event must come in the same order.
    assert [e for e in events if e != "BatchProgress"] == [
        e for e in expected if e != "BatchProgress"]
    assert "BatchProgress" in events and events[-1] == "StudyFinished"
    (fresh_folder,) = (tmp_path / "fresh").iterdir()
    (warm_folder,) = (tmp_path / "warm").iterdir()
    assert _metrics(warm_folder) == _metrics(fresh_folder)
    assert len(_metrics(warm_folder)) == 2


def test_a_bad_job_is_a_usage_error(backend_name):
    proc = _warm(backend_name)
    _ready(proc)
    out, err = proc.communicate('{"config": 3}\n', timeout=TIMEOUT)
    assert proc.returncode == 2
    assert "error: a warm worker's job is" in err
