"""StudyState headless: one code path for a live study and a stored one, half-written folders,
(network, seed) keys, and no Qt or Keras behind `import study.state`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from study.config import StudyConfig
from study.folder.csvio import StoreError
from study.folder.writer import StudyWriter
from study.protocol.events import (
    EpochEnded,
    EpochResult,
    Failed,
    KernelsUpdated,
    NetworkFinished,
    NetworkStarted,
    SharedEpochTimed,
    StudyFinished,
    StudyStarted,
)
from study.state import StudyState

ROOT = Path(__file__).resolve().parents[2]
CONV1 = np.arange(100, dtype=np.float32).reshape(5, 5, 1, 4) / 100


def _written_study(root: Path, state="finished", networks=("NetA1-HF", "NetA2-DT"), epochs=3,
                   done=None, seed=0) -> Path:
    config = StudyConfig(networks=networks, epochs=epochs, seed=seed)
    writer = StudyWriter.create(root, config)
    done = done or {n: epochs for n in networks}
    for network in networks:
        for epoch in range(1, done[network] + 1):
            writer.append_epoch(network, EpochResult(epoch, 1.0 / epoch, 2.0 / epoch,
                                                     0.5 + epoch / 10, 1.5, 0.25))
    writer.write_summary()
    writer.write_status(state=state, backend="jax", device="cpu", dataset="synthetic")
    return writer.folder


def test_a_half_written_folder_loads(tmp_path):
    folder = _written_study(tmp_path, state="running", done={"NetA1-HF": 3, "NetA2-DT": 2})
    (folder / "summary.csv").unlink()
    metrics = folder / "metrics.csv"
    metrics.write_text(metrics.read_text()[:-20])  # the last row cut mid-line by a crash

    state = StudyState.from_folder(folder)
    assert state.state == "running" and not state.running  # not live: nothing is running here
    assert state.epochs_done("NetA1-HF") == 3 and state.epochs_done("NetA2-DT") == 1
    assert [r.network for r in state.summary_rows()] == ["NetA1-HF", "NetA2-DT"]
    assert state.incomplete_note("NetA2-DT") == "(stopped at epoch 1 of 3)"
    assert state.incomplete_note("NetA1-HF") == ""
    assert state.kernels == {}  # no weights written


def test_a_folder_without_status_or_identity_loads_as_unknown(tmp_path):
    folder = _written_study(tmp_path)
    (folder / "status.json").unlink()
    state = StudyState.from_folder(folder)
    assert state.state == "unknown"
    assert state.init_identity == []
    assert state.status["backend"] == "jax"  # the config's backend when status.json is gone


def test_a_failed_folder_carries_its_message(tmp_path):
    folder = _written_study(tmp_path, state="failed")
    status = json.loads((folder / "status.json").read_text())
    status["error"] = "out of memory while training NetA2-DT"
    (folder / "status.json").write_text(json.dumps(status))
    state = StudyState.from_folder(folder)
    assert state.state == "failed"
    assert state.failure == "out of memory while training NetA2-DT"


def test_not_a_study_folder_raises_store_error(tmp_path):
    with pytest.raises(StoreError):
        StudyState.from_folder(tmp_path)


def test_rows_of_an_older_runner_take_the_config_seed(tmp_path):
    state = StudyState.from_folder(_written_study(tmp_path, seed=42))
    assert state.seeds == [42]
    assert {key[1] for key in state.rows} == {42}
    # Events from a runner that does not send seeds are keyed by the config's seed too.
    live = StudyState.for_run(StudyConfig(networks=("NetA1-HF",), epochs=3, seed=42))
    live.apply(EpochEnded("NetA1-HF", 1, 1.0, 2.0, 0.5, 1.0, 0.1))
    assert list(live.rows) == [("NetA1-HF", 42)]


def test_a_multi_seed_run_keys_everything_by_network_and_seed():
    state = StudyState.for_run(StudyConfig(networks=("NetA1-HF",), epochs=2))
    state.apply(StudyStarted("f", "jax", "cpu", ["NetA1-HF"], 2, 10, 5, 1, "d", seeds=[3, 4]))
    for seed, accuracy in ((3, 0.5), (4, 0.7)):
        state.apply(NetworkStarted("NetA1-HF", 0, 1, seed=seed))
        state.apply(KernelsUpdated("NetA1-HF", 0, CONV1.tolist(), seed=seed))
        state.apply(EpochEnded("NetA1-HF", 1, 1.0, 2.0, accuracy, 1.0, 0.1, seed=seed))
        state.apply(KernelsUpdated("NetA1-HF", 1, (CONV1 * seed).tolist(), seed=seed))
        state.apply(NetworkFinished("NetA1-HF", 1, accuracy, 1, accuracy, 1.0, 1.0, seed=seed))
    assert state.seeds == [3, 4] and state.first_seed == 3
    assert sorted(state.rows) == [("NetA1-HF", 3), ("NetA1-HF", 4)]
    assert state.curve("NetA1-HF", "test_accuracy", seed=4)[1].tolist() == [0.7]
    assert state.summary_rows(seed=4)[0].peak_test_accuracy == 0.7
    assert state.summary_rows()[0].peak_test_accuracy == 0.5
    assert state.kernels_of("NetA1-HF", seed=4).current_conv1.max() == pytest.approx(3.96)
    assert set(state.all_summary_rows()) == {("NetA1-HF", 3), ("NetA1-HF", 4)}
    # Both seeds stopped after 1 of 2 epochs.
    assert state.incomplete_note("NetA1-HF", seed=4) == "(stopped at epoch 1 of 2)"


def test_status_follows_the_events():
    config = StudyConfig(networks=("NetA1-HF",), epochs=2, backend="torch", mode="all-at-once")
    state = StudyState.for_run(config)
    assert state.running and state.isolated and state.status["backend"] == "torch"
    assert state.apply(SharedEpochTimed(1, 4.0, 0.5)) == {"status"}
    state.apply(SharedEpochTimed(2, 4.25, 0.5))
    assert state.status["shared_epoch_seconds"] == [4.0, 4.25]
    assert state.status["shared_wall_seconds"] == 8.25
    state.apply(StudyFinished("f", "stopped"))
    assert state.state == "stopped" and not state.running
    state.apply(Failed("disk full", "f"))
    assert state.state == "failed" and state.failure == "disk full"


def test_a_multi_seed_folder_loads_every_seed(tmp_path):
    config = StudyConfig(networks=("NetA1-HF", "NetA2-HF"), epochs=2, seeds=(3, 4))
    writer = StudyWriter.create(tmp_path, config)
    for seed in (3, 4):
        for network in config.networks:
            writer.save_weights(network, "initial", {"conv1/kernel": CONV1 * seed}, seed=seed)
            for epoch in (1, 2):
                accuracy = 0.5 + epoch / 10 + seed / 100 + (network == "NetA2-HF") / 10
                writer.append_epoch(network, EpochResult(epoch, 1.0, 1.0, accuracy, 1.0, 0.1),
                                    seed=seed)
            writer.save_weights(network, "final", {"conv1/kernel": CONV1 * seed + 1}, seed=seed)
    writer.write_summary()
    writer.write_status(state="finished", backend="jax", device="cpu", dataset="synthetic")

    state = StudyState.from_folder(writer.folder)
    assert state.seeds == [3, 4]
    assert sorted(state.rows) == [("NetA1-HF", 3), ("NetA1-HF", 4), ("NetA2-HF", 3),
                                  ("NetA2-HF", 4)]
    assert [(r.network, r.seed) for r in state.summary] == [
        ("NetA1-HF", 3), ("NetA1-HF", 4), ("NetA2-HF", 3), ("NetA2-HF", 4)]
    assert state.summary_rows(seed=4)[0].peak_test_accuracy == pytest.approx(0.74)
    assert state.kernels_of("NetA2-HF", seed=4).epoch == 2
    assert np.allclose(state.kernels_of("NetA2-HF", seed=4).current_conv1,
                       state.kernels_of("NetA2-HF", seed=4).initial_conv1 + 1)
    # study.analysis.comparisons reads the state as it reads a stored study: two seeds per network.
    assert state.compare_rows()["NetA1-HF"]["n_seeds"] == 2
    verdicts = {row["key"]: row["verdict"] for row in state.conclusions()}
    assert verdicts["deeper-HF"] in ("holds", "not resolved")


def test_a_folder_written_by_the_observer_equals_the_state_of_the_same_events(tmp_path):
    """No training: the events of a two-seed run feed both a live state and the folder
    observer; the folder read back is that state."""
    from study.analysis.summary import summarize
    from study.folder.writer import FolderObserver
    from study.protocol.events import InitIdentity, NetworkWeights

    config = StudyConfig(networks=("NetA1-HF", "NetA1-HT"), epochs=2, seeds=(3, 5))
    writer = StudyWriter.create(tmp_path, config)
    observer, live = FolderObserver(writer), StudyState.for_run(config)
    flat = {"conv1/kernel": CONV1, "conv1/bias": np.zeros(4, np.float32)}
    events = [StudyStarted(str(writer.folder), "jax", "cpu", list(config.networks), 2, 64, 16,
                           1, "synthetic", [3, 5], mode=config.mode, timing="measured"),
              InitIdentity([("NetA1: |conv1 HF - conv1 HT|", 0.0)])]
    for seed in (3, 5):
        for network in config.networks:
            events += [NetworkWeights(network, "initial", flat, seed),
                       KernelsUpdated(network, 0, CONV1.tolist(), None, seed)]
    for seed in (3, 5):
        for network in config.networks:
            events.append(NetworkStarted(network, 0, 4, seed))
            for epoch in (1, 2):
                events.append(EpochEnded(network, epoch, 1.0 / epoch, 0.5, 0.2 * epoch + seed / 100,
                                         1.5, 0.1, seed))
            events += [NetworkWeights(network, "final", flat, seed),
                       KernelsUpdated(network, 2, CONV1.tolist(), None, seed)]
    for event in events:
        observer(event)
        live.apply(event)
    for key, rows in sorted(live.rows.items()):
        summary = summarize(key[0], rows, key[1])
        finished = NetworkFinished(key[0], 2, summary.peak_test_accuracy, summary.peak_epoch,
                                   summary.final_test_accuracy, summary.seconds_per_epoch,
                                   summary.total_seconds, key[1])
        observer(finished)
        live.apply(finished)
    done = StudyFinished(str(writer.folder), "finished")
    observer(done)
    live.apply(done)
    stored = StudyState.from_folder(writer.folder)
    assert stored == live
    assert stored.recorded_status["state"] == "finished"
    assert len(stored.recorded_epochs) == 8
