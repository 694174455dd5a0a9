"""Kernels of a study's networks: conv1 (and NetA2's conv2) before and after training, as arrays,
as words ("frozen", "max |Δ|") and as the kernel CSV. No Qt, no Keras: numpy and the stored files.

The kernel CSV has the columns `network,seed,layer,kernel,row,col,initial,final`, one row per
kernel value of every seed, counted from 1 as the report does (K1..K4, row 1..5, col 1..5):
- conv1 rows for every network that has stored initial weights: 4 kernels × 5 × 5 = 100 each,
  so 600 for a six-network study of one seed; kernel is "K1".."K4".
- conv2 rows for every NetA2 network: 12 output kernels × 4 input channels × 3 × 3 = 432 each;
  kernel is "K7.in2" (output kernel 7, input channel 2), row and col 1..3.
`final` is empty for a network without final weights (not finished yet).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from study.folder.csvio import StoreError, atomic_write_text, csv_text
from study.folder.layout import weights_path
from study.protocol import byhand

KERNEL_CSV_COLUMNS = ("network", "seed", "layer", "kernel", "row", "col", "initial", "final")
CONV1_SHAPE = (5, 5, 1, 4)
CONV2_SHAPE = (3, 3, 4, 12)


def conv1_kernels(conv_kernel, expected: tuple | None = None) -> np.ndarray:
    """A conv1 Conv2D kernel (k, k, C, N) — (5, 5, 1, 4) for the report's — as (N, k, k).

    With C > 1 input channels each kernel is the sum over the channels: what conv1 does to a
    grey image replicated on every channel (docs/datasets.md#channels)."""
    arr = np.asarray(conv_kernel, dtype=np.float32)
    # Images have 1 to 3 channels (grey, RGB): study.datasets.readers.MAX_CHANNELS.
    if (arr.ndim != 4 or arr.shape[0] != arr.shape[1] or not 1 <= arr.shape[2] <= 3
            or (expected is not None and arr.shape != tuple(expected))):
        wanted = expected or "(k, k, C, N) like (5, 5, 1, 4)"
        raise ValueError(f"conv1 kernel must have shape {wanted}, got {arr.shape}")
    if arr.shape[2] != 1:
        arr = arr.sum(axis=2, keepdims=True, dtype=np.float32)
    return byhand.from_conv_kernel(arr)


def conv2_kernels(conv_kernel, expected: tuple | None = None) -> np.ndarray:
    """A conv2 kernel (3, 3, 4, 12) as (12, 4, 3, 3): output kernel, input channel, row, col."""
    arr = np.asarray(conv_kernel, dtype=np.float32)
    if (arr.ndim != 4 or arr.shape[:2] != CONV2_SHAPE[:2] or arr.shape[3] != CONV2_SHAPE[3]
            or (expected is not None and arr.shape != tuple(expected))):
        wanted = expected or "(3, 3, N, 12) like (3, 3, 4, 12)"
        raise ValueError(f"conv2 kernel must have shape {wanted}, got {arr.shape}")
    return np.transpose(arr, (3, 2, 0, 1)).copy()


@dataclass(frozen=True)
class NetworkKernels:
    """One network's conv1 (and conv2 for NetA2) at the start and at `epoch` (0: before training).

    Arrays are (4, 5, 5) for conv1 and (12, 4, 3, 3) for conv2; `current_*` is None when no
    weights after the start are known (a stored network that did not finish). `seed` is set
    when the study has several seeds, so every view and export of them names it.
    """

    network: str
    initial_conv1: np.ndarray
    current_conv1: np.ndarray | None = None
    epoch: int = 0
    initial_conv2: np.ndarray | None = None
    current_conv2: np.ndarray | None = None
    seed: int | None = None

    @property
    def name(self) -> str:
        """What a title calls these kernels: "NetA1-DT", or "NetA1-DT · seed 1"."""
        return self.network if self.seed is None else f"{self.network} · seed {self.seed}"

    @classmethod
    def from_conv(cls, network: str, initial: dict, current: dict | None = None,
                  epoch: int = 0) -> NetworkKernels:
        """Build from flat weights ({"conv1/kernel": (5,5,1,4), "conv2/kernel": …})."""
        current = current or {}

        def conv2(flat):
            return conv2_kernels(flat["conv2/kernel"]) if "conv2/kernel" in flat else None

        kernels = cls(
            network=network,
            initial_conv1=conv1_kernels(initial["conv1/kernel"]),
            current_conv1=conv1_kernels(current["conv1/kernel"]) if current else None,
            epoch=int(epoch),
            initial_conv2=conv2(initial),
            current_conv2=conv2(current) if current else None,
        )
        kernels.check_shapes()
        return kernels

    def check_shapes(self) -> None:
        """ValueError when the current kernels do not have the initial ones' shapes (a damaged
        file: any bank's shape is allowed, but a network's kernels keep theirs)."""
        for name, first, now in (("conv1", self.initial_conv1, self.current_conv1),
                                 ("conv2", self.initial_conv2, self.current_conv2)):
            if first is not None and now is not None and np.shape(now) != np.shape(first):
                raise ValueError(f"{name} kernels are {np.shape(now)} at epoch {self.epoch} "
                                 f"but {np.shape(first)} at the start")

    def with_current(self, epoch: int, conv1, conv2=None) -> NetworkKernels:
        """A copy holding the kernels at `epoch` (conv Conv2D shapes, arrays or nested lists)."""
        kernels = dataclasses.replace(
            self, epoch=int(epoch), current_conv1=conv1_kernels(conv1),
            current_conv2=None if conv2 is None else conv2_kernels(conv2),
        )
        kernels.check_shapes()
        return kernels

    @property
    def trained(self) -> bool:
        """Kernels after at least one epoch are known."""
        return self.current_conv1 is not None and self.epoch > 0

    def conv1_difference(self) -> np.ndarray | None:
        """current − initial of conv1, (4, 5, 5), or None when no current kernels are known."""
        if self.current_conv1 is None:
            return None
        return self.current_conv1 - self.initial_conv1

    def conv2_difference(self) -> np.ndarray | None:
        """current − initial of conv2, (12, 4, 3, 3), or None."""
        if self.current_conv2 is None or self.initial_conv2 is None:
            return None
        return self.current_conv2 - self.initial_conv2

    @property
    def conv1_frozen(self) -> bool:
        """conv1 did not move: after at least one epoch it equals the initial one bit for bit.

        Decided from the data only, never from the scheme name.
        """
        return self.trained and np.array_equal(self.current_conv1, self.initial_conv1)

    def max_conv1_change(self) -> tuple[float, tuple[int, int, int]] | None:
        """Largest |current − initial| of conv1 and where: (value, (kernel, row, col)), 0-based."""
        diff = self.conv1_difference()
        if diff is None:
            return None
        where = np.unravel_index(int(np.argmax(np.abs(diff))), diff.shape)
        return float(np.abs(diff[where])), tuple(int(i) for i in where)

    def describe_conv1(self, current_name: str = "current") -> str:
        """What happened to conv1, in words, from the data (frozen, or its max |Δ|)."""
        if self.current_conv1 is None:
            return (f"{self.network}: no kernels after training are stored "
                    "(the network did not finish); only the initial kernels are shown.")
        if self.epoch <= 0:
            return f"{self.network}: before training (epoch 0), {current_name} = initial."
        epochs = f"{self.epoch} epoch{'s' if self.epoch != 1 else ''}"
        if self.conv1_frozen:
            return (f"{self.network}: conv1 is FROZEN — after {epochs}, {current_name} − initial "
                    f"is exactly 0 in all {self.initial_conv1.size} values.")
        value, (k, r, c) = self.max_conv1_change()
        return (f"{self.network}: conv1 was trained — after {epochs}, max |{current_name} − "
                f"initial| = {value:.4g} (K{k + 1} row {r + 1} column {c + 1}).")


def stored_network_kernels(state, network: str,
                           seed: int | None = None) -> NetworkKernels | None:
    """A stored network's initial and final kernels of `seed` (None: the first), or None when it
    has no initial weights; they carry their seed when the study has several."""
    seed = state.seeds[0] if seed is None else int(seed)
    initial = state.stored_weights(network, "initial", seed)
    if initial is None:
        return None
    final = state.stored_weights(network, "final", seed)
    count, size = np.shape(state.config.byhand_kernels())[:2]
    info = state.status.get("dataset_info") if isinstance(state.status, dict) else None
    shape = info.get("input_shape") if isinstance(info, dict) else None
    channels = int(shape[2]) if isinstance(shape, list) and len(shape) == 3 else 1
    expected = {"conv1/kernel": (size, size, channels, count), "conv2/kernel": (3, 3, count, 12)}
    for which, flat in (("initial", initial), ("final", final)):
        if flat is None:
            continue
        path = weights_path(state.folder, network, which, seed, state.seeds)
        if "conv1/kernel" not in flat:
            raise StoreError(f"{path}: damaged: it holds no conv1/kernel")
        for key, check in (("conv1/kernel", conv1_kernels), ("conv2/kernel", conv2_kernels)):
            if key in flat:
                try:
                    check(flat[key], expected[key])
                except ValueError as exc:
                    raise StoreError(f"{path}: damaged: {exc}") from None
    epochs = [int(r["epoch"]) for r in state.epochs
              if r["network"] == network and int(r.get("seed", seed)) == seed]
    kernels = NetworkKernels.from_conv(network, initial, final, epoch=max(epochs, default=0))
    return dataclasses.replace(kernels, seed=seed) if len(state.seeds) > 1 else kernels


def stored_kernels(state, seed: int | None = None) -> dict[str, NetworkKernels]:
    """Kernels of `seed` (None: the first) of every network of a stored study that has initial
    weights, in config order."""
    found = {}
    for network in state.config.networks:
        kernels = stored_network_kernels(state, network, seed)
        if kernels is not None:
            found[network] = kernels
    return found


def kernel_rows(state) -> list[dict]:
    """Rows of the kernel CSV (see the module docstring): conv1 of every network, conv2 of NetA2,
    for every seed."""
    rows = []
    for seed in state.seeds:
        for network, kernels in stored_kernels(state, seed).items():
            rows.extend(_layer_rows(network, seed, "conv1", kernels.initial_conv1,
                                    kernels.current_conv1))
            if kernels.initial_conv2 is not None:
                rows.extend(_layer_rows(network, seed, "conv2", kernels.initial_conv2,
                                        kernels.current_conv2))
    return rows


def _layer_rows(network: str, seed: int, layer: str, initial: np.ndarray,
                final: np.ndarray | None):
    for index in np.ndindex(initial.shape):
        if layer == "conv1":
            k, r, c = index
            label = f"K{k + 1}"
        else:
            k, channel, r, c = index
            label = f"K{k + 1}.in{channel + 1}"
        yield {
            "network": network, "seed": seed, "layer": layer, "kernel": label, "row": r + 1,
            "col": c + 1,
            "initial": float(initial[index]),
            "final": "" if final is None else float(final[index]),
        }


def kernel_csv_text(state) -> str:
    """The kernel CSV of a stored study as text."""
    return csv_text(KERNEL_CSV_COLUMNS, kernel_rows(state))


def write_kernel_csv(state, path) -> Path:
    """Write the kernel CSV to `path` atomically; StoreError if it cannot be written."""
    path = Path(path)
    atomic_write_text(path, kernel_csv_text(state))
    return path
