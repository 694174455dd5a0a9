"""A train or test limit above what the dataset holds, refused as the user types: the counts
come from the dataset's headers (study.data.dataset_sizes), remembered per path and mtime."""

from __future__ import annotations

import os

from study.data import DataError, check_limits, dataset_sizes

_SIZES: dict[tuple, tuple[str, int, int]] = {}


def _dataset_sizes(data: str | None) -> tuple[str, int, int] | None:
    """dataset_sizes of `data` (None: the system copy), remembered per path and modification
    time (it runs on every keystroke); None when no dataset is found there."""
    path = os.path.expanduser(data) if data else None
    try:
        key = (path, os.stat(path).st_mtime_ns if path else None)
    except OSError:
        return None
    if key not in _SIZES:
        try:
            _SIZES[key] = dataset_sizes(path)
        except (DataError, OSError, ValueError):
            return None
    return _SIZES[key]


def limit_problems(data: str | None, limits: dict,
                   sizes: tuple[str, int, int] | None = None) -> list[str]:
    """"train_limit: Fashion-MNIST has 60,000 training images, …" for each limit in `limits`
    ({"train_limit": n or None, "test_limit": …}) above the dataset's size (`sizes`: its
    (name, training, test) counts, else read from `data`); none when the dataset cannot be
    found (the run reports that)."""
    if not any(isinstance(v, int) for v in limits.values()):
        return []
    sizes = sizes or _dataset_sizes(data)
    if sizes is None:
        return []
    found = []
    for field, limit in limits.items():
        if not isinstance(limit, int):
            continue
        train, test = (limit, None) if field == "train_limit" else (None, limit)
        try:
            check_limits(*sizes, train, test)
        except DataError as exc:
            found.append(f"{field}: {exc}")
    return found
