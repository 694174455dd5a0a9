"""Time claims ("NetA1-HF < NetA1-HT in seconds per epoch", docs/study.md#statistics) decided
from samples of seconds per epoch (study.analysis.timing.TimeSamples) with the verdict rules of
the accuracy claims.

The two networks' samples are not paired (a round times each network at another moment, and
sequential mode trains them one after another), so a part's difference is mean(A) − mean(B) with
Welch's unequal-variance 95 % t interval and two-sided p-value (statistics.welch_difference).
Verdict: holds when the interval lies wholly on the claimed side of 0, does not hold when wholly
on the other side (a tie counts there), not resolved otherwise; a network with one timing gives
no interval, and its part is not resolved (one timing) whatever the two values are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from study.analysis import statistics
from study.analysis.formats import mean_ci_text, p_phrase, signed_text
from study.analysis.timing import ROUNDS, TimeSamples

ONE_TIMING = "one timing"


@dataclass(frozen=True)
class TimeDifference:
    """mean(A) − mean(B) of two networks' samples of seconds per epoch, with Welch's 95 %
    interval and p-value (NaN with one timing on either side). It reads like a
    statistics.PairedDifference: `seeds` are those whose times were used, `differences` is
    empty (nothing is paired) and `n` their number of seeds; `n_a`, `n_b` the sample sizes."""

    seeds: tuple[int, ...]
    mean: float
    low: float
    high: float
    p_value: float
    n_a: int
    n_b: int
    unit: str
    differences: tuple[float, ...] = ()
    std: float = math.nan

    @property
    def n(self) -> int:
        """The number of seeds whose times were used."""
        return len(self.seeds)

    @property
    def one_timing(self) -> bool:
        """A side has one value only: no interval."""
        return min(self.n_a, self.n_b) < 2


def time_difference(a, b, seeds, unit: str = ROUNDS) -> TimeDifference:
    """mean(a) − mean(b) of two samples of seconds per epoch (Welch)."""
    welch = statistics.welch_difference(b, a)  # mean(a) − mean(b)
    return TimeDifference(tuple(seeds), welch.difference, welch.low, welch.high,
                          welch.p_value, welch.n_b, welch.n_a, unit)


def time_verdict(difference: TimeDifference, relation: str) -> str:
    """holds / does not hold / not resolved for the claim `difference` `relation` 0."""
    if relation not in (">", "<"):
        raise ValueError(f"relation must be '>' or '<', got {relation!r}")
    if difference.one_timing:
        return statistics.NOT_RESOLVED
    sign = 1.0 if relation == ">" else -1.0
    low, high = sorted((sign * difference.low, sign * difference.high))
    if low > 0:
        return statistics.HOLDS
    if high <= 0:
        return statistics.DOES_NOT_HOLD
    return statistics.NOT_RESOLVED


def _level(values) -> str:
    interval = statistics.t_interval(values)
    return mean_ci_text(interval.mean, interval.low, interval.high, decimals=3,
                        unit="s/epoch")


def _count(n: int, unit: str) -> str:
    return f"{n} {unit if n != 1 else unit.rstrip('s')}"


def time_part(a: str, b: str, relation: str, samples: TimeSamples, seeds):
    """(verdict, evidence, TimeDifference) of the claim "a `relation` b" in seconds per epoch."""
    xa, xb = samples.values[a], samples.values[b]
    difference = time_difference(xa, xb, seeds, samples.unit)
    verdict = time_verdict(difference, relation)
    word = {statistics.HOLDS: relation, statistics.DOES_NOT_HOLD: f"is not {relation}",
            statistics.NOT_RESOLVED: f"is not surely {relation}"}[verdict]
    evidence = f"{a} {_level(xa)} {word} {b} {_level(xb)}"
    if difference.one_timing:
        return verdict, evidence + f" ({ONE_TIMING}: no interval)", difference
    evidence += (f" (difference {signed_text(difference.mean, decimals=3, unit='s')}, 95 % CI "
                 f"{signed_text(difference.low, decimals=3)} to "
                 f"{signed_text(difference.high, decimals=3)}, Welch {p_phrase(difference.p_value)}"
                 f"; {_count(len(xa), samples.unit)} and {_count(len(xb), samples.unit)})")
    return verdict, evidence, difference


def network_samples(table, networks, seeds, isolated: bool) -> TimeSamples:
    """Time samples from summary rows alone ({network: {seed: row}}): each seed's seconds per
    epoch (per-seed means); an all-at-once study's rows carry one estimate copied to every seed,
    which is one timing."""
    used = list(seeds)[:1] if isolated else list(seeds)
    return TimeSamples({n: tuple(float(table[n][s]["seconds_per_epoch"]) for s in used)
                        for n in networks}, ROUNDS if isolated else "seeds")
