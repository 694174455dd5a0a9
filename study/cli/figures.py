"""The PNG drawing that `export`, `compare` and `export-kernels` plug in.

study/ draws nothing (no Qt here): the entry point (main.py) installs a provider of the app's
figure writers, called only when a command writes figures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

# A writer adds files to a folder being built and returns their paths (study.analysis.export).
Writer = Callable[..., Iterable[Path]]


@dataclass(frozen=True)
class FigureWriters:
    """The app's figure writers, as the commands call them."""

    # (smoothing=, own_difference_scale=, spread=, seed_lines=) -> the PNG (and kernels.csv)
    # writers of an export, as the app's Export all draws them.
    export: Callable[..., list[Writer]]
    # The PNG writers of a cross-study comparison (one overlay per network).
    compare: tuple[Writer, ...]
    # (study) -> names of the kernel PNGs export-kernels writes; (study, folder) -> their paths.
    kernel_files: Callable[..., list[str]]
    kernel_grids: Callable[..., list[Path]]


class FiguresMissing(RuntimeError):
    """No figure writers were installed (an entry point other than main.py)."""


_provider: Callable[[], FigureWriters] | None = None


def install(provider: Callable[[], FigureWriters] | None) -> None:
    """Use `provider` (called when a command first needs figures) from now on."""
    global _provider
    _provider = provider


def figure_writers() -> FigureWriters:
    """The installed figure writers; FiguresMissing when none were installed."""
    if _provider is None:
        raise FiguresMissing("no figure writers installed: PNG figures are drawn by the app "
                             "(run the command through main.py)")
    return _provider()
