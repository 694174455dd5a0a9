"""Kernel banks for conv1: a SPEC string (`sobel`, `gabor:orientations=4,size=5`, a JSON file, …)
parsed and turned into an (N, k, k) float32 array (docs/study.md#kernel-banks); numpy and scipy.

`learned:STUDY_DIR[:NETWORK[:SEED]]` is parsed here but read by study.kernel_bank, which may
open a stored study.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import scipy.fft

from study.protocol import byhand
from study.protocol.byhand import KernelError
from study.protocol.jsonfile import JsonLimitError, load_json_limited
from study.protocol.networks import INPUT_SHAPE, NETWORKS

DEFAULT_SPEC = "byhand"
DEFAULT_LEARNED_NETWORK = "NetA1-DT"
MAX_KERNELS = 64
NORMS = ("l2", "none")
CONV1_STRIDE, CONV2_SIZE, CONV2_STRIDE = 2, 3, 2
# Each kernel file holds N kernels of k×k values: a small document.
MAX_FILE_BYTES, MAX_FILE_DEPTH = 4 * 1024 * 1024, 8

# Derivative filters as cross-correlation kernels (Keras' Conv2D): x, y and the two diagonals.
_DERIVATIVES = {
    "sobel": ([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], [[0, 1, 2], [-1, 0, 1], [-2, -1, 0]]),
    "scharr": ([[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]], [[0, 3, 10], [-3, 0, 3], [-10, -3, 0]]),
    "prewitt": ([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]], [[0, 1, 1], [-1, 0, 1], [-1, -1, 0]]),
}
_LAPLACIANS = ([[0, 1, 0], [1, -4, 1], [0, 1, 0]], [[1, 1, 1], [1, -8, 1], [1, 1, 1]])
# The parameters each bank takes, with their defaults; norm's default is the bank's own.
PARAMETERS = {
    "byhand": {"norm": "none"},
    "sobel": {"size": 3, "norm": "l2"},
    "scharr": {"size": 3, "norm": "l2"},
    "prewitt": {"size": 3, "norm": "l2"},
    "laplacian": {"size": 3, "norm": "l2"},
    "gabor": {"orientations": 4, "wavelengths": "4", "size": 5, "sigma": None, "norm": "l2"},
    "dct": {"count": 4, "size": 5, "norm": "l2"},
    "random-binary": {"count": 4, "size": 5, "seed": None, "norm": "none"},
    "random-normal": {"count": 4, "size": 5, "seed": None, "norm": "l2"},
}
BANKS = (*PARAMETERS, "learned", "FILE.json")


@dataclass(frozen=True)
class BankSpec:
    """A parsed SPEC: the bank's name and its parameters (a file's path, learned's address)."""

    name: str
    params: dict
    path: str | None = None

    def text(self) -> str:
        """The canonical spec, every parameter spelled out (what a study records)."""
        if self.name == "file":
            return self.path
        if self.name == "learned":
            return "learned:" + ":".join(str(p) for p in self.path if p is not None)
        shown = [f"{k}={show_value(v)}" for k, v in self.params.items() if v is not None]
        return self.name + (":" + ",".join(shown) if shown else "")


def show_value(value) -> str:
    return format(value, "g") if isinstance(value, float) else str(value)


def _int(bank: str, key: str, text: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise KernelError(f"kernel bank {bank}: {key} must be a whole number, got {text!r}"
                          ) from None
    if not low <= value <= high:
        raise KernelError(f"kernel bank {bank}: {key} must be from {low} to {high}, got {value}")
    return value


def _positive(bank: str, key: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (np.isfinite(value) and 0 < value <= 1000):
        raise KernelError(f"kernel bank {bank}: {key} must be a number above 0, got {text!r}")
    return value


def _odd_size(bank: str, text: str, smallest: int) -> int:
    size = _int(bank, "size", text, smallest, largest_kernel_size())
    if size % 2 == 0:
        raise KernelError(f"kernel bank {bank}: size must be odd (a kernel has a centre), got "
                          f"{size}; try {size - 1} or {size + 1}")
    return size


def _value(bank: str, key: str, text: str):
    if key == "norm":
        if text not in NORMS:
            raise KernelError(f"kernel bank {bank}: norm must be one of {', '.join(NORMS)}, "
                              f"got {text!r}")
        return text
    if key == "size":
        return _odd_size(bank, text, 3 if bank in (*_DERIVATIVES, "laplacian") else 1)
    if key in ("count", "orientations"):
        return _int(bank, key, text, 1, MAX_KERNELS)
    if key == "seed":
        return _int(bank, key, text, 0, 2**32 - 1)
    if key == "sigma":
        return _positive(bank, key, text)
    # wavelengths: one or more, separated by "/"
    values = [_positive(bank, key, part) for part in text.split("/")]
    return "/".join(show_value(v) for v in values)


def parse_spec(spec) -> BankSpec:
    """`NAME[:KEY=VALUE,…]`, a JSON file, or `learned:STUDY_DIR[:NETWORK[:SEED]]`."""
    text = str(spec if spec is not None else DEFAULT_SPEC).strip()
    if not text:
        raise KernelError(f"kernel bank is empty; choose one of {', '.join(BANKS)}")
    if text.startswith("learned:") or text == "learned":
        return _parse_learned(text)
    name, _, rest = text.partition(":")
    if name not in PARAMETERS:
        if text.endswith(".json") or Path(text).is_file() or "/" in text:
            return BankSpec("file", {}, text)
        raise KernelError(f"unknown kernel bank {name!r}; choose one of {', '.join(BANKS)}")
    params = dict(PARAMETERS[name])
    for part in filter(None, (p.strip() for p in rest.split(","))):
        key, eq, value = part.partition("=")
        key = key.strip()
        if not eq or key not in params:
            raise KernelError(f"kernel bank {name} takes KEY=VALUE parameters "
                              f"({', '.join(params)}), got {part!r}")
        params[key] = _value(name, key, value.strip())
    if name == "dct" and params["count"] > params["size"] ** 2:
        raise KernelError(f"kernel bank dct: a {params['size']}×{params['size']} kernel has "
                          f"{params['size'] ** 2} basis functions, count is {params['count']}")
    if name == "gabor":
        count = params["orientations"] * len(str(params["wavelengths"]).split("/"))
        if count > MAX_KERNELS:
            raise KernelError(f"kernel bank gabor: orientations × wavelengths is {count}; at "
                              f"most {MAX_KERNELS} kernels")
    return BankSpec(name, params)


def _parse_learned(text: str) -> BankSpec:
    """`learned:STUDY_DIR[:NETWORK[:SEED]]`, read from the right: a trailing part is NETWORK only
    if it is one of the six networks' names and SEED only if it follows one, so a STUDY_DIR may
    hold ":" itself (a folder that exists is taken whole)."""
    rest = text.partition(":")[2]
    if not rest:
        raise KernelError("kernel bank learned needs a study: learned:STUDY_DIR[:NETWORK[:SEED]]")
    network = seed = None
    parts = rest.rsplit(":", 2)
    if Path(rest).is_dir() or len(parts) == 1:
        folder = rest
    elif len(parts) == 3 and parts[1] in NETWORKS:
        folder, network = parts[0], parts[1]
        seed = _int("learned", "SEED", parts[2], 0, 2**32 - 1)
    elif parts[-1] in NETWORKS:
        folder, network = rest.rpartition(":")[0], parts[-1]
    else:
        folder = rest
    if not folder:
        raise KernelError(f"kernel bank {text!r} is not learned:STUDY_DIR[:NETWORK[:SEED]]")
    return BankSpec("learned", {}, (folder, network, seed))


def _role_rng(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(seed), zlib.crc32(name.encode())]))


def _centred(kernels, size: int) -> np.ndarray:
    """3×3 kernels zero-padded to size×size (the same filter, a larger window)."""
    arr = np.asarray(kernels, dtype=np.float64)
    pad = (size - arr.shape[-1]) // 2
    return np.pad(arr, ((0, 0), (pad, pad), (pad, pad)))


def _derivative(name: str, size: int) -> np.ndarray:
    x, diagonal = (np.asarray(k, np.float64) for k in _DERIVATIVES[name])
    return _centred([x, x.T, diagonal, diagonal[:, ::-1]], size)


def gabor(size: int, theta: float, wavelength: float, sigma: float | None = None) -> np.ndarray:
    """The real (cosine) Gabor kernel, zero mean: a plane wave of `wavelength` pixels across the
    direction `theta` (0: across columns) under a round Gaussian of `sigma` (default 0.56 λ)."""
    sigma = 0.56 * wavelength if sigma is None else sigma
    half = size // 2
    y, x = np.mgrid[-half:half + 1, -half:half + 1].astype(np.float64)
    along = x * np.cos(theta) + y * np.sin(theta)
    kernel = np.exp(-(x * x + y * y) / (2 * sigma * sigma)) * np.cos(2 * np.pi * along / wavelength)
    return kernel - kernel.mean()


def dct_basis(count: int, size: int) -> np.ndarray:
    """The `count` lowest 2-D DCT-II basis functions of size×size, by u+v then u (orthonormal)."""
    eye = np.eye(size)
    # Row u of the inverse orthonormal DCT-II of the unit vectors is the u-th basis vector.
    vectors = scipy.fft.idct(eye, type=2, norm="ortho", axis=1)
    order = sorted(((u, v) for u in range(size) for v in range(size)),
                   key=lambda uv: (uv[0] + uv[1], uv[0]))[:count]
    return np.stack([np.outer(vectors[u], vectors[v]) for u, v in order])


def _random(name: str, params: dict, seed: int) -> np.ndarray:
    rng = _role_rng(params["seed"] if params["seed"] is not None else seed, f"bank/{name}")
    shape = (params["count"], params["size"], params["size"])
    if name == "random-normal":
        return rng.standard_normal(shape)
    kernels = rng.integers(0, 2, size=shape).astype(np.float64)
    for k in range(shape[0]):
        while not kernels[k].any():   # an all-zero kernel sees nothing: draw it again
            kernels[k] = rng.integers(0, 2, size=shape[1:])
    return kernels


def normalised(kernels, norm: str) -> np.ndarray:
    """`l2`: each kernel divided by its Euclidean norm (an all-zero one is left as it is)."""
    arr = np.asarray(kernels, dtype=np.float64)
    if norm == "none":
        return arr
    norms = np.sqrt((arr * arr).sum(axis=(1, 2), keepdims=True))
    return arr / np.where(norms > 0, norms, 1.0)


def bank_kernels(spec: BankSpec, seed: int = 0) -> np.ndarray:
    """The (N, k, k) float32 kernels of a parsed bank (not `learned`: see study.kernel_bank)."""
    name, params = spec.name, spec.params
    if name == "learned":
        raise KernelError("kernel bank learned: reads a stored study (study.kernel_bank)")
    if name == "file":
        return load_kernel_file(spec.path)
    if name == "byhand":
        raw = byhand.REPORT_KERNELS
    elif name in _DERIVATIVES:
        raw = _derivative(name, params["size"])
    elif name == "laplacian":
        raw = _centred(_LAPLACIANS, params["size"])
    elif name == "gabor":
        wavelengths = [float(w) for w in str(params["wavelengths"]).split("/")]
        n = params["orientations"]
        raw = np.stack([gabor(params["size"], np.pi * i / n, w, params["sigma"])
                        for w in wavelengths for i in range(n)])
    elif name == "dct":
        raw = dct_basis(params["count"], params["size"])
    else:
        raw = _random(name, params, seed)
    return validate(normalised(raw, params["norm"]))


def resolve(spec, seed: int = 0) -> tuple[str, np.ndarray]:
    """(canonical spec, kernels) of a SPEC string; random banks name the seed they used."""
    parsed = parse_spec(spec)
    if parsed.name in ("random-binary", "random-normal") and parsed.params["seed"] is None:
        parsed = BankSpec(parsed.name, {**parsed.params, "seed": int(seed)})
    return parsed.text(), bank_kernels(parsed, seed)


def conv1_side(size: int, side: int = INPUT_SHAPE[0]) -> int:
    """conv1's output side for a size×size kernel on a side×side input (valid, stride 2; the
    report's 28×28 by default)."""
    return (side - size) // CONV1_STRIDE + 1


def largest_kernel_size(architectures=("NetA1", "NetA2"), side: int = INPUT_SHAPE[0]) -> int:
    """The largest odd kernel the input and the strides allow for every given architecture."""
    needed = CONV2_SIZE if "NetA2" in architectures else 1
    size = side if side % 2 else side - 1
    while size > 1 and conv1_side(size, side) < needed:
        size -= 2
    return size


def smallest_input_side(architectures=("NetA1", "NetA2"), size: int = 5) -> int:
    """The smallest image side on which a size×size conv1 (and, for NetA2, conv2) still fits."""
    needed = CONV2_SIZE if "NetA2" in architectures else 1
    side = size
    while conv1_side(size, side) < needed:
        side += 1
    return side


def input_problems(shape, architectures=("NetA1", "NetA2"), size: int = 5) -> list[str]:
    """Why images of `shape` (H, W, C) cannot feed these networks with a size×size conv1 ([] when
    they can); the message names the smallest size that works."""
    height, width = int(shape[0]), int(shape[1])
    smallest = smallest_input_side(architectures, size)
    if min(height, width) >= smallest:
        return []
    names = " and ".join(sorted(a for a in architectures
                                if smallest_input_side((a,), size) > min(height, width)))
    return [f"images of {height}×{width} are too small for {names} with {size}×{size} conv1 "
            f"kernels and the strides: the smallest size that works is {smallest}×{smallest}"]


def kernel_problems(kernels, architectures=("NetA1", "NetA2")) -> list[str]:
    """Every reason `kernels` is not a usable conv1 bank, (N, k, k) with N ≥ 1, k odd; [] if ok."""
    try:
        arr = np.asarray(kernels, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        return ["kernels must be numbers: a list of kernels, each k rows of k values"]
    if arr.ndim != 3 or arr.shape[1] != arr.shape[2] or 0 in arr.shape:
        return [f"kernels must be N square kernels of k×k values (N×k×k), got shape {arr.shape}"]
    count, size = arr.shape[0], arr.shape[1]
    problems = []
    if count > MAX_KERNELS:
        problems.append(f"at most {MAX_KERNELS} kernels, got {count}")
    largest = largest_kernel_size(architectures)
    if size % 2 == 0 or size > largest:
        problems.append(f"kernel size {size} does not fit: odd sizes from 1 to {largest} work "
                        f"with the 28×28 input and the strides")
    if not np.isfinite(arr).all():
        problems.append("kernels must be finite numbers")
    return problems


def validate(kernels, architectures=("NetA1", "NetA2")) -> np.ndarray:
    """`kernels` as a float32 (N, k, k) array, or KernelError naming every problem."""
    problems = kernel_problems(kernels, architectures)
    if problems:
        raise KernelError("Invalid kernels: " + "; ".join(problems))
    return np.asarray(kernels, dtype=np.float32).copy()


def load_kernel_file(path) -> np.ndarray:
    """A kernel file (the byhand.json format, any N odd-sized real kernels), validated."""
    try:
        doc = load_json_limited(path, MAX_FILE_BYTES, MAX_FILE_DEPTH, f"kernel file {path}")
    except JsonLimitError as exc:
        raise KernelError(str(exc)) from None
    if isinstance(doc, dict):
        if "kernels" not in doc:
            raise KernelError(f'kernel file {path} has no "kernels" entry')
        if doc.get("format", byhand.FILE_FORMAT) != byhand.FILE_FORMAT:
            raise KernelError(f'kernel file {path}: format is "{doc.get("format")}", expected '
                              f'"{byhand.FILE_FORMAT}"')
        doc = doc["kernels"]
    try:
        return validate(doc)
    except KernelError as exc:
        raise KernelError(f"kernel file {path}: {exc}") from None


def conv_kernel(kernels, channels: int = 1) -> np.ndarray:
    """(N, k, k) kernels as a Keras Conv2D kernel (k, k, C, N) for C input channels.

    The channel rule (docs/datasets.md#channels): each kernel is replicated on every input
    channel and divided by C, so a grey image replicated to C channels gives the response the
    kernel gives the grey image; with one channel the kernel is used as it is."""
    arr = np.asarray(kernels, dtype=np.float32)
    kernel = np.transpose(arr, (1, 2, 0))[:, :, np.newaxis, :]
    if channels == 1:
        return kernel.copy()
    return (np.repeat(kernel, int(channels), axis=2) / np.float32(channels)).astype(np.float32)


class Conv1Start(NamedTuple):
    """conv1's starting kernels (N, k, k) and bias (N,) or None (zeros) for HF and HT."""

    kernels: np.ndarray
    bias: np.ndarray | None = None


def conv1_start(kernels=None, bias=None) -> Conv1Start:
    """A Conv1Start from kernels (the report's when None) or from a Conv1Start itself."""
    if isinstance(kernels, Conv1Start):
        return kernels
    kernels = byhand.REPORT_KERNELS if kernels is None else kernels
    return Conv1Start(validate(kernels),
                      None if bias is None else np.asarray(bias, dtype=np.float32).copy())
