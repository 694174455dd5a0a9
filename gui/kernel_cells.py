"""The Kernel editor's rules and reshaping, numpy only: the 0/1 rules of the report's style for
any number of kernels and size, a bank's count and size changed the way the editor does it, and
how many kernels one page of the editor shows."""

from __future__ import annotations

import numpy as np

from study.protocol import banks

# Cells on one page of the editor at most (one kernel always shows, whatever its size).
PAGE_CELLS = 400
PAGE_KERNELS = 8


def is_binary(kernels) -> bool:
    """Whether every value is 0 or 1 (the report's style)."""
    arr = np.asarray(kernels, dtype=np.float64)
    return bool(np.isin(arr, (0.0, 1.0)).all())


def binary_problems(kernels) -> list[str]:
    """Every reason (N, k, k) `kernels` break the 0/1 rules: only 0 and 1, none all zeros, all
    different; and the size and count any bank must have. [] when they keep them."""
    arr = np.asarray(kernels, dtype=np.float64)
    problems = []
    bad = ~np.isin(arr, (0.0, 1.0))
    for k in range(arr.shape[0]):
        if bad[k].any():
            r, c = np.argwhere(bad[k])[0]
            problems.append(f"K{k + 1} row {r + 1} column {c + 1} is {arr[k, r, c]:g}: only 0 "
                            "and 1 are allowed")
    if not problems:
        for k in range(arr.shape[0]):
            if not arr[k].any():
                problems.append(f"K{k + 1} is all zeros: every kernel needs at least one 1")
        for a in range(arr.shape[0]):
            for b in range(a + 1, arr.shape[0]):
                if np.array_equal(arr[a], arr[b]):
                    problems.append(f"K{a + 1} and K{b + 1} are the same pattern: kernels must "
                                    "differ")
    return problems + [p for p in banks.kernel_problems(arr) if p not in problems]


def real_problems(kernels) -> list[str]:
    """Every reason (N, k, k) real `kernels` are not a usable bank ([] when they are)."""
    return banks.kernel_problems(kernels)


def new_kernel(size: int) -> np.ndarray:
    """A kernel added to the bank: a single 1 at the centre (it passes the image through)."""
    kernel = np.zeros((size, size))
    kernel[size // 2, size // 2] = 1.0
    return kernel


def resized(kernels, count: int, size: int) -> np.ndarray:
    """`kernels` with `count` kernels of size×size: kernels cut from or added at the end (see
    new_kernel), each kept centred, cropped or padded with zeros."""
    arr = np.asarray(kernels, dtype=np.float64)
    old = arr.shape[-1]
    if size < old:
        cut = (old - size) // 2
        arr = arr[:, cut:cut + size, cut:cut + size]
    elif size > old:
        pad = (size - old) // 2
        arr = np.pad(arr, ((0, 0), (pad, size - old - pad), (pad, size - old - pad)))
    arr = arr[:count]
    if arr.shape[0] < count:
        extra = np.stack([new_kernel(size)] * (count - arr.shape[0]))
        arr = np.concatenate([arr, extra]) if arr.shape[0] else extra
    return arr.copy()


def page_size(size: int) -> int:
    """How many size×size kernels one page of the editor shows (1 to PAGE_KERNELS)."""
    return max(1, min(PAGE_KERNELS, PAGE_CELLS // (size * size)))


def shape_problem(arr: np.ndarray) -> str:
    """Why an array cannot be shown in the editor at all ('' when it can): N×k×k, odd k that
    fits, 1 to banks.MAX_KERNELS kernels."""
    if arr.ndim != 3 or arr.shape[1] != arr.shape[2] or 0 in arr.shape:
        return (f"kernels must be N×k×k (N kernels of k rows of k values, like the report's "
                f"4×5×5), got shape {arr.shape}")
    largest = banks.largest_kernel_size()
    if arr.shape[1] % 2 == 0 or arr.shape[1] > largest:
        return f"kernel size {arr.shape[1]} is not an odd size from 1 to {largest}"
    if arr.shape[0] > banks.MAX_KERNELS:
        return f"at most {banks.MAX_KERNELS} kernels, got {arr.shape[0]}"
    return ""
