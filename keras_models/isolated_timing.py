"""Isolated timing: what one epoch of a network would take trained alone, estimated from short
fits. All-at-once mode trains every network in the same steps, so no network's own time can be
read off the clock; this estimate stands in for it.

Each network is built and warmed up once, then timed in TIMING_ROUNDS rounds of ROUND_BATCHES
batches. The rounds interleave the networks in a rotating order (round r starts at network
r mod n), so a slow spell of the machine falls on every network rather than on one; each network
gets one sample of seconds per epoch per round, from which a mean and a 95 % interval follow
(study.analysis.time_claims)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

import keras
import numpy as np

from keras_models.schemes import build_network, dataset_shapes
from keras_models.training import batches_per_epoch, compile_network, fit_options
from study.protocol.status import ISOLATED_ROUND_BATCHES, ISOLATED_TIMING_ROUNDS

TIMING_ROUNDS, ROUND_BATCHES = ISOLATED_TIMING_ROUNDS, ISOLATED_ROUND_BATCHES
# The rounds of a short study time fewer batches: all of them together at most this share of
# the batches one network trains in the study (never under one call of the train function).
TIMING_SHARE = 0.05


def round_batches(epochs: int, samples: int, batch_size: int, rounds: int = TIMING_ROUNDS,
                  most: int = ROUND_BATCHES) -> int:
    """Batches per timing round: `most`, or fewer when `rounds` rounds of `most` would exceed
    TIMING_SHARE of the `epochs` × batches-per-epoch one network trains (at least 1; the fit
    rounds it up to whole calls of the train function)."""
    budget = TIMING_SHARE * epochs * batches_per_epoch(samples, batch_size)
    return int(max(1, min(most, budget // max(1, rounds))))


class _RoundClock(keras.callbacks.Callback):
    """When the first call of the train function began, when the last one ended, and how many
    batches they held."""

    def __init__(self):
        super().__init__()
        self.start: float | None = None
        self.end: float | None = None
        self.batches = 0

    def on_train_batch_begin(self, batch, logs=None):
        """Note the start of the first call."""
        if self.start is None:
            self.start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        """Note the batch count and the time."""
        self.batches, self.end = batch + 1, time.perf_counter()


def rotation(count: int, rounds: int) -> list[list[int]]:
    """The order of `count` networks in each of `rounds` rounds: round r starts at r mod count."""
    return [[(r + i) % count for i in range(count)] for r in range(rounds)]


def timed_rounds(
    networks: Sequence[str],
    time_one: Callable[[str], float],
    rounds: int = TIMING_ROUNDS,
    stop_event: threading.Event | None = None,
) -> dict[str, list[float]]:
    """{network: [one sample per round]} from `time_one(network)`, called once per network and
    round in the rotating order of `rotation`. A stop ends the rounds where they are: each
    network keeps the samples it has (a network not timed yet is left out)."""
    samples: dict[str, list[float]] = {}
    for order in rotation(len(networks), rounds):
        for index in order:
            if stop_event is not None and stop_event.is_set():
                return samples
            name = networks[index]
            samples.setdefault(name, []).append(float(time_one(name)))
    return samples


def isolated_timing_rounds(
    networks,
    data,
    *,
    seed: int,
    head: str,
    kernels,
    batch_size: int,
    learning_rate: float,
    rounds: int = TIMING_ROUNDS,
    round_batches: int = ROUND_BATCHES,
    stop_event: threading.Event | None = None,
    options: dict | None = None,
) -> dict[str, list[float]]:
    """Seconds one epoch of each network takes trained alone: one sample per round.

    Each network is built afresh (the study's own models are not touched), compiled and fitted
    as sequential mode does, and warmed up by one call of its train function (compilation).
    Then `rounds` rounds each time every network, in the rotating order of `rotation`, for
    `round_batches` full batches (rounded up to whole calls of the train function), from the
    start of the first call to the end of the last; that time per batch is scaled to a whole
    epoch of `len(data.x_train)` samples. A stop ends the rounds where they are.
    """
    options = fit_options() if options is None else options
    per_call = int(options.get("steps_per_execution", 1))
    n = len(data.x_train)
    per_epoch = batches_per_epoch(n, batch_size)

    def arrays(calls: int):
        # Whole calls of full batches; a small training set is cycled through, since only the
        # time matters here.
        rows = np.arange(calls * per_call * batch_size) % n
        return np.take(data.x_train, rows, axis=0), np.take(data.y_train, rows, axis=0)

    warm_x, warm_y = arrays(1)
    x, y = arrays(-(-round_batches // per_call))
    models = {}
    for name in networks:
        if stop_event is not None and stop_event.is_set():
            return {}
        model = build_network(name, seed, head, kernels, **dataset_shapes(data))
        compile_network(model, learning_rate, options)
        model.fit(warm_x, warm_y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0)
        models[name] = model

    def time_one(name: str) -> float:
        clock = _RoundClock()
        models[name].fit(x, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0,
                         callbacks=[clock])
        return (clock.end - clock.start) / max(1, clock.batches) * per_epoch

    return timed_rounds(list(models), time_one, rounds, stop_event)

