"""Schemes HF/HT/DT, the six networks, their shared initial weights, the init identity report.

Each layer's initial tensor is derived from the study seed and the layer's *role* (for example
"conv1/default" or "NetA2/linear1"), so a role gets the same tensor in every network that has it
(SPEC §2). The identity report is then computed from the built models' actual weights.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from keras_models import byhand

SCHEMES = ("HF", "HT", "DT")
ARCHITECTURES = ("NetA1", "NetA2")
NETWORKS = tuple(f"{arch}-{scheme}" for arch in ARCHITECTURES for scheme in SCHEMES)
SCHEME_TEXT = {
    "HF": "ByHand conv1, frozen (Conv1Frozen): conv1 keeps the hand-made 0/1 kernels",
    "HT": "ByHand conv1, trained (AllTrained): conv1 starts from the hand-made kernels",
    "DT": "Default conv1 (Glorot-uniform), trained (AllTrained)",
}


@dataclass(frozen=True)
class NetworkSpec:
    """One of the six networks: architecture, scheme and what they imply."""

    name: str
    architecture: str
    scheme: str

    @property
    def byhand_conv1(self) -> bool:
        """conv1 starts from the ByHand kernels (HF, HT)."""
        return self.scheme in ("HF", "HT")

    @property
    def conv1_frozen(self) -> bool:
        """conv1 is not trained (HF)."""
        return self.scheme == "HF"


def network_spec(name: str) -> NetworkSpec:
    """Parse "NetA1-HF" and friends; ValueError names the allowed values."""
    if name not in NETWORKS:
        raise ValueError(f"unknown network {name!r}; choose from {', '.join(NETWORKS)}")
    arch, scheme = name.split("-")
    return NetworkSpec(name, arch, scheme)


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

    `shapes` maps a layer name to its kernel shape; `kernels` is the ByHand set (4, 5, 5),
    the report's when None.
    """
    weights = {}
    for layer, kernel_shape in shapes.items():
        out = kernel_shape[-1]
        bias = np.zeros((out,), np.float32)
        if layer == "conv1" and spec.byhand_conv1:
            kernel = byhand.to_conv_kernel(byhand.REPORT_KERNELS if kernels is None else kernels)
        elif layer == "conv1":
            kernel = glorot_uniform(kernel_shape, seed, "conv1/default")
        elif layer == "conv2":
            kernel = glorot_uniform(kernel_shape, seed, "conv2")
        else:
            kernel = glorot_uniform(kernel_shape, seed, f"{spec.architecture}/{layer}")
        weights[layer] = [kernel, bias]
    return weights


TRAINABLE_LAYERS = ("conv1", "conv2", "linear1")


def build_network(name: str, seed: int, head: str = "softmax", kernels=None):
    """Build one of the six networks with its scheme's initial weights and conv1 frozen for HF."""
    from keras_models.architectures import BUILDERS

    spec = network_spec(name)
    # Every weight is assigned below, so Keras' own random draw would only cost time.
    model = BUILDERS[spec.architecture](head=head, name=name, initializer="zeros")
    shapes = {
        layer.name: tuple(layer.kernel.shape)
        for layer in model.layers
        if layer.name in TRAINABLE_LAYERS
    }
    # Freeze before assigning: on torch, assign() inside a device scope leaves a non-leaf
    # tensor whose requires_grad can no longer be changed.
    model.get_layer("conv1").trainable = not spec.conv1_frozen
    for layer_name, values in initial_weights(spec, shapes, seed, kernels).items():
        model.get_layer(layer_name).set_weights(values)
    return model


def layer_weights(model) -> dict[str, list[np.ndarray]]:
    """The model's current weights by layer name, as numpy arrays: {"conv1": [kernel, bias], …}."""
    return {
        layer.name: [np.array(w) for w in layer.get_weights()]
        for layer in model.layers
        if layer.name in TRAINABLE_LAYERS
    }


def flat_weights(weights: dict[str, list[np.ndarray]]) -> dict[str, np.ndarray]:
    """{"conv1": [k, b]} as {"conv1/kernel": k, "conv1/bias": b} (the stored form)."""
    flat = {}
    for layer, (kernel, bias) in weights.items():
        flat[f"{layer}/kernel"] = kernel
        flat[f"{layer}/bias"] = bias
    return flat


def nested_weights(flat: dict[str, np.ndarray]) -> dict[str, list[np.ndarray]]:
    """Inverse of flat_weights."""
    layers = sorted({key.split("/")[0] for key in flat})
    return {layer: [flat[f"{layer}/kernel"], flat[f"{layer}/bias"]] for layer in layers}


def difference_norm(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    """Euclidean norm of the difference of two layers' weights (kernel and bias together)."""
    total = 0.0
    for x, y in zip(a, b, strict=True):
        d = np.asarray(x, np.float64) - np.asarray(y, np.float64)
        total += float(np.sum(d * d))
    return float(np.sqrt(total))


def _identity_checks() -> list[tuple[str, str, str, str]]:
    """(check label, layer, network a, network b) for every row of SPEC §2."""
    rows = []
    for arch, layers in (("NetA1", ("conv1", "linear1")), ("NetA2", ("conv1", "conv2", "linear1"))):
        for layer in layers:
            rows.append((f"{arch}: |{layer} HF - {layer} HT|", layer, f"{arch}-HF", f"{arch}-HT"))
        for layer in layers[1:]:
            rows.append((f"{arch}: |{layer} HF - {layer} DT|", layer, f"{arch}-HF", f"{arch}-DT"))
    for scheme in SCHEMES:
        rows.append(
            (f"A1 vs A2: |conv1 A1-{scheme} - conv1 A2-{scheme}|", "conv1",
             f"NetA1-{scheme}", f"NetA2-{scheme}")
        )
    return rows


def init_identity_rows(initial: dict[str, dict[str, list[np.ndarray]]]) -> list[tuple[str, float]]:
    """The init identity report from the networks' initial weights ({network: layer_weights}).

    Rows whose two networks are not both present are left out. Every norm should be 0.0.
    """
    rows = []
    for label, layer, a, b in _identity_checks():
        if a in initial and b in initial:
            rows.append((label, difference_norm(initial[a][layer], initial[b][layer])))
    return rows


def frozen_rows(initial: dict, final: dict) -> list[tuple[str, float]]:
    """One row per HF network: the norm of conv1 after training minus conv1 before (must be 0)."""
    rows = []
    for name in NETWORKS:
        if name in initial and name in final and network_spec(name).conv1_frozen:
            label = f"{name}: |conv1 after training - conv1 initial|"
            rows.append((label, difference_norm(final[name]["conv1"], initial[name]["conv1"])))
    return rows
