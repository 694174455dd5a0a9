"""Reading image datasets: IDX files (gzipped or not, any H×W), .npz archives (H×W or H×W×C,
uint8 or float) and CIFAR-10's binary tarball, into checked arrays; clear one-line errors.

Images come out as float32 (N, H, W, C) scaled to [0, 1], labels as int32 (N,). Nothing is ever
unpickled: .npz files are read with allow_pickle=False and CIFAR-10 from its binary version.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
import zlib
from pathlib import Path

import numpy as np

from study.datasets.known import IDX_FILES
from study.protocol.files import cache_root, replace_atomically
from study.protocol.jsonfile import JsonLimitError, load_json_limited

IMAGE_MAGIC = 0x00000803
LABEL_MAGIC = 0x00000801
MAX_CLASSES = 1000
MAX_CHANNELS = 3
CLASSES_FILE = "classes.json"
CIFAR_RECORD = 1 + 32 * 32 * 3
CIFAR_MEMBERS = {"train": [f"data_batch_{i}.bin" for i in range(1, 6)], "test": ["test_batch.bin"]}


class DataError(ValueError):
    """A dataset that cannot be used; the message names the file and the problem."""


def shape_text(shape) -> str:
    """28×28, 32×32×3: an image shape as the messages write it."""
    return "×".join(str(int(d)) for d in shape)


def reason(exc: BaseException) -> str:
    """One short line for an exception: its message, or its type when it has none."""
    text = " ".join(str(exc).split())
    return text if text else type(exc).__name__


def find_file(folder: Path, base: str) -> Path | None:
    """`base` or `base.gz` in `folder`, whichever is there."""
    for name in (base, base + ".gz"):
        if (folder / name).is_file():
            return folder / name
    return None


def idx_count(path) -> int:
    """How many items an IDX file holds, read from its header only (gzip: the first bytes)."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            head = fh.read(8)
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{path}: cannot be read ({exc})") from None
    if len(head) < 8:
        raise DataError(f"{path}: too short to be an IDX file")
    return int.from_bytes(head[4:8], "big")


def _read_bytes(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise DataError(f"{path}: corrupt or truncated gzip data ({exc})") from None
    return raw


def read_idx(path, expected_magic: int, side: tuple[int, int] | None = None) -> np.ndarray:
    """Read one IDX file of unsigned bytes; DataError for a wrong magic, truncation or shape.

    Image files hold N×H×W images (one channel); `side` (H, W), when given, is the size the
    images must have."""
    path = Path(path)
    raw = _read_bytes(path)
    kind = "image" if expected_magic == IMAGE_MAGIC else "label"
    if len(raw) < 4:
        raise DataError(f"{path}: too short to be an IDX file ({len(raw)} bytes)")
    magic = int.from_bytes(raw[:4], "big")
    if magic != expected_magic:
        raise DataError(
            f"{path}: wrong magic number 0x{magic:08x}, expected 0x{expected_magic:08x} "
            f"(an IDX {kind} file); is this the right file?"
        )
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{path}: truncated in its header")
    dims = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(dims))
    body = len(raw) - header
    if body < expected:
        raise DataError(
            f"{path}: truncated: its header promises {dims[0]:,} {kind}s ({expected:,} bytes) "
            f"but only {body:,} bytes follow"
        )
    if body > expected:
        raise DataError(f"{path}: corrupt: {body - expected:,} unexpected bytes after the data")
    if side is not None and expected_magic == IMAGE_MAGIC and dims[1:] != tuple(side):
        raise DataError(f"{path}: images are {shape_text(dims[1:])}, but the study needs "
                        f"{shape_text(side)} images (other sizes: give the data as "
                        "--dataset PATH)")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def check_labels(labels: np.ndarray, where: str, num_classes: int | None) -> np.ndarray:
    """Labels as int32: whole numbers from 0 to num_classes − 1 (any below MAX_CLASSES when
    None); DataError naming the first that is not."""
    top = (num_classes or MAX_CLASSES) - 1
    allowed = f"0–{top}"
    if labels.ndim != 1:
        raise DataError(f"{where}: labels must be one number per image, got shape {labels.shape}")
    if labels.dtype == np.bool_ or not np.issubdtype(labels.dtype, np.number) \
            or np.issubdtype(labels.dtype, np.complexfloating):
        raise DataError(f"{where}: labels must be whole numbers {allowed}, got dtype "
                        f"{labels.dtype}")
    if np.issubdtype(labels.dtype, np.floating):
        bad = ~np.isfinite(labels) | (labels != np.round(labels))
        if bad.any():
            index = int(np.argmax(bad))
            raise DataError(f"{where}: labels must be whole numbers {allowed}, found "
                            f"{labels[index]!r} at index {index:,}")
    outside = (labels < 0) | (labels > top)
    if outside.any():
        index = int(np.argmax(outside))
        value = labels[index]
        value = int(value) if float(value).is_integer() else float(value)
        raise DataError(f"{where}: labels must be {allowed}, found {value} at index {index:,}")
    return labels.astype(np.int32)


def scale_images(images: np.ndarray, where: str, expected: tuple | None = None) -> np.ndarray:
    """Images as float32 (N, H, W, C) in [0, 1]: uint8 (or anything above 1) divided by 255.

    `expected` (H, W, C), when given, is the shape the images must have (a known dataset)."""
    if images.dtype == np.bool_ or not np.issubdtype(images.dtype, np.number) \
            or np.issubdtype(images.dtype, np.complexfloating):
        raise DataError(f"{where}: images must hold real numbers, got dtype {images.dtype}")
    if np.issubdtype(images.dtype, np.floating) and images.size \
            and not np.isfinite(images).all():
        count = int(images.size - np.isfinite(images).sum())
        raise DataError(f"{where}: images hold {count:,} NaN or infinite value(s); "
                        "every pixel must be a finite number")
    if images.ndim == 2 and expected is not None \
            and images.shape[1] == int(np.prod(expected)):
        images = images.reshape(-1, *expected)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if expected is not None and (images.ndim != 4 or images.shape[1:] != tuple(expected)):
        wanted = shape_text(expected[:2] if expected[2] == 1 else expected)
        raise DataError(f"{where}: images must be {wanted}, got shape {images.shape}")
    if images.ndim != 4 or not 1 <= images.shape[-1] <= MAX_CHANNELS:
        raise DataError(f"{where}: images must be N×H×W or N×H×W×C (channels last, C from 1 to "
                        f"{MAX_CHANNELS}), got shape {images.shape}")
    if images.dtype == np.uint8 or (images.size and float(images.max()) > 1.0):
        images = images.astype(np.float32) / 255.0
    return images.astype(np.float32)


def pair(images, labels, image_where: str, label_where: str, expected=None,
         num_classes=None) -> tuple[np.ndarray, np.ndarray]:
    """Checked (images, labels) of one split: as many labels as images, at least one."""
    if np.ndim(images) == 0 or np.ndim(labels) == 0:
        raise DataError(f"{image_where if np.ndim(images) == 0 else label_where}: "
                        "a single value, not an array of images or labels")
    if len(images) == 0:
        raise DataError(f"{image_where}: holds no images; a study needs at least one")
    if len(images) != len(labels):
        raise DataError(
            f"{image_where} holds {len(images):,} images but {label_where} holds "
            f"{len(labels):,} labels; they must match"
        )
    return (scale_images(images, image_where, expected),
            check_labels(labels, label_where, num_classes))


def idx_paths(folder: Path, hint: str) -> dict[str, Path]:
    """The four IDX files of a folder; DataError naming the first missing one, with `hint`."""
    paths = {}
    for key, base in IDX_FILES.items():
        path = find_file(folder, base)
        if path is None:
            raise DataError(f"{folder}: {base} (or {base}.gz) is missing; {hint}")
        paths[key] = path
    return paths


def read_idx_arrays(paths: dict[str, Path], side=None) -> dict[str, np.ndarray]:
    """The raw uint8 arrays of the four IDX files (kept parsed in the cache folder)."""
    arrays = read_parsed(paths)
    if arrays is None:
        arrays = {key: read_idx(path, IMAGE_MAGIC if key.startswith("x") else LABEL_MAGIC,
                                side)
                  for key, path in paths.items()}
        keep_parsed(paths, arrays)
    elif side is not None:
        for key in ("x_train", "x_test"):
            if arrays[key].shape[1:3] != tuple(side):
                read_idx(paths[key], IMAGE_MAGIC, side)
    return arrays


def read_npz_arrays(path: Path) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
    """(x_train, y_train, x_test, y_test, raw) and the optional `classes` array of an .npz."""
    try:
        loaded = np.load(path, allow_pickle=False)
    except Exception as exc:  # noqa: BLE001 - np.load raises many kinds; all mean "unreadable"
        raise DataError(f"{path}: not a readable .npz file ({reason(exc)})") from None
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        raise DataError(f"{path}: is a single .npy array, not an .npz archive holding x_train, "
                        "y_train, x_test, y_test")
    try:
        with loaded as npz:
            missing = [k for k in IDX_FILES if k not in npz.files]
            if missing:
                raise DataError(f"{path}: missing array(s) {', '.join(missing)}; an .npz needs "
                                "x_train, y_train, x_test, y_test")
            arrays = {k: npz[k] for k in IDX_FILES}
            classes = npz["classes"] if "classes" in npz.files else None
    except DataError:
        raise
    except Exception as exc:  # noqa: BLE001 - truncated, bad CRC, pickled objects, …
        raise DataError(f"{path}: not a readable .npz file ({reason(exc)})") from None
    return arrays, classes


def read_cifar_binary(path: Path) -> dict[str, np.ndarray]:
    """CIFAR-10's binary tarball (cifar-10-binary.tar.gz) as uint8 arrays, images (N, 32, 32, 3):
    each record is a label byte then the red, green and blue 32×32 planes."""
    arrays = read_parsed({"archive": path}, ndims={"x_train": 4, "x_test": 4})
    if arrays is not None:
        return arrays
    try:
        with tarfile.open(path, "r:gz") as tar:
            members = {Path(m.name).name: m for m in tar.getmembers() if m.isfile()}
            arrays = {}
            for split, names in CIFAR_MEMBERS.items():
                chunks = []
                for name in names:
                    if name not in members:
                        raise DataError(f"{path}: {name} is missing; is this "
                                        "cifar-10-binary.tar.gz?")
                    chunks.append(tar.extractfile(members[name]).read())
                records = np.frombuffer(b"".join(chunks), np.uint8)
                if records.size % CIFAR_RECORD:
                    raise DataError(f"{path}: {split} records are truncated")
                records = records.reshape(-1, CIFAR_RECORD)
                arrays[f"x_{split}"] = np.ascontiguousarray(
                    records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
                arrays[f"y_{split}"] = records[:, 0].copy()
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{path}: not a readable CIFAR-10 archive ({reason(exc)})") from None
    keep_parsed({"archive": path}, arrays)
    return arrays


def read_classes(where: Path, embedded=None) -> tuple[str, ...] | None:
    """Class names: the .npz's `classes` array, else a classes.json beside the data (a JSON list
    of names, or {"classes": […]}); None when there is neither."""
    source = f"{where} classes"
    names = embedded
    if names is None:
        path = (where if where.is_dir() else where.parent) / CLASSES_FILE
        if not path.is_file():
            return None
        source = str(path)
        try:
            names = load_json_limited(path, 1024 * 1024, 4, f"class names file {path}")
        except JsonLimitError as exc:
            raise DataError(str(exc)) from None
        if isinstance(names, dict):
            names = names.get("classes")
    values = np.asarray(names).tolist() if names is not None else None
    if not isinstance(values, list) or not values or not all(
            isinstance(v, str) and v.strip() and "\n" not in v for v in values):
        raise DataError(f"{source}: class names must be a non-empty list of one-line names")
    if len(values) > MAX_CLASSES:
        raise DataError(f"{source}: at most {MAX_CLASSES} classes, got {len(values)}")
    if len(set(values)) != len(values):
        raise DataError(f"{source}: each class name may be given once")
    return tuple(v.strip() for v in values)


def parsed_cache_dir(paths: dict[str, Path]) -> Path | None:
    """Where the parsed arrays of these files are kept (cache_root()/data/KEY, KEY from each
    file's real path, size and modification time), or None when KERNEL_LAB_DATA_CACHE is off."""
    if os.environ.get("KERNEL_LAB_DATA_CACHE", "").strip().lower() in {"off", "0", "no", "false"}:
        return None
    try:
        stats = [[key, str(path.resolve()), path.stat().st_size, path.stat().st_mtime_ns]
                 for key, path in sorted(paths.items())]
    except OSError:
        return None
    key = hashlib.sha256(json.dumps(stats).encode()).hexdigest()[:32]
    return cache_root() / "data" / key


def read_parsed(paths: dict[str, Path], ndims=None) -> dict[str, np.ndarray] | None:
    """The arrays parsed from these files by an earlier run, or None (not kept, unreadable or
    not what a parse gives: then the files are parsed again). Gunzipping and parsing costs more
    than a second at every start; reading the kept arrays a few milliseconds."""
    folder = parsed_cache_dir(paths)
    if folder is None:
        return None
    ndims = {"x_train": 3, "x_test": 3, **(ndims or {})}
    arrays = {}
    try:
        for key in IDX_FILES:
            array = np.load(folder / f"{key}.npy", allow_pickle=False)
            expected = ndims[key] if key.startswith("x") else 1
            if array.dtype != np.uint8 or array.ndim != expected:
                return None
            arrays[key] = array
    except (OSError, ValueError, EOFError):
        return None
    return arrays


def keep_parsed(paths: dict[str, Path], arrays: dict[str, np.ndarray]) -> None:
    """Keep the parsed arrays for the next run (see read_parsed); a failure only costs time."""
    folder = parsed_cache_dir(paths)
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for key, array in arrays.items():
            buffer = io.BytesIO()
            np.save(buffer, np.ascontiguousarray(array, dtype=np.uint8), allow_pickle=False)
            replace_atomically(folder / f"{key}.npy", buffer.getvalue(), fsync=False)
    except OSError:
        pass


def write_idx(path, array: np.ndarray, compress: bool | None = None) -> Path:
    """Write a uint8 array as an IDX file (gzipped when the name ends in .gz)."""
    path = Path(path)
    array = np.ascontiguousarray(array, dtype=np.uint8)
    magic = IMAGE_MAGIC if array.ndim == 3 else LABEL_MAGIC
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    payload = header + array.tobytes()
    if compress if compress is not None else path.suffix == ".gz":
        payload = gzip.compress(payload, compresslevel=1)
    path.write_bytes(payload)
    return path
