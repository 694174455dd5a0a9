"""A network's stored weights and the init identity report (docs/study.md#initial-weights); numpy.

Weights by layer are {"conv1": [kernel, bias], …}; stored flat as {"conv1/kernel": k, …}.
"""

from __future__ import annotations

import numpy as np

from study.protocol.networks import NETWORKS, SCHEMES, network_spec


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
    """(check label, layer, network a, network b) for every row of docs/study.md#initial-weights."""
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
