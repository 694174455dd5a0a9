"""Fit one network epoch by epoch; a Keras Callback turns batch hooks into events and stops.

Every network of a study sees the same batch order: epoch `e` uses the permutation drawn from
(seed, e), or the stored order when shuffling is off. In a study of several seeds each seed has
its own order, the one a one-seed study of that seed would use.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import keras
import numpy as np

from study.protocol.events import BatchProgress, EpochResult

EVAL_BATCH_SIZE = 1000


def epoch_order(n: int, seed: int, epoch: int) -> np.ndarray:
    """The sample order of `epoch` (1-based) for a study seeded `seed`: the same for all nets."""
    return np.random.default_rng([int(seed), int(epoch)]).permutation(n)


def shuffled_epoch(data, seed: int, epoch: int) -> tuple[np.ndarray, np.ndarray]:
    """The training images and labels in the order of `epoch` (see epoch_order)."""
    order = epoch_order(len(data.x_train), seed, epoch)
    # np.take gathers the same rows as x[order], about four times faster for the image array.
    return np.take(data.x_train, order, axis=0), np.take(data.y_train, order, axis=0)


def batches_per_epoch(n: int, batch_size: int) -> int:
    """Number of batches in one pass over n samples (the last one may be short)."""
    return -(-n // batch_size)


# compile() options per backend, measured on a 2-core CPU (docs/performance.md). XLA
# (jit_compile) made TensorFlow's steps 10-40 % faster; JAX compiles with XLA anyway; on torch,
# torch.compile made these small networks slower. Running 16 steps per call of the train
# function saved another 25-30 % per step in all-at-once mode, but a stop then lands after the
# call, up to 16 batches later; sequential mode keeps one step per call, so a stop lands within
# one batch there. The torch backend allows one step per call.
SEQUENTIAL_FIT_OPTIONS = {"tensorflow": {"jit_compile": True}}
ALL_AT_ONCE_FIT_OPTIONS = {
    "jax": {"steps_per_execution": 16},
    "tensorflow": {"steps_per_execution": 16, "jit_compile": True},
}


def fit_options(all_at_once: bool = False) -> dict:
    """The compile() options of the current backend for sequential or all-at-once training."""
    table = ALL_AT_ONCE_FIT_OPTIONS if all_at_once else SEQUENTIAL_FIT_OPTIONS
    return dict(table.get(keras.backend.backend(), {}))


def network_loss():
    """Cross-entropy from the model's scores (docs/study.md#training)."""
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def compile_network(model, learning_rate: float, options: dict | None = None) -> None:
    """Adam and cross-entropy from the scores (docs/study.md#training), with accuracy as the metric.

    `options` go to compile() (steps_per_execution, jit_compile); None: fit_options().
    """
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss=network_loss(),
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
        **(fit_options() if options is None else options),
    )


class Diverged(RuntimeError):
    """The training loss became NaN or infinite at `epoch`, `batch` (1-based)."""

    def __init__(self, network: str, seed: int | None, epoch: int, batch: int, loss: float,
                 outcome: str = "it stops there with its last completed epoch"):
        self.network, self.seed, self.epoch, self.batch, self.loss = (
            network, None if seed is None else int(seed), int(epoch), int(batch), float(loss))
        who = network if seed is None else f"{network} (seed {self.seed})"
        super().__init__(f"{who} diverged: training loss {self.loss} at epoch {self.epoch}, "
                         f"batch {self.batch}; {outcome} (try a smaller learning rate)")


class EventCallback(keras.callbacks.Callback):
    """Reports batch progress (throttled) and stops training within one batch when asked."""

    def __init__(self, network: str, batches: int, emit: Callable, stop_event: threading.Event,
                 min_interval: float = 0.25, seed: int = 0):
        super().__init__()
        self.network = network
        self.seed = int(seed)
        self.batches = batches
        self.emit = emit
        self.stop_event = stop_event
        self.min_interval = min_interval
        self.epoch = 0
        self.stopped = False
        self.diverged: Diverged | None = None
        self._start = 0.0
        self._last = 0.0

    def begin_epoch(self, epoch: int) -> None:
        """Set the study epoch number (fit is called once per epoch, so Keras' own is always 0)."""
        self.epoch = epoch
        self._start = self._last = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        """Stop when asked or when the loss is no longer finite; otherwise tell the progress a
        few times a second at most."""
        if self.stop_event.is_set() or self.check_divergence(batch, logs or {}):
            self.stopped = True
            self.model.stop_training = True
            return
        now = time.perf_counter()
        # With steps_per_execution, Keras names the last step a call could hold, even when the
        # epoch's last call holds fewer: count no further than the epoch's batches.
        done = min(batch + 1, self.batches) if self.batches else batch + 1
        if now - self._last >= self.min_interval or done == self.batches:
            self._last = now
            self.report_progress(done, now - self._start)

    def check_divergence(self, batch: int, logs) -> bool:
        """True (and `diverged` set) when the training loss so far is NaN or infinite."""
        loss = logs.get("loss")
        if loss is None:
            return False
        loss = float(np.asarray(loss))
        if np.isfinite(loss):
            return False
        self.diverged = Diverged(self.network, self.seed, self.epoch, batch + 1, loss)
        return True

    def report_progress(self, batch: int, seconds: float) -> None:
        """Emit BatchProgress: `batch` batches of this epoch are done after `seconds`."""
        self.emit(BatchProgress(self.network, self.epoch, batch, self.batches, seconds,
                                self.seed))


def epoch_arrays(data, seed: int, epoch: int, shuffle: bool) -> tuple[np.ndarray, np.ndarray]:
    """The training images and labels of `epoch` for seed `seed`: shuffled, or as stored."""
    return shuffled_epoch(data, seed, epoch) if shuffle else (data.x_train, data.y_train)


def fit_epochs(model, data, *, epochs: int, batch_size: int, seed: int, shuffle: bool,
               callback, stop_event: threading.Event, arrays: Callable | None = None,
               first_epoch: int = 1, check_loss: bool = True):
    """Fit one epoch at a time; yield (epoch, history, train_seconds) for each completed one.

    Every network of a seed sees the same batches (epoch_order). When `callback` stops an epoch
    part-way, the weights go back to where the last completed epoch left them and the loop ends,
    so saved weights and predictions match the recorded metrics. `arrays(epoch)` gives the
    (x, y) fit takes (for the combined model: images per seed input, labels per branch); by
    default the epoch's images and labels of `seed` (epoch_arrays). A resumed study starts at
    `first_epoch` (its model restored from the checkpoint of the epoch before). `check_loss`
    False leaves the epoch's whole loss unchecked (the combined model checks each branch's).
    """
    if arrays is None:
        def arrays(epoch):
            return epoch_arrays(data, seed, epoch, shuffle)

    completed_weights = model.get_weights()
    for epoch in range(first_epoch, epochs + 1):
        if stop_event.is_set():
            return
        x, y = arrays(epoch)
        callback.begin_epoch(epoch)
        t0 = time.perf_counter()
        history = model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=False,
                            verbose=0, callbacks=[callback])
        train_seconds = time.perf_counter() - t0
        del x, y
        if callback.stopped:
            model.set_weights(completed_weights)
            if getattr(callback, "diverged", None) is not None:
                raise callback.diverged
            return
        loss = float(history.history["loss"][-1]) if history.history.get("loss") else 0.0
        if check_loss and getattr(callback, "diverged", None) is None and not np.isfinite(loss):
            # A loss that turned non-finite on the epoch's last step(s) (seen only here when
            # several steps run per callback).
            model.set_weights(completed_weights)
            raise Diverged(callback.network, callback.seed, epoch, callback.batches, loss)
        completed_weights = model.get_weights()
        yield epoch, history, train_seconds


def train_network(
    model,
    network: str,
    data,
    *,
    epochs: int,
    batch_size: int,
    learning_rate: float,
    seed: int,
    shuffle: bool,
    emit: Callable,
    stop_event: threading.Event,
    on_epoch: Callable[[EpochResult], None],
    eval_batch_size: int = EVAL_BATCH_SIZE,
    options: dict | None = None,
    first_epoch: int = 1,
    restore: Callable | None = None,
) -> list[EpochResult]:
    """Train `model` for up to `epochs`, evaluating on the test set after each epoch.

    `data` has x_train, y_train, x_test, y_test. `on_epoch` is called with each completed epoch;
    an epoch cut short by `stop_event` is not reported (see fit_epochs). Returns the completed
    epochs. A resumed network starts at `first_epoch`, after `restore(model)` has loaded its
    checkpoint into the compiled model.
    """
    compile_network(model, learning_rate, options)
    if restore is not None:
        restore(model)
    n = len(data.x_train)
    callback = EventCallback(network, batches_per_epoch(n, batch_size), emit, stop_event,
                             seed=seed)
    results = []
    for epoch, history, train_seconds in fit_epochs(
        model, data, epochs=epochs, batch_size=batch_size, seed=seed, shuffle=shuffle,
        callback=callback, stop_event=stop_event, first_epoch=first_epoch,
    ):
        t1 = time.perf_counter()
        test_loss, test_accuracy = model.evaluate(
            data.x_test, data.y_test, batch_size=eval_batch_size, verbose=0
        )
        result = EpochResult(
            epoch=epoch,
            train_loss=float(history.history["loss"][-1]),
            test_loss=float(test_loss),
            test_accuracy=float(test_accuracy),
            train_seconds=train_seconds,
            eval_seconds=time.perf_counter() - t1,
        )
        results.append(result)
        on_epoch(result)
    return results


def predict_classes(model, images, batch_size: int = EVAL_BATCH_SIZE) -> np.ndarray:
    """The class each image is given (argmax of the model's scores)."""
    scores = model.predict(images, batch_size=batch_size, verbose=0)
    return np.asarray(scores).argmax(axis=1)
