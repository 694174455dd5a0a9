"""Checkpoints and resume: a stopped study resumed equals one never stopped, bit for bit."""

import json
import os
import threading

import numpy as np
import pytest

from study.config import StudyConfig
from study.protocol.events import EpochEnded
from study.run.runner import ResumeError, plan_resume, resume_study, run_study
from study.state import open_study

pytestmark = pytest.mark.backend

NETWORKS = ("NetA1-HF", "NetA2-DT")
EXACT_COLUMNS = ("train_loss", "test_loss", "test_accuracy")


def _config(data_dir, **changes) -> StudyConfig:
    base = StudyConfig(networks=NETWORKS, epochs=3, batch_size=64, learning_rate=3e-3,
                       backend=os.environ.get("KERAS_BACKEND", "torch"), data_dir=str(data_dir),
                       train_limit=256, test_limit=128)
    return base.replace(**changes).validated()


def _rows(folder):
    return {(r["network"], r["seed"], r["epoch"]): tuple(r[c] for c in EXACT_COLUMNS)
            for r in open_study(folder).epochs}


def _stop_after(network: str, epoch: int):
    """An emit and stop event that stop the study once `network` has finished `epoch`."""
    stop = threading.Event()

    def emit(event):
        if isinstance(event, EpochEnded) and (event.network, event.epoch) == (network, epoch):
            stop.set()

    return emit, stop


@pytest.fixture(scope="module", params=["sequential", "all-at-once"])
def uninterrupted(request, synthetic_data_dir, tmp_path_factory):
    config = _config(synthetic_data_dir, mode=request.param,
                     seeds=(0, 5) if request.param == "sequential" else None)
    folder = run_study(config, out_root=tmp_path_factory.mktemp("whole"))
    return config, folder


def test_a_resumed_study_equals_an_uninterrupted_one_bit_for_bit(uninterrupted, tmp_path):
    config, whole = uninterrupted
    # Sequential: stopped in the second network (first seed), after its first epoch: the first
    # is finished, the second resumes at epoch 2, the second seed's start from scratch.
    emit, stop = _stop_after(NETWORKS[-1], 1)
    folder = run_study(config, emit=emit, stop_event=stop, out_root=tmp_path)
    assert open_study(folder).status["state"] == "stopped"
    assert (folder / "checkpoints").is_dir()
    # A kill after a metrics row but before its checkpoint: the row is dropped and redone.
    metrics = (folder / "metrics.csv").read_text()
    last = metrics.splitlines()[-1].split(",")
    last[2] = str(int(last[2]) + 1)
    (folder / "metrics.csv").write_text(metrics + ",".join(last) + "\n")
    # What a killed writer leaves behind is removed.
    (folder / ".status.json.abc.tmp").write_text("{")
    (folder / "weights" / ".x.npz.def.tmp").write_bytes(b"")
    (folder / ".reserve").write_bytes(b"\0")
    seen = []
    assert resume_study(folder, emit=seen.append) == folder
    assert open_study(folder).status["state"] == "finished"
    assert _rows(folder) == _rows(whole)
    assert not list(folder.glob(".*.tmp")) and not list((folder / "weights").glob(".*.tmp"))
    assert not (folder / ".reserve").exists()
    for name in NETWORKS:
        for seed in config.seed_list:
            a, b = open_study(folder).weights(name, "final", seed), open_study(whole).weights(
                name, "final", seed)
            for key in a:
                np.testing.assert_array_equal(a[key], b[key])
    # The kept epochs are told first, so a reader's view is whole.
    told = [(e.network, e.seed, e.epoch) for e in seen if isinstance(e, EpochEnded)]
    assert sorted(told) == sorted(_rows(whole))


def test_resume_refuses_a_finished_study_and_a_non_study(uninterrupted, tmp_path):
    _, whole = uninterrupted
    with pytest.raises(ResumeError, match="finished"):
        plan_resume(whole)
    with pytest.raises(ResumeError, match="not a Kernel Lab study"):
        plan_resume(tmp_path)


def test_resume_refuses_other_data_or_keras(synthetic_data_dir, tmp_path):
    config = _config(synthetic_data_dir, epochs=2, networks=("NetA1-HF",))
    emit, stop = _stop_after("NetA1-HF", 1)
    folder = run_study(config, emit=emit, stop_event=stop, out_root=tmp_path)
    path = folder / "status.json"
    status = json.loads(path.read_text())
    for key, value, match in (("data_fingerprint", "0" * 32, "data differ"),
                              ("keras_version", "2.0.0", "Keras 2.0.0 then")):
        path.write_text(json.dumps({**status, key: value}))
        with pytest.raises(ResumeError, match=match):
            resume_study(folder)
    assert open_study(folder).status["state"] == "stopped"


def test_an_interrupted_study_resumes_and_a_running_one_is_refused(synthetic_data_dir,
                                                                   tmp_path):
    import socket

    config = _config(synthetic_data_dir, epochs=2, networks=("NetA1-HF",))
    emit, stop = _stop_after("NetA1-HF", 1)
    folder = run_study(config, emit=emit, stop_event=stop, out_root=tmp_path)
    path = folder / "status.json"
    status = json.loads(path.read_text())
    # Its writer alive: still running.
    path.write_text(json.dumps({**status, "state": "running", "pid": os.getpid(),
                                "host": socket.gethostname(), "heartbeat": status["heartbeat"]}))
    with pytest.raises(ResumeError, match="still running"):
        plan_resume(folder)
    # Its writer gone (kill -9): interrupted, and resumed.
    path.write_text(json.dumps({**status, "state": "running", "pid": 2**22 + 12345,
                                "host": socket.gethostname()}))
    assert plan_resume(folder).status["state"] == "interrupted"
    resume_study(folder)
    stored = open_study(folder)
    assert stored.status["state"] == "finished" and "error" not in stored.status
    assert [r["epoch"] for r in stored.epochs] == [1, 2]
