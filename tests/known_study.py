"""A stored study with known numbers, written through StudyWriter without any training.

Used by the comparison, export and compare-panel tests: every figure they check follows from the
tables below by hand.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from study.config import StudyConfig
from study.folder.writer import StudyWriter
from study.protocol.events import EpochResult
from study.protocol.networks import NETWORKS

# Test accuracy and train seconds per epoch (3 epochs). With these, every conclusion holds:
# DT > HT > HF, HF fastest, NetA2 > NetA1, gain A1 0.02 > gain A2 0.01, recovery.
ACCURACY = {
    "NetA1-HF": (0.50, 0.60, 0.55),
    "NetA1-HT": (0.55, 0.62, 0.62),
    "NetA1-DT": (0.60, 0.66, 0.65),
    "NetA2-HF": (0.70, 0.75, 0.74),
    "NetA2-HT": (0.70, 0.76, 0.76),
    "NetA2-DT": (0.72, 0.80, 0.81),
}
TRAIN_SECONDS = {
    "NetA1-HF": (1.0, 1.5, 2.0),
    "NetA1-HT": (2.0, 2.0, 2.0),
    "NetA1-DT": (2.5, 2.5, 2.5),
    "NetA2-HF": (1.75, 1.75, 1.75),
    "NetA2-HT": (3.0, 3.0, 3.0),
    "NetA2-DT": (40.0, 40.5, 41.0),
}
EVAL_SECONDS = 0.25

# Predictions: 30 test images, three of each class; NetA1-HF mistakes every Shirt (6) for a
# T-shirt/top (0), every other network is right on every image.
LABELS = np.tile(np.arange(10), 3)


def predicted_classes(network: str) -> np.ndarray:
    """The known predictions of `network` on LABELS."""
    predicted = LABELS.copy()
    if network == "NetA1-HF":
        predicted[LABELS == 6] = 0
    return predicted


def loss_for(accuracy: float) -> float:
    """The stored test loss of an epoch with this accuracy."""
    return round(1.0 - accuracy, 6)


def write_known_study(root, networks=NETWORKS, accuracy=None, train_seconds=None,
                      predictions=True, frozen_rows=True, hf_conv1_moved=()) -> Path:
    """Write a study folder under `root` with the known numbers; returns its path.

    `frozen_rows=False` leaves the after-training rows out of init_identity.csv (as a study that
    failed before the end would), so they must come from the stored weights; networks named in
    `hf_conv1_moved` get a final conv1 that differs from the initial one by 0.5 in one cell.
    """
    accuracy = accuracy or ACCURACY
    train_seconds = train_seconds or TRAIN_SECONDS
    config = StudyConfig(networks=tuple(networks), epochs=3)
    writer = StudyWriter.create(Path(root), config)
    identity = [(f"{arch}: |conv1 HF - conv1 HT|", 0.0) for arch in ("NetA1", "NetA2")]
    identity.append(("A1 vs A2: |conv1 A1-HF - conv1 A2-HF|", 0.0))
    final_rows = []
    for network in networks:
        for epoch, (acc, seconds) in enumerate(
            zip(accuracy[network], train_seconds[network], strict=True), start=1
        ):
            writer.append_epoch(network, EpochResult(epoch, round(1.1 - acc, 6), loss_for(acc),
                                                    acc, seconds, EVAL_SECONDS))
        kernel = np.ones((5, 5, 1, 4), np.float32)
        initial = {"conv1/kernel": kernel, "conv1/bias": np.zeros(4, np.float32)}
        final = dict(initial)
        if network in hf_conv1_moved:
            moved = kernel.copy()
            moved[0, 0, 0, 0] += 0.5
            final["conv1/kernel"] = moved
        writer.save_weights(network, "initial", initial)
        writer.save_weights(network, "final", final)
        if predictions:
            writer.save_predictions(network, predicted_classes(network), LABELS)
        if network.endswith("-HF"):
            moved_norm = 0.5 if network in hf_conv1_moved else 0.0
            final_rows.append((f"{network}: |conv1 after training - conv1 initial|", moved_norm))
    writer.write_summary()
    writer.write_init_identity(identity + (final_rows if frozen_rows else []))
    writer.write_status(state="finished", backend="torch", device="cpu")
    return writer.folder


def summary_rows(accuracy: dict, seconds_per_epoch: dict) -> list[dict]:
    """Plain summary rows from {network: peak accuracy} and {network: s/epoch}."""
    return [
        {"network": n, "peak_test_accuracy": accuracy[n], "peak_epoch": 1,
         "final_test_accuracy": accuracy[n], "seconds_per_epoch": seconds_per_epoch[n],
         "total_seconds": 3 * seconds_per_epoch[n]}
        for n in accuracy
    ]



# ---------------------------------------------------------------------------------------------
# A study of five seeds with known numbers (docs/study.md#statistics)
#
# Seed i (of SEEDS) moves every network by SEED_SHIFT[i] (pairing by seed removes it) and two
# networks by their own JITTER[network][i] besides. So in peak and in final accuracy:
#   order-NetA1 holds: DT − HT = 0.04 − j(A1-HT), HT − HF = 0.02 + j(A1-HT), j tiny;
#   order-NetA2 is not resolved: HT − HF = 0.01 + j(A2-HT) (peak) = [0.01, −0.01, 0.03, −0.02,
#   0.025], mean 0.007, its 95 % CI spans 0, while DT − HT = 0.05 − j(A2-HT) holds;
#   gain is not resolved: (0.02 + j(A1-HT)) − (0.01 + j(A2-HT)) in peak accuracy.
# Seconds per epoch are TRAIN_SECONDS for every seed, so the timing differences have no spread.
SEEDS = (0, 1, 2, 3, 4)
SEED_SHIFT = (0.0, 0.01, -0.01, 0.02, -0.02)
JITTER = {
    "NetA1-HT": (0.002, -0.001, 0.0, 0.001, -0.002),
    "NetA2-HT": (0.0, -0.02, 0.02, -0.03, 0.015),
}


def seeded_accuracy(network: str, index: int, accuracy=None) -> tuple[float, ...]:
    """The test accuracy per epoch of `network` with the `index`-th seed of SEEDS."""
    jitter = JITTER.get(network, (0.0,) * len(SEEDS))[index]
    return tuple(round(a + SEED_SHIFT[index] + jitter, 6)
                 for a in (accuracy or ACCURACY)[network])


def write_known_seeded_study(root, seeds=SEEDS, networks=NETWORKS, accuracy=None,
                             train_seconds=None, **config_changes) -> Path:
    """Write a study of len(seeds) ≤ 5 seeds under `root` with seeded_accuracy; returns its path.

    `accuracy` and `train_seconds` replace ACCURACY / TRAIN_SECONDS for the networks they name
    (before the seed shift and jitter); `config_changes` go into StudyConfig (e.g. train_limit).
    """
    accuracy = {**ACCURACY, **(accuracy or {})}
    train_seconds = {**TRAIN_SECONDS, **(train_seconds or {})}
    config = StudyConfig(networks=tuple(networks), epochs=3, seed=seeds[0], seeds=tuple(seeds),
                         **config_changes)
    writer = StudyWriter.create(Path(root), config)
    identity = [(f"seed {s}: {arch}: |conv1 HF - conv1 HT|", 0.0)
                for s in seeds for arch in ("NetA1", "NetA2")]
    for network in networks:
        for index, seed in enumerate(seeds):
            values = seeded_accuracy(network, index, accuracy)
            for epoch, (acc, seconds) in enumerate(
                zip(values, train_seconds[network], strict=True), start=1
            ):
                writer.append_epoch(network, EpochResult(epoch, round(1.1 - acc, 6),
                                                        loss_for(acc), acc, seconds,
                                                        EVAL_SECONDS), seed=seed)
            if network.endswith("-HF"):
                identity.append(
                    (f"seed {seed}: {network}: |conv1 after training - conv1 initial|", 0.0))
            writer.save_predictions(network, predicted_classes(network), LABELS, seed=seed)
    writer.write_summary()
    writer.write_init_identity(identity)
    writer.write_status(state="finished", backend="jax", device="cpu")
    return writer.folder


def seeded_summary_rows(accuracy: dict, seconds_per_epoch: dict, final: dict | None = None,
                        epochs: int | None = None) -> list[dict]:
    """Plain summary rows, one per (network, seed), from {network: [value per seed]} of peak
    accuracy and s/epoch (seeds 0, 1, …); final accuracy = peak unless `final` gives it."""
    final = final or accuracy
    rows = []
    for network, values in accuracy.items():
        for seed, value in enumerate(values):
            row = {"network": network, "seed": seed, "peak_test_accuracy": value,
                   "peak_epoch": 1, "final_test_accuracy": final[network][seed],
                   "seconds_per_epoch": seconds_per_epoch[network][seed],
                   "total_seconds": 3 * seconds_per_epoch[network][seed]}
            if epochs is not None:
                row["epochs"] = epochs
            rows.append(row)
    return rows
