"""Divergence (issue 12, item 3): a NaN training loss stops that network, recorded as diverged
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
    from study.runner import run_study
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


def test_all_at_once_a_nan_loss_stops_the_study_as_failed_naming_the_branches(
        tmp_path, small_config, monkeypatch):
    """All networks are one model there, so a non-finite loss ends the study (documented)."""
    import keras_models.combined as combined
    from keras_models.training import Diverged
    from study.state import StudyState

    real_train = combined.train_combined

    def train_combined(model, data, **kwargs):
        data = dataclasses.replace(data, x_train=np.full_like(data.x_train, np.nan))
        return real_train(model, data, **kwargs)

    monkeypatch.setattr(combined, "train_combined", train_combined)
    config = small_config.replace(networks=("NetA1-HF", "NetA2-DT"), train_limit=64,
                                  test_limit=32, batch_size=32, mode="all-at-once")
    from study.runner import run_study

    with pytest.raises(Diverged, match="diverged: training loss nan at epoch 1, batch 1"):
        run_study(config, out_root=tmp_path)
    (folder,) = tmp_path.iterdir()
    state = StudyState.from_folder(folder)
    assert state.state == "failed"
    assert "all-at-once mode" in state.status["error"]
    assert "NetA1-HF" in state.status["error"]
