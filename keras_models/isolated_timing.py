"""Isolated timing: what one epoch of a network would take trained alone, estimated from a short
fit. All-at-once mode trains every network in the same steps, so no network's own time can be
read off the clock; this estimate stands in for it."""

from __future__ import annotations

import threading
import time

import keras
import numpy as np

from keras_models.schemes import build_network, dataset_shapes
from keras_models.training import batches_per_epoch, compile_network, fit_options

TIMING_BATCHES = 40


class _BatchClock(keras.callbacks.Callback):
    """Records when each execution of the train function ends, and how many batches it held."""

    def __init__(self):
        super().__init__()
        self.marks: list[tuple[int, float]] = []

    def on_train_batch_end(self, batch, logs=None):
        """Note the batch count and the time."""
        self.marks.append((batch + 1, time.perf_counter()))


def isolated_seconds_per_epoch(
    networks,
    data,
    *,
    seed: int,
    head: str,
    kernels,
    batch_size: int,
    learning_rate: float,
    timed_batches: int = TIMING_BATCHES,
    stop_event: threading.Event | None = None,
    options: dict | None = None,
) -> dict[str, float]:
    """Seconds one epoch of each network takes trained alone, estimated from a short timing.

    Each network is built afresh (the study's own models are not touched), compiled and fitted
    as sequential mode does. The first call of the train function (compilation, warm-up) is
    left out; the time of `timed_batches` (rounded up to whole calls) further full batches is
    scaled to a whole epoch of `len(data.x_train)` samples. A network left out by `stop_event`
    gets no estimate.
    """
    options = fit_options() if options is None else options
    per_call = int(options.get("steps_per_execution", 1))
    n = len(data.x_train)
    # Whole calls of full batches, the first call being the warm-up; a small training set is
    # cycled through, since only the time matters here.
    calls = 1 + -(-timed_batches // per_call)
    rows = np.arange(calls * per_call * batch_size) % n
    x, y = np.take(data.x_train, rows, axis=0), np.take(data.y_train, rows, axis=0)
    per_epoch = batches_per_epoch(n, batch_size)
    estimates = {}
    for name in networks:
        if stop_event is not None and stop_event.is_set():
            break
        model = build_network(name, seed, head, kernels, **dataset_shapes(data))
        compile_network(model, learning_rate, options)
        clock = _BatchClock()
        start = time.perf_counter()
        model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False, verbose=0,
                  callbacks=[clock])
        first_batches, first_time = clock.marks[0] if len(clock.marks) > 1 else (0, start)
        last_batches, last_time = clock.marks[-1]
        seconds_per_batch = (last_time - first_time) / max(1, last_batches - first_batches)
        estimates[name] = seconds_per_batch * per_epoch
    return estimates
