"""Confusion matrices and per-class accuracy on the test set at the end of training.

The study folder holds each network's predicted classes beside the true labels
(predictions/NET.npz, or NET.seed-S.npz per seed in a study of several seeds;
StudyState.predictions); rows of a matrix are true classes, columns the predicted ones, in the
order of the study's class names (study_class_names: the dataset block status.json records,
else the known dataset's, else Fashion-MNIST's for a study made before datasets were named).

With several seeds a network's matrix pools every seed's test predictions (the sum of the
per-seed matrices, so each test image counts once per seed) unless one seed is asked for; its
per-class and overall accuracies are then the means over those seeds (every seed sees the same
test set), and its CSV says over how many seeds (columns n_seeds and seeds).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from study.analysis.formats import csv_cell
from study.datasets.known import DEFAULT_DATASET, class_names_of
from study.datasets.known import FASHION_CLASSES as CLASS_NAMES


class ConfusionError(ValueError):
    """Predictions and labels that cannot make a confusion matrix; says what is wrong."""


def confusion_matrix(predicted, labels, num_classes: int = len(CLASS_NAMES)) -> np.ndarray:
    """Counts (num_classes, num_classes): row = true class, column = predicted class."""
    predicted = np.asarray(predicted).astype(int).ravel()
    labels = np.asarray(labels).astype(int).ravel()
    if predicted.shape != labels.shape:
        raise ConfusionError(
            f"{predicted.size} predictions but {labels.size} labels; both must come from the "
            "same test set"
        )
    for name, values in (("predicted classes", predicted), ("labels", labels)):
        if values.size and (values.min() < 0 or values.max() >= num_classes):
            raise ConfusionError(
                f"{name} must lie in 0..{num_classes - 1}, found {values.min()}..{values.max()}"
            )
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (labels, predicted), 1)
    return matrix


def per_class_accuracy(matrix: np.ndarray) -> np.ndarray:
    """Fraction of each true class predicted correctly (NaN for a class with no test images)."""
    matrix = np.asarray(matrix)
    totals = matrix.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, np.diag(matrix) / np.maximum(totals, 1), np.nan)


@dataclass(frozen=True)
class Confusion:
    """One network's confusion matrix on the test set, with its class names.

    `seeds` are the seeds whose predictions it counts: with more than one the matrix is their
    pooled (summed) counts; () when not known (a matrix made directly from predictions).
    """

    network: str
    matrix: np.ndarray
    class_names: tuple[str, ...] = CLASS_NAMES
    seeds: tuple[int, ...] = ()

    @property
    def n_seeds(self) -> int:
        """How many seeds' predictions the matrix pools (1 when not known)."""
        return max(1, len(self.seeds))

    @property
    def pooled(self) -> bool:
        """True when the matrix sums the predictions of several seeds."""
        return len(self.seeds) > 1

    @property
    def per_class_accuracy(self) -> np.ndarray:
        """Accuracy per true class (NaN where the test set has none of it)."""
        return per_class_accuracy(self.matrix)

    @property
    def accuracy(self) -> float:
        """Overall accuracy: the diagonal over all test images."""
        total = int(self.matrix.sum())
        return float(np.trace(self.matrix) / total) if total else float("nan")

    @property
    def test_size(self) -> int:
        """Number of test images counted (each image once per pooled seed)."""
        return int(self.matrix.sum())

    @property
    def test_images(self) -> int:
        """Number of test images in one seed's predictions (test_size / n_seeds)."""
        return self.test_size // self.n_seeds

    def csv_rows(self) -> list[dict]:
        """One dict per true class: counts per predicted class, total, correct, accuracy; a
        matrix pooled over several seeds adds n_seeds and the seeds (separated by spaces)."""
        accuracy = self.per_class_accuracy
        rows = []
        for index, name in enumerate(self.class_names):
            row = {"true_class": name}
            row.update({f"predicted {p}": int(self.matrix[index, j])
                        for j, p in enumerate(self.class_names)})
            row["total"] = int(self.matrix[index].sum())
            row["correct"] = int(self.matrix[index, index])
            row["accuracy"] = csv_cell(float(accuracy[index]))
            if self.pooled:
                row["n_seeds"] = self.n_seeds
                row["seeds"] = " ".join(str(s) for s in self.seeds)
            rows.append(row)
        return rows

    def csv_columns(self) -> tuple[str, ...]:
        """Columns of csv_rows, in order (n_seeds and seeds only when pooled)."""
        pooled = ("n_seeds", "seeds") if self.pooled else ()
        return ("true_class", *(f"predicted {p}" for p in self.class_names),
                "total", "correct", "accuracy", *pooled)


def study_class_names(state) -> tuple[str, ...]:
    """A study's class names, without its data: the `classes` of its dataset block
    (status.json's dataset_info), else those of its known dataset."""
    info = (getattr(state, "status", None) or {}).get("dataset_info")
    if isinstance(info, dict) and isinstance(info.get("classes"), list) and info["classes"]:
        return tuple(str(name) for name in info["classes"])
    dataset = getattr(getattr(state, "config", None), "dataset", DEFAULT_DATASET)
    return class_names_of(dataset) or CLASS_NAMES


def study_confusion(state, network: str, seed: int | None = None) -> Confusion | None:
    """The confusion matrix of `network` in a StudyState, or None if it saved no predictions.

    With `seed`, that seed's predictions alone. Without, every seed of the study that saved
    predictions for the network, pooled: the matrix is the sum of the per-seed matrices (a
    one-seed study: its one matrix), and `seeds` names the seeds counted.
    """
    seeds = (int(seed),) if seed is not None else tuple(int(s) for s in state.seeds)
    names = study_class_names(state)
    matrix, found = None, []
    for s in seeds:
        pair = state.predictions(network, seed=s)
        if pair is None:
            continue
        counts = confusion_matrix(*pair, num_classes=len(names))
        matrix = counts if matrix is None else matrix + counts
        found.append(s)
    if matrix is None:
        return None
    return Confusion(network, matrix, names, tuple(found))


def study_confusions(state, seed: int | None = None) -> dict[str, Confusion]:
    """Confusion matrices of every network of a StudyState that saved predictions: each pooled
    over the study's seeds, or of `seed` alone (see study_confusion)."""
    found = {}
    for network in state.config.networks:
        confusion = study_confusion(state, network, seed)
        if confusion is not None:
            found[network] = confusion
    return found


def per_class_accuracy_rows(confusions: dict[str, Confusion]) -> list[dict]:
    """One row per class: its accuracy in each network (columns "class" and network names);
    for a matrix pooled over several seeds, the mean of the seeds' accuracies on that class."""
    rows = []
    names = next(iter(confusions.values())).class_names if confusions else CLASS_NAMES
    for index, name in enumerate(names):
        row = {"class": name}
        for network, confusion in confusions.items():
            value = confusion.per_class_accuracy[index]
            row[network] = csv_cell(float(value))
        rows.append(row)
    return rows
