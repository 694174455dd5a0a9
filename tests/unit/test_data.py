"""Datasets: IDX (gzipped or not) and .npz readers, offline search, a message for every bad file."""

import gzip

import numpy as np
import pytest

from study import data
from study.data import DataError, load_dataset, read_idx, write_idx
from tests.synthetic import synthetic_images, write_synthetic_idx


def test_reads_gzipped_and_plain_idx_alike(tmp_path):
    gz = load_dataset(write_synthetic_idx(tmp_path / "gz", 64, 32, gz=True))
    plain = load_dataset(write_synthetic_idx(tmp_path / "plain", 64, 32, gz=False))
    assert gz.x_train.shape == (64, 28, 28, 1) and gz.x_train.dtype == np.float32
    assert gz.y_test.shape == (32,)
    np.testing.assert_array_equal(gz.x_train, plain.x_train)
    images, labels = synthetic_images(64, 1)
    np.testing.assert_allclose(gz.x_train[..., 0], images / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(gz.y_train, labels)
    assert 0.0 <= gz.x_train.min() and gz.x_train.max() <= 1.0


def test_limits_take_the_first_samples(tmp_path):
    dataset = load_dataset(write_synthetic_idx(tmp_path, 64, 32)).limited(10, 5)
    assert (len(dataset.x_train), len(dataset.x_test)) == (10, 5)
    assert dataset.describe().endswith("10 train / 5 test")


@pytest.fixture
def idx_dir(tmp_path):
    return write_synthetic_idx(tmp_path / "idx", 40, 20, gz=False)


def test_missing_file_names_it_and_says_what_to_do(idx_dir):
    (idx_dir / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(DataError) as info:
        load_dataset(idx_dir)
    assert "t10k-labels-idx1-ubyte (or t10k-labels-idx1-ubyte.gz) is missing" in str(info.value)
    assert "dataset-fashion-mnist" in str(info.value)


def test_wrong_magic_number(idx_dir):
    path = idx_dir / "train-images-idx3-ubyte"
    raw = bytearray(path.read_bytes())
    raw[2] = 0x09
    path.write_bytes(bytes(raw))
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte: wrong magic number 0x00000903"):
        load_dataset(idx_dir)


def test_labels_file_in_place_of_images_is_a_wrong_magic(idx_dir):
    path = idx_dir / "train-images-idx3-ubyte"
    path.write_bytes((idx_dir / "train-labels-idx1-ubyte").read_bytes())
    with pytest.raises(DataError, match="expected 0x00000803"):
        load_dataset(idx_dir)


def test_truncated_file_says_how_much_is_missing(idx_dir):
    path = idx_dir / "t10k-images-idx3-ubyte"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(DataError) as info:
        load_dataset(idx_dir)
    assert str(path) in str(info.value)
    assert "truncated: its header promises 20 images (15,680 bytes) but only 15,580" in str(
        info.value)


def test_truncated_gzip(tmp_path):
    path = tmp_path / "x.gz"
    images, _ = synthetic_images(10, 0)
    write_idx(path, images)
    path.write_bytes(path.read_bytes()[:50])
    with pytest.raises(DataError, match="corrupt or truncated gzip"):
        read_idx(path, data.IMAGE_MAGIC)


def test_image_label_count_mismatch(idx_dir):
    write_idx(idx_dir / "train-labels-idx1-ubyte", np.zeros(39, np.uint8))
    with pytest.raises(DataError, match="holds 40 images but .* holds 39 labels"):
        load_dataset(idx_dir)


def test_images_that_are_not_28_by_28(idx_dir):
    write_idx(idx_dir / "train-images-idx3-ubyte", np.zeros((40, 32, 32), np.uint8))
    with pytest.raises(DataError, match="images are 32×32, but the study needs 28×28"):
        load_dataset(idx_dir)


def test_label_out_of_range(idx_dir):
    write_idx(idx_dir / "train-labels-idx1-ubyte", np.full(40, 12, np.uint8))
    with pytest.raises(DataError, match="labels must be 0–9, found 12"):
        load_dataset(idx_dir)


def test_npz_dataset(tmp_path):
    images, labels = synthetic_images(30, 3)
    path = tmp_path / "fm.npz"
    np.savez(path, x_train=images, y_train=labels, x_test=images[:10], y_test=labels[:10])
    dataset = load_dataset(path)
    assert dataset.x_train.shape == (30, 28, 28, 1) and dataset.x_test.shape == (10, 28, 28, 1)
    np.testing.assert_array_equal(dataset.y_test, labels[:10])


def test_npz_missing_array_and_pickled_object(tmp_path):
    path = tmp_path / "partial.npz"
    np.savez(path, x_train=np.zeros((2, 28, 28), np.uint8))
    with pytest.raises(DataError, match="missing array.*y_train, x_test, y_test"):
        load_dataset(path)
    pickled = tmp_path / "pickled.npz"
    obj = np.array([{"a": 1}], dtype=object)
    np.savez(pickled, x_train=obj, y_train=obj, x_test=obj, y_test=obj)
    with pytest.raises(DataError, match="not a readable .npz"):
        load_dataset(pickled)


def test_not_an_npz(tmp_path):
    path = tmp_path / "junk.npz"
    path.write_bytes(gzip.compress(b"hello"))
    with pytest.raises(DataError, match="not a readable .npz"):
        load_dataset(path)


def test_search_falls_back_to_keras_cache_then_says_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "SYSTEM_DIR", tmp_path / "nowhere")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    with pytest.raises(DataError) as info:
        load_dataset()
    assert str(tmp_path / "nowhere") in str(info.value)
    assert "apt-get install dataset-fashion-mnist" in str(info.value)
    write_synthetic_idx(tmp_path / "keras" / "datasets" / "fashion-mnist", 16, 8)
    dataset = load_dataset()
    assert len(dataset.x_train) == 16
    assert "keras" in dataset.source


def test_missing_folder(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        load_dataset(tmp_path / "absent")


@pytest.mark.skipif(not data.SYSTEM_DIR.is_dir(), reason="Debian's dataset-fashion-mnist absent")
def test_system_fashion_mnist_has_the_expected_shape():
    dataset = load_dataset()
    assert dataset.x_train.shape == (60000, 28, 28, 1)
    assert dataset.x_test.shape == (10000, 28, 28, 1)
    assert np.bincount(dataset.y_train).tolist() == [6000] * 10
