"""How a study's per-network times were taken: measured, or isolated-timing estimates.

A sequential study measures each network's training time per epoch. An all-at-once study trains
every network in the same steps, so no network's own time can be read off the clock: each one is
built alone and timed in ISOLATED_TIMING_ROUNDS rounds of ISOLATED_ROUND_BATCHES batches when the
first epoch has trained (its isolated estimate is their mean), and status.json records the
rounds and the shared wall time of every epoch beside it.

`time_samples` gives the sample a time claim rests on (docs/study.md#statistics): the isolated
rounds (all-at-once), or the training seconds of every epoch but the first, which includes
compiling (sequential), pooled over the seeds (the seed does not change a network's cost).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from study.analysis.formats import format_duration
from study.protocol.status import (
    ISOLATED_ESTIMATES_KEY,
    ISOLATED_ROUND_BATCHES,
    ISOLATED_ROUNDS_KEY,
    ISOLATED_TIMING_ROUNDS,
)

# status.json "timing": per-network seconds are measured (sequential) or, when the networks
# shared every step (all-at-once), each network's isolated-timing estimate.
MEASURED, ISOLATED_ESTIMATE = "measured", "isolated-estimate"
TIMING_COLUMN = "timing"
TIMING_BY_MODE = {"sequential": MEASURED, "all-at-once": ISOLATED_ESTIMATE}
ISOLATED_ESTIMATE_TEXT = (
    "The networks were trained together (all-at-once), so no network's own time can be read "
    "off the clock: this is its isolated-timing estimate (the network built alone and warmed "
    f"up, timed in {ISOLATED_TIMING_ROUNDS} rounds of {ISOLATED_ROUND_BATCHES} batches, the "
    "networks in rotating order, scaled to an epoch; the mean of the rounds). The shared wall "
    "time is under the table.")
NO_SHARED_EPOCH_YET = ("Networks trained together (all-at-once): times are isolated-timing "
                       "estimates; the shared wall time shows here once an epoch is measured.")


def timing_for_mode(mode: str) -> str:
    """The timing label of a study trained in `mode` ("sequential" or "all-at-once")."""
    return TIMING_BY_MODE.get(mode, MEASURED)


def study_timing(status) -> str:
    """A study's timing label from its status.json dict (older studies: "measured")."""
    timing = (status or {}).get("timing") or MEASURED
    return timing if timing in (MEASURED, ISOLATED_ESTIMATE) else MEASURED


def is_isolated_estimate(status) -> bool:
    """True when the study's per-network times are isolated-timing estimates (all-at-once)."""
    return study_timing(status) == ISOLATED_ESTIMATE


def shared_wall_seconds(status) -> tuple[float, int]:
    """(shared training seconds, shared epochs measured) of an all-at-once study's status."""
    epochs = [float(s) for s in (status or {}).get("shared_epoch_seconds") or []]
    wall = float((status or {}).get("shared_wall_seconds") or sum(epochs))
    return wall, len(epochs)


def shared_timing_note(status, timing_rounds: int | None = None) -> str:
    """One line on how an all-at-once study's networks were timed ('' for a measured study).

    The shared wall time is the training time of the steps all networks took together
    (status.json shared_wall_seconds, shared_epoch_seconds; evaluation not included).
    `timing_rounds` 0 (the study's setting): nothing was timed alone, every network shows the
    shared time.
    """
    if not is_isolated_estimate(status):
        return ""
    wall, epochs = shared_wall_seconds(status)
    if epochs and timing_rounds == 0:
        return (f"Networks trained together: shared wall time {format_duration(wall)} "
                f"({wall / epochs:.2f} s per epoch); no isolated timing, so every network "
                "shows the shared time.")
    if not epochs:
        return ("Networks trained together: no shared epoch finished; per-network times are "
                "isolated-timing estimates.")
    return (f"Networks trained together: shared wall time {format_duration(wall)} "
            f"({wall / epochs:.2f} s per epoch); per-network times are isolated-timing "
            "estimates.")


def mean_seconds(rounds: dict) -> dict[str, float]:
    """Each network's mean over its rounds (status.json isolated_seconds_per_epoch)."""
    return {name: sum(map(float, values)) / len(values)
            for name, values in rounds.items() if values}


# What a network's time sample is made of (the evidence names it).
ROUNDS, EPOCHS, SEEDS = "rounds", "epochs", "seeds"


@dataclass(frozen=True)
class TimeSamples:
    """Per network, the sample of seconds per epoch a time claim rests on, and what one value
    of it is (`unit`: ROUNDS of isolated timing, EPOCHS of training, per-SEEDS means). A network
    with one value has one timing: no interval, so no time claim on it is resolved."""

    values: dict[str, tuple[float, ...]]
    unit: str


def _numbers(values) -> tuple[float, ...]:
    if not isinstance(values, (list, tuple)):
        values = [values]
    try:
        numbers = tuple(float(v) for v in values)
    except (TypeError, ValueError):
        return ()
    return numbers if all(math.isfinite(v) for v in numbers) else ()


def _isolated_samples(status) -> TimeSamples | None:
    """The rounds of an all-at-once study; a study timed before the rounds existed has one
    estimate per network (one value each)."""
    for key, unit in ((ISOLATED_ROUNDS_KEY, ROUNDS), (ISOLATED_ESTIMATES_KEY, ROUNDS)):
        recorded = (status or {}).get(key)
        if isinstance(recorded, dict):
            values = {str(n): _numbers(v) for n, v in recorded.items()}
            values = {n: v for n, v in values.items() if v}
            if values:
                return TimeSamples(values, unit)
    return None


def time_samples(status, rows_by_key) -> TimeSamples:
    """The time samples of a study: its status.json dict and its metrics rows by (network,
    seed) (StudyState.rows).

    All-at-once: each network's isolated rounds (one estimate for a study without rounds; the
    rows' copied estimate for one without either). Sequential: the train seconds of every epoch
    after the first, pooled over the seeds; a network with no epoch after the first has one
    value, the mean of its first epochs (they include compiling)."""
    isolated = is_isolated_estimate(status)
    if isolated:
        recorded = _isolated_samples(status)
        if recorded is not None:
            return recorded
    later: dict[str, list[float]] = {}
    first: dict[str, list[float]] = {}
    for (network, _seed), rows in rows_by_key.items():
        for row in rows:
            seconds = float(row["train_seconds"])
            (later if int(row["epoch"]) > 1 else first).setdefault(network, []).append(seconds)
    networks = dict.fromkeys([*later, *first])
    if isolated:  # every row carries the one estimate
        return TimeSamples({n: ((later.get(n) or first[n])[0],) for n in networks}, ROUNDS)
    return TimeSamples({n: tuple(later[n]) if n in later else (sum(first[n]) / len(first[n]),)
                        for n in networks}, EPOCHS)
