"""The two architectures of the study as Keras 3 functional models (docs/study.md#networks).

A builder only builds: no data, no fitting, no weights beyond Keras' own initialisers.
"""

from __future__ import annotations

import keras
from keras import layers

from study.protocol.banks import CONV1_STRIDE, conv1_side, largest_kernel_size
from study.protocol.byhand import KERNEL_COUNT, KERNEL_SIZE
from study.protocol.networks import ARCHITECTURES, HEADS, INPUT_SHAPE, NUM_CLASSES  # noqa: F401


def _head(x, head: str):
    """The model's output from linear1's scores.

    softmax: the scores themselves (logits); the loss applies the softmax over the classes.
    report:  the report's flawed head, ReLU then softmax over the *batch* axis; its loss then
             treats those probabilities as logits, as PyTorch's CrossEntropyLoss did.
    """
    if head == "softmax":
        return x
    if head == "report":
        x = layers.ReLU(name="head_relu")(x)
        return layers.Softmax(axis=0, name="head_batch_softmax")(x)
    raise ValueError(f"head must be one of {', '.join(HEADS)}, got {head!r}")


def _checked_size(architecture: str, count: int, size: int) -> None:
    """Refuse a conv1 the 28×28 input and the strides cannot take, naming the sizes that fit."""
    largest = largest_kernel_size((architecture,))
    if not isinstance(size, int) or size < 1 or size % 2 == 0 or size > largest:
        raise ValueError(f"{architecture} cannot take a {size}×{size} conv1 kernel: odd sizes "
                         f"from 1 to {largest} fit the 28×28 input and the strides")
    if not isinstance(count, int) or count < 1:
        raise ValueError(f"conv1 needs at least one kernel, got {count}")


def _conv1(x, initializer, count: int = KERNEL_COUNT, size: int = KERNEL_SIZE):
    return layers.Conv2D(
        count, size, strides=CONV1_STRIDE, padding="valid", activation="relu", name="conv1",
        kernel_initializer=initializer, bias_initializer="zeros",
    )(x)


def _linear1(x, initializer):
    return layers.Dense(
        NUM_CLASSES, name="linear1", kernel_initializer=initializer, bias_initializer="zeros",
    )(x)


def build_net_a1(head: str = "softmax", name: str = "NetA1", initializer: str = "glorot_uniform",
                 kernel_count: int = KERNEL_COUNT, kernel_size: int = KERNEL_SIZE) -> keras.Model:
    """NetA1: conv1 (1→N, k×k, stride 2, ReLU) → flatten (N·s², 576 for 4 and 5) → linear1 (→10).

    `initializer` is every kernel's initializer (biases start at zero); pass "zeros" when the
    weights are set right after building, which spares JAX compiling a random initializer.
    """
    _checked_size("NetA1", kernel_count, kernel_size)
    inputs = keras.Input(shape=INPUT_SHAPE, name="image")
    x = _conv1(inputs, initializer, kernel_count, kernel_size)
    x = layers.Flatten(name="flatten")(x)
    x = _linear1(x, initializer)
    return keras.Model(inputs, _head(x, head), name=name)


def build_net_a2(head: str = "softmax", name: str = "NetA2", initializer: str = "glorot_uniform",
                 kernel_count: int = KERNEL_COUNT, kernel_size: int = KERNEL_SIZE) -> keras.Model:
    """NetA2: conv1 → conv2 (N→12, 3×3, stride 2, ReLU) → flatten (300 for 5×5) → linear1 (→10)."""
    _checked_size("NetA2", kernel_count, kernel_size)
    inputs = keras.Input(shape=INPUT_SHAPE, name="image")
    x = _conv1(inputs, initializer, kernel_count, kernel_size)
    x = layers.Conv2D(
        12, 3, strides=2, padding="valid", activation="relu", name="conv2",
        kernel_initializer=initializer, bias_initializer="zeros",
    )(x)
    x = layers.Flatten(name="flatten")(x)
    x = _linear1(x, initializer)
    return keras.Model(inputs, _head(x, head), name=name)


def flatten_size(architecture: str, kernel_count: int = KERNEL_COUNT,
                 kernel_size: int = KERNEL_SIZE) -> int:
    """The flatten layer's width: conv1's (or conv2's) output side squared times its channels."""
    side = conv1_side(kernel_size)
    if architecture == "NetA1":
        return side * side * kernel_count
    side = (side - 3) // 2 + 1
    return side * side * 12


BUILDERS = {"NetA1": build_net_a1, "NetA2": build_net_a2}
