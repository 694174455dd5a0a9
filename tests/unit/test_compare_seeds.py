"""Comparison tables and their CSV export over several seeds: each network's row is the mean of
its seeds with the 95 % Student-t interval; a one-seed study keeps its figures as they were."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest
from scipy import stats

from study.analysis.comparisons import (
    COMPARISONS,
    TABLE_COLUMNS,
    comparison_by_key,
    comparison_table,
    comparison_tables,
    rows_by_network,
    study_rows,
)
from study.analysis.export import export_study
from study.analysis.formats import format_duration
from study.state import open_study
from tests.known_study import (
    SEEDS,
    TRAIN_SECONDS,
    seeded_accuracy,
    write_known_seeded_study,
    write_known_study,
)

NEW_COLUMNS = ("n_seeds", "seeds", "peak_test_accuracy_ci_low", "peak_test_accuracy_ci_high",
               "final_test_accuracy_ci_low", "final_test_accuracy_ci_high",
               "seconds_per_epoch_ci_low", "seconds_per_epoch_ci_high")
OLD_COLUMNS = ("network", "epochs", "peak_test_accuracy", "peak_epoch", "final_test_accuracy",
               "seconds_per_epoch", "total_seconds", "total_time", "report_peak_test_accuracy",
               "report_seconds_per_epoch", "report_total_time")


def interval(values):
    """Mean and 95 % Student-t interval, computed here from scipy.stats.t directly."""
    values = np.asarray(values, dtype=float)
    n = len(values)
    mean = values.sum() / n
    half = stats.t.ppf(0.975, n - 1) * values.std(ddof=1) / math.sqrt(n)
    return mean, mean - half, mean + half


def expected(network):
    """Per-seed peak accuracy, peak epoch and final accuracy of the known seeded study."""
    peaks, epochs, finals = [], [], []
    for index in range(len(SEEDS)):
        curve = seeded_accuracy(network, index)
        peaks.append(max(curve))
        epochs.append(curve.index(max(curve)) + 1)
        finals.append(curve[-1])
    return peaks, epochs, finals


@pytest.fixture
def seeded(tmp_path):
    return open_study(write_known_seeded_study(tmp_path / "studies"))


def test_table_columns_keep_the_old_ones_first_and_add_the_seed_ones():
    assert TABLE_COLUMNS == (*OLD_COLUMNS, *NEW_COLUMNS)


@pytest.mark.parametrize("network", ["NetA2-HT", "NetA1-HT", "NetA2-DT"])
def test_a_row_is_the_mean_of_its_seeds_with_its_95_percent_interval(seeded, network):
    comparison = next(c for c in COMPARISONS if network in c.networks)
    row = next(r for r in comparison_tables(seeded)[comparison.key] if r["network"] == network)
    assert tuple(row) == TABLE_COLUMNS
    peaks, peak_epochs, finals = expected(network)
    mean, low, high = interval(peaks)
    assert row["peak_test_accuracy"] == pytest.approx(mean)
    assert (row["peak_test_accuracy_ci_low"], row["peak_test_accuracy_ci_high"]) == \
        pytest.approx((low, high))
    mean, low, high = interval(finals)
    assert row["final_test_accuracy"] == pytest.approx(mean)
    assert (row["final_test_accuracy_ci_low"], row["final_test_accuracy_ci_high"]) == \
        pytest.approx((low, high))
    assert row["peak_epoch"] == pytest.approx(np.mean(peak_epochs))
    # Every seed took the same seconds: the mean is exact and the interval has no width.
    per_epoch = sum(TRAIN_SECONDS[network]) / 3
    assert row["seconds_per_epoch"] == pytest.approx(per_epoch)
    assert (row["seconds_per_epoch_ci_low"], row["seconds_per_epoch_ci_high"]) == \
        pytest.approx((per_epoch, per_epoch))
    assert row["total_seconds"] == pytest.approx(sum(TRAIN_SECONDS[network]))
    assert row["total_time"] == format_duration(sum(TRAIN_SECONDS[network]))
    assert (row["n_seeds"], row["seeds"], row["epochs"]) == (5, "0 1 2 3 4", 3)


def test_the_known_a2_ht_figures_by_hand(seeded):
    ht = comparison_tables(seeded)["inset-NetA2"][1]
    # 0.76 + shift + jitter: 0.76, 0.75, 0.77, 0.75, 0.755 -> mean 0.757
    assert ht["peak_test_accuracy"] == pytest.approx(0.757)
    low, high = stats.t.interval(0.95, 4, loc=0.757,
                                 scale=stats.sem([0.76, 0.75, 0.77, 0.75, 0.755]))
    assert (ht["peak_test_accuracy_ci_low"], ht["peak_test_accuracy_ci_high"]) == \
        pytest.approx((low, high))
    assert low < 0.757 < high


def test_every_seed_counts_not_only_the_last(seeded):
    """The bug this closes: rows keyed by network kept only the last seed's figures."""
    rows = study_rows(seeded)
    assert list(rows) == list(seeded.config.networks)  # one entry per network
    a2ht = rows["NetA2-HT"]
    last = next(r for r in seeded.summary if (r.network, r.seed) == ("NetA2-HT", SEEDS[-1]))
    assert a2ht["peak_test_accuracy"] != pytest.approx(last.peak_test_accuracy)
    assert a2ht["n_seeds"] == 5 and a2ht["seed"] is None


def test_summary_row_objects_give_the_same_table_without_epochs(seeded):
    for comparison in COMPARISONS:
        from_rows = comparison_table(comparison, seeded.summary)
        from_study = comparison_tables(seeded)[comparison.key]
        assert [{**r, "epochs": None} for r in from_study] == from_rows


def test_seeds_that_differ_show_the_fewest_epochs_and_average_what_they_have():
    rows = [
        {"network": "NetA1-HF", "seed": 0, "peak_test_accuracy": 0.60, "peak_epoch": 2,
         "final_test_accuracy": 0.55, "seconds_per_epoch": 1.0, "total_seconds": 3.0,
         "epochs": 3},
        {"network": "NetA1-HF", "seed": 1, "peak_test_accuracy": 0.62, "peak_epoch": 1,
         "final_test_accuracy": 0.62, "seconds_per_epoch": 2.0, "total_seconds": 2.0,
         "epochs": 1},
    ]
    hf = comparison_table(comparison_by_key("architecture-HF"), rows)[0]
    assert hf["epochs"] == 1
    assert hf["peak_test_accuracy"] == pytest.approx(0.61)
    assert hf["peak_epoch"] == pytest.approx(1.5)
    assert hf["total_seconds"] == pytest.approx(2.5) and hf["total_time"] == "00:02.50"
    mean, low, high = interval([1.0, 2.0])
    assert (hf["seconds_per_epoch"], hf["seconds_per_epoch_ci_low"],
            hf["seconds_per_epoch_ci_high"]) == pytest.approx((mean, low, high))
    assert (hf["n_seeds"], hf["seeds"]) == (2, "0 1")
    a2hf = comparison_table(comparison_by_key("architecture-HF"), rows)[1]
    assert (a2hf["peak_test_accuracy"], a2hf["n_seeds"], a2hf["seeds"],
            a2hf["peak_test_accuracy_ci_low"]) == (None, 0, "", None)


def test_a_one_seed_study_keeps_its_figures_exactly(tmp_path):
    stored = open_study(write_known_study(tmp_path))
    hf = comparison_tables(stored)["inset-NetA1"][0]
    assert {k: hf[k] for k in OLD_COLUMNS[:8]} == {
        "network": "NetA1-HF", "epochs": 3, "peak_test_accuracy": 0.60, "peak_epoch": 2,
        "final_test_accuracy": 0.55, "seconds_per_epoch": 1.5, "total_seconds": 4.5,
        "total_time": "00:04.50"}
    assert type(hf["peak_epoch"]) is int
    assert (hf["n_seeds"], hf["seeds"]) == (1, "0")
    assert all(hf[c] is None for c in NEW_COLUMNS[2:])
    assert rows_by_network(stored.summary)["NetA1-HF"]["seed"] == 0


def test_one_seed_of_a_seeded_study_is_that_seeds_summary(tmp_path):
    stored = open_study(write_known_seeded_study(tmp_path, seeds=(3,)))
    row = comparison_tables(stored)["inset-NetA2"][1]
    summary = next(r for r in stored.summary if r.network == "NetA2-HT")
    assert (row["peak_test_accuracy"], row["peak_epoch"], row["final_test_accuracy"],
            row["seconds_per_epoch"]) == (summary.peak_test_accuracy, summary.peak_epoch,
                                          summary.final_test_accuracy, summary.seconds_per_epoch)
    assert (row["n_seeds"], row["seeds"], row["peak_test_accuracy_ci_low"]) == (1, "3", None)


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return tuple(reader.fieldnames), list(reader)


def test_the_exported_comparison_csvs_carry_the_means_and_intervals(tmp_path):
    folder = write_known_seeded_study(tmp_path / "studies")
    out = export_study(folder, tmp_path / "out").folder
    columns, inset = read_csv(out / "comparison_inset-NetA2.csv")
    assert columns == TABLE_COLUMNS
    ht = inset[1]
    assert ht["network"] == "NetA2-HT"
    assert (ht["n_seeds"], ht["seeds"], ht["epochs"], ht["total_time"]) == \
        ("5", "0 1 2 3 4", "3", "00:09.00")
    peaks, _, finals = expected("NetA2-HT")
    for measure, values in (("peak_test_accuracy", peaks), ("final_test_accuracy", finals)):
        mean, low, high = interval(values)
        assert (float(ht[measure]), float(ht[f"{measure}_ci_low"]),
                float(ht[f"{measure}_ci_high"])) == pytest.approx((mean, low, high))
    assert (float(ht["seconds_per_epoch"]), float(ht["seconds_per_epoch_ci_low"])) == (3.0, 3.0)
    assert float(ht["peak_epoch"]) == 2.0


def test_a_one_seed_export_leaves_the_interval_cells_empty(tmp_path):
    out = export_study(write_known_study(tmp_path / "studies"), tmp_path / "out").folder
    columns, inset = read_csv(out / "comparison_inset-NetA1.csv")
    assert columns == TABLE_COLUMNS
    hf = inset[0]
    assert (hf["peak_test_accuracy"], hf["peak_epoch"], hf["n_seeds"], hf["seeds"]) == \
        ("0.6", "2", "1", "0")
    assert all(hf[c] == "" for c in NEW_COLUMNS[2:])


def test_isolated_timings_are_one_measurement_not_a_sample_over_seeds():
    """All-at-once copies one timing per network to every seed: without its rounds that is one
    timing, which resolves no time claim however large the difference."""
    from study.analysis.conclusions import TIME, evaluate_conclusions
    from study.analysis.summary import SummaryRow
    from study.analysis.timing import ROUNDS, TimeSamples

    rows = [SummaryRow(net, seed, 0.8 + 0.001 * seed, 5, 0.8, seconds, 10 * seconds)
            for seed in range(5)
            for net, seconds in (("NetA1-HF", 0.84), ("NetA1-HT", 1.01), ("NetA1-DT", 0.90))]
    (fastest,) = [c for c in evaluate_conclusions(rows, isolated_timing=True)
                  if c.key == "fastest-NetA1"]
    assert fastest.measure == TIME and fastest.verdict == "not resolved"
    assert fastest.part == "NetA1-HF < NetA1-DT"  # the nearer of the two
    assert fastest.difference_mean == pytest.approx(-0.06)
    assert math.isnan(fastest.ci_low) and math.isnan(fastest.p_value)
    assert all(part.difference.n_a == part.difference.n_b == 1 for part in fastest.parts)
    assert "one isolated-timing estimate per network" in fastest.caveat
    assert "(one timing: no interval)" in fastest.evidence
    # Its rounds are the sample: 5 rounds a network.
    timed = TimeSamples({"NetA1-HF": (0.83, 0.84, 0.85, 0.84, 0.84),
                         "NetA1-HT": (1.0, 1.01, 1.02, 1.01, 1.01),
                         "NetA1-DT": (0.89, 0.90, 0.91, 0.90, 0.90)}, ROUNDS)
    (fastest,) = [c for c in evaluate_conclusions(rows, isolated_timing=True, time_samples=timed)
                  if c.key == "fastest-NetA1"]
    assert fastest.verdict == "holds" and fastest.part == "NetA1-HF < NetA1-DT"
    assert fastest.ci_high < 0 and fastest.p_value < 0.001
    assert not fastest.evidence.startswith("means of")
    # A sequential study's rows alone: each seed's mean is one value of the sample.
    measured = [c for c in evaluate_conclusions(rows) if c.key == "fastest-NetA1"][0]
    assert all(part.difference.n_a == 5 for part in measured.parts)
    assert all(part.n_seeds == 5 for part in measured.parts)
