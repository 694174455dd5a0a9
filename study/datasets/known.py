"""The datasets Kernel Lab knows by name: where each is published, its files' SHA-256, its classes.

Fashion-MNIST is read offline from Debian's copy (or Keras' cache) as ever; it and the others are
fetched only when asked (`study --download`) into the cache folder (cache_root()/datasets/NAME),
and every file is checked against the SHA-256 below before it is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from study.protocol.files import cache_root

DEFAULT_DATASET = "fashion-mnist"
IDX_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
FASHION_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)


@dataclass(frozen=True)
class RemoteFile:
    """One published file: where it is, and the SHA-256 of its bytes."""

    url: str
    sha256: str

    @property
    def filename(self) -> str:
        """The name it is kept under in the cache folder (the URL's last part)."""
        return self.url.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class KnownDataset:
    """A dataset by name: its title, classes, published files and how they are laid out."""

    name: str
    title: str
    classes: tuple[str, ...]
    files: tuple[RemoteFile, ...]
    layout: str  # "idx": the four IDX files (gzipped); "cifar-binary": CIFAR-10's binary tarball
    input_shape: tuple[int, int, int] = (28, 28, 1)
    sizes: tuple[int, int] = (60_000, 10_000)

    def cache_dir(self) -> Path:
        """Where --download keeps this dataset's files."""
        return datasets_cache() / self.name

    def download_command(self) -> str:
        """The command that fetches it."""
        return f"main.py study --dataset {self.name} --download"


def _idx(base: str, sums: tuple[str, str, str, str]) -> tuple[RemoteFile, ...]:
    return tuple(RemoteFile(f"{base}{name}.gz", digest)
                 for name, digest in zip(IDX_FILES.values(), sums, strict=True))


KNOWN = {
    "fashion-mnist": KnownDataset(
        "fashion-mnist", "Fashion-MNIST", FASHION_CLASSES,
        _idx("https://storage.googleapis.com/tensorflow/tf-keras-datasets/", (
            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5")),
        "idx"),
    "mnist": KnownDataset(
        "mnist", "MNIST", tuple(str(digit) for digit in range(10)),
        _idx("https://ossci-datasets.s3.amazonaws.com/mnist/", (
            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6")),
        "idx"),
    "kmnist": KnownDataset(
        "kmnist", "Kuzushiji-MNIST",
        ("o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"),
        _idx("https://codh.rois.ac.jp/kmnist/dataset/kmnist/", (
            "51467d22d8cc72929e2a028a0428f2086b092bb31cfb79c69cc0a90ce135fde4",
            "e38f9ebcd0f3ebcdec7fc8eabdcdaef93bb0df8ea12bee65224341c8183d8e17",
            "edd7a857845ad6bb1d0ba43fe7e794d164fe2dce499a1694695a792adfac43c5",
            "20bb9a0ef54c7db3efc55a92eef5582c109615df22683c380526788f98e42a1c")),
        "idx"),
    "cifar10": KnownDataset(
        "cifar10", "CIFAR-10",
        ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
         "truck"),
        (RemoteFile("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
                    "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd"),),
        "cifar-binary", (32, 32, 3), (50_000, 10_000)),
}
NAMES = tuple(KNOWN)


def datasets_cache() -> Path:
    """Where downloaded datasets are kept: cache_root()/datasets ($XDG_CACHE_HOME/kernel-lab)."""
    return cache_root() / "datasets"


def is_known(name) -> bool:
    """True for a dataset name Kernel Lab knows (fashion-mnist, mnist, kmnist, cifar10)."""
    return isinstance(name, str) and name in KNOWN


def class_names_of(dataset) -> tuple[str, ...] | None:
    """The class names of a known dataset's name; None for a path (its files say)."""
    return KNOWN[dataset].classes if is_known(dataset) else None


def default_class_names(count: int) -> tuple[str, ...]:
    """"class 0" … "class N−1": the names of a user's dataset that brings none."""
    return tuple(f"class {i}" for i in range(int(count)))
