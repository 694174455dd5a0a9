"""The two architectures of the study as Keras 3 functional models (docs/study.md#networks).

A builder only builds: no data, no fitting, no weights beyond Keras' own initialisers.
"""

from __future__ import annotations

import keras
from keras import layers

from study.protocol.banks import CONV1_STRIDE, conv1_side, input_problems, largest_kernel_size
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


def _checked_size(architecture: str, count: int, size: int, input_shape=INPUT_SHAPE,
                  num_classes: int = NUM_CLASSES) -> None:
    """Refuse a conv1 the input and the strides cannot take, naming the sizes that fit."""
    side = min(input_shape[:2])
    largest = largest_kernel_size((architecture,), side)
    if isinstance(size, int) and size % 2 and size <= largest_kernel_size((architecture,)):
        # A kernel the report's input takes: the images are what is too small.
        problems = input_problems(input_shape, (architecture,), size)
        if problems:
            raise ValueError(problems[0])
    if not isinstance(size, int) or size < 1 or size % 2 == 0 or size > largest:
        raise ValueError(f"{architecture} cannot take a {size}×{size} conv1 kernel: odd sizes "
                         f"from 1 to {largest} fit the {input_shape[0]}×{input_shape[1]} input "
                         "and the strides")
    if not isinstance(count, int) or count < 1:
        raise ValueError(f"conv1 needs at least one kernel, got {count}")
    if not isinstance(num_classes, int) or num_classes < 2:
        raise ValueError(f"linear1 needs at least two classes, got {num_classes}")


def _conv1(x, initializer, count: int = KERNEL_COUNT, size: int = KERNEL_SIZE):
    return layers.Conv2D(
        count, size, strides=CONV1_STRIDE, padding="valid", activation="relu", name="conv1",
        kernel_initializer=initializer, bias_initializer="zeros",
    )(x)


def _linear1(x, initializer, num_classes: int = NUM_CLASSES):
    return layers.Dense(
        num_classes, name="linear1", kernel_initializer=initializer, bias_initializer="zeros",
    )(x)


def build_net_a1(head: str = "softmax", name: str = "NetA1", initializer: str = "glorot_uniform",
                 kernel_count: int = KERNEL_COUNT, kernel_size: int = KERNEL_SIZE,
                 input_shape=INPUT_SHAPE, num_classes: int = NUM_CLASSES) -> keras.Model:
    """NetA1: conv1 (C→N, k×k, stride 2, ReLU) → flatten (N·s², 576 for 4 and 5 on 28×28) →
    linear1 (→ the classes, 10 for the report's).

    `initializer` is every kernel's initializer (biases start at zero); pass "zeros" when the
    weights are set right after building, which spares JAX compiling a random initializer.
    `input_shape` (H, W, C) and `num_classes` come from the dataset.
    """
    input_shape = tuple(int(d) for d in input_shape)
    _checked_size("NetA1", kernel_count, kernel_size, input_shape, num_classes)
    inputs = keras.Input(shape=input_shape, name="image")
    x = _conv1(inputs, initializer, kernel_count, kernel_size)
    x = layers.Flatten(name="flatten")(x)
    x = _linear1(x, initializer, num_classes)
    return keras.Model(inputs, _head(x, head), name=name)


def build_net_a2(head: str = "softmax", name: str = "NetA2", initializer: str = "glorot_uniform",
                 kernel_count: int = KERNEL_COUNT, kernel_size: int = KERNEL_SIZE,
                 input_shape=INPUT_SHAPE, num_classes: int = NUM_CLASSES) -> keras.Model:
    """NetA2: conv1 → conv2 (N→12, 3×3, stride 2, ReLU) → flatten (300 for 5×5 on 28×28) →
    linear1 (→ the classes)."""
    input_shape = tuple(int(d) for d in input_shape)
    _checked_size("NetA2", kernel_count, kernel_size, input_shape, num_classes)
    inputs = keras.Input(shape=input_shape, name="image")
    x = _conv1(inputs, initializer, kernel_count, kernel_size)
    x = layers.Conv2D(
        12, 3, strides=2, padding="valid", activation="relu", name="conv2",
        kernel_initializer=initializer, bias_initializer="zeros",
    )(x)
    x = layers.Flatten(name="flatten")(x)
    x = _linear1(x, initializer, num_classes)
    return keras.Model(inputs, _head(x, head), name=name)


def flatten_size(architecture: str, kernel_count: int = KERNEL_COUNT,
                 kernel_size: int = KERNEL_SIZE, input_shape=INPUT_SHAPE) -> int:
    """The flatten layer's width: conv1's (or conv2's) output height × width × its channels."""
    height, width = (conv1_side(kernel_size, int(d)) for d in input_shape[:2])
    if architecture == "NetA1":
        return height * width * kernel_count
    return ((height - 3) // 2 + 1) * ((width - 3) // 2 + 1) * 12


def parameter_count(architecture: str, kernel_count: int = KERNEL_COUNT,
                    kernel_size: int = KERNEL_SIZE, input_shape=INPUT_SHAPE,
                    num_classes: int = NUM_CLASSES) -> int:
    """Weights and biases of a network, computed from the sizes (5,874 and 3,558 for the
    report's NetA1 and NetA2)."""
    channels = int(input_shape[2])
    conv1 = kernel_size * kernel_size * channels * kernel_count + kernel_count
    conv2 = 3 * 3 * kernel_count * 12 + 12 if architecture == "NetA2" else 0
    flat = flatten_size(architecture, kernel_count, kernel_size, input_shape)
    return conv1 + conv2 + flat * num_classes + num_classes


BUILDERS = {"NetA1": build_net_a1, "NetA2": build_net_a2}
