"""Datasets beyond Fashion-MNIST: the user's own IDX folders and .npz files, class names, the
known datasets' download (a local HTTP server stands in for the published URLs), the SHA-256
check, the offline refusal, and the dataset setting in a config and a sweep grid."""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import json
import threading
import urllib.request

import numpy as np
import pytest

import study.datasets.known as known_module
from study.config import ConfigError, StudyConfig
from study.data import DataError, load_dataset, write_idx
from study.datasets import fetch
from study.datasets.known import IDX_FILES, KNOWN, KnownDataset, RemoteFile
from study.sweep.grid import SweepError, parse_grid, point_config
from tests.synthetic import synthetic_images, write_synthetic_idx


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder, and no network: urlopen fails as it does offline."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))

    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    return tmp_path / "cache" / "kernel-lab" / "datasets"


def _rgb_npz(path, classes=("cat", "dog", "owl"), n_train=40, n_test=12, **extra):
    rng = np.random.default_rng(0)
    arrays = {"x_train": rng.integers(0, 256, (n_train, 32, 32, 3), dtype=np.uint8),
              "y_train": rng.integers(0, 3, n_train), "x_test":
              rng.integers(0, 256, (n_test, 32, 32, 3), dtype=np.uint8),
              "y_test": rng.integers(0, 3, n_test)}
    if classes is not None:
        arrays["classes"] = np.array(classes)
    arrays.update(extra)
    np.savez(path, **arrays)
    return path


# ----- the user's own data --------------------------------------------------------------------
def test_an_idx_folder_of_28_by_28_images_names_its_classes_by_number(tmp_path):
    folder = write_synthetic_idx(tmp_path / "idx", 40, 12)
    dataset = load_dataset(dataset=str(folder))
    assert dataset.input_shape == (28, 28, 1) and dataset.x_train.dtype == np.float32
    assert dataset.class_names == tuple(f"class {i}" for i in range(10))
    assert dataset.info()["classes"][3] == "class 3" and dataset.key == str(folder)


def test_an_idx_folder_of_other_sizes_with_a_classes_json(tmp_path):
    folder = tmp_path / "idx"
    folder.mkdir()
    rng = np.random.default_rng(1)
    for key, base in IDX_FILES.items():
        n = 30 if "train" in key else 10
        array = (rng.integers(0, 256, (n, 20, 24)) if key.startswith("x")
                 else rng.integers(0, 4, n))
        write_idx(folder / base, array)
    (folder / "classes.json").write_text(json.dumps(["a", "b", "c", "d"]))
    dataset = load_dataset(dataset=str(folder))
    assert dataset.input_shape == (20, 24, 1) and dataset.class_names == ("a", "b", "c", "d")


def test_an_npz_of_32_by_32_colour_images_with_classes(tmp_path):
    dataset = load_dataset(dataset=str(_rgb_npz(tmp_path / "rgb.npz")))
    assert dataset.input_shape == (32, 32, 3) and dataset.num_classes == 3
    assert dataset.class_names == ("cat", "dog", "owl")
    assert 0.0 <= dataset.x_train.min() and dataset.x_train.max() <= 1.0


def test_an_npz_without_classes_names_class_i_or_reads_classes_json(tmp_path):
    path = _rgb_npz(tmp_path / "plain.npz", classes=None)
    assert load_dataset(dataset=str(path)).class_names == ("class 0", "class 1", "class 2")
    (tmp_path / "classes.json").write_text(json.dumps({"classes": ["x", "y", "z", "w"]}))
    assert load_dataset(dataset=str(path)).class_names == ("x", "y", "z", "w")


def test_float_images_stay_as_they_are(tmp_path):
    path = tmp_path / "float.npz"
    x = np.random.default_rng(2).random((20, 16, 16)).astype(np.float32)
    np.savez(path, x_train=x, y_train=np.arange(20) % 2, x_test=x[:5], y_test=np.arange(5) % 2)
    dataset = load_dataset(dataset=str(path))
    assert dataset.input_shape == (16, 16, 1) and np.allclose(dataset.x_train[..., 0], x)


@pytest.mark.parametrize(("change", "message"), [
    ({"y_train": None}, r"missing array\(s\) y_train"),
    ({"y_train": np.zeros(39, int)}, "holds 40 images but .* holds 39 labels; they must match"),
    ({"y_test": np.full(12, 3)}, r"y_test: labels must be 0–2, found 3 at index 0"),
    ({"classes": np.array(["cat", "cat", "owl"])}, "each class name may be given once"),
    ({"x_test": np.zeros((12, 30, 30, 3), np.uint8)}, "images are 32×32×3 but .* 30×30×3"),
    ({"x_train": np.zeros((40, 32, 32, 5), np.uint8)}, "channels last, C from 1 to 3"),
])
def test_a_bad_npz_is_refused_in_one_line(tmp_path, change, message):
    path = tmp_path / "bad.npz"
    _rgb_npz(path)
    with np.load(path) as arrays:
        content = {k: arrays[k] for k in arrays.files}
    for key, value in change.items():
        if value is None:
            del content[key]
        else:
            content[key] = value
    np.savez(path, **content)
    with pytest.raises(DataError, match=message) as info:
        load_dataset(dataset=str(path))
    assert "\n" not in str(info.value)


def test_own_data_that_is_not_there_or_given_twice_is_refused(tmp_path):
    with pytest.raises(DataError, match="does not exist; --dataset takes fashion-mnist"):
        load_dataset(dataset=str(tmp_path / "absent.npz"))
    path = _rgb_npz(tmp_path / "rgb.npz")
    with pytest.raises(DataError, match="given twice"):
        load_dataset(str(tmp_path), dataset=str(path))


def test_data_dir_still_reads_fashion_mnist_with_its_class_names(synthetic_data_dir):
    dataset = load_dataset(synthetic_data_dir)
    assert dataset.key == "fashion-mnist" and dataset.class_names[0] == "T-shirt/top"


# ----- known datasets: offline refusal, download, checksum ------------------------------------
def test_a_known_dataset_not_downloaded_names_the_command_that_fetches_it(cache):
    with pytest.raises(DataError) as info:
        load_dataset(dataset="mnist")
    text = str(info.value)
    assert "`main.py study --dataset mnist --download`" in text and "\n" not in text
    assert not (cache / "mnist").exists()


def test_download_while_offline_is_refused_and_keeps_nothing(cache):
    with pytest.raises(DataError, match="could not download https://.*no network"):
        fetch.download("kmnist")
    assert not any(p.is_file() for p in (cache / "kmnist").glob("*"))


@pytest.fixture
def served(tmp_path, monkeypatch, cache):
    """A local HTTP server serving a synthetic MNIST-shaped dataset's four .gz files, and a
    known dataset `tiny` whose published files are those, with their SHA-256."""
    site = tmp_path / "site"
    write_synthetic_idx(site, 30, 10, gz=True)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    files = tuple(RemoteFile(base + f"{name}.gz",
                             hashlib.sha256((site / f"{name}.gz").read_bytes()).hexdigest())
                  for name in IDX_FILES.values())
    tiny = KnownDataset("tiny", "Tiny", tuple("abcdefghij"), files, "idx")
    monkeypatch.setitem(KNOWN, "tiny", tiny)
    monkeypatch.setattr(known_module, "NAMES", (*known_module.NAMES, "tiny"))
    monkeypatch.setattr(urllib.request, "urlopen", _real_urlopen)
    yield tiny
    server.shutdown()


_real_urlopen = urllib.request.urlopen


def test_download_fetches_checks_and_records_the_files(served, cache):
    lines = []
    folder = fetch.download("tiny", lines.append)
    assert folder == cache / "tiny" and len(lines) == 4
    dataset = load_dataset(dataset="tiny")
    assert dataset.class_names == tuple("abcdefghij") and len(dataset.x_train) == 30
    assert dataset.info()["files"] == [{"url": f.url, "sha256": f.sha256} for f in served.files]
    fetch.download("tiny", lines.append)  # already there: checked, not fetched again
    assert len(lines) == 4


def test_a_download_whose_checksum_differs_is_refused_and_not_kept(served, cache, monkeypatch):
    wrong = served.files[0].__class__(served.files[0].url, "0" * 64)
    monkeypatch.setitem(KNOWN, "tiny", KnownDataset("tiny", "Tiny", served.classes,
                                                    (wrong, *served.files[1:]), "idx"))
    with pytest.raises(DataError, match="SHA-256 .* is not the published 0{64}; the download is "
                                        "refused") as info:
        fetch.download("tiny")
    assert "\n" not in str(info.value)
    assert not (cache / "tiny" / wrong.filename).exists()
    assert not list((cache / "tiny").glob(".*.tmp"))


def test_a_cached_file_that_changed_is_refused(served, cache):
    fetch.download("tiny")
    path = cache / "tiny" / served.files[1].filename
    path.write_bytes(gzip.compress(path.read_bytes()))
    with pytest.raises(DataError, match="is not the published tiny file's .*; refused"):
        load_dataset(dataset="tiny")


# ----- the setting: config and sweep grid -----------------------------------------------------
def test_the_dataset_setting_is_validated_with_one_clear_message(tmp_path):
    assert StudyConfig(dataset="mnist").validated().to_dict()["dataset"] == "mnist"
    assert "dataset" not in StudyConfig().to_dict()
    with pytest.raises(ConfigError, match="dataset must be one of fashion-mnist, mnist, kmnist, "
                                          "cifar10 or the path of a folder"):
        StudyConfig(dataset="fashon-mnist").validated()
    with pytest.raises(ConfigError, match="leave out data_dir"):
        StudyConfig(dataset=str(tmp_path / "x.npz"), data_dir=str(tmp_path)).validated()
    assert StudyConfig.from_json(StudyConfig(dataset="cifar10").to_json()).dataset == "cifar10"


def test_a_sweep_grid_sweeps_the_dataset():
    grid = parse_grid(["dataset=fashion-mnist,mnist"])
    assert grid == {"dataset": ["fashion-mnist", "mnist"]}
    assert point_config(StudyConfig(mode="all-at-once"), {"dataset": "mnist"}).dataset == "mnist"
    with pytest.raises(SweepError, match="dataset must be one of"):
        parse_grid(["dataset=fashion-mnist,nmist"])


def test_an_offline_study_of_a_known_dataset_exits_2_with_one_line_and_no_folder(
        cache, tmp_path, capsys):
    import main
    from study.cli.study import run
    from study.protocol.exit_codes import EXIT_USAGE

    out = tmp_path / "studies"
    args = main.build_parser().parse_args(["study", "--dataset", "mnist", "--download",
                                           "--out", str(out)])
    assert run(args) == EXIT_USAGE
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 2 and lines[0].startswith("downloading ")
    assert lines[1].startswith("error: could not download")
    assert not out.exists()


def test_synthetic_images_helper_stays_28_by_28():
    images, labels = synthetic_images(3, 0)
    assert images.shape == (3, 28, 28) and labels.max() < 10
