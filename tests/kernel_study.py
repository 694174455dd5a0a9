"""A stored study with made-up weights for kernel tests, written with StudyWriter (no Keras)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from study.config import StudyConfig
from study.folder.writer import StudyWriter
from study.protocol.networks import NETWORKS, network_spec
from study.state import open_study

SHAPES = {"NetA1": {"conv1": (5, 5, 1, 4), "linear1": (576, 10)},
          "NetA2": {"conv1": (5, 5, 1, 4), "conv2": (3, 3, 4, 12), "linear1": (300, 10)}}


def bank_shapes(count: int, size: int) -> dict:
    """The layer shapes of both architectures for a conv1 bank of `count` size×size kernels."""
    side = (28 - size) // 2 + 1
    side2 = (side - 3) // 2 + 1
    return {"NetA1": {"conv1": (size, size, 1, count), "linear1": (count * side * side, 10)},
            "NetA2": {"conv1": (size, size, 1, count), "conv2": (3, 3, count, 12),
                      "linear1": (12 * side2 * side2, 10)}}


def write_kernel_study(root, networks=NETWORKS, epochs: int = 2, finished=None, seed: int = 0,
                       bank: str | None = None):
    """A study folder whose networks have initial and final weights like a real run's.

    HF networks keep conv1 bit-identical; every other layer moves by a small random step.
    `finished` lists the networks that get final weights (default: all); `bank` a kernel bank
    spec (default: the report's kernels). Returns its StudyState.
    """
    from keras_models.schemes import initial_weights
    from study.kernel_bank import with_bank

    rng = np.random.default_rng(seed)
    config = StudyConfig(networks=tuple(networks), epochs=epochs)
    if bank is not None:
        config = with_bank(config, bank)
    start = config.conv1_start()
    shapes = bank_shapes(*start.kernels.shape[:2]) if bank is not None else SHAPES
    writer = StudyWriter.create(root, config)
    finished = networks if finished is None else finished
    for network in networks:
        spec = network_spec(network)
        initial = initial_weights(spec, shapes[spec.architecture], seed, start)
        flat_initial = {f"{layer}/{part}": value for layer, (kernel, bias) in initial.items()
                        for part, value in (("kernel", kernel), ("bias", bias))}
        writer.save_weights(network, "initial", flat_initial)
        if network not in finished:
            continue
        flat_final = {}
        for key, value in flat_initial.items():
            if key.startswith("conv1/") and spec.conv1_frozen:
                flat_final[key] = value.copy()
            else:
                step = rng.normal(0, 0.05, size=value.shape).astype(np.float32)
                flat_final[key] = (value + step).astype(np.float32)
        writer.save_weights(network, "final", flat_final)
        for epoch in range(1, epochs + 1):
            # append_epoch reads these attributes; keras_models.training would import Keras.
            result = SimpleNamespace(epoch=epoch, train_loss=1.0, test_loss=1.0,
                                     test_accuracy=0.5, train_seconds=1.0, eval_seconds=0.1)
            writer.append_epoch(network, result)
    return open_study(writer.folder)

