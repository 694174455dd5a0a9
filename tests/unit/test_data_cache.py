"""The parsed-data cache: a second load of the same IDX files reads the arrays an
earlier run kept instead of gunzipping and parsing them; changed or damaged, they are parsed
again, and the result is always the files' own."""

from __future__ import annotations

import numpy as np
import pytest

from tests.synthetic import write_synthetic_idx


@pytest.fixture
def cached(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("KERNEL_LAB_DATA_CACHE", "on")
    return tmp_path / "cache" / "kernel-lab" / "data"


def _same(a, b):
    for key in ("x_train", "y_train", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, key), getattr(b, key))


def test_a_second_load_reads_the_kept_arrays(cached, tmp_path, monkeypatch):
    import study.data as data

    folder = write_synthetic_idx(tmp_path / "idx", n_train=64, n_test=32)
    first = data.load_idx_folder(folder)
    (kept,) = list(cached.iterdir())
    assert sorted(p.name for p in kept.iterdir()) == [
        "x_test.npy", "x_train.npy", "y_test.npy", "y_train.npy"]

    def no_parse(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(data, "read_idx", no_parse)
    _same(data.load_idx_folder(folder), first)


def test_changed_files_are_parsed_again(cached, tmp_path):
    import study.data as data

    folder = write_synthetic_idx(tmp_path / "idx", n_train=64, n_test=32)
    first = data.load_idx_folder(folder)
    write_synthetic_idx(folder, n_train=48, n_test=32)
    second = data.load_idx_folder(folder)
    assert len(second.x_train) == 48 and len(first.x_train) == 64
    assert len(list(cached.iterdir())) == 2


@pytest.mark.parametrize("damage", [b"", b"not an npy file", None])
def test_a_damaged_cache_is_ignored_and_rewritten(cached, tmp_path, damage):
    import study.data as data

    folder = write_synthetic_idx(tmp_path / "idx", n_train=64, n_test=32)
    first = data.load_idx_folder(folder)
    (kept,) = list(cached.iterdir())
    target = kept / "x_train.npy"
    if damage is None:
        # A well-formed array of the wrong kind (floats) is not taken either.
        np.save(target, np.zeros((64, 28, 28), dtype=np.float32))
    else:
        target.write_bytes(damage)
    _same(data.load_idx_folder(folder), first)
    assert np.load(target).dtype == np.uint8


def test_switched_off_nothing_is_kept(cached, tmp_path, monkeypatch):
    import study.data as data

    monkeypatch.setenv("KERNEL_LAB_DATA_CACHE", "off")
    folder = write_synthetic_idx(tmp_path / "idx", n_train=64, n_test=32)
    data.load_idx_folder(folder)
    assert not cached.exists()


def test_a_corrupt_idx_file_is_still_refused_when_a_cache_exists(cached, tmp_path):
    import study.data as data

    folder = write_synthetic_idx(tmp_path / "idx", n_train=64, n_test=32)
    data.load_idx_folder(folder)
    path = next(folder.glob("train-images*"))
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(data.DataError):
        data.load_idx_folder(folder)
