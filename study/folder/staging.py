"""Build a folder hidden, then move it into place: a reader sees the old folder or the new one,
never half of one. Used by exports, cross-study comparisons and sweep points."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

PARTIAL, OLD = "partial", "old"


def fresh_sibling(target: Path, role: str) -> Path:
    """An unused hidden name beside `target` (same file system, so renames are atomic)."""
    target = Path(target)
    while True:
        candidate = target.parent / f".{target.name}.{role}-{secrets.token_hex(4)}"
        if not candidate.exists():
            return candidate


def move_into_place(staging: Path, target: Path, replacing: bool) -> None:
    """Swap a finished staging folder in; an old `target` is removed only after the swap.

    With `replacing` off, `target` must be absent or an empty folder.
    """
    if not replacing:
        if target.is_dir() and not target.is_symlink():
            target.rmdir()
        os.replace(staging, target)
        return
    old = fresh_sibling(target, OLD)
    os.replace(target, old)
    try:
        os.replace(staging, target)
    except OSError:
        os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def final_path(filename, staging: Path, target: Path) -> Path:
    """The path a user would recognise: a file in the staging folder named as in `target`."""
    if not filename:
        return Path(target)
    path = Path(filename)
    try:
        return Path(target) / path.relative_to(staging)
    except ValueError:
        return path


@contextlib.contextmanager
def staged(target, replacing: bool = False) -> Iterator[Path]:
    """Yield a new hidden folder beside `target`; when the block ends normally it becomes
    `target` (replacing an existing one if `replacing`); on any exception it is removed and
    `target` is left as it was."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = fresh_sibling(target, PARTIAL)
    staging.mkdir()
    try:
        yield staging
        move_into_place(staging, target, replacing)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def remove_leftovers(folder) -> list[Path]:
    """Remove the hidden staging folders a killed process left in `folder`; returns them."""
    removed = []
    for path in Path(folder).glob(".*"):
        name = path.name
        if (f".{PARTIAL}-" in name or f".{OLD}-" in name) and path.is_dir() \
                and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed
