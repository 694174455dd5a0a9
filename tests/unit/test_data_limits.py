"""A train or test limit above the dataset's size is refused, never silently clamped."""

from __future__ import annotations

import numpy as np
import pytest

from study.data import DataError, dataset_sizes, load_dataset
from tests.synthetic import write_synthetic_idx


def test_a_limit_within_the_data_keeps_the_first_images(synthetic_data_dir):
    dataset = load_dataset(synthetic_data_dir).limited(100, 50)
    assert (len(dataset.x_train), len(dataset.x_test)) == (100, 50)


def test_a_limit_equal_to_the_data_is_accepted(synthetic_data_dir):
    dataset = load_dataset(synthetic_data_dir).limited(512, 256)
    assert (len(dataset.x_train), len(dataset.x_test)) == (512, 256)


@pytest.mark.parametrize(("train", "test", "words"), [
    (513, None, "has 512 training images, fewer than the train limit 513: use at most 512"),
    (None, 300, "has 256 test images, fewer than the test limit 300: use at most 256"),
])
def test_a_limit_above_the_data_is_refused_with_the_real_size(synthetic_data_dir, train, test,
                                                              words):
    with pytest.raises(DataError, match=words):
        load_dataset(synthetic_data_dir).limited(train, test)


def test_sizes_come_from_the_idx_headers(tmp_path):
    folder = write_synthetic_idx(tmp_path / "idx", n_train=70, n_test=30)
    name, n_train, n_test = dataset_sizes(folder)
    assert (n_train, n_test) == (70, 30)
    assert str(folder) in name


def test_sizes_of_an_uncompressed_idx_folder_and_an_npz(tmp_path):
    folder = write_synthetic_idx(tmp_path / "raw", n_train=40, n_test=20, gz=False)
    assert dataset_sizes(folder)[1:] == (40, 20)
    npz = tmp_path / "data.npz"
    np.savez(npz, x_train=np.zeros((9, 28, 28), np.uint8), y_train=np.zeros(9, np.uint8),
             x_test=np.zeros((4, 28, 28), np.uint8), y_test=np.zeros(4, np.uint8))
    assert dataset_sizes(npz) == (str(npz), 9, 4)


def test_sizes_of_a_folder_without_the_files_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="no dataset found"):
        dataset_sizes(tmp_path)
