"""How sure a number is: means over seeds with 95 % Student-t intervals (SPEC §6), via scipy."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy import stats

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
    low, high = stats.t.interval(confidence, n - 1, loc=mean, scale=std / math.sqrt(n))
    return Interval(mean, std, float(low), float(high), n)


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
                "mean": interval.mean, "std": _blank_nan(interval.std),
                "ci_low": _blank_nan(interval.low), "ci_high": _blank_nan(interval.high),
            })
    return rows


def _blank_nan(value: float):
    """An undefined statistic (one seed) is written as an empty CSV cell."""
    return "" if math.isnan(value) else value
