"""Schemes HF/HT/DT, the six networks, their shared initial weights, the init identity report.

Each layer's initial tensor is derived from the study seed and the layer's *role* (for example
"conv1/default" or "NetA2/linear1"), so a role gets the same tensor in every network that has it
(docs/study.md#initial-weights). The identity report is then computed from the built models'
actual weights.
"""

from __future__ import annotations

import zlib

import numpy as np

from study.protocol import banks
from study.protocol.networks import (
    INPUT_SHAPE,
    NUM_CLASSES,
    TRAINABLE_LAYERS,
    NetworkSpec,
    network_spec,
)


def _role_rng(seed: int, role: str) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(seed), zlib.crc32(role.encode())]))


def glorot_uniform(shape, seed: int, role: str) -> np.ndarray:
    """Keras' Glorot-uniform rule (limit √(6/(fan_in+fan_out))), drawn from (seed, role)."""
    receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    fan_in, fan_out = shape[-2] * receptive, shape[-1] * receptive
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return _role_rng(seed, role).uniform(-limit, limit, size=shape).astype(np.float32)


def initial_weights(spec: NetworkSpec, shapes: dict, seed: int, kernels=None) -> dict:
    """Initial weights of one network, by layer name: {"conv1": [kernel, bias], …}.

    `shapes` maps a layer name to its kernel shape; `kernels` is conv1's bank (N, k, k) or a
    banks.Conv1Start (kernels and bias), the report's when None.
    """
    start = banks.conv1_start(kernels)
    weights = {}
    for layer, kernel_shape in shapes.items():
        out = kernel_shape[-1]
        bias = np.zeros((out,), np.float32)
        if layer == "conv1" and spec.byhand_conv1:
            # One copy per input channel, divided by their count (banks.conv_kernel).
            kernel = banks.conv_kernel(start.kernels, kernel_shape[2])
            if start.bias is not None:
                bias = start.bias.copy()
        elif layer == "conv1":
            kernel = glorot_uniform(kernel_shape, seed, "conv1/default")
        elif layer == "conv2":
            kernel = glorot_uniform(kernel_shape, seed, "conv2")
        else:
            kernel = glorot_uniform(kernel_shape, seed, f"{spec.architecture}/{layer}")
        weights[layer] = [kernel, bias]
    return weights


def dataset_shapes(dataset) -> dict:
    """The build_network arguments a dataset sets: its images' (H, W, C) and its class count."""
    return {"input_shape": tuple(int(d) for d in dataset.x_train.shape[1:]),
            "num_classes": int(getattr(dataset, "num_classes", NUM_CLASSES))}


def build_network(name: str, seed: int, head: str = "softmax", kernels=None,
                  input_shape=INPUT_SHAPE, num_classes: int = NUM_CLASSES):
    """Build one of the six networks with its scheme's initial weights and conv1 frozen for HF;
    `input_shape` (H, W, C) and `num_classes` are the dataset's (the report's by default)."""
    from keras_models.architectures import BUILDERS

    spec = network_spec(name)
    start = banks.conv1_start(kernels)
    count, size = start.kernels.shape[0], start.kernels.shape[1]
    # Every weight is assigned below, so Keras' own random draw would only cost time.
    model = BUILDERS[spec.architecture](head=head, name=name, initializer="zeros",
                                        kernel_count=count, kernel_size=size,
                                        input_shape=input_shape, num_classes=num_classes)
    shapes = {
        layer.name: tuple(layer.kernel.shape)
        for layer in model.layers
        if layer.name in TRAINABLE_LAYERS
    }
    # Freeze before assigning: on torch, assign() inside a device scope leaves a non-leaf
    # tensor whose requires_grad can no longer be changed.
    model.get_layer("conv1").trainable = not spec.conv1_frozen
    for layer_name, values in initial_weights(spec, shapes, seed, start).items():
        model.get_layer(layer_name).set_weights(values)
    return model


def layer_weights(model) -> dict[str, list[np.ndarray]]:
    """The model's current weights by layer name, as numpy arrays: {"conv1": [kernel, bias], …}."""
    return {
        layer.name: [np.array(w) for w in layer.get_weights()]
        for layer in model.layers
        if layer.name in TRAINABLE_LAYERS
    }
