"""Means over seeds, paired differences and the verdict rules of docs/study.md#statistics, on
constructed numbers checked against scipy.stats."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from study.analysis.statistics import (
    DOES_NOT_HOLD,
    HOLDS,
    NOT_APPLICABLE,
    NOT_RESOLVED,
    combine_verdicts,
    differences_by_seed,
    paired_difference,
    part_verdict,
    seeds_needed,
    t_interval,
)


def test_t_interval_is_mean_plus_minus_t_sd_over_root_n():
    values = [0.80, 0.82, 0.81, 0.85, 0.79]
    interval = t_interval(values)
    sd = np.std(values, ddof=1)
    half = stats.t.ppf(0.975, 4) * sd / math.sqrt(5)
    assert interval.n == 5 and interval.mean == pytest.approx(0.814)
    assert interval.std == pytest.approx(sd)
    assert (interval.low, interval.high) == pytest.approx((0.814 - half, 0.814 + half))
    # t(0.975, 4) = 2.776: the half-width is 2.776 · 0.02302 / √5 = 0.02858.
    assert interval.half_width == pytest.approx(0.02858, abs=1e-5)


def test_one_value_has_a_mean_and_no_spread():
    interval = t_interval([0.5])
    assert interval.mean == 0.5 and interval.n == 1
    assert math.isnan(interval.std) and math.isnan(interval.low) and math.isnan(interval.high)
    with pytest.raises(ValueError):
        t_interval([])


def test_paired_difference_pairs_by_seed_and_matches_scipy():
    a = {0: 0.850, 1: 0.842, 2: 0.861, 3: 0.848, 4: 0.855, 9: 0.9}  # seed 9 has no partner
    b = {4: 0.851, 3: 0.840, 2: 0.850, 1: 0.839, 0: 0.842}
    diff = paired_difference(a, b)
    d = [0.008, 0.003, 0.011, 0.008, 0.004]
    assert diff.seeds == (0, 1, 2, 3, 4) and diff.n == 5
    assert diff.differences == pytest.approx(d)
    assert diff.mean == pytest.approx(0.0068)
    low, high = stats.t.interval(0.95, 4, loc=np.mean(d), scale=stats.sem(d))
    assert (diff.low, diff.high) == pytest.approx((low, high))
    assert diff.p_value == pytest.approx(stats.ttest_1samp(d, 0.0).pvalue)
    assert diff.p_value == pytest.approx(stats.ttest_rel([a[s] for s in range(5)],
                                                         [b[s] for s in range(5)]).pvalue)
    # Known numbers: mean 0.0068, sd 0.003271, t = 4.648 on 4 d.f., two-sided p = 0.00968.
    assert diff.std == pytest.approx(0.0032711, abs=1e-6)
    assert diff.p_value == pytest.approx(0.00968, abs=5e-5)
    assert diff.low == pytest.approx(0.002738, abs=1e-5)
    assert diff.high == pytest.approx(0.010862, abs=1e-5)


def test_pairing_removes_the_shared_seed_noise():
    # Seeds move both networks together: unpaired the CI would span 0, paired it does not.
    shared = {s: 0.05 * s for s in range(5)}
    a = {s: 0.80 + shared[s] + 0.001 * (s % 2) for s in range(5)}
    b = {s: 0.79 + shared[s] for s in range(5)}
    diff = paired_difference(a, b)
    assert diff.low > 0.009 and diff.high < 0.0115
    assert part_verdict(diff, ">") == HOLDS
    unpaired = stats.ttest_ind(list(a.values()), list(b.values()))
    assert unpaired.pvalue > 0.5


def test_one_seed_difference_has_no_interval_and_no_p_value():
    diff = paired_difference({3: 0.648}, {3: 0.649})
    assert diff.n == 1 and diff.mean == pytest.approx(-0.001)
    assert math.isnan(diff.low) and math.isnan(diff.high) and math.isnan(diff.p_value)
    with pytest.raises(ValueError, match="no seed"):
        paired_difference({0: 1.0}, {1: 1.0})


def test_identical_differences_over_seeds():
    same = differences_by_seed({0: 0.01, 1: 0.01, 2: 0.01})
    assert (same.low, same.high, same.p_value) == pytest.approx((0.01, 0.01, 0.0))
    assert part_verdict(same, ">") == HOLDS
    ties = differences_by_seed({0: 0.0, 1: 0.0})
    assert ties.p_value == 1.0
    assert part_verdict(ties, ">") == DOES_NOT_HOLD  # strict claims: a tie is not a win


def constructed(mean_points, sd_points, n=5):
    """Differences with exactly this mean and sd (in points), over seeds 0..n-1."""
    z = np.linspace(-1.0, 1.0, n)
    z = z / z.std(ddof=1)
    return differences_by_seed({s: (mean_points + sd_points * z[s]) / 100 for s in range(n)})


@pytest.mark.parametrize("mean, sd, relation, verdict", [
    (2.0, 0.5, ">", HOLDS),            # CI ≈ [+1.38, +2.62]
    (0.5, 0.6, ">", NOT_RESOLVED),     # CI ≈ [-0.25, +1.25] spans 0
    (-0.5, 0.6, ">", NOT_RESOLVED),
    (-2.0, 0.5, ">", DOES_NOT_HOLD),   # wholly on the wrong side
    (-0.4, 0.1, "<", HOLDS),           # "A is faster": a negative time difference
    (0.4, 0.1, "<", DOES_NOT_HOLD),
    (0.05, 0.1, "<", NOT_RESOLVED),
])
def test_verdict_rules_on_constructed_differences(mean, sd, relation, verdict):
    diff = constructed(mean, sd)
    assert diff.mean == pytest.approx(mean / 100)
    assert diff.std == pytest.approx(sd / 100)
    half = stats.t.ppf(0.975, 4) * sd / 100 / math.sqrt(5)
    assert (diff.low, diff.high) == pytest.approx((mean / 100 - half, mean / 100 + half))
    assert part_verdict(diff, relation) == verdict


def test_the_spec_example_needs_more_seeds_than_three():
    # A 0.5-point difference with a 0.5-point seed spread: 3 seeds do not resolve it, 10 do.
    assert part_verdict(constructed(0.5, 0.5, n=3), ">") == NOT_RESOLVED
    assert part_verdict(constructed(0.5, 0.5, n=10), ">") == HOLDS
    assert seeds_needed(0.5, 0.5) == 7
    for n, resolved in ((6, False), (7, True)):
        half = stats.t.ppf(0.975, n - 1) * 0.5 / math.sqrt(n)
        assert bool(half < 0.5) is resolved
    assert seeds_needed(1.0, 0.5) == 18 and seeds_needed(0.0, 0.5) == 2
    assert seeds_needed(0.5, 0.0) is None and seeds_needed(1.0, 1e-4) is None


def test_one_seed_verdict_is_the_sign_of_the_difference():
    assert part_verdict(differences_by_seed({0: 0.001}), ">") == HOLDS
    assert part_verdict(differences_by_seed({0: -0.001}), ">") == DOES_NOT_HOLD
    assert part_verdict(differences_by_seed({0: 0.0}), ">") == DOES_NOT_HOLD
    assert part_verdict(differences_by_seed({0: -0.2}), "<") == HOLDS
    with pytest.raises(ValueError):
        part_verdict(differences_by_seed({0: 1.0}), ">=")


@pytest.mark.parametrize("parts, verdict", [
    ([HOLDS, HOLDS], HOLDS),
    ([HOLDS, NOT_RESOLVED], NOT_RESOLVED),
    ([NOT_RESOLVED, DOES_NOT_HOLD, HOLDS], DOES_NOT_HOLD),
    ([HOLDS, NOT_APPLICABLE], NOT_APPLICABLE),
    ([], NOT_APPLICABLE),
])
def test_compound_verdicts(parts, verdict):
    assert combine_verdicts(parts) == verdict
