"""Time claims: isolated timing in rotating rounds, the samples a time claim rests on (rounds,
epochs), Welch intervals and verdicts on constructed numbers, and the rounds in status.json."""

from __future__ import annotations

import math
import threading

import numpy as np
import pytest
from scipy import stats

from study.analysis import statistics
from study.analysis.conclusions import TIME, evaluate_conclusions, study_conclusions
from study.analysis.time_claims import time_difference, time_part, time_verdict
from study.analysis.timing import (
    EPOCHS,
    ROUNDS,
    TimeSamples,
    mean_seconds,
    time_samples,
)
from study.config import StudyConfig
from study.folder.writer import FolderObserver, StudyWriter
from study.protocol.events import EpochEnded, RunRecorded, StudyStarted
from study.protocol.status import ISOLATED_ESTIMATES_KEY, ISOLATED_ROUNDS_KEY
from study.state import StudyState
from tests.known_study import summary_rows

HOLDS, DOES_NOT_HOLD, NOT_RESOLVED = (statistics.HOLDS, statistics.DOES_NOT_HOLD,
                                      statistics.NOT_RESOLVED)


# ----- the rounds ------------------------------------------------------------------------------

def test_each_round_starts_one_network_further():
    from keras_models.isolated_timing import rotation

    assert rotation(3, 5) == [[0, 1, 2], [1, 2, 0], [2, 0, 1], [0, 1, 2], [1, 2, 0]]
    assert rotation(6, 5)[4] == [4, 5, 0, 1, 2, 3]


def test_timed_rounds_interleave_the_networks_with_an_injected_timer():
    from keras_models.isolated_timing import timed_rounds

    calls, clock = [], iter(range(100))

    def time_one(name):  # a fake clock: the n-th timing takes n seconds
        calls.append(name)
        return float(next(clock))

    samples = timed_rounds(["A", "B", "C"], time_one, rounds=5)
    assert calls == ["A", "B", "C", "B", "C", "A", "C", "A", "B", "A", "B", "C", "B", "C", "A"]
    assert samples == {"A": [0.0, 5.0, 7.0, 9.0, 14.0], "B": [1.0, 3.0, 8.0, 10.0, 12.0],
                       "C": [2.0, 4.0, 6.0, 11.0, 13.0]}
    # A machine that slows down steadily: the rotation spreads the slow end over every network.
    assert sorted(mean_seconds(samples).values()) == pytest.approx([6.8, 7.0, 7.2])


def test_a_stop_ends_the_rounds_where_they_are():
    from keras_models.isolated_timing import timed_rounds

    stop = threading.Event()
    done = []

    def time_one(name):
        done.append(name)
        if len(done) == 4:
            stop.set()
        return 1.0

    samples = timed_rounds(["A", "B", "C"], time_one, rounds=5, stop_event=stop)
    assert samples == {"A": [1.0], "B": [1.0, 1.0], "C": [1.0]}


# ----- intervals and verdicts on constructed numbers ---------------------------------------------

def test_the_mean_of_rounds_and_its_interval():
    rounds = [0.50, 0.52, 0.49, 0.51, 0.53]
    interval = statistics.t_interval(rounds)
    low, high = stats.t.interval(0.95, 4, loc=np.mean(rounds), scale=stats.sem(rounds))
    assert (interval.mean, interval.low, interval.high) == pytest.approx((0.51, low, high))
    assert (interval.low, interval.high) == pytest.approx((0.49037, 0.52963), abs=1e-5)


def test_the_difference_has_welchs_interval():
    a, b = [0.50, 0.52, 0.49, 0.51, 0.53], [0.60, 0.65, 0.58, 0.62, 0.61]
    d = time_difference(a, b, seeds=(0,))
    welch = stats.ttest_ind(a, b, equal_var=False)
    assert d.mean == pytest.approx(np.mean(a) - np.mean(b)) == pytest.approx(-0.102)
    assert (d.low, d.high) == pytest.approx(welch.confidence_interval(0.95))
    assert d.p_value == pytest.approx(welch.pvalue)
    assert (d.n_a, d.n_b, d.n, d.differences) == (5, 5, 1, ())


@pytest.mark.parametrize("a, b, verdict", [
    ([0.50, 0.52, 0.49, 0.51, 0.53], [0.60, 0.65, 0.58, 0.62, 0.61], HOLDS),  # clearly faster
    ([0.70, 0.72, 0.69, 0.71, 0.73], [0.60, 0.65, 0.58, 0.62, 0.61], DOES_NOT_HOLD),  # slower
    ([0.051, 0.053, 0.050, 0.052, 0.049], [0.052, 0.050, 0.051, 0.053, 0.050], NOT_RESOLVED),
    ([0.051], [0.090], NOT_RESOLVED),  # one timing each, however far apart
    ([0.051, 0.052, 0.050], [0.090], NOT_RESOLVED),  # one timing on one side
    ([0.5, 0.5, 0.5], [0.5, 0.5, 0.5], DOES_NOT_HOLD),  # a tie: the claim is strict
])
def test_time_verdicts_follow_the_accuracy_rules(a, b, verdict):
    assert time_verdict(time_difference(a, b, (0,)), "<") == verdict


def test_one_timing_says_so_and_has_no_interval():
    samples = TimeSamples({"NetA2-HF": (0.051,), "NetA2-HT": (0.0512,)}, ROUNDS)
    verdict, evidence, d = time_part("NetA2-HF", "NetA2-HT", "<", samples, (0,))
    assert verdict == NOT_RESOLVED
    assert evidence == ("NetA2-HF 0.051 s/epoch is not surely < NetA2-HT 0.051 s/epoch "
                        "(one timing: no interval)")
    assert math.isnan(d.low) and math.isnan(d.p_value) and d.one_timing


def test_the_evidence_shows_both_means_the_difference_and_the_counts():
    samples = TimeSamples({"A": (0.50, 0.52, 0.49, 0.51, 0.53),
                           "B": (0.60, 0.65, 0.58, 0.62, 0.61)}, ROUNDS)
    verdict, evidence, _ = time_part("A", "B", "<", samples, (0,))
    assert verdict == HOLDS
    assert evidence == ("A 0.510 ± 0.020 s/epoch < B 0.612 ± 0.032 s/epoch (difference "
                        "-0.102 s, 95 % CI -0.134 to -0.070, Welch p < 0.001; 5 rounds and "
                        "5 rounds)")


def test_the_fastest_claims_on_constructed_rounds():
    seconds = {"NetA1-HF": 1.0, "NetA1-HT": 1.4, "NetA1-DT": 1.5,
               "NetA2-HF": 0.051, "NetA2-HT": 0.051, "NetA2-DT": 0.06}
    accuracy = dict.fromkeys(seconds, 0.8)
    spread = (0.98, 1.0, 1.02, 0.99, 1.01)
    rounds = TimeSamples({n: tuple(v * f for f in spread) for n, v in seconds.items()}, ROUNDS)
    checks = {c.key: c for c in evaluate_conclusions(summary_rows(accuracy, seconds),
                                                     isolated_timing=True, time_samples=rounds)
              if c.measure == TIME}
    assert checks["fastest-NetA1"].verdict == HOLDS
    # The same time for NetA2-HF and NetA2-HT: no longer "holds" on one timing each.
    a2 = checks["fastest-NetA2"]
    assert a2.verdict == NOT_RESOLVED and a2.part == "NetA2-HF < NetA2-HT"
    assert a2.ci_low < 0 < a2.ci_high
    assert [p.verdict for p in a2.parts] == [NOT_RESOLVED, HOLDS]


# ----- where the samples come from -------------------------------------------------------------

def _rows(times):
    return {(net, seed): [{"epoch": e, "train_seconds": s} for e, s in enumerate(values, 1)]
            for (net, seed), values in times.items()}


def test_a_sequential_sample_is_every_epoch_but_the_first_pooled_over_seeds():
    rows = _rows({("A", 0): [9.0, 1.0, 1.1], ("A", 1): [8.0, 1.2, 1.3], ("B", 0): [7.0]})
    samples = time_samples({"timing": "measured"}, rows)
    assert samples.unit == EPOCHS
    assert samples.values == {"A": (1.0, 1.1, 1.2, 1.3), "B": (7.0,)}  # B: one epoch only


def test_an_all_at_once_sample_is_its_rounds_else_one_estimate():
    rows = _rows({("A", 0): [0.5, 0.5], ("B", 0): [0.7, 0.7]})
    status = {"timing": "isolated-estimate", ISOLATED_ESTIMATES_KEY: {"A": 0.5, "B": 0.7},
              ISOLATED_ROUNDS_KEY: {"A": [0.49, 0.5, 0.51], "B": [0.69, 0.7, 0.71]}}
    assert time_samples(status, rows) == TimeSamples(
        {"A": (0.49, 0.5, 0.51), "B": (0.69, 0.7, 0.71)}, ROUNDS)
    old = {k: v for k, v in status.items() if k != ISOLATED_ROUNDS_KEY}
    assert time_samples(old, rows).values == {"A": (0.5,), "B": (0.7,)}
    assert time_samples({"timing": "isolated-estimate"}, rows).values == {"A": (0.5,),
                                                                         "B": (0.7,)}


def test_the_rounds_go_through_status_json_and_back(tmp_path):
    config = StudyConfig(networks=("NetA1-HF", "NetA1-HT", "NetA1-DT"), epochs=1,
                         mode="all-at-once")
    writer = StudyWriter.create(tmp_path, config)
    observer = FolderObserver(writer)
    rounds = {"NetA1-HF": [0.84, 0.85, 0.83, 0.84, 0.86],
              "NetA1-HT": [1.01, 1.02, 1.0, 1.03, 1.01],
              "NetA1-DT": [0.99, 1.0, 1.01, 0.98, 1.0]}
    observer(StudyStarted(str(writer.folder), "jax", "cpu", list(config.networks), 1, 64, 16, 1,
                          "synthetic", [0], mode="all-at-once", timing="isolated-estimate"))
    observer(RunRecorded({ISOLATED_ESTIMATES_KEY: mean_seconds(rounds),
                          ISOLATED_ROUNDS_KEY: rounds}))
    for network in config.networks:
        observer(EpochEnded(network, 1, 1.0, 0.5, 0.8, mean_seconds(rounds)[network], 0.1, 0))
    stored = StudyState.from_folder(writer.folder, weights=False)
    assert stored.status[ISOLATED_ROUNDS_KEY] == rounds
    assert stored.status[ISOLATED_ESTIMATES_KEY] == pytest.approx(
        {n: float(np.mean(v)) for n, v in rounds.items()})
    samples = time_samples(stored.status, stored.rows)
    assert samples.values == {n: tuple(v) for n, v in rounds.items()}
    (fastest,) = [c for c in study_conclusions(stored) if c.key == "fastest-NetA1"]
    assert fastest.verdict == HOLDS
    assert fastest.caveat.endswith("times: isolated-timing estimates (all-at-once), 5 rounds "
                                   "per network")
