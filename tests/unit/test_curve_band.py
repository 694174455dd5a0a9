"""StudyState.curve_band: a metrics column over a network's seeds, epoch by epoch (no Qt)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from study.config import StudyConfig
from study.protocol.events import EpochEnded, StudyStarted
from study.state import CI, MIN_MAX, StudyState


def state_with(values: dict[int, list[float]]) -> StudyState:
    """A live state of NetA1-HF whose seed s reached test accuracies values[s] (epoch 1, 2, …)."""
    seeds = sorted(values)
    state = StudyState.for_run(StudyConfig(networks=("NetA1-HF",), epochs=3, seed=seeds[0],
                                           seeds=tuple(seeds)))
    state.apply(StudyStarted("", "jax", "cpu", ["NetA1-HF"], 3, 10, 10, 1, seeds=seeds))
    for seed, accuracies in values.items():
        for epoch, accuracy in enumerate(accuracies, start=1):
            state.apply(EpochEnded("NetA1-HF", epoch, 1.0, 1.0, accuracy, 1.0, 0.1, seed=seed))
    return state


def test_the_band_is_scipys_t_interval_of_the_mean_per_epoch():
    state = state_with({0: [0.5, 0.6], 3: [0.52, 0.61], 7: [0.56, 0.65]})
    band = state.curve_band("NetA1-HF", "test_accuracy", CI)
    assert band.epochs.tolist() == [1, 2] and band.n_seeds.tolist() == [3, 3]
    first = np.array([0.5, 0.52, 0.56])
    low, high = stats.t.interval(0.95, 2, loc=first.mean(), scale=stats.sem(first))
    assert band.mean[0] == pytest.approx(first.mean())
    assert (band.low[0], band.high[0]) == pytest.approx((low, high))


def test_min_max_and_seeds_that_have_not_reached_an_epoch():
    state = state_with({0: [0.5, 0.6, 0.7], 1: [0.4, 0.66]})
    band = state.curve_band("NetA1-HF", "test_accuracy", MIN_MAX)
    assert band.epochs.tolist() == [1, 2, 3] and band.n_seeds.tolist() == [2, 2, 1]
    assert band.low.tolist() == pytest.approx([0.4, 0.6, 0.7])
    assert band.high.tolist() == pytest.approx([0.5, 0.66, 0.7])
    # One seed at epoch 3: the band is its value, in either spread.
    ci = state.curve_band("NetA1-HF", "test_accuracy", CI)
    assert (ci.low[2], ci.mean[2], ci.high[2]) == pytest.approx((0.7, 0.7, 0.7))
    assert state.seeds_of("NetA1-HF") == [0, 1]
    assert state.curve_band("NetA1-HT", "test_accuracy").epochs.size == 0
