"""Divergence: a NaN training loss stops that network, recorded as diverged
(naming network, seed, epoch and batch); the other networks go on."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

pytestmark = pytest.mark.backend


def test_a_nan_loss_stops_that_network_and_the_others_go_on(tmp_path, small_config,
                                                              monkeypatch):
    import keras_models.training as training
    from study.protocol.events import NetworkDiverged, StudyFinished
    from study.run.runner import run_study
    from study.state import StudyState

    real_train = training.train_network

    def train_network(model, network, data, **kwargs):
        if network == "NetA1-HF":
            # Images the loader would refuse, to make this one network's loss NaN for real.
            data = dataclasses.replace(data, x_train=np.full_like(data.x_train, np.nan))
        return real_train(model, network, data, **kwargs)

    monkeypatch.setattr(training, "train_network", train_network)
    config = small_config.replace(networks=("NetA1-HF", "NetA2-DT"), train_limit=64,
                                  test_limit=32, batch_size=32, seed=3)
    events = []
    folder = run_study(config, emit=events.append, out_root=tmp_path)

    (diverged,) = [e for e in events if isinstance(e, NetworkDiverged)]
    assert (diverged.network, diverged.seed, diverged.epoch, diverged.batch) == (
        "NetA1-HF", 3, 1, 1)
    assert "NetA1-HF (seed 3) diverged" in diverged.message
    assert "epoch 1, batch 1" in diverged.message
    assert isinstance(events[-1], StudyFinished) and events[-1].state == "finished"

    state = StudyState.from_folder(folder)
    assert state.state == "finished"
    assert state.diverged == {("NetA1-HF", 3): diverged.message}
    assert state.epochs_done("NetA1-HF") == 0
    assert state.epochs_done("NetA2-DT") == 2
    assert all(np.isfinite(r["train_loss"]) for r in state.epochs)
    assert state.status["diverged"][0]["network"] == "NetA1-HF"


def _poison_after_epoch_1(monkeypatch, network, seed, kept):
    """Make one branch's loss turn NaN in epoch 2 of an all-at-once study: after epoch 1 its
    linear1 kernel becomes infinite. `kept` receives the branch's weights before that."""
    import keras_models.combined as combined

    real_train = combined.train_combined

    def train_combined(model, data, **kwargs):
        real_on_epoch = kwargs["on_epoch"]

        def on_epoch(shared):
            real_on_epoch(shared)
            if shared.epoch == 1:
                branch = model.branch(network, seed)
                kept["weights"] = [np.array(w) for w in branch.get_weights()]
                kernel = branch.get_layer("linear1").kernel
                kernel.assign(np.full(kernel.shape, np.inf, dtype="float32"))

        kwargs["on_epoch"] = on_epoch
        return real_train(model, data, **kwargs)

    monkeypatch.setattr(combined, "train_combined", train_combined)


def _accuracy(study, network, seed):
    predicted, labels = study.predictions(network, seed)
    return float(np.mean(predicted == labels))


def test_all_at_once_a_branch_that_diverges_stops_alone_with_its_last_good_epoch(
        tmp_path, small_config, monkeypatch):
    """All networks train as one model there, but each branch has its own loss and weights:
    the diverged one stops with its completed epochs and the others go on."""
    from study.protocol.events import NetworkDiverged, NetworkFinished, StudyFinished
    from study.run.runner import run_study
    from study.state import StudyState, open_study

    kept = {}
    _poison_after_epoch_1(monkeypatch, "NetA2-HT", 4, kept)
    config = small_config.replace(networks=("NetA1-HF", "NetA2-HT"), train_limit=64,
                                  test_limit=32, batch_size=32, epochs=3, seeds=(4, 5),
                                  mode="all-at-once",
                                  timing_rounds=0)
    events = []
    folder = run_study(config, emit=events.append, out_root=tmp_path)

    (diverged,) = [e for e in events if isinstance(e, NetworkDiverged)]
    assert (diverged.network, diverged.seed, diverged.epoch) == ("NetA2-HT", 4, 2)
    assert "NetA2-HT (seed 4) diverged: training loss" in diverged.message
    assert "the other networks go on" in diverged.message
    assert isinstance(events[-1], StudyFinished) and events[-1].state == "finished"
    finished = {(e.network, e.seed): e.epochs_done for e in events
                if isinstance(e, NetworkFinished)}
    assert finished == {("NetA1-HF", 4): 3, ("NetA2-HT", 4): 1, ("NetA1-HF", 5): 3,
                        ("NetA2-HT", 5): 3}

    state = StudyState.from_folder(folder)
    assert state.state == "finished"
    assert state.diverged == {("NetA2-HT", 4): diverged.message}
    assert state.epochs_done("NetA2-HT", 4) == 1
    assert [state.epochs_done(n, s) for n, s in
            [("NetA1-HF", 4), ("NetA1-HF", 5), ("NetA2-HT", 5)]] == [3, 3, 3]
    assert all(np.isfinite(r["train_loss"]) and np.isfinite(r["test_loss"])
               for r in state.epochs)

    study = open_study(folder)
    # The diverged branch keeps the weights and predictions of its last good epoch (1).
    final = study.weights("NetA2-HT", "final", 4)
    assert len(final) == len(kept["weights"])
    for stored, before in zip(final.values(), kept["weights"], strict=True):
        np.testing.assert_array_equal(np.asarray(stored).ravel(), before.ravel())
    (row,) = state.epoch_rows("NetA2-HT", 4)
    assert _accuracy(study, "NetA2-HT", 4) == pytest.approx(row["test_accuracy"], abs=1e-6)
    # The others' predictions are those of their last epoch.
    last = state.epoch_rows("NetA2-HT", 5)[-1]
    assert _accuracy(study, "NetA2-HT", 5) == pytest.approx(last["test_accuracy"], abs=1e-6)


def test_all_at_once_a_resumed_study_keeps_its_diverged_branch_where_it_stopped(
        tmp_path, small_config, monkeypatch):
    import threading

    from study.protocol.events import EpochEnded
    from study.run.runner import resume_study, run_study
    from study.state import StudyState, open_study

    kept = {}
    _poison_after_epoch_1(monkeypatch, "NetA1-HF", 0, kept)
    config = small_config.replace(networks=("NetA1-HF", "NetA2-DT"), train_limit=64,
                                  test_limit=32, batch_size=32, epochs=4, seed=0,
                                  mode="all-at-once",
                                  timing_rounds=0)
    stop = threading.Event()

    def emit(event):
        if isinstance(event, EpochEnded) and event.epoch == 2:
            stop.set()

    folder = run_study(config, emit=emit, stop_event=stop, out_root=tmp_path)
    assert StudyState.from_folder(folder).state == "stopped"
    monkeypatch.undo()
    resume_study(folder)

    state = StudyState.from_folder(folder)
    assert state.state == "finished"
    assert set(state.diverged) == {("NetA1-HF", 0)}
    assert state.epochs_done("NetA1-HF") == 1
    assert state.epochs_done("NetA2-DT") == 4
    final = open_study(folder).weights("NetA1-HF", "final")
    for stored, before in zip(final.values(), kept["weights"], strict=True):
        np.testing.assert_array_equal(np.asarray(stored).ravel(), before.ravel())


def test_all_at_once_when_every_branch_diverges_the_study_ends_with_none_trained(
        tmp_path, small_config, monkeypatch):
    import keras_models.combined as combined
    from study.protocol.events import NetworkDiverged
    from study.run.runner import run_study
    from study.state import StudyState

    real_train = combined.train_combined

    def train_combined(model, data, **kwargs):
        data = dataclasses.replace(data, x_train=np.full_like(data.x_train, np.nan))
        return real_train(model, data, **kwargs)

    monkeypatch.setattr(combined, "train_combined", train_combined)
    config = small_config.replace(networks=("NetA1-HF", "NetA2-DT"), train_limit=64,
                                  test_limit=32, batch_size=32, mode="all-at-once",
                                  timing_rounds=0)
    events = []
    folder = run_study(config, emit=events.append, out_root=tmp_path)
    diverged = {(e.network, e.epoch) for e in events if isinstance(e, NetworkDiverged)}
    assert diverged == {("NetA1-HF", 1), ("NetA2-DT", 1)}
    state = StudyState.from_folder(folder)
    assert state.state == "finished"
    assert state.epochs == []
    assert set(state.diverged) == {("NetA1-HF", 0), ("NetA2-DT", 0)}
