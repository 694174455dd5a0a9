"""All-at-once mode: the selected networks (× seeds) as branches of one Keras model, one fit.

Each branch is made of one network's own layers for one seed, built by build_network exactly
as in sequential mode: its conv1 (frozen for HF), conv2, linear1 and head, its initial weights
(drawn from that seed), its loss and its accuracy; `layer_weights(combined.branch(net, seed))`
gives the weights the store saves as that network's. Each seed has its own image input, fed
that seed's batch order (a multi-seed study is N one-seed studies run side by side). All
conv1 layers of one seed see the same image, so they run as one convolution (SharedConv1)
whose output is split back per branch; the rest of each branch (BranchTail) runs on its slice.
The outputs are a dict keyed by branch name ("NetA1-HF", or "NetA1-HF_s3" with several seeds),
with one loss per output: the total loss is their sum and no variable is shared between
branches, so each branch gets the gradients, and therefore the Adam updates, it would get
trained alone. Every branch sees the batches of sequential mode (shuffled_epoch) for its seed.

Several seeds, measured before choosing (2-core CPU shared with other jobs, JAX, six networks,
batch 128, steps_per_execution 16, ms per training step): one seed 5.9; five seeds as 30
branches (this module) 30-49; five seeds with every variable stacked along a seed axis, each
layer one operation for all seeds, 61-77 when conv1/conv2 were patch gathers and batched
matmuls, and worse with grouped convolutions (conv1 of five seeds as one grouped convolution
took 273 ms forward and backward, against 3 ms for one seed's plain one); XLA's older fused CPU
runtime (XLA_FLAGS=--xla_cpu_use_thunk_runtime=false) gave 30 ms per step for five seeds on
12,800 images but 28.6 s per full-data epoch instead of 16.4, so it was not kept. Unlike one seed's
step, a step of several seeds is not dominated by per-operation overhead: five seeds push five
times the images through conv1, whose maps are the largest tensors of the step. The branches
were kept.

Not to be tried again without new evidence (docs/performance.md#what-was-tried): joining one seed's
tails into block-structured operations (NetA1's three linear1 as one block-diagonal matmul, NetA2's
conv2 as one convolution with a block-diagonal kernel) gave nothing on JAX and 15-20 % on torch, but
the structural zeros carry a diverged branch's NaN into every other branch of its group (NaN × 0 is
NaN), which breaks per-branch divergence; without zeros (a batched einsum, a grouped conv2) torch
and TensorFlow were slower. benchmarks/benchmark.py --seeds-scaling fits a step's cost as fixed +
per seed: on a 2-core CPU the per-seed part is nearly all of it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import keras
import numpy as np

from keras_models.schemes import build_network
from keras_models.training import (
    EVAL_BATCH_SIZE,
    Diverged,
    EpochResult,
    EventCallback,
    batches_per_epoch,
    epoch_arrays,
    fit_epochs,
    fit_options,
    network_loss,
)
from study.protocol.events import BatchProgress
from study.protocol.networks import INPUT_SHAPE, NUM_CLASSES

COMBINED_NAME = "all_at_once"


def branch_name(network: str, seed: int, seeds) -> str:
    """The branch (and output) name of one network and seed: the network alone in a one-seed
    study, else "NET_sS" (a valid Keras and TensorFlow scope name; the torch backend needs unique
    variable paths)."""
    return network if len(tuple(seeds)) <= 1 else f"{network}_s{int(seed)}"


def input_name(seed: int, seeds) -> str:
    """The image input of one seed: "image" in a one-seed study, else "image_sS"."""
    return "image" if len(tuple(seeds)) <= 1 else f"image_s{int(seed)}"


@dataclass
class CombinedNetworks:
    """One Keras model whose branches are the selected networks' own models, one per seed.

    `branches` maps a branch name (branch_name) to that network's model for that seed;
    `members` maps the branch name to its (network, seed); `inputs` maps each seed to its
    image input's name (each seed has its own batch order, so its own input).
    """

    model: keras.Model
    branches: dict[str, keras.Model]
    members: dict[str, tuple[str, int]] = field(default_factory=dict)
    inputs: dict[int, str] = field(default_factory=dict)

    def __post_init__(self):
        if not self.members:
            self.members = {name: (name, 0) for name in self.branches}
        if not self.inputs:
            self.inputs = {seed: "image" for seed in dict.fromkeys(s for _, s in
                                                                   self.members.values())}

    @property
    def networks(self) -> tuple[str, ...]:
        """The networks, in branch order (each once, however many seeds)."""
        return tuple(dict.fromkeys(network for network, _ in self.members.values()))

    @property
    def seeds(self) -> tuple[int, ...]:
        """The seeds, in branch order."""
        return tuple(dict.fromkeys(seed for _, seed in self.members.values()))

    def branch(self, network: str, seed: int) -> keras.Model:
        """The model of one network and seed."""
        return self.branches[branch_name(network, seed, self.seeds)]


@dataclass(frozen=True)
class CombinedEpoch:
    """One epoch of all branches: each (network, seed)'s result and the shared step's times."""

    epoch: int
    results: dict[tuple[str, int], EpochResult]
    shared_train_seconds: float
    shared_eval_seconds: float


def build_combined(networks, seed: int, head: str = "softmax", kernels=None,
                   seeds=None, input_shape=INPUT_SHAPE,
                   num_classes: int | None = None) -> CombinedNetworks:
    """Build each network for each seed (`seeds`, or just `seed`) exactly as sequential mode
    does, and join them in one model with one image input per seed; `input_shape` and
    `num_classes` are the dataset's (the report's by default)."""
    shapes = {"input_shape": tuple(input_shape), "num_classes": num_classes or NUM_CLASSES}
    networks = tuple(networks)
    seeds = tuple(seeds) if seeds else (int(seed),)
    if not networks:
        raise ValueError("all-at-once mode needs at least one network")
    branches, members = {}, {}
    for s in seeds:
        for name in networks:
            key = branch_name(name, s, seeds)
            # Prefix the variable paths with the branch: the torch backend registers a model's
            # parameters by path, and six unprefixed "conv1/kernel"s would collide there,
            # leaving five branches' gradients never zeroed between steps.
            with keras.name_scope(key):
                branches[key] = build_network(name, s, head, kernels, **shapes)
            members[key] = (name, s)
    return join_branches(branches, members)


def join_branches(branches: Mapping[str, keras.Model],
                  members: Mapping[str, tuple[str, int]] | None = None) -> CombinedNetworks:
    """One functional model running every branch on its seed's image input; outputs by branch.

    `members` maps a branch name to its (network, seed) (None: every branch is its own network,
    seed 0). The conv1 layers of one seed's branches run as one convolution (SharedConv1).
    """
    branches = dict(branches)
    members = dict(members) if members else {name: (name, 0) for name in branches}
    seeds = tuple(dict.fromkeys(seed for _, seed in members.values()))
    # Every branch takes the dataset's images: the first branch's input says their shape.
    shape = tuple(next(iter(branches.values())).inputs[0].shape[1:])
    inputs = {seed: keras.Input(shape=shape, name=input_name(seed, seeds)) for seed in seeds}
    outputs = {}
    for seed in seeds:
        names = [name for name in branches if members[name][1] == seed]
        shared = SharedConv1([branches[name].get_layer("conv1") for name in names],
                             name="conv1_shared" if len(seeds) == 1 else f"conv1_shared_s{seed}")
        for name, conv1_output in zip(names, shared(inputs[seed]), strict=True):
            outputs[name] = BranchTail(branches[name], name=name)(conv1_output)
    outputs = {name: outputs[name] for name in branches}
    model_inputs = inputs[seeds[0]] if len(seeds) == 1 else {
        input_name(seed, seeds): tensor for seed, tensor in inputs.items()}
    return CombinedNetworks(keras.Model(model_inputs, outputs, name=COMBINED_NAME), branches,
                            members, {seed: input_name(seed, seeds) for seed in seeds})


class SharedConv1(keras.layers.Layer):
    """Every branch's conv1 computed as one convolution of the shared image.

    The kernels and biases stay the branches' own variables (a frozen conv1 stays frozen); they
    are only concatenated along the output channels for the call. Measured on a 2-core CPU, a
    shared step of the six networks took 7 ms instead of 14 on JAX, 13 instead of 20 on
    TensorFlow and 37 instead of 44 on torch: XLA's convolution costs about as much for 24
    output channels as for 4.
    """

    def __init__(self, conv1_layers, name: str = "conv1_shared", **kwargs):
        super().__init__(name=name, **kwargs)
        self.branch_conv1 = list(conv1_layers)
        first = self.branch_conv1[0]
        for layer in self.branch_conv1:
            settings = (layer.strides, layer.padding, layer.data_format, layer.dilation_rate,
                        layer.activation, layer.use_bias)
            if settings != (first.strides, first.padding, first.data_format,
                            first.dilation_rate, first.activation, first.use_bias):
                raise ValueError(f"conv1 layers differ ({layer.name}); they cannot share a call")
        self.built = True

    def call(self, images):
        """The shared convolution, split back into each branch's conv1 output."""
        first = self.branch_conv1[0]
        kernel = keras.ops.concatenate([layer.kernel for layer in self.branch_conv1], axis=-1)
        outputs = first.convolution_op(images, kernel)
        if first.use_bias:
            bias = keras.ops.concatenate([layer.bias for layer in self.branch_conv1], axis=0)
            outputs = keras.ops.add(outputs, keras.ops.reshape(bias, (1, 1, 1, -1)))
        outputs = first.activation(outputs)
        sizes = [layer.filters for layer in self.branch_conv1]
        starts = [sum(sizes[:index]) for index in range(len(sizes))]
        return [outputs[..., start:start + size]
                for start, size in zip(starts, sizes, strict=True)]

    def compute_output_shape(self, input_shape):
        """One conv1 output shape per branch."""
        return [layer.compute_output_shape(input_shape) for layer in self.branch_conv1]


class BranchTail(keras.layers.Layer):
    """One network's own layers after conv1 (conv2, flatten, linear1, head), in order."""

    def __init__(self, branch: keras.Model, name: str, **kwargs):
        super().__init__(name=name, **kwargs)
        chain = [layer for layer in branch.layers if not isinstance(layer, keras.layers.InputLayer)]
        if not chain or chain[0].name != "conv1":
            raise ValueError(f"{branch.name}: expected conv1 right after the input")
        self.tail = chain[1:]
        self.built = True

    def call(self, conv1_output):
        """Run the branch's layers after conv1."""
        x = conv1_output
        for layer in self.tail:
            x = layer(x)
        return x

    def compute_output_shape(self, input_shape):
        """The shape of the branch's scores."""
        for layer in self.tail:
            input_shape = layer.compute_output_shape(input_shape)
        return input_shape


def compile_combined(combined: CombinedNetworks, learning_rate: float,
                     options: dict | None = None) -> None:
    """One Adam over all branches; per branch the loss and accuracy of compile_network."""
    names = tuple(combined.branches)
    combined.model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss={name: network_loss() for name in names},
        metrics={name: [keras.metrics.SparseCategoricalAccuracy(name="accuracy"), BranchLoss()]
                 for name in names},
        **(fit_options(all_at_once=True) if options is None else options),
    )


class BranchLoss(keras.metrics.Mean):
    """A branch's loss averaged over the samples seen, weighted by batch size.

    This is what Keras' own "loss" reports for a network trained alone. Keras' per-output
    "NET_loss" is weighted by the batch's static size, which the TensorFlow backend does not
    know for a traced step, so there a short last batch would count as much as a full one.
    """

    def __init__(self, name: str = "mean_loss"):
        super().__init__(name=name)
        self.loss_fn = network_loss()

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Add one batch's mean loss, weighted by the number of samples in the batch."""
        batch = keras.ops.cast(keras.ops.shape(y_true)[0], self.dtype)
        return super().update_state(self.loss_fn(y_true, y_pred), sample_weight=batch)


BRANCH_DIVERGED = ("it stops there with its last completed epoch; the other networks go on "
                   "(in all-at-once mode too: each branch has its own loss and weights)")


class CombinedEventCallback(EventCallback):
    """EventCallback for a shared step: progress is reported for every branch at once, and a
    non-finite loss is looked for in each branch's own loss.

    `branches` maps each branch name to its (network, seed); those in `gave_up` diverged before
    (a resumed study) and are no longer watched. A branch whose loss turns NaN or infinite is
    recorded in `branch_diverged` (its name → Diverged) and training goes on: the total loss is a
    sum and no variable is shared, so the other branches' gradients do not see its NaN. Only when
    every branch has diverged does the epoch stop.
    """

    def __init__(self, branches, batches: int, emit: Callable, stop_event: threading.Event,
                 min_interval: float = 0.25, gave_up=()):
        branches = dict(branches)
        members = tuple(branches.values())
        super().__init__(",".join(dict.fromkeys(n for n, _ in members)), batches, emit,
                         stop_event, min_interval)
        self.branches = branches
        self.members = members
        self.gave_up = set(gave_up)
        self.branch_diverged: dict[str, Diverged] = {}

    def live(self) -> list[str]:
        """The branches still watched: neither given up before nor diverged in this run."""
        return [name for name in self.branches
                if name not in self.gave_up and name not in self.branch_diverged]

    def check_divergence(self, batch: int, logs) -> bool:
        """Record each branch whose loss so far is not finite; True once none is left."""
        single = len(self.branches) == 1
        for name in self.live():
            value = branch_loss(logs, name, single)
            if value is not None and not np.isfinite(value):
                network, seed = self.branches[name]
                self.branch_diverged[name] = Diverged(network, seed, self.epoch, batch + 1,
                                                      value, outcome=BRANCH_DIVERGED)
        return not self.live()

    def report_progress(self, batch: int, seconds: float) -> None:
        """One BatchProgress per live (network, seed), since all advanced by the same batch."""
        for name in self.live():
            network, seed = self.branches[name]
            self.emit(BatchProgress(network, self.epoch, batch, self.batches, seconds, seed))


def branch_loss(logs: Mapping, name: str, single: bool) -> float | None:
    """A branch's training loss so far in Keras' logs ("NET_loss"; a lone output's "loss")."""
    for key in (f"{name}_loss", f"{name}_mean_loss") + (("loss",) if single else ()):
        if key in logs:
            return float(np.asarray(logs[key]))
    return None


def _logs_value(logs: Mapping, name: str, metric: str, single: bool) -> float:
    """A branch's metric from Keras' logs ("NET_loss"; a lone output's is plain "loss")."""
    key = f"{name}_{metric}"
    if key in logs:
        return float(logs[key])
    if single and metric in logs:
        return float(logs[metric])
    raise KeyError(f"Keras reported no {key!r}; it reported {sorted(logs)}")


def combined_arrays(combined: CombinedNetworks, data, epoch: int, shuffle: bool):
    """(x, y) of one epoch for fit: each seed's images in that seed's order (one input per
    seed), and each branch's labels in its seed's order."""
    per_seed = {seed: epoch_arrays(data, seed, epoch, shuffle) for seed in combined.seeds}
    y = {name: per_seed[seed][1] for name, (_, seed) in combined.members.items()}
    if len(per_seed) == 1:
        return next(iter(per_seed.values()))[0], y
    return {combined.inputs[seed]: x for seed, (x, _) in per_seed.items()}, y


def _test_inputs(combined: CombinedNetworks, images):
    """The same test images for every seed's input."""
    if len(combined.inputs) == 1:
        return images
    return dict.fromkeys(combined.inputs.values(), images)


def train_combined(
    combined: CombinedNetworks,
    data,
    *,
    epochs: int,
    batch_size: int,
    learning_rate: float,
    shuffle: bool,
    emit: Callable,
    stop_event: threading.Event,
    on_epoch: Callable[[CombinedEpoch], None],
    seconds_per_epoch: Mapping[str, float] | Callable[[], Mapping] | None = None,
    eval_batch_size: int = EVAL_BATCH_SIZE,
    progress_interval: float = 0.25,
    options: dict | None = None,
    first_epoch: int = 1,
    restore: Callable | None = None,
    gave_up=(),
    on_diverged: Callable[[str, int, Diverged], None] | None = None,
) -> list[CombinedEpoch]:
    """Train every branch for up to `epochs` with one fit per epoch, then evaluate each.

    Each seed's branches see that seed's batches (epoch_order(n, seed, epoch)), as a one-seed
    study of that seed would. Each result's train_seconds is `seconds_per_epoch[network]` (its
    isolated-timing estimate, keras_models.isolated_timing), since the shared step's wall time
    belongs to no single network; without it the shared time is used. `seconds_per_epoch` may
    be a function giving the estimates, called when the first epoch has trained (so that the
    timing does not delay the first batch). eval_seconds is the
    shared evaluation's time split evenly over the branches. An epoch cut short by
    `stop_event` is not reported (see fit_epochs). Results are keyed by (network, seed). A
    resumed study starts at `first_epoch`, after `restore(model)` has loaded the checkpoint.

    A branch whose training loss turns NaN or infinite stops there, as in sequential mode: its
    weights go back to its last completed epoch, `on_diverged(network, seed, Diverged)` is called
    once (the branch's weights are then the ones to keep), and it has no result from that epoch
    on. The other branches go on. The (network, seed)s in `gave_up` (diverged before a resume)
    have no results at all.
    """
    compile_combined(combined, learning_rate, options)
    if restore is not None:
        restore(combined.model)
    members = combined.members
    gave_up = {name for name, member in members.items() if member in set(gave_up)}
    callback = CombinedEventCallback(members, batches_per_epoch(len(data.x_train), batch_size),
                                     emit, stop_event, progress_interval, gave_up=gave_up)
    rollback = _Rollback(combined, callback.live(), on_diverged)
    completed = []
    single = len(members) == 1
    for epoch, history, train_seconds in fit_epochs(
        combined.model, data, epochs=epochs, batch_size=batch_size, seed=combined.seeds[0],
        shuffle=shuffle, callback=callback, stop_event=stop_event,
        arrays=lambda epoch: combined_arrays(combined, data, epoch, shuffle),
        first_epoch=first_epoch, check_loss=False,
    ):
        t1 = time.perf_counter()
        test_logs = combined.model.evaluate(
            _test_inputs(combined, data.x_test), dict.fromkeys(members, data.y_test),
            batch_size=eval_batch_size, verbose=0, return_dict=True,
        )
        eval_seconds = time.perf_counter() - t1
        train_logs = {key: values[-1] for key, values in history.history.items()}
        _note_late_divergence(callback, train_logs, epoch, single)
        rollback.give_up(callback.branch_diverged)
        live = callback.live()
        if not live:
            break
        per_network = (seconds_per_epoch() if callable(seconds_per_epoch)
                       else seconds_per_epoch) or {}
        shared = _combined_epoch(members, live, epoch, (train_logs, test_logs),
                                 (train_seconds, eval_seconds), per_network)
        rollback.keep(live)
        completed.append(shared)
        on_epoch(shared)
    # Every branch diverged part-way through an epoch (fit_epochs has put all weights back).
    rollback.give_up(callback.branch_diverged)
    return completed


def _combined_epoch(members: Mapping, live, epoch: int, logs: tuple[Mapping, Mapping],
                    seconds: tuple[float, float], per_network: Mapping) -> CombinedEpoch:
    """Each live branch's result of one epoch: its losses and accuracy from the (train, test)
    logs, its network's isolated-timing estimate (else the shared training time) and an even
    share of the shared evaluation time."""
    (train_logs, test_logs), (train_seconds, eval_seconds) = logs, seconds
    single = len(members) == 1
    results = {
        members[name]: EpochResult(
            epoch=epoch,
            train_loss=_logs_value(train_logs, name, "mean_loss", single),
            test_loss=_logs_value(test_logs, name, "mean_loss", single),
            test_accuracy=_logs_value(test_logs, name, "accuracy", single),
            train_seconds=float(per_network.get(members[name][0], train_seconds)),
            eval_seconds=eval_seconds / len(live),
        )
        for name in live
    }
    return CombinedEpoch(epoch, results, train_seconds, eval_seconds)


def _note_late_divergence(callback: CombinedEventCallback, train_logs: Mapping, epoch: int,
                          single: bool) -> None:
    """Record a branch whose loss turned non-finite on the epoch's last step(s), seen only in
    the epoch's logs."""
    for name in callback.live():
        loss = _logs_value(train_logs, name, "mean_loss", single)
        if not np.isfinite(loss):
            callback.branch_diverged[name] = Diverged(
                *callback.branches[name], epoch, callback.batches, loss, outcome=BRANCH_DIVERGED)


class _Rollback:
    """Each live branch's weights after its last completed epoch, to go back to when it
    diverges; a diverged branch is put back and reported once."""

    def __init__(self, combined: CombinedNetworks, live, on_diverged: Callable | None):
        self.combined = combined
        self.on_diverged = on_diverged
        self.good: dict[str, list] = {}
        self.reported: set[str] = set()
        self.keep(live)

    def keep(self, live) -> None:
        """Remember the weights of the `live` branches, which completed an epoch."""
        self.good = {name: self.combined.branches[name].get_weights() for name in live}

    def give_up(self, diverged: Mapping[str, Diverged]) -> None:
        """Put each newly diverged branch back to its last good weights and report it."""
        for name, why in diverged.items():
            if name in self.reported:
                continue
            self.combined.branches[name].set_weights(self.good.pop(name))
            self.reported.add(name)
            if self.on_diverged is not None:
                self.on_diverged(*self.combined.members[name], why)


def predict_combined(combined: CombinedNetworks, images,
                     batch_size: int = EVAL_BATCH_SIZE) -> dict[tuple[str, int], np.ndarray]:
    """Each (network, seed)'s predicted classes for `images`, from one pass of the model."""
    scores = combined.model.predict(_test_inputs(combined, images), batch_size=batch_size,
                                    verbose=0)
    if not isinstance(scores, Mapping):
        scores = {next(iter(combined.members)): scores}
    return {member: np.asarray(scores[name]).argmax(axis=1)
            for name, member in combined.members.items()}
