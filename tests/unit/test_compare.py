"""Comparison tables, the report's conclusions as checks, init identity and confusion matrices."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from study.analysis import statistics
from study.analysis.comparisons import (
    COMPARISONS,
    REPORT_FIGURES,
    TABLE_COLUMNS,
    comparison_by_key,
    comparison_table,
    comparison_tables,
    report_rows,
    study_rows,
)
from study.analysis.conclusions import (
    CONCLUSION_COLUMNS,
    DOES_NOT_HOLD,
    FINAL,
    HOLDS,
    NOT_APPLICABLE,
    NOT_RESOLVED,
    ONE_SEED_CAVEAT,
    PEAK,
    TIME,
    conclusions_table,
    evaluate_conclusions,
    study_conclusions,
)
from study.analysis.confusion import (
    ConfusionError,
    confusion_matrix,
    per_class_accuracy,
    study_confusion,
    study_confusions,
)
from study.analysis.identity import identity_table
from study.analysis.timing import ROUNDS, TimeSamples
from study.config import StudyConfig
from study.protocol.byhand import REPORT_KERNELS
from study.state import open_study
from tests.known_study import (
    JITTER,
    seeded_summary_rows,
    summary_rows,
    write_known_seeded_study,
    write_known_study,
)


@pytest.fixture
def known(tmp_path):
    """The known study read back."""
    return open_study(write_known_study(tmp_path))


def test_the_three_comparisons_of_spec_5():
    assert [(c.key, c.networks) for c in COMPARISONS] == [
        ("inset-NetA1", ("NetA1-HF", "NetA1-HT", "NetA1-DT")),
        ("inset-NetA2", ("NetA2-HF", "NetA2-HT", "NetA2-DT")),
        ("architecture-HF", ("NetA1-HF", "NetA2-HF")),
        ("architecture-HT", ("NetA1-HT", "NetA2-HT")),
        ("architecture-DT", ("NetA1-DT", "NetA2-DT")),
        ("recovery", ("NetA1-HF", "NetA1-HT", "NetA1-DT", "NetA2-HF")),
    ]
    with pytest.raises(KeyError, match="inset-NetA1"):
        comparison_by_key("inset")


def test_inset_table_has_exact_values_and_report_figures(known):
    table = comparison_tables(known)["inset-NetA1"]
    assert [tuple(row) for row in table] == [TABLE_COLUMNS] * 3
    hf, ht, dt = table
    assert hf["network"] == "NetA1-HF"
    assert hf["epochs"] == 3
    assert hf["peak_test_accuracy"] == 0.60 and hf["peak_epoch"] == 2
    assert hf["final_test_accuracy"] == 0.55
    assert hf["seconds_per_epoch"] == 1.5 and hf["total_seconds"] == 4.5
    assert hf["total_time"] == "00:04.50"
    assert (hf["report_peak_test_accuracy"], hf["report_seconds_per_epoch"],
            hf["report_total_time"]) == (0.349, 3.66, "03:40.71")
    # NetA1-HT reaches 0.62 twice: the first epoch that reached it counts.
    assert (ht["peak_test_accuracy"], ht["peak_epoch"]) == (0.62, 2)
    assert ht["final_test_accuracy"] == 0.62
    assert (dt["peak_test_accuracy"], dt["peak_epoch"], dt["seconds_per_epoch"]) == (0.66, 2, 2.5)
    assert dt["report_total_time"] == "05:09.49"


def test_architecture_and_recovery_tables(known):
    tables = comparison_tables(known)
    a1, a2 = tables["architecture-DT"]
    assert (a2["network"], a2["peak_test_accuracy"], a2["peak_epoch"]) == ("NetA2-DT", 0.81, 3)
    assert a2["seconds_per_epoch"] == 40.5 and a2["total_time"] == "02:01.50"
    assert a1["network"] == "NetA1-DT" and a2["report_peak_test_accuracy"] == 0.796
    recovery = tables["recovery"]
    assert [r["network"] for r in recovery][-1] == "NetA2-HF"
    assert recovery[-1]["seconds_per_epoch"] == 1.75 and recovery[-1]["total_time"] == "00:05.25"


def test_tables_from_plain_summary_rows_match_the_stored_study(known):
    plain = [row.as_dict() for row in known.summary]  # as StudyFinished.summary carries them
    for comparison in COMPARISONS:
        from_rows = comparison_table(comparison, plain)
        from_study = comparison_tables(known)[comparison.key]
        # Plain rows carry no epoch count; everything else agrees.
        assert [{**r, "epochs": None} for r in from_study] == from_rows


def test_a_missing_network_keeps_its_row_with_report_figures_only(tmp_path):
    stored = open_study(write_known_study(tmp_path, networks=("NetA1-HF", "NetA1-HT")))
    dt = comparison_tables(stored)["inset-NetA1"][2]
    assert dt["network"] == "NetA1-DT"
    assert dt["peak_test_accuracy"] is None and dt["total_time"] is None and dt["epochs"] is None
    assert dt["report_peak_test_accuracy"] == 0.394


def test_report_figures_are_the_ones_in_spec_4():
    assert {n: (f.peak_test_accuracy, f.seconds_per_epoch, f.total_time)
            for n, f in REPORT_FIGURES.items()} == {
        "NetA1-HF": (0.349, 3.66, "03:40.71"), "NetA1-HT": (0.380, 5.13, "05:07.57"),
        "NetA1-DT": (0.394, 5.16, "05:09.49"), "NetA2-HF": (0.703, 4.51, "04:30.51"),
        "NetA2-HT": (0.706, 5.95, "05:57.19"), "NetA2-DT": (0.796, 6.07, "06:03.84"),
    }
    assert REPORT_FIGURES["NetA2-DT"].total_seconds == pytest.approx(363.84)


# ---------------------------------------------------------------------------------------------
# Conclusions

BASE_ACCURACY = {"NetA1-HF": 0.80, "NetA1-HT": 0.83, "NetA1-DT": 0.85,
                 "NetA2-HF": 0.86, "NetA2-HT": 0.87, "NetA2-DT": 0.89}
BASE_SECONDS = {"NetA1-HF": 1.0, "NetA1-HT": 1.4, "NetA1-DT": 1.5,
                "NetA2-HF": 1.2, "NetA2-HT": 1.6, "NetA2-DT": 1.7}
KEYS = ["order-NetA1", "order-NetA2", "fastest-NetA1", "fastest-NetA2",
        "deeper-HF", "deeper-HT", "deeper-DT", "gain", "recovery"]
# One row per conclusion and measure: accuracy conclusions in peak, then final accuracy.
ROWS = [(key, measure) for key in KEYS
        for measure in ((TIME,) if key.startswith("fastest") else (PEAK, FINAL))]


ROUND_SPREAD = (0.99, 1.0, 1.01, 1.005, 0.995)


def rounds(seconds) -> TimeSamples:
    """Five isolated-timing rounds per network around its seconds per epoch (±1 %)."""
    return TimeSamples({n: tuple(v * f for f in ROUND_SPREAD) for n, v in seconds.items()},
                       ROUNDS)


def verdicts(accuracy=None, seconds=None, measure=PEAK, config=None):
    """{key: Conclusion} in `measure` (and the timing ones) on one seed of BASE_* numbers, the
    times timed in five rounds each."""
    seconds = {**BASE_SECONDS, **(seconds or {})}
    rows = summary_rows({**BASE_ACCURACY, **(accuracy or {})}, seconds)
    return {c.key: c for c in evaluate_conclusions(rows, config, time_samples=rounds(seconds))
            if c.measure in (measure, TIME)}


def test_every_conclusion_holds_on_data_built_to_satisfy_it():
    checks = verdicts()
    assert list(checks) == KEYS
    assert {k: c.verdict for k, c in checks.items()} == dict.fromkeys(KEYS, HOLDS)
    assert checks["order-NetA1"].evidence == (
        "NetA1-DT 85.00 % > NetA1-HT 83.00 %; NetA1-HT 83.00 % > NetA1-HF 80.00 %"
    )
    assert checks["fastest-NetA2"].evidence == (
        "NetA2-HF 1.200 ± 0.012 s/epoch < NetA2-HT 1.600 ± 0.016 s/epoch (difference -0.400 s, "
        "95 % CI -0.417 to -0.383, Welch p < 0.001; 5 rounds and 5 rounds); "
        "NetA2-HF 1.200 ± 0.012 s/epoch < NetA2-DT 1.700 ± 0.017 s/epoch (difference -0.500 s, "
        "95 % CI -0.517 to -0.483, Welch p < 0.001; 5 rounds and 5 rounds)"
    )
    assert checks["gain"].evidence.startswith("NetA1 gain +3.00 pts (80.00 % -> 83.00 %) > "
                                              "NetA2 gain +1.00 pts")


def test_one_row_per_conclusion_and_measure_with_its_own_wording():
    rows = summary_rows(BASE_ACCURACY, BASE_SECONDS)
    conclusions = evaluate_conclusions(rows)
    assert [(c.key, c.measure) for c in conclusions] == ROWS and len(ROWS) == 16
    texts = {(c.key, c.measure): c.conclusion for c in conclusions}
    assert texts[("order-NetA1", PEAK)] == "NetA1: DT > HT > HF in peak test accuracy"
    assert texts[("order-NetA1", FINAL)] == "NetA1: DT > HT > HF in final test accuracy"
    assert texts[("fastest-NetA2", TIME)] == "NetA2: HF is the fastest per epoch"
    assert texts[("gain", FINAL)] == ("The HF->HT gain in final test accuracy is larger for "
                                      "NetA1 than for NetA2")
    only_peak = evaluate_conclusions(rows, measures=(PEAK,))
    assert [(c.key, c.measure) for c in only_peak] == \
        [(k, m) for k, m in ROWS if m in (PEAK, TIME)]


def test_peak_and_final_accuracy_can_disagree():
    rows = summary_rows(BASE_ACCURACY, BASE_SECONDS)
    for row in rows:
        if row["network"] == "NetA2-HF":
            row["final_test_accuracy"] = 0.70  # NetA2-HF collapsed in its last epoch
    checks = {(c.key, c.measure): c.verdict
              for c in evaluate_conclusions(rows, time_samples=rounds(BASE_SECONDS))}
    for key in ("deeper-HF", "recovery"):
        assert (checks[(key, PEAK)], checks[(key, FINAL)]) == (HOLDS, DOES_NOT_HOLD)


@pytest.mark.parametrize("key, accuracy, seconds, evidence", [
    ("order-NetA1", {"NetA1-HT": 0.86}, None, "NetA1-DT 85.00 % is not > NetA1-HT 86.00 %"),
    ("order-NetA1", {"NetA1-HT": 0.85}, None, "NetA1-DT 85.00 % is not > NetA1-HT 85.00 %"),
    ("order-NetA2", {"NetA2-HF": 0.875}, None, "NetA2-HT 87.00 % is not > NetA2-HF 87.50 %"),
    ("fastest-NetA1", None, {"NetA1-HF": 1.45},
     "NetA1-HF 1.450 ± 0.014 s/epoch is not < NetA1-HT 1.400 ± 0.014 s/epoch"),
    ("fastest-NetA2", None, {"NetA2-HF": 1.65},
     "NetA2-HF 1.650 ± 0.016 s/epoch is not < NetA2-HT 1.600 ± 0.016 s/epoch"),
    ("deeper-HF", {"NetA2-HF": 0.79}, None, "NetA2-HF 79.00 % is not > NetA1-HF 80.00 %"),
    ("deeper-HT", {"NetA2-HT": 0.82}, None, "NetA2-HT 82.00 % is not > NetA1-HT 83.00 %"),
    ("deeper-DT", {"NetA2-DT": 0.84}, None, "NetA2-DT 84.00 % is not > NetA1-DT 85.00 %"),
    ("gain", {"NetA2-HT": 0.90}, None, "NetA1 gain +3.00 pts (80.00 % -> 83.00 %) is not > "
                                       "NetA2 gain +4.00 pts (86.00 % -> 90.00 %)"),
    ("recovery", {"NetA2-HF": 0.845}, None, "NetA2-HF 84.50 % is not > NetA1-DT 85.00 %"),
    ("recovery", None, {"NetA2-HF": 1.45},
     "NetA2-HF 1.450 ± 0.014 s/epoch is not < NetA1-HT 1.400 ± 0.014 s/epoch"),
])
def test_each_conclusion_fails_where_the_data_contradicts_it(key, accuracy, seconds, evidence):
    check = verdicts(accuracy, seconds)[key]
    assert check.verdict == DOES_NOT_HOLD and check.holds is False
    assert evidence in check.evidence


def test_one_seed_keeps_the_sign_verdict_and_says_so():
    check = verdicts({"NetA1-HT": 0.8499})["order-NetA1"]  # DT beats HT by one image in 10,000
    assert check.verdict == HOLDS and check.n_seeds == 1
    assert check.caveat == ONE_SEED_CAVEAT == "one seed: run with --seeds 5 to know"
    assert check.part == "NetA1-DT > NetA1-HT"
    assert check.difference_mean == pytest.approx(0.0001)
    assert math.isnan(check.ci_low) and math.isnan(check.ci_high) and math.isnan(check.p_value)
    row = next(r for r in conclusions_table(summary_rows(BASE_ACCURACY, BASE_SECONDS))
               if r["key"] == "deeper-HF")
    assert (row["n_seeds"], row["ci_low"], row["ci_high"], row["p_value"]) == (1, "", "", "")
    assert row["difference_mean"] == pytest.approx(0.06) and row["caveat"] == ONE_SEED_CAVEAT


def test_caveats_flag_few_epochs_a_data_subset_and_edited_kernels():
    plain = verdicts(config=StudyConfig())  # the report's settings: 60 epochs, all data
    # "HF is the fastest" rests on the timing rounds, not on the seeds.
    assert {c.caveat for k, c in plain.items() if not k.startswith("fastest")} == \
        {ONE_SEED_CAVEAT}
    assert {c.caveat for k, c in plain.items() if k.startswith("fastest")} == {""}
    edited = np.array(REPORT_KERNELS)
    edited[0, 0, 0] = 0
    config = StudyConfig(epochs=3, train_limit=2000, test_limit=500, kernels=edited.tolist())
    checks = verdicts(config=config)
    assert checks["order-NetA1"].caveat == (
        "one seed: run with --seeds 5 to know; only 3 epochs (fewer than 10); "
        "data subset (2000 training and 500 test images); edited ByHand kernels (not the report's)")
    # DT networks do not use the ByHand kernels.
    assert checks["deeper-DT"].caveat == (
        "one seed: run with --seeds 5 to know; only 3 epochs (fewer than 10); "
        "data subset (2000 training and 500 test images)")
    assert "data subset (500 test images)" in \
        verdicts(config=StudyConfig(test_limit=500))["gain"].caveat
    # The report's own kernels, given explicitly, are not an edit.
    same = verdicts(config=StudyConfig(kernels=REPORT_KERNELS.tolist()))
    assert "edited" not in same["gain"].caveat
    # Epochs actually completed (a stopped study) count, not the ones asked for.
    rows = seeded_summary_rows({n: [v] for n, v in BASE_ACCURACY.items()},
                               {n: [v] for n, v in BASE_SECONDS.items()}, epochs=9)
    stopped = {c.key: c for c in evaluate_conclusions(rows, StudyConfig(epochs=60))}
    assert "only 9 epochs (fewer than 10)" in stopped["gain"].caveat


def test_an_all_at_once_study_flags_its_estimated_times():
    rows = summary_rows(BASE_ACCURACY, BASE_SECONDS)
    # A study timed before the rounds existed: one estimate per network decides nothing.
    checks = {(c.key, c.measure): c for c in evaluate_conclusions(rows, isolated_timing=True)}
    flag = "times: one isolated-timing estimate per network (all-at-once): not resolved"
    assert flag in checks[("fastest-NetA1", TIME)].caveat
    assert checks[("fastest-NetA1", TIME)].verdict == NOT_RESOLVED
    assert "(one timing: no interval)" in checks[("fastest-NetA1", TIME)].evidence
    assert flag in checks[("recovery", PEAK)].caveat  # its time parts
    assert checks[("recovery", PEAK)].verdict == NOT_RESOLVED
    assert flag not in checks[("deeper-HF", PEAK)].caveat
    # With rounds the times have an interval.
    timed = {(c.key, c.measure): c for c in evaluate_conclusions(
        rows, isolated_timing=True, time_samples=rounds(BASE_SECONDS))}
    assert timed[("fastest-NetA1", TIME)].verdict == HOLDS
    assert timed[("fastest-NetA1", TIME)].caveat == \
        "times: isolated-timing estimates (all-at-once), 5 rounds per network"


def test_a_conclusion_that_needs_a_missing_network_is_not_applicable():
    rows = summary_rows({k: v for k, v in BASE_ACCURACY.items() if k != "NetA1-DT"},
                        {k: v for k, v in BASE_SECONDS.items() if k != "NetA1-DT"})
    timed = rounds({k: v for k, v in BASE_SECONDS.items() if k != "NetA1-DT"})
    checks = {c.key: c for c in evaluate_conclusions(rows, time_samples=timed)
              if c.measure in (PEAK, TIME)}
    for key in ("order-NetA1", "fastest-NetA1", "deeper-DT", "recovery"):
        assert checks[key].verdict == NOT_APPLICABLE == "n.a." and checks[key].holds is None
        assert "NetA1-DT" in checks[key].evidence
        assert checks[key].n_seeds == 0 and checks[key].caveat == ""
        assert math.isnan(checks[key].difference_mean)
    for key in ("order-NetA2", "fastest-NetA2", "deeper-HF", "deeper-HT", "gain"):
        assert checks[key].verdict == HOLDS


def test_the_report_figures_satisfy_every_conclusion_of_the_report():
    on_report = evaluate_conclusions(report_rows())
    # Its accuracy claims hold by the sign of one seed; its times are one figure per network,
    # one timing each, which resolves no time claim.
    timed = ("fastest-NetA1", "fastest-NetA2", "recovery")
    assert {c.key: c.verdict for c in on_report if c.measure in (PEAK, TIME)} == \
        {key: NOT_RESOLVED if key in timed else HOLDS for key in KEYS}
    # The report printed no final accuracy.
    final = [c for c in on_report if c.measure == FINAL]
    assert {c.verdict for c in final} == {NOT_APPLICABLE}
    assert final[0].evidence == ("needs the final test accuracy of NetA1-DT, NetA1-HT, NetA1-HF, "
                                 "which these results lack")


TIMED_KEYS = ("fastest-NetA1", "fastest-NetA2", "recovery")


def test_conclusions_on_the_known_study(known):
    table = conclusions_table(study_rows(known))
    assert [(row["key"], row["measure"]) for row in table] == ROWS
    assert {row["verdict"] for row in table if row["key"] not in TIMED_KEYS} == {HOLDS}
    # Summary rows alone give one time per network (one seed's mean): one timing each.
    assert {row["verdict"] for row in table if row["key"] in TIMED_KEYS} == {NOT_RESOLVED}
    assert [row["report_verdict"] for row in table] == \
        [NOT_APPLICABLE if m == FINAL else NOT_RESOLVED if k in TIMED_KEYS else HOLDS
         for k, m in ROWS]
    recovery = table[-2]
    assert recovery["measure"] == PEAK
    assert "NetA2-HF 75.00 % > NetA1-DT 66.00 %" in recovery["evidence"]
    assert ("NetA2-HF 1.750 s/epoch is not surely < NetA1-HT 2.000 s/epoch (one timing: no "
            "interval)") in recovery["evidence"]
    assert list(table[0]) == list(CONCLUSION_COLUMNS)
    conclusions = study_conclusions(known)
    caveats = {c.caveat for c in conclusions if not c.key.startswith("fastest")}
    assert caveats == {"one seed: run with --seeds 5 to know; only 3 epochs (fewer than 10)"}
    # The study itself: each network's epochs 2 and 3 (the first compiles) are its sample.
    checks = {c.key: c for c in conclusions if c.measure in (PEAK, TIME)}
    assert checks["fastest-NetA1"].caveat == "only 3 epochs (fewer than 10)"
    fastest = checks["fastest-NetA2"]  # 1.75, 1.75 s against 3.0, 3.0 and 40.5, 41.0
    assert fastest.verdict == HOLDS and fastest.n_seeds == 1
    assert fastest.part == "NetA2-HF < NetA2-HT"
    assert (fastest.difference_mean, fastest.ci_low, fastest.ci_high) == \
        pytest.approx((-1.25,) * 3)
    # NetA1-HF 1.5, 2.0 against NetA1-HT 2.0, 2.0: Welch's interval spans 0.
    a1 = checks["fastest-NetA1"]
    assert a1.verdict == NOT_RESOLVED and a1.part == "NetA1-HF < NetA1-HT"
    welch = stats.ttest_ind([1.5, 2.0], [2.0, 2.0], equal_var=False)
    low, high = welch.confidence_interval(0.95)
    assert (a1.difference_mean, a1.ci_low, a1.ci_high, a1.p_value) == \
        pytest.approx((-0.25, low, high, welch.pvalue))
    assert "(difference -0.250 s, 95 % CI -3.427 to +2.927, Welch p = 0.500; 2 epochs and " \
           "2 epochs)" in a1.evidence


# -- several seeds ------------------------------------------------------------------------------

SHIFT = (0.0, 0.02, -0.01, 0.01, -0.02, 0.015, -0.015, 0.005, -0.005, 0.0)  # 5 or 10: mean 0


def seeded(accuracy=None, seconds=None, n=5):
    """Rows of n seeds: BASE_* numbers, or {network: [value per seed]} where given, plus a
    per-seed shift shared by every network (accuracy + SHIFT, seconds × (1 + SHIFT))."""
    acc = {net: [v] * n for net, v in BASE_ACCURACY.items()} | (accuracy or {})
    secs = {net: [v] * n for net, v in BASE_SECONDS.items()} | (seconds or {})
    return seeded_summary_rows(
        {net: [v + s for v, s in zip(values, SHIFT, strict=False)] for net, values in acc.items()},
        {net: [v * (1 + s) for v, s in zip(values, SHIFT, strict=False)]
         for net, values in secs.items()})


def by_key(rows, measure=PEAK, config=None):
    return {c.key: c for c in evaluate_conclusions(rows, config) if c.measure in (measure, TIME)}


def test_several_seeds_that_agree_resolve_every_conclusion():
    checks = by_key(seeded())
    assert {k: c.verdict for k, c in checks.items()} == dict.fromkeys(KEYS, HOLDS)
    assert {c.n_seeds for c in checks.values()} == {5}
    assert {c.caveat for c in checks.values()} == {""}
    # The shared shift cancels in every pair: NetA1-HT − NetA1-HF is 0.03 for every seed.
    order = checks["order-NetA1"]
    assert order.part == "NetA1-DT > NetA1-HT"  # the closer of 0.02 and 0.03
    assert (order.difference_mean, order.ci_low, order.ci_high) == pytest.approx((0.02,) * 3)
    assert order.p_value == 0.0
    assert order.evidence.startswith(
        "means of 5 seeds: NetA1-DT 85.00 % > NetA1-HT 83.00 % (difference +2.00 pts, "
        "95 % CI +2.00 to +2.00, p < 0.001)")


def test_a_difference_whose_interval_spans_zero_is_not_resolved():
    # NetA2-HT − NetA2-HF per seed: +0.01, −0.01, +0.03, −0.02, +0.025 (mean +0.7 points).
    ht = [0.86 + d for d in (0.01, -0.01, 0.03, -0.02, 0.025)]
    checks = by_key(seeded({"NetA2-HF": [0.86] * 5, "NetA2-HT": ht, "NetA2-DT": [0.95] * 5}))
    order = checks["order-NetA2"]
    assert order.verdict == NOT_RESOLVED and order.holds is None
    d = [0.01, -0.01, 0.03, -0.02, 0.025]
    low, high = stats.t.interval(0.95, 4, loc=np.mean(d), scale=stats.sem(d))
    assert order.part == "NetA2-HT > NetA2-HF" and order.n_seeds == 5
    assert order.difference_mean == pytest.approx(0.007)
    assert (order.ci_low, order.ci_high) == pytest.approx((low, high))
    assert (order.ci_low, order.ci_high) == pytest.approx((-0.01992, 0.03392), abs=1e-5)
    assert order.p_value == pytest.approx(stats.ttest_1samp(d, 0).pvalue)
    assert order.p_value == pytest.approx(0.5102, abs=1e-4)
    assert "NetA2-HT 86.70 % is not surely > NetA2-HF 86.00 % (difference +0.70 pts, " \
           "95 % CI -1.99 to +3.39, p = 0.510) - about 40 seeds would resolve a difference " \
           "this size with this spread" in order.evidence
    # 40 seeds: the half-width t(0.975, 39)·sd/√40 first drops below the 0.7-point mean.
    half = {n: stats.t.ppf(0.975, n - 1) * np.std(d, ddof=1) / math.sqrt(n) for n in (39, 40)}
    assert half[39] > 0.007 > half[40]
    assert statistics.seeds_needed(np.std(d, ddof=1), 0.007) == 40
    assert [p.verdict for p in order.parts] == [HOLDS, NOT_RESOLVED]


def test_a_difference_wholly_on_the_wrong_side_does_not_hold():
    # NetA1-HF slower than NetA1-HT by 0.2 to 0.3 s on every seed: "HF is fastest" fails.
    hf = [1.6, 1.7, 1.65, 1.7, 1.62]
    checks = by_key(seeded(seconds={"NetA1-HF": hf, "NetA1-HT": [1.4] * 5}))
    fastest = checks["fastest-NetA1"]
    # From summary rows alone each seed's seconds per epoch is one value of the sample; times
    # are not paired by seed, so Welch's interval compares the two samples.
    hf_s = [v * (1 + s) for v, s in zip(hf, SHIFT, strict=False)]  # the shift scales times
    ht_s = [1.4 * (1 + s) for s in SHIFT[:5]]
    welch = stats.ttest_ind(hf_s, ht_s, equal_var=False)
    assert fastest.verdict == DOES_NOT_HOLD and fastest.holds is False
    assert fastest.part == "NetA1-HF < NetA1-HT"
    assert fastest.difference_mean == pytest.approx(np.mean(hf_s) - np.mean(ht_s)) == \
        pytest.approx(0.25442)
    assert (fastest.ci_low, fastest.ci_high) == pytest.approx(welch.confidence_interval(0.95))
    assert (fastest.ci_low, fastest.ci_high) == pytest.approx((0.17225, 0.33659), abs=1e-5)
    assert fastest.p_value == pytest.approx(welch.pvalue)
    assert "NetA1-HF 1.654 ± 0.084 s/epoch is not < NetA1-HT 1.400 ± 0.027 s/epoch " \
           "(difference +0.254 s" in fastest.evidence


def test_a_compound_conclusion_fails_on_its_worst_part():
    # Recovery: NetA2-HF beats NetA1-HF and NetA1-HT surely, NetA1-DT not surely, and is
    # slower than NetA1-DT on every seed: the time part decides ("does not hold").
    a2hf = [0.85 + d for d in (0.01, -0.01, 0.02, -0.005, 0.0)]
    checks = by_key(seeded({"NetA2-HF": a2hf, "NetA1-DT": [0.85] * 5},
                           {"NetA2-HF": [1.45] * 5, "NetA1-HT": [1.5] * 5, "NetA1-DT": [1.4] * 5}))
    recovery = checks["recovery"]
    assert [p.verdict for p in recovery.parts] == \
        [HOLDS, HOLDS, NOT_RESOLVED, HOLDS, DOES_NOT_HOLD]
    assert recovery.verdict == DOES_NOT_HOLD
    assert recovery.part == "NetA2-HF < NetA1-DT"
    assert recovery.difference_mean == pytest.approx(0.05)


def test_the_gain_conclusion_is_a_difference_of_differences():
    # NetA1 gains 3 points on every seed, NetA2 gains 1, 2.5, 3.5, 2, 4: the gain difference
    # +2, +0.5, −0.5, +1, −1 points is not resolved.
    ht = [0.86 + g for g in (0.01, 0.025, 0.035, 0.02, 0.04)]
    base_ht = [0.87] * 5
    rows = seeded({"NetA2-HF": [0.86] * 5, "NetA2-HT": ht, "NetA1-HF": [0.80] * 5,
                   "NetA1-HT": [0.83] * 5, "NetA2-DT": [0.95] * 5})
    gain = by_key(rows)["gain"]
    d = [0.03 - g for g in (0.01, 0.025, 0.035, 0.02, 0.04)]
    assert gain.verdict == NOT_RESOLVED and gain.part == "NetA1 gain > NetA2 gain"
    assert gain.difference_mean == pytest.approx(np.mean(d)) == pytest.approx(0.004)
    assert gain.p_value == pytest.approx(stats.ttest_1samp(d, 0).pvalue)
    assert gain.parts[0].difference.differences == pytest.approx(d)
    assert by_key(seeded({"NetA2-HT": base_ht}))["gain"].verdict == HOLDS


def test_seeds_are_paired_by_number_and_missing_seeds_are_flagged():
    rows = seeded(n=5)
    # The study stopped: NetA1-DT finished only seeds 0..2.
    rows = [r for r in rows if not (r["network"] == "NetA1-DT" and r["seed"] > 2)]
    rows.reverse()  # order does not matter, seeds pair by number
    checks = by_key(rows, config=StudyConfig(seeds=(0, 1, 2, 3, 4)))
    assert checks["order-NetA1"].n_seeds == 3
    assert checks["order-NetA1"].caveat == \
        "paired over 3 of 5 seeds (the others lack a network it needs)"
    assert checks["order-NetA2"].n_seeds == 5 and checks["order-NetA2"].caveat == ""


def test_seeds_that_share_no_network_make_it_not_applicable():
    rows = [r for r in seeded(n=2)
            if not (r["network"] == "NetA1-DT" and r["seed"] == 0)
            and not (r["network"] == "NetA1-HT" and r["seed"] == 1)]
    order = by_key(rows)["order-NetA1"]
    assert order.verdict == NOT_APPLICABLE
    assert order.evidence == "no seed has results for all of NetA1-DT, NetA1-HT, NetA1-HF"


def test_summary_row_objects_as_a_live_study_holds_them(tmp_path):
    stored = open_study(write_known_seeded_study(tmp_path))
    live = evaluate_conclusions(stored.summary, stored.config)  # SummaryRow objects, no epochs
    stored_view = study_conclusions(stored)
    # The time claims differ by design: the study's epochs are their sample, not its rows.
    assert [(c.key, c.measure, c.verdict, c.difference_mean, c.ci_low, c.p_value, c.caveat)
            for c in live if c.key not in TIMED_KEYS] == \
        [(c.key, c.measure, c.verdict, c.difference_mean, c.ci_low, c.p_value, c.caveat)
         for c in stored_view if c.key not in TIMED_KEYS]


def test_conclusions_of_the_known_seeded_study(tmp_path):
    stored = open_study(write_known_seeded_study(tmp_path))
    conclusions = study_conclusions(stored)
    assert [(c.key, c.measure) for c in conclusions] == ROWS
    verdict = {(c.key, c.measure): c.verdict for c in conclusions}
    assert verdict[("order-NetA1", PEAK)] == HOLDS
    assert verdict[("order-NetA2", PEAK)] == verdict[("order-NetA2", FINAL)] == NOT_RESOLVED
    assert verdict[("gain", PEAK)] == NOT_RESOLVED and verdict[("gain", FINAL)] == HOLDS
    assert {c.n_seeds for c in conclusions} == {5}
    assert {c.caveat for c in conclusions} == {"only 3 epochs (fewer than 10)"}
    order = next(c for c in conclusions if (c.key, c.measure) == ("order-NetA2", PEAK))
    d = [0.01 + j for j in JITTER["NetA2-HT"]]
    assert order.difference_mean == pytest.approx(np.mean(d))
    assert order.p_value == pytest.approx(stats.ttest_1samp(d, 0).pvalue)


# ---------------------------------------------------------------------------------------------
# Init identity

def test_identity_table_reads_the_stored_rows(known):
    rows = identity_table(known)
    assert [(r["check"], r["kind"], r["norm"], r["verdict"]) for r in rows] == [
        ("NetA1: |conv1 HF - conv1 HT|", "initial", 0.0, "identical"),
        ("NetA2: |conv1 HF - conv1 HT|", "initial", 0.0, "identical"),
        ("A1 vs A2: |conv1 A1-HF - conv1 A2-HF|", "initial", 0.0, "identical"),
        ("NetA1-HF: |conv1 after training - conv1 initial|", "after training", 0.0, "identical"),
        ("NetA2-HF: |conv1 after training - conv1 initial|", "after training", 0.0, "identical"),
    ]


def test_frozen_rows_come_from_the_weights_when_the_study_did_not_write_them(tmp_path):
    stored = open_study(write_known_study(tmp_path, frozen_rows=False,
                                          hf_conv1_moved=("NetA2-HF",)))
    after = [r for r in identity_table(stored) if r["kind"] == "after training"]
    assert [(r["check"], r["norm"], r["verdict"]) for r in after] == [
        ("NetA1-HF: |conv1 after training - conv1 initial|", 0.0, "identical"),
        ("NetA2-HF: |conv1 after training - conv1 initial|", 0.5, "differs"),
    ]


# ---------------------------------------------------------------------------------------------
# Confusion matrices

def test_confusion_matrix_counts_true_rows_and_predicted_columns():
    matrix = confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2], num_classes=3)
    assert matrix.tolist() == [[1, 0, 0], [0, 1, 0], [0, 1, 1]]
    assert per_class_accuracy(matrix).tolist() == [1.0, 1.0, 0.5]
    assert np.isnan(per_class_accuracy(np.zeros((2, 2)))).all()


@pytest.mark.parametrize("predicted, labels, message", [
    ([0, 1], [0, 1, 2], "2 predictions but 3 labels"),
    ([0, 10], [0, 1], "predicted classes must lie in 0..9, found 0..10"),
    ([0, 1], [-1, 1], "labels must lie in 0..9"),
])
def test_confusion_matrix_refuses_mismatched_input(predicted, labels, message):
    with pytest.raises(ConfusionError, match=message):
        confusion_matrix(predicted, labels)


def test_study_confusion_from_stored_predictions(known):
    confusion = study_confusion(known, "NetA1-HF")
    assert confusion.test_size == 30 and confusion.accuracy == pytest.approx(0.9)
    assert confusion.matrix[6, 0] == 3 and confusion.matrix[6, 6] == 0
    assert confusion.per_class_accuracy[6] == 0.0
    assert confusion.per_class_accuracy[[0, 1, 9]].tolist() == [1.0, 1.0, 1.0]
    shirt = confusion.csv_rows()[6]
    assert shirt["true_class"] == "Shirt" and shirt["predicted T-shirt/top"] == 3
    assert (shirt["total"], shirt["correct"], shirt["accuracy"]) == (3, 0, 0.0)
    assert list(shirt) == list(confusion.csv_columns())
    assert set(study_confusions(known)) == set(known.config.networks)


def test_a_network_without_predictions_has_no_confusion(tmp_path):
    stored = open_study(write_known_study(tmp_path, predictions=False))
    assert study_confusion(stored, "NetA1-HF") is None and study_confusions(stored) == {}
