"""The hand-made ("ByHand") 0/1 kernels of conv1: defaults, validation and a small JSON format.

This module imports only numpy, so the GUI's kernel editor can use it without loading Keras.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from study.protocol.files import replace_atomically
from study.protocol.jsonfile import JsonLimitError, load_json_limited

KERNEL_COUNT = 4
KERNEL_SIZE = 5
FILE_FORMAT = "kernel-lab/byhand-kernels"
FILE_VERSION = 1

# The report's kernels, K1..K4, row by row (docs/study.md#networks).
REPORT_KERNELS = np.array(
    [
        [[1, 0, 0, 0, 1], [0, 1, 0, 1, 0], [0, 0, 1, 0, 0], [0, 1, 0, 1, 0], [1, 0, 0, 0, 1]],
        [[0, 0, 1, 0, 0], [1, 1, 0, 1, 1], [0, 0, 1, 0, 0], [1, 1, 0, 1, 1], [0, 0, 1, 0, 0]],
        [[0, 1, 1, 1, 0], [1, 1, 0, 1, 1], [1, 0, 0, 0, 1], [1, 1, 0, 1, 1], [0, 1, 1, 1, 0]],
        [[1, 1, 0, 1, 1], [0, 1, 0, 1, 0], [0, 0, 1, 0, 0], [1, 1, 0, 1, 1], [1, 1, 0, 1, 1]],
    ],
    dtype=np.float32,
)


class KernelError(ValueError):
    """A ByHand kernel set or kernel file that cannot be used, with the reason."""


def kernel_problems(kernels) -> list[str]:
    """Every reason the (4, 5, 5) array `kernels` is not a valid ByHand set; empty when valid."""
    try:
        arr = np.asarray(kernels, dtype=np.float64)
    except (TypeError, ValueError):
        return ["kernels must be numbers: a list of 4 kernels of 5 rows of 5 values (0 or 1)"]
    expected = (KERNEL_COUNT, KERNEL_SIZE, KERNEL_SIZE)
    if arr.shape != expected:
        return [f"kernels must have shape 4×5×5 (4 kernels of 5 rows of 5 values), got {arr.shape}"]
    problems = []
    bad = ~np.isin(arr, (0.0, 1.0))
    for k in range(KERNEL_COUNT):
        if bad[k].any():
            r, c = np.argwhere(bad[k])[0]
            problems.append(
                f"K{k + 1} row {r + 1} column {c + 1} is {arr[k, r, c]:g}: only 0 and 1 are allowed"
            )
    if problems:
        return problems
    for k in range(KERNEL_COUNT):
        if not arr[k].any():
            problems.append(f"K{k + 1} is all zeros: every kernel needs at least one 1")
    for a in range(KERNEL_COUNT):
        for b in range(a + 1, KERNEL_COUNT):
            if np.array_equal(arr[a], arr[b]):
                problems.append(f"K{a + 1} and K{b + 1} are the same pattern: kernels must differ")
    return problems


def validate_kernels(kernels) -> np.ndarray:
    """Return `kernels` as a float32 (4, 5, 5) array, or raise KernelError naming every problem."""
    problems = kernel_problems(kernels)
    if problems:
        raise KernelError("Invalid ByHand kernels: " + "; ".join(problems))
    return np.asarray(kernels, dtype=np.float32).copy()


def ones_per_kernel(kernels) -> list[int]:
    """How many ones each of the four kernels holds."""
    arr = np.asarray(kernels)
    return [int(np.count_nonzero(arr[k])) for k in range(arr.shape[0])]


def to_conv_kernel(kernels) -> np.ndarray:
    """The (4, 5, 5) kernel set as a Keras Conv2D kernel of shape (5, 5, 1, 4)."""
    arr = validate_kernels(kernels)
    return np.transpose(arr, (1, 2, 0))[:, :, np.newaxis, :].copy()


def from_conv_kernel(conv_kernel) -> np.ndarray:
    """A (5, 5, 1, 4) Conv2D kernel as four (5, 5) kernels, shape (4, 5, 5)."""
    arr = np.asarray(conv_kernel)
    return np.transpose(arr[:, :, 0, :], (2, 0, 1)).copy()


def kernels_to_json(kernels, any_bank: bool = False) -> dict:
    """The JSON document for a valid ByHand set or, with `any_bank`, any (N, k, k) set of finite
    numbers: whole numbers written as 0/1 (the report's style), others as floats."""
    if not any_bank:
        validate_kernels(kernels)
    try:
        arr = np.asarray(kernels, dtype=np.float32)
    except (TypeError, ValueError):
        arr = np.zeros((0,))
    if arr.ndim != 3 or 0 in arr.shape or not np.isfinite(arr).all():
        raise KernelError("kernels must be N square kernels of k×k finite numbers")
    return {
        "format": FILE_FORMAT,
        "version": FILE_VERSION,
        "kernels": [[[int(v) if float(v).is_integer() else float(v) for v in row] for row in k]
                    for k in arr],
    }


def kernels_from_json(doc) -> np.ndarray:
    """The kernel set held by a JSON document (a dict with "kernels", or the bare list)."""
    if isinstance(doc, dict):
        if "kernels" not in doc:
            raise KernelError('kernel file has no "kernels" entry')
        fmt = doc.get("format", FILE_FORMAT)
        if fmt != FILE_FORMAT:
            raise KernelError(f'kernel file format is "{fmt}", expected "{FILE_FORMAT}"')
        doc = doc["kernels"]
    return validate_kernels(doc)


def save_kernels(path, kernels, any_bank: bool = False) -> Path:
    """Write the kernel set to `path` as JSON, atomically (temp file, then rename)."""
    path = Path(path)
    text = json.dumps(kernels_to_json(kernels, any_bank), indent=1)
    try:
        replace_atomically(path, (text + "\n").encode("utf-8"), fsync=False)
    except OSError as exc:
        raise KernelError(f"could not save kernels to {path}: {exc.strerror or exc}") from exc
    return path


def load_kernels(path) -> np.ndarray:
    """Read a 0/1 4×5×5 kernel file (the editor's); KernelError names the file and problem."""
    path = Path(path)
    try:
        doc = load_json_limited(path, 4 * 1024 * 1024, 8, f"kernel file {path}")
    except JsonLimitError as exc:
        raise KernelError(str(exc)) from None
    try:
        return kernels_from_json(doc)
    except KernelError as exc:
        raise KernelError(f"kernel file {path}: {exc}") from None
