"""A study's dataset: a known one by name (Fashion-MNIST found offline, MNIST, KMNIST, CIFAR-10
from the download cache) or the user's own folder of IDX files or .npz (docs/datasets.md).

Search order for Fashion-MNIST when no folder is given: the system copy from Debian's
`dataset-fashion-mnist` (/usr/share/datasets/fashion-mnist), then Keras' download cache
(~/.keras/datasets/fashion-mnist), then Kernel Lab's (`study --download`). The readers live in
study/datasets/.
"""

from __future__ import annotations

import hashlib
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from study.datasets import fetch
from study.datasets.known import (
    DEFAULT_DATASET,
    FASHION_CLASSES,
    IDX_FILES,
    KNOWN,
    KnownDataset,
    default_class_names,
    is_known,
)
from study.datasets.readers import (  # noqa: F401 - the names other modules import from here
    IMAGE_MAGIC,
    LABEL_MAGIC,
    DataError,
    find_file,
    idx_count,
    idx_paths,
    pair,
    read_cifar_binary,
    read_classes,
    read_idx,
    read_idx_arrays,
    read_npz_arrays,
    shape_text,
    write_idx,
)

SYSTEM_DIR = Path("/usr/share/datasets/fashion-mnist")
IMAGE_SIDE = 28
CLASS_NAMES = FASHION_CLASSES
INSTALL_HINT = (
    "install it with `sudo apt-get install dataset-fashion-mnist`, fetch it with "
    "`main.py study --download`, or pass --data DIR with the four IDX files "
    "(train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], "
    "t10k-labels-idx1-ubyte[.gz]) or an .npz file holding x_train, y_train, x_test, y_test"
)
OWN_HINT = (f"--dataset takes {', '.join(KNOWN)}, a folder of the four IDX files or an .npz "
            "holding x_train, y_train, x_test, y_test")


@dataclass(frozen=True)
class Dataset:
    """Images scaled to [0, 1] as float32 (N, H, W, C), labels as int32 (N,), class names."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str
    class_names: tuple[str, ...] = CLASS_NAMES
    # The dataset setting it was loaded for (a known name or the path) and, for a fetched one,
    # the URL and SHA-256 of each file read.
    key: str = DEFAULT_DATASET
    files: tuple = field(default=(), repr=False)

    def limited(self, train_limit: int | None, test_limit: int | None) -> Dataset:
        """The first train_limit / test_limit samples (all of them when None).

        A limit above what the dataset holds is refused (DataError), never clamped: a study
        must not say it used 70,000 images when it used 60,000.
        """
        check_limits(self.name, len(self.x_train), len(self.x_test), train_limit, test_limit)
        return Dataset(
            self.x_train[:train_limit], self.y_train[:train_limit],
            self.x_test[:test_limit], self.y_test[:test_limit], self.source,
            self.class_names, self.key, self.files,
        )

    @property
    def name(self) -> str:
        """What a message calls this dataset: "Fashion-MNIST", "MNIST" or where it came from."""
        for known in KNOWN.values():
            if self.source.startswith(known.title + " ("):
                return known.title
        return self.source

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """(H, W, C) of one image."""
        return tuple(int(d) for d in self.x_train.shape[1:])

    @property
    def num_classes(self) -> int:
        """How many classes the labels name (linear1's width)."""
        return len(self.class_names)

    def describe(self) -> str:
        """One line for a status bar: where the data came from and how much of it."""
        return f"{self.source}: {len(self.x_train):,} train / {len(self.x_test):,} test"

    def info(self) -> dict:
        """The dataset block a study records (status.json's `dataset_info`): the setting, the
        class names, the image shape and, for a fetched dataset, each file's URL and SHA-256."""
        block = {"name": self.key, "source": self.source, "classes": list(self.class_names),
                 "input_shape": list(self.input_shape)}
        if self.files:
            block["files"] = [dict(f) for f in self.files]
        return block


def check_limits(name: str, n_train: int, n_test: int, train_limit: int | None,
                 test_limit: int | None) -> None:
    """DataError when a train or test limit asks for more images than the dataset has."""
    for limit, available, kind, option in ((train_limit, n_train, "training", "train"),
                                           (test_limit, n_test, "test", "test")):
        if limit is not None and limit > available:
            raise DataError(f"{name} has {available:,} {kind} images, fewer than the "
                            f"{option} limit {limit:,}: use at most {available:,}, or no limit "
                            "for all of them")


def _setting(value) -> str | None:
    return None if value is None or str(value) == "" else str(value)


def dataset_sizes(data=None, dataset=None) -> tuple[str, int, int]:
    """(name, training images, test images) of what load_dataset(data, dataset) would read, from
    the IDX headers or the .npz index alone — cheap enough to check a limit as the user types."""
    data, dataset = _setting(data), _setting(dataset) or DEFAULT_DATASET
    if data is None and not is_known(dataset):
        data = dataset
    if data is not None:
        path = Path(data)
        if path.is_file():
            try:
                with np.load(path, allow_pickle=False) as arrays:
                    shapes = {k: arrays[k].shape for k in ("y_train", "y_test")}
            except (OSError, ValueError, KeyError, zlib.error) as exc:
                raise DataError(f"{path}: cannot be read ({exc})") from None
            return str(path), int(shapes["y_train"][0]), int(shapes["y_test"][0])
        folders, name = [path], f"IDX files in {path}"
    elif dataset == DEFAULT_DATASET:
        folders, name = candidate_dirs(), KNOWN[dataset].title
    else:
        known = KNOWN[dataset]
        if fetch.missing_files(known):
            raise DataError(f"{known.title} is not downloaded; `{known.download_command()}`")
        if known.layout != "idx":
            return known.title, *known.sizes
        folders, name = [known.cache_dir()], known.title
    for folder in folders:
        files = {key: find_file(folder, base) for key, base in IDX_FILES.items()}
        if folder.is_dir() and all(files.values()):
            return name, idx_count(files["y_train"]), idx_count(files["y_test"])
    raise DataError(f"no dataset found in {', '.join(str(f) for f in folders)}")


def keras_cache_dir() -> Path:
    """Where keras.datasets.fashion_mnist keeps its download."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "datasets" / "fashion-mnist"


def _split(arrays: dict, where: dict, expected, num_classes):
    x_train, y_train = pair(arrays["x_train"], arrays["y_train"], where["x_train"],
                            where["y_train"], expected, num_classes)
    x_test, y_test = pair(arrays["x_test"], arrays["y_test"], where["x_test"], where["y_test"],
                          expected, num_classes)
    if x_train.shape[1:] != x_test.shape[1:]:
        raise DataError(f"{where['x_train']} images are {shape_text(x_train.shape[1:])} but "
                        f"{where['x_test']} images {shape_text(x_test.shape[1:])}; they must "
                        "match")
    return x_train, y_train, x_test, y_test


def load_idx_folder(folder, known: KnownDataset | None = KNOWN[DEFAULT_DATASET]) -> Dataset:
    """The four IDX files of one folder: a known dataset's (its size and classes) or, with
    known=None, the user's own (any H×W, classes from a classes.json beside them)."""
    folder = Path(folder)
    paths = idx_paths(folder, INSTALL_HINT if known else OWN_HINT)
    side = known.input_shape[:2] if known else None
    arrays = read_idx_arrays(paths, side)
    where = {key: str(path) for key, path in paths.items()}
    return _dataset(arrays, where, known, folder, f"IDX files in {folder}")


def load_npz(path, known: KnownDataset | None = KNOWN[DEFAULT_DATASET]) -> Dataset:
    """An .npz file with x_train, y_train, x_test, y_test (never unpickled) and, for the user's
    own data (known=None), an optional `classes` array."""
    path = Path(path)
    arrays, classes = read_npz_arrays(path)
    where = {key: f"{path} {key}" for key in IDX_FILES}
    return _dataset(arrays, where, known, path, f"{path}", classes)


def _dataset(arrays, where, known, path: Path, source: str, embedded=None) -> Dataset:
    if known is not None:
        x_train, y_train, x_test, y_test = _split(arrays, where, known.input_shape,
                                                  len(known.classes))
        return Dataset(x_train, y_train, x_test, y_test, source, known.classes, known.name)
    names = read_classes(path, embedded)
    x_train, y_train, x_test, y_test = _split(arrays, where, None,
                                              len(names) if names else None)
    if names is None:
        count = int(max(y_train.max(), y_test.max())) + 1
        if count < 2:
            raise DataError(f"{path}: every label is 0; a study needs at least two classes")
        names = default_class_names(count)
    return Dataset(x_train, y_train, x_test, y_test, source, names, str(path))


def load_own(path) -> Dataset:
    """The user's own data (--dataset PATH): a folder of IDX files or an .npz."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path} does not exist; {OWN_HINT}")
    return load_npz(path, None) if path.is_file() else load_idx_folder(path, None)


def load_cached(known: KnownDataset) -> Dataset:
    """A known dataset from the download cache, every file checked against its SHA-256."""
    missing = fetch.missing_files(known)
    if missing:
        raise DataError(f"{known.title} is not downloaded (no {missing[0].filename} in "
                        f"{known.cache_dir()}); fetch it once with "
                        f"`{known.download_command()}`")
    paths = [fetch.verified(known, remote, fetch.cached_path(known, remote))
             for remote in known.files]
    if known.layout == "idx":
        paths = idx_paths(known.cache_dir(), f"fetch it with `{known.download_command()}`")
        arrays = read_idx_arrays(paths, known.input_shape[:2])
        where = {key: str(path) for key, path in paths.items()}
    else:
        arrays = read_cifar_binary(paths[0])
        where = {key: f"{paths[0]} {key}" for key in IDX_FILES}
    x_train, y_train, x_test, y_test = _split(arrays, where, known.input_shape,
                                              len(known.classes))
    return Dataset(x_train, y_train, x_test, y_test, f"{known.title} ({known.cache_dir()})",
                   known.classes, known.name, tuple(fetch.source_record(known)))


def candidate_dirs() -> list[Path]:
    """Where Fashion-MNIST is looked for when no folder is given, in order."""
    return [SYSTEM_DIR, keras_cache_dir(), KNOWN[DEFAULT_DATASET].cache_dir()]


def load_dataset(data: str | os.PathLike | None = None, dataset: str | None = None) -> Dataset:
    """Load the study's dataset: `dataset` (a known name, default Fashion-MNIST, or a path to the
    user's own data), read from `data` (a folder or .npz of that dataset's files) when given."""
    data, dataset = _setting(data), _setting(dataset) or DEFAULT_DATASET
    if not is_known(dataset):
        if data is not None:
            raise DataError(f"the data are given twice (--dataset {dataset} and --data {data}); "
                            "give your own data as --dataset PATH alone")
        return load_own(dataset)
    known = KNOWN[dataset]
    if data is not None:
        path = Path(data)
        if not path.exists():
            raise DataError(f"{path} does not exist; {INSTALL_HINT}")
        return load_npz(path, known) if path.is_file() else load_idx_folder(path, known)
    if dataset != DEFAULT_DATASET:
        return load_cached(known)
    for folder in candidate_dirs():
        if folder.is_dir() and all(find_file(folder, b) for b in IDX_FILES.values()):
            if folder == known.cache_dir():
                return load_cached(known)
            loaded = load_idx_folder(folder, known)
            return Dataset(loaded.x_train, loaded.y_train, loaded.x_test, loaded.y_test,
                           f"Fashion-MNIST ({folder})")
    looked = ", ".join(str(p) for p in candidate_dirs())
    raise DataError(f"Fashion-MNIST was not found (looked in {looked}); {INSTALL_HINT}")


def data_signature(data=None, dataset=None) -> tuple:
    """What load_dataset(data, dataset) would read, as (path, size, mtime_ns) rows (None, None
    for a file that is not there): a dataset loaded earlier is out of date when this changed."""
    data, dataset = _setting(data), _setting(dataset) or DEFAULT_DATASET
    names = [base + suffix for base in IDX_FILES.values() for suffix in ("", ".gz")]
    if data is None and not is_known(dataset):
        data = dataset
    if data is not None:
        path = Path(data)
        files = [path] if not path.is_dir() else [path / name for name in names]
        files.append((path if path.is_dir() else path.parent) / "classes.json")
    elif dataset == DEFAULT_DATASET:
        files = [folder / name for folder in candidate_dirs() for name in names]
    else:
        files = [fetch.cached_path(KNOWN[dataset], remote) for remote in KNOWN[dataset].files]
    rows = []
    for path in files:
        try:
            stat = path.stat()
            rows.append((str(path), stat.st_size, stat.st_mtime_ns))
        except OSError:
            rows.append((str(path), None, None))
    return tuple(rows)


@dataclass(frozen=True)
class KeptDataset:
    """A dataset loaded ahead of its study (the app's warm worker, study/run/warm.py), handed to a
    study only when the study's data setting is the same and the files have not changed."""

    data: str | None
    dataset: Dataset
    signature: tuple
    name: str = DEFAULT_DATASET

    @classmethod
    def load(cls, data=None, dataset=None) -> KeptDataset:
        """Load the dataset of this data setting now (DataError as load_dataset)."""
        data, dataset = _setting(data), _setting(dataset) or DEFAULT_DATASET
        signature = data_signature(data, dataset)
        return cls(data, load_dataset(data, dataset), signature, dataset)

    def dataset_for(self, data, dataset=None) -> Dataset | None:
        """The kept dataset when `data` (and `dataset`) are the setting it was loaded for and
        its files are unchanged; None otherwise (then the study loads its own)."""
        data, dataset = _setting(data), _setting(dataset) or DEFAULT_DATASET
        if data != self.data or dataset != self.name \
                or data_signature(data, dataset) != self.signature:
            return None
        return self.dataset


def download(name: str | None = None, report=lambda line: None) -> Path:
    """Fetch the known dataset `name` (default Fashion-MNIST) into the cache folder, checked
    against its SHA-256 (study/datasets/fetch.py)."""
    return fetch.download(_setting(name) or DEFAULT_DATASET, report)


def data_fingerprint(dataset) -> str:
    """A short hash identifying a dataset's arrays (shapes, dtypes and bytes of all four)."""
    digest = hashlib.blake2b(digest_size=16)
    for array in (dataset.x_train, dataset.y_train, dataset.x_test, dataset.y_test):
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape};".encode())
        digest.update(memoryview(array).cast("B"))
    return digest.hexdigest()
