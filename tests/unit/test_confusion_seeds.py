"""Confusion matrices of a study of several seeds: pooled over its seeds unless one is named."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from study.analysis.confusion import (
    confusion_matrix,
    per_class_accuracy_rows,
    study_confusion,
    study_confusions,
)
from study.analysis.export import export_study
from study.data import CLASS_NAMES
from study.folder.layout import file_stem
from study.state import open_study
from tests.known_study import LABELS, SEEDS, predicted_classes, write_known_seeded_study


def seed_predictions(index: int) -> np.ndarray:
    """NetA2-DT's predictions with the `index`-th seed: wrong (one class on) on the first
    `index` + 1 images, so every seed's matrix differs."""
    predicted = predicted_classes("NetA2-DT")
    predicted[: index + 1] = (LABELS[: index + 1] + 1) % 10
    return predicted


@pytest.fixture
def seeded(tmp_path):
    folder = write_known_seeded_study(tmp_path / "studies")
    for index, seed in enumerate(SEEDS):  # replace NetA2-DT's predictions, as StudyWriter saves
        path = folder / "predictions" / f"{file_stem('NetA2-DT', seed, SEEDS)}.npz"
        np.savez(path, predicted=seed_predictions(index).astype(np.int8),
                 labels=LABELS.astype(np.int8))
    return open_study(folder)


def per_seed_matrices(network="NetA2-DT"):
    return [confusion_matrix(seed_predictions(i) if network == "NetA2-DT"
                             else predicted_classes(network), LABELS)
            for i in range(len(SEEDS))]


def test_pooled_counts_are_the_sum_of_the_per_seed_counts(seeded):
    pooled = study_confusion(seeded, "NetA2-DT")
    assert pooled.seeds == SEEDS and pooled.n_seeds == 5 and pooled.pooled
    np.testing.assert_array_equal(pooled.matrix, sum(per_seed_matrices()))
    assert pooled.test_size == 5 * 30 and pooled.test_images == 30
    # 1 + 2 + 3 + 4 + 5 = 15 wrong of 150
    assert pooled.accuracy == pytest.approx(135 / 150)
    singles = [study_confusion(seeded, "NetA2-DT", seed=s) for s in SEEDS]
    np.testing.assert_array_equal(pooled.matrix, sum(c.matrix for c in singles))
    for confusion, expected in zip(singles, per_seed_matrices(), strict=True):
        np.testing.assert_array_equal(confusion.matrix, expected)
        assert confusion.n_seeds == 1 and not confusion.pooled
    # Same test set for every seed: pooled accuracy per class = mean of the seeds' accuracies.
    np.testing.assert_allclose(pooled.per_class_accuracy,
                               np.mean([c.per_class_accuracy for c in singles], axis=0))
    hf = study_confusion(seeded, "NetA1-HF")
    assert hf.matrix[6, 0] == 5 * 3 and hf.matrix[6, 6] == 0


def test_a_seed_can_be_asked_for_every_network(seeded):
    one = study_confusions(seeded, seed=2)
    assert set(one) == set(seeded.config.networks)
    assert {c.seeds for c in one.values()} == {(2,)}
    assert one["NetA2-DT"].test_size == 30


def test_seeds_without_predictions_are_left_out_of_the_pool(seeded):
    (seeded.folder / "predictions" / "NetA2-DT.seed-4.npz").unlink()
    pooled = study_confusion(seeded, "NetA2-DT")
    assert pooled.seeds == (0, 1, 2, 3)
    np.testing.assert_array_equal(pooled.matrix, sum(per_seed_matrices()[:4]))
    assert study_confusion(seeded, "NetA2-DT", seed=4) is None


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return tuple(reader.fieldnames), list(reader)


def test_the_exported_confusion_csv_says_it_pools_five_seeds(seeded, tmp_path):
    out = export_study(seeded, tmp_path / "out").folder
    columns, rows = read_csv(out / "confusion_NetA2-DT.csv")
    assert columns == ("true_class", *(f"predicted {c}" for c in CLASS_NAMES),
                       "total", "correct", "accuracy", "n_seeds", "seeds")
    tshirt = rows[0]  # seeds 0..4 each miss the first image (a T-shirt/top) as a Trouser
    assert (tshirt["predicted Trouser"], tshirt["total"], tshirt["correct"]) == ("5", "15", "10")
    assert (tshirt["n_seeds"], tshirt["seeds"]) == ("5", "0 1 2 3 4")
    _, per_class = read_csv(out / "per_class_accuracy.csv")
    assert float(per_class[0]["NetA2-DT"]) == pytest.approx(10 / 15)
    pooled = study_confusions(seeded)
    assert per_class_accuracy_rows(pooled)[0]["NetA2-DT"] == pytest.approx(10 / 15)
