"""The six networks of the study (docs/study.md#networks): architectures, schemes, heads, names.

Plain data only; keras_models.architectures builds the models these names stand for.
"""

from __future__ import annotations

from dataclasses import dataclass

INPUT_SHAPE = (28, 28, 1)
NUM_CLASSES = 10
HEADS = ("softmax", "report")
SCHEMES = ("HF", "HT", "DT")
ARCHITECTURES = ("NetA1", "NetA2")
NETWORKS = tuple(f"{arch}-{scheme}" for arch in ARCHITECTURES for scheme in SCHEMES)
TRAINABLE_LAYERS = ("conv1", "conv2", "linear1")
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
