"""How a study's per-network times were taken: measured, or isolated-timing estimates.

A sequential study measures each network's training time per epoch. An all-at-once study trains
every network in the same steps, so no network's own time can be read off the clock: each one is
built alone and timed for about ISOLATED_TIMING_BATCHES batches before training (its isolated
estimate), and status.json records the shared wall time of every epoch beside it.
"""

from __future__ import annotations

from study.analysis.formats import format_duration

# status.json "timing": per-network seconds are measured (sequential) or, when the networks
# shared every step (all-at-once), each network's isolated-timing estimate.
MEASURED, ISOLATED_ESTIMATE = "measured", "isolated-estimate"
TIMING_COLUMN = "timing"
TIMING_BY_MODE = {"sequential": MEASURED, "all-at-once": ISOLATED_ESTIMATE}
ISOLATED_TIMING_BATCHES = 40
ISOLATED_ESTIMATE_TEXT = (
    "The networks were trained together (all-at-once), so no network's own time can be read "
    "off the clock: this is its isolated-timing estimate (the network built alone, timed for "
    f"about {ISOLATED_TIMING_BATCHES} batches, scaled to an epoch). The shared wall time is "
    "under the table.")
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


def shared_timing_note(status) -> str:
    """One line on how an all-at-once study's networks were timed ('' for a measured study).

    The shared wall time is the training time of the steps all networks took together
    (status.json shared_wall_seconds, shared_epoch_seconds; evaluation not included).
    """
    if not is_isolated_estimate(status):
        return ""
    wall, epochs = shared_wall_seconds(status)
    if not epochs:
        return ("Networks trained together: no shared epoch finished; per-network times are "
                "isolated-timing estimates.")
    return (f"Networks trained together: shared wall time {format_duration(wall)} "
            f"({wall / epochs:.2f} s per epoch); per-network times are isolated-timing "
            "estimates.")
