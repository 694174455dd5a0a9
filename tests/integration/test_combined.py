"""All-at-once mode: same initial weights and results as sequential, HF frozen, stop, timing."""

import json
import os
import threading

import numpy as np
import pytest

from study.config import StudyConfig
from study.protocol.events import BatchProgress, EpochEnded, NetworkFinished, StudyFinished
from study.protocol.networks import NETWORKS
from study.run.runner import run_study
from study.state import open_study

pytestmark = pytest.mark.backend

# Per-network test accuracy after one epoch, all-at-once against sequential: the bound it keeps.
ACCURACY_TOLERANCE = 1e-4


def _config(data_dir, **changes) -> StudyConfig:
    base = StudyConfig(epochs=1, batch_size=64, learning_rate=3e-3,
                       backend=os.environ.get("KERAS_BACKEND", "torch"), data_dir=str(data_dir))
    return base.replace(**changes)


@pytest.fixture(scope="module")
def both_modes(synthetic_data_dir, tmp_path_factory):
    """One-epoch six-network studies on the synthetic data, sequential and all-at-once."""
    folders, events = {}, {}
    for mode in ("sequential", "all-at-once"):
        seen = []
        folders[mode] = run_study(_config(synthetic_data_dir, mode=mode), emit=seen.append,
                                  out_root=tmp_path_factory.mktemp(mode))
        events[mode] = seen
    return {mode: open_study(folder) for mode, folder in folders.items()}, events


def test_both_modes_start_every_network_from_the_same_weights(both_modes):
    studies, _ = both_modes
    for name in NETWORKS:
        sequential = studies["sequential"].weights(name, "initial")
        combined = studies["all-at-once"].weights(name, "initial")
        assert sorted(combined) == sorted(sequential)
        for key, value in sequential.items():
            np.testing.assert_array_equal(combined[key], value, err_msg=f"{name} {key}")


def test_one_epoch_gives_each_network_the_same_test_accuracy_in_both_modes(both_modes):
    studies, _ = both_modes
    rows = {mode: {r["network"]: r for r in study.epochs} for mode, study in studies.items()}
    assert sorted(rows["all-at-once"]) == sorted(NETWORKS)
    for name in NETWORKS:
        sequential, combined = rows["sequential"][name], rows["all-at-once"][name]
        assert combined["epoch"] == sequential["epoch"] == 1
        assert abs(combined["test_accuracy"] - sequential["test_accuracy"]) <= ACCURACY_TOLERANCE
        assert combined["train_loss"] == pytest.approx(sequential["train_loss"], rel=1e-4)
        assert combined["test_loss"] == pytest.approx(sequential["test_loss"], rel=1e-4)
        final_sequential = studies["sequential"].weights(name, "final")
        final_combined = studies["all-at-once"].weights(name, "final")
        for key, value in final_sequential.items():
            np.testing.assert_allclose(final_combined[key], value, rtol=1e-4, atol=1e-5,
                                       err_msg=f"{name} {key}")


def test_all_at_once_keeps_hf_conv1_bit_identical_and_trains_the_others(both_modes):
    study = both_modes[0]["all-at-once"]
    for name in NETWORKS:
        initial, final = study.weights(name, "initial"), study.weights(name, "final")
        if name.endswith("-HF"):
            np.testing.assert_array_equal(final["conv1/kernel"], initial["conv1/kernel"])
            np.testing.assert_array_equal(final["conv1/bias"], initial["conv1/bias"])
        else:
            assert not np.array_equal(final["conv1/kernel"], initial["conv1/kernel"]), name
        assert not np.array_equal(final["linear1/kernel"], initial["linear1/kernel"]), name
    frozen = [(check, norm) for check, norm in study.init_identity if "after training" in check]
    assert frozen == [("NetA1-HF: |conv1 after training - conv1 initial|", 0.0),
                      ("NetA2-HF: |conv1 after training - conv1 initial|", 0.0)]


def test_all_at_once_reports_per_network_events_and_labels_its_timing(both_modes):
    studies, events = both_modes
    seen = events["all-at-once"]
    ended = [e for e in seen if isinstance(e, EpochEnded)]
    assert sorted(e.network for e in ended) == sorted(NETWORKS)
    finished = [e.network for e in seen if isinstance(e, NetworkFinished)]
    assert finished == list(NETWORKS)
    assert isinstance(seen[-1], StudyFinished) and seen[-1].state == "finished"
    progress = {e.network for e in seen if isinstance(e, BatchProgress)}
    assert progress == set(NETWORKS)

    status = studies["all-at-once"].status
    assert status["mode"] == "all-at-once"
    assert status["timing"] == "isolated-estimate"
    assert status["shared_wall_seconds"] > 0
    assert len(status["shared_epoch_seconds"]) == 1
    estimates = status["isolated_seconds_per_epoch"]
    assert sorted(estimates) == sorted(NETWORKS)
    # Each estimate is the mean of its network's isolated timing rounds, kept beside it.
    rounds = status["isolated_timing_rounds"]
    assert sorted(rounds) == sorted(NETWORKS)
    for name, values in rounds.items():
        assert len(values) == 5 and min(values) > 0
        assert estimates[name] == pytest.approx(np.mean(values))
    for e in ended:
        assert e.train_seconds == pytest.approx(estimates[e.network])
    summary = {row.network: row for row in studies["all-at-once"].summary}
    assert summary["NetA2-DT"].seconds_per_epoch == pytest.approx(estimates["NetA2-DT"])
    assert studies["sequential"].status["timing"] == "measured"
    predictions = studies["all-at-once"].predictions("NetA1-DT")
    assert predictions is not None and len(predictions[0]) == 256


def test_stop_ends_a_shared_epoch_within_one_call_of_the_train_function(synthetic_data_dir):
    from keras_models.backend import select_backend

    select_backend(os.environ.get("KERAS_BACKEND", "torch"))
    from keras_models.combined import build_combined, train_combined
    from keras_models.schemes import layer_weights
    from keras_models.training import fit_options
    from study.data import load_dataset

    data = load_dataset(synthetic_data_dir)
    combined = build_combined(("NetA1-HF", "NetA2-DT"), seed=0)
    before = layer_weights(combined.branches["NetA1-HF"])
    stop = threading.Event()
    progress = []

    def emit(event):
        progress.append(event)
        stop.set()

    completed = train_combined(
        combined, data, epochs=2, batch_size=4, learning_rate=1e-3, shuffle=True,
        emit=emit, stop_event=stop, on_epoch=lambda shared: pytest.fail("no epoch may end"),
        progress_interval=0.0)
    steps_per_call = fit_options(all_at_once=True).get("steps_per_execution", 1)
    assert completed == []
    assert {e.network for e in progress} == {"NetA1-HF", "NetA2-DT"}
    assert {e.batch for e in progress} == {steps_per_call}
    # Asked during the first call's last batch, the stop ends training after the next call.
    assert int(combined.model.optimizer.iterations.numpy()) == 2 * steps_per_call < 128
    after = layer_weights(combined.branches["NetA1-HF"])
    np.testing.assert_array_equal(after["conv1"][0], before["conv1"][0])


def test_a_stopped_all_at_once_study_keeps_the_finished_epoch_of_every_network(
        synthetic_data_dir, tmp_path):
    stop = threading.Event()

    def emit(event):
        if isinstance(event, EpochEnded):
            stop.set()

    config = _config(synthetic_data_dir, mode="all-at-once", epochs=3,
                     networks=("NetA1-HT", "NetA2-HF"), timing_rounds=0)
    folder = run_study(config, emit=emit, stop_event=stop, out_root=tmp_path)
    study = open_study(folder)
    assert study.status["state"] == "stopped"
    assert sorted((r["network"], r["epoch"]) for r in study.epochs) == [
        ("NetA1-HT", 1), ("NetA2-HF", 1)]
    assert [row.network for row in study.summary] == ["NetA1-HT", "NetA2-HF"]
    assert study.weights("NetA2-HF", "final") is not None
    status = json.loads((folder / "status.json").read_text())
    assert len(status["shared_epoch_seconds"]) == 1
    # With no timing rounds nothing was timed alone: every network shows the shared time.
    from study.analysis.timing import shared_timing_note

    assert "isolated_seconds_per_epoch" not in status
    assert "isolated_timing_rounds" not in status
    assert "no isolated timing" in shared_timing_note(status, 0)
    assert json.loads((folder / "config.json").read_text())["timing_rounds"] == 0


def test_the_text_summary_labels_the_estimates_beside_the_shared_wall_time(both_modes):
    import io

    from study.analysis.formats import format_duration
    from study.folder.reader import folder_events, read_folder
    from study.run.reporting import TextReporter

    study = both_modes[0]["all-at-once"]
    out = io.StringIO()
    reporter = TextReporter(stream=out, config=study.config)
    for event in folder_events(read_folder(study.folder)):
        reporter(event)
    printed = out.getvalue()
    summary = printed[printed.index("Study finished"):]
    assert "isolated-timing estimates" in summary
    assert format_duration(study.status["shared_wall_seconds"]) in summary
