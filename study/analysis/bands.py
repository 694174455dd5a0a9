"""A metrics column over a network's seeds, epoch by epoch: the mean and a band around it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CI, MIN_MAX = "ci", "min-max"


@dataclass(frozen=True)
class CurveBand:
    """A metrics column over a network's seeds: per epoch the mean, the band's low and high
    ends (95 % CI of the mean, or min–max) and how many seeds it summarises."""

    epochs: np.ndarray
    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray
    n_seeds: np.ndarray


def curve_band(rows_by_seed, column: str, spread: str = CI) -> CurveBand:
    """One metrics column of a network's runs (an iterable of each seed's metrics rows)
    summarised epoch by epoch.

    `spread` CI: the 95 % Student-t interval of the mean (study.analysis.statistics.t_interval);
    MIN_MAX: the lowest and highest seed. An epoch only some seeds have reached (a run in
    progress) is summarised over those; with one value the band is that value.
    """
    # scipy loads only when a band is drawn.
    from study.analysis.statistics import t_interval

    by_epoch: dict[int, list[float]] = {}
    for rows in rows_by_seed:
        for row in rows:
            by_epoch.setdefault(int(row["epoch"]), []).append(float(row[column]))
    epochs = sorted(by_epoch)
    mean, low, high, count = [], [], [], []
    for epoch in epochs:
        values = by_epoch[epoch]
        if spread == MIN_MAX or len(values) < 2:
            mean.append(float(np.mean(values)))
            low.append(min(values))
            high.append(max(values))
        else:
            interval = t_interval(values)
            mean.append(interval.mean)
            low.append(interval.low)
            high.append(interval.high)
        count.append(len(values))
    return CurveBand(np.array(epochs, dtype=int), np.array(mean, dtype=float),
                     np.array(low, dtype=float), np.array(high, dtype=float),
                     np.array(count, dtype=int))
