"""How sure a number is (docs/study.md#statistics), via scipy.stats: means over seeds with
95 % Student-t intervals (aggregate.csv), per-seed paired differences with their interval and
t-test p-value, and the verdict rules: holds / does not hold / not resolved / n.a.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy import stats

from study.analysis.formats import csv_cell

CONFIDENCE = 0.95
AGGREGATE_COLUMNS = ("network", "n_seeds", "metric", "mean", "std", "ci_low", "ci_high")
AGGREGATE_METRICS = ("peak_test_accuracy", "final_test_accuracy", "peak_epoch",
                     "seconds_per_epoch")


@dataclass(frozen=True)
class Interval:
    """A sample's mean with its Student-t confidence interval; std/low/high are NaN for n < 2."""

    mean: float
    std: float
    low: float
    high: float
    n: int

    @property
    def half_width(self) -> float:
        """Half the interval's width (NaN for a single value)."""
        return (self.high - self.low) / 2.0


def t_interval(values: Iterable[float], confidence: float = CONFIDENCE) -> Interval:
    """Mean ± t(1−α/2, n−1)·sd/√n of `values` (sample sd, ddof=1); ValueError when empty."""
    data = np.asarray([float(v) for v in values], dtype=np.float64)
    n = len(data)
    if n == 0:
        raise ValueError("an interval needs at least one value")
    mean = float(data.mean())
    if n < 2:
        return Interval(mean, math.nan, math.nan, math.nan, 1)
    std = float(data.std(ddof=1))
    if std == 0.0:
        return Interval(mean, 0.0, mean, mean, n)
    half = t_quantile(confidence, n - 1) * std / math.sqrt(n)
    return Interval(mean, std, mean - half, mean + half, n)


@functools.lru_cache(maxsize=256)
def t_quantile(confidence: float, df: int) -> float:
    """The two-sided Student-t quantile t(1 − α/2, df) (scipy.stats.t), cached: the curve bands
    ask for the same few degrees of freedom at every epoch of every network."""
    return float(stats.t.ppf(0.5 + confidence / 2.0, df))


def aggregate_rows(summary_rows, networks=None) -> list[dict]:
    """aggregate.csv rows: per network, for each AGGREGATE_METRICS, the mean over its seeds and
    the 95 % interval; `summary_rows` are SummaryRow objects (one per network and seed)."""
    by_network: dict[str, list] = {}
    for row in summary_rows:
        by_network.setdefault(row.network, []).append(row)
    order = [n for n in (networks or by_network) if n in by_network]
    rows = []
    for network in order:
        seeded = by_network[network]
        for metric in AGGREGATE_METRICS:
            interval = t_interval(getattr(row, metric) for row in seeded)
            rows.append({
                "network": network, "n_seeds": interval.n, "metric": metric,
                "mean": interval.mean, "std": csv_cell(interval.std),
                "ci_low": csv_cell(interval.low), "ci_high": csv_cell(interval.high),
            })
    return rows


# ---------------------------------------------------------------------------------------------
# Paired differences and the verdict rules of docs/study.md#statistics

HOLDS = "holds"
DOES_NOT_HOLD = "does not hold"
NOT_RESOLVED = "not resolved"
NOT_APPLICABLE = "n.a."
VERDICTS = (HOLDS, DOES_NOT_HOLD, NOT_RESOLVED, NOT_APPLICABLE)
DIFFERENCE_DECIMALS = 12


@dataclass(frozen=True)
class PairedDifference:
    """The per-seed differences d_s = A(s) − B(s) of one claim, with their mean, the 95 %
    Student-t interval of the mean and the two-sided p-value of a one-sample t test of d
    against 0. With one seed, std, low, high and p_value are NaN."""

    seeds: tuple[int, ...]
    differences: tuple[float, ...]
    mean: float
    std: float
    low: float
    high: float
    p_value: float

    @property
    def n(self) -> int:
        """The number of seeds paired."""
        return len(self.differences)


def paired_difference(a: dict, b: dict, confidence: float = CONFIDENCE) -> PairedDifference:
    """Pair `a` and `b` ({seed: value}) by seed over the seeds both have, in sorted order.

    d_s = a[s] − b[s]; the interval is mean ± t(1−α/2, n−1)·sd/√n (scipy.stats.t) and the
    p-value is two-sided, from scipy.stats.ttest_1samp(d, 0). When every d_s is the same the
    t statistic is infinite or undefined: p is then 0 for a non-zero difference and 1 for none.
    ValueError when no seed is in both.
    """
    seeds = tuple(sorted(set(a) & set(b)))
    if not seeds:
        raise ValueError("no seed has both values: nothing to pair")
    return differences_by_seed({s: float(a[s]) - float(b[s]) for s in seeds}, confidence)


def differences_by_seed(differences: dict, confidence: float = CONFIDENCE) -> PairedDifference:
    """PairedDifference of already-formed per-seed differences {seed: d_s} (see
    paired_difference); used for compound claims such as a difference of two differences."""
    seeds = tuple(sorted(differences))
    if not seeds:
        raise ValueError("no differences: nothing to test")
    # Rounded to 12 decimals: the float noise of a subtraction (0.67 − 0.63 = 0.04000000000000004)
    # would otherwise turn equal differences into a spurious tiny spread.
    values = tuple(round(float(differences[s]), DIFFERENCE_DECIMALS) for s in seeds)
    interval = t_interval(values, confidence)
    if interval.n < 2:
        p_value = math.nan
    elif interval.std == 0.0:
        p_value = 0.0 if interval.mean != 0.0 else 1.0
    else:
        p_value = float(stats.ttest_1samp(values, 0.0, alternative="two-sided").pvalue)
    return PairedDifference(seeds, values, interval.mean, interval.std, interval.low,
                            interval.high, p_value)


def part_verdict(difference: PairedDifference, relation: str) -> str:
    """The verdict on one claimed difference: `relation` '>' claims d > 0, '<' claims d < 0.

    Several seeds: holds when the whole 95 % interval is on the claimed side of 0, does not hold
    when it is wholly on the other side (an interval [0, 0] counts there: the claims are
    strict), not resolved otherwise. One seed: the sign of its difference decides, as a single
    study always did (a tie does not hold).
    """
    if relation not in (">", "<"):
        raise ValueError(f"relation must be '>' or '<', got {relation!r}")
    sign = 1.0 if relation == ">" else -1.0
    if difference.n < 2:
        return HOLDS if sign * difference.mean > 0 else DOES_NOT_HOLD
    # Orient so the claimed side is positive: the interval becomes [low', high'].
    low, high = sorted((sign * difference.low, sign * difference.high))
    if low > 0:
        return HOLDS
    if high <= 0:
        return DOES_NOT_HOLD
    return NOT_RESOLVED


def combine_verdicts(verdicts) -> str:
    """A compound conclusion's verdict from its parts' verdicts: n.a. if any part is n.a., else
    does not hold if any part does not hold, else holds if every part holds, else not resolved."""
    verdicts = list(verdicts)
    if not verdicts or NOT_APPLICABLE in verdicts:
        return NOT_APPLICABLE
    if DOES_NOT_HOLD in verdicts:
        return DOES_NOT_HOLD
    if all(v == HOLDS for v in verdicts):
        return HOLDS
    return NOT_RESOLVED


def seeds_needed(sd: float, margin: float, confidence: float = CONFIDENCE,
                 most: int = 1000) -> int | None:
    """The fewest seeds n ≥ 2 whose interval half-width t(1−α/2, n−1)·sd/√n is below `margin`.

    With a difference of size `margin` and this seed-to-seed spread `sd` of the paired
    differences, about this many seeds put the interval on one side of 0 — roughly
    n ≈ (t·sd/margin)², t ≈ 2 to 2.8. None when more than `most` would be needed (or margin ≤ 0).
    """
    if not margin > 0 or math.isnan(sd):
        return None
    if sd == 0:
        return 2
    for n in range(2, most + 1):
        if stats.t.ppf(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n) < margin:
            return n
    return None


@dataclass(frozen=True)
class WelchDifference:
    """mean(b) − mean(a) of two independent samples with its Welch t interval (unequal
    variances) and two-sided p-value; interval, df and p are NaN unless both have n ≥ 2."""

    difference: float
    low: float
    high: float
    df: float
    p_value: float
    n_a: int
    n_b: int


def welch_difference(a: Iterable[float], b: Iterable[float],
                     confidence: float = CONFIDENCE) -> WelchDifference:
    """mean(b) − mean(a) and its Welch–Satterthwaite t interval (scipy.stats); ValueError when
    a sample is empty. Samples without spread give the difference as a zero-width interval."""
    xa = np.asarray([float(v) for v in a], dtype=np.float64)
    xb = np.asarray([float(v) for v in b], dtype=np.float64)
    if len(xa) == 0 or len(xb) == 0:
        raise ValueError("a difference needs at least one value on each side")
    difference = float(xb.mean() - xa.mean())
    if len(xa) < 2 or len(xb) < 2:
        return WelchDifference(difference, math.nan, math.nan, math.nan, math.nan,
                               len(xa), len(xb))
    va, vb = xa.var(ddof=1) / len(xa), xb.var(ddof=1) / len(xb)
    se = math.sqrt(va + vb)
    if se == 0.0:
        return WelchDifference(difference, difference, difference, math.nan,
                               0.0 if difference else 1.0, len(xa), len(xb))
    df = (va + vb) ** 2 / (va ** 2 / (len(xa) - 1) + vb ** 2 / (len(xb) - 1))
    half = float(stats.t.ppf(0.5 + confidence / 2.0, df)) * se
    p_value = float(stats.ttest_ind(xb, xa, equal_var=False).pvalue)
    return WelchDifference(difference, difference - half, difference + half, float(df),
                           p_value, len(xa), len(xb))
