"""A small, learnable Fashion-MNIST stand-in written as real IDX files, for fast tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from study.data import IDX_FILES, write_idx


def synthetic_images(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n uint8 28×28 images whose class (0–9) sets where a bright bar lies, plus noise."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, size=n).astype(np.uint8)
    images = rng.integers(0, 60, size=(n, 28, 28)).astype(np.uint8)
    for i, label in enumerate(labels):
        row = 3 + 2 * int(label)
        images[i, row:row + 2, 4:24] = 230
        if label % 2:
            images[i, 4:24, 12:14] = 200
    return images, labels


def write_synthetic_idx(folder, n_train: int = 512, n_test: int = 256, gz: bool = True) -> Path:
    """Write the four IDX files of a synthetic dataset into `folder` and return it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    x_train, y_train = synthetic_images(n_train, 1)
    x_test, y_test = synthetic_images(n_test, 2)
    suffix = ".gz" if gz else ""
    arrays = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    for key, base in IDX_FILES.items():
        write_idx(folder / (base + suffix), arrays[key])
    return folder
