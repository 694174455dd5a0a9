"""The two architectures of the study as Keras 3 functional models (docs/study.md#networks).

A builder only builds: no data, no fitting, no weights beyond Keras' own initialisers.
"""

from __future__ import annotations

import keras
from keras import layers

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


def _conv1(x, initializer):
    return layers.Conv2D(
        4, 5, strides=2, padding="valid", activation="relu", name="conv1",
        kernel_initializer=initializer, bias_initializer="zeros",
    )(x)


def _linear1(x, initializer):
    return layers.Dense(
        NUM_CLASSES, name="linear1", kernel_initializer=initializer, bias_initializer="zeros",
    )(x)


def build_net_a1(head: str = "softmax", name: str = "NetA1",
                 initializer: str = "glorot_uniform") -> keras.Model:
    """NetA1: conv1 (1→4, 5×5, stride 2, ReLU) → flatten (576) → linear1 (576→10).

    `initializer` is every kernel's initializer (biases start at zero); pass "zeros" when the
    weights are set right after building, which spares JAX compiling a random initializer.
    """
    inputs = keras.Input(shape=INPUT_SHAPE, name="image")
    x = _conv1(inputs, initializer)
    x = layers.Flatten(name="flatten")(x)
    x = _linear1(x, initializer)
    return keras.Model(inputs, _head(x, head), name=name)


def build_net_a2(head: str = "softmax", name: str = "NetA2",
                 initializer: str = "glorot_uniform") -> keras.Model:
    """NetA2: conv1 → conv2 (4→12, 3×3, stride 2, ReLU) → flatten (300) → linear1 (300→10)."""
    inputs = keras.Input(shape=INPUT_SHAPE, name="image")
    x = _conv1(inputs, initializer)
    x = layers.Conv2D(
        12, 3, strides=2, padding="valid", activation="relu", name="conv2",
        kernel_initializer=initializer, bias_initializer="zeros",
    )(x)
    x = layers.Flatten(name="flatten")(x)
    x = _linear1(x, initializer)
    return keras.Model(inputs, _head(x, head), name=name)


BUILDERS = {"NetA1": build_net_a1, "NetA2": build_net_a2}
