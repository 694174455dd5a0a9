"""A sweep's grid: `--grid KEY=V1,V2,…` options parsed, and the points they span."""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass

from study.config import StudyConfig

# Grid keys: the name in --grid and sweep.csv → (StudyConfig field, type of a value).
GRID_KEYS = {
    "lr": ("learning_rate", float),
    "batch_size": ("batch_size", int),
    "head": ("head", str),
    "epochs": ("epochs", int),
    "train_limit": ("train_limit", int),
    "test_limit": ("test_limit", int),
    "kernels": ("kernel_bank", str),
    "dataset": ("dataset", str),
}
ALIASES = {"learning_rate": "lr"}
# Settings that stay the same across a sweep: given once as a study option, never swept.
FIXED_KEYS = ("networks", "seed", "seeds", "mode", "backend", "device", "data", "data_dir",
              "config", "shuffle", "no_shuffle")
# Where each grid key is given as a study option (refused together with --grid of that key).
OPTION_OF = {"lr": "lr", "batch_size": "batch_size", "head": "head", "epochs": "epochs",
             "train_limit": "train_limit", "test_limit": "test_limit", "kernels": "kernels",
             "dataset": "dataset"}


class SweepError(ValueError):
    """A sweep that cannot start (bad grid, folder, address): one line, exit 2."""


def canonical_key(key: str) -> str:
    """A grid key as sweep.json and sweep.csv spell it (`batch-size` → batch_size)."""
    key = key.strip().replace("-", "_").lower()
    return ALIASES.get(key, key)


def _value(key: str, text: str):
    kind = GRID_KEYS[key][1]
    text = text.strip()
    if not text:
        raise SweepError(f"Invalid sweep grid: {key} has an empty value; write "
                         f"{key}=V1,V2,… with no empty entries")
    try:
        value = kind(text)
    except ValueError:
        what = {float: "a number", int: "a whole number"}.get(kind, "a value")
        raise SweepError(f"Invalid sweep grid: {key} value {text!r} is not {what}") from None
    if key == "kernels":
        from study.protocol.banks import KernelError, parse_spec

        try:
            parse_spec(value)
        except KernelError as exc:
            raise SweepError(f"Invalid sweep grid: kernels value {text!r}: {exc}") from None
    if key == "dataset":
        from study.config import dataset_problems

        problems = dataset_problems(value)
        if problems:
            raise SweepError(f"Invalid sweep grid: {problems[0]}")
        from study.datasets.known import is_known

        if not is_known(value):
            from pathlib import Path

            value = str(Path(value).expanduser().absolute())
    if kind is float and not math.isfinite(value):
        raise SweepError(f"Invalid sweep grid: {key} value {text!r} is not a finite number")
    return value


def _split(key: str, raw: str) -> list[str]:
    """A grid key's values; a bank's own KEY=VALUE parameters stay with their bank
    (`kernels=byhand,gabor:orientations=4,size=5`)."""
    parts = raw.split(",")
    if key != "kernels":
        return parts
    values: list[str] = []
    for part in parts:
        if values and "=" in part and ":" not in part and values[-1].strip():
            values[-1] += "," + part
        else:
            values.append(part)
    return values


def parse_grid(texts) -> dict[str, list]:
    """--grid KEY=V1,V2,… options (in order) as {key: [values]}; SweepError for anything else."""
    grid: dict[str, list] = {}
    if not texts:
        raise SweepError("a sweep needs at least one --grid KEY=V1,V2,… (e.g. --grid "
                         "lr=1e-4,1e-3); keys: " + ", ".join(GRID_KEYS))
    for text in texts:
        if "=" not in text:
            raise SweepError(f"Invalid sweep grid: --grid {text!r} is not KEY=V1,V2,… (e.g. "
                             "lr=1e-4,1e-3)")
        raw_key, _, raw_values = text.partition("=")
        key = canonical_key(raw_key)
        if not key:
            raise SweepError(f"Invalid sweep grid: --grid {text!r} has no key before '='")
        if key in FIXED_KEYS:
            option = "no-shuffle" if key in ("shuffle", "no_shuffle") else key.replace("_", "-")
            raise SweepError(f"Invalid sweep grid: {key} is fixed across a sweep and cannot be "
                             f"swept; give it once as --{option} (grid keys: "
                             f"{', '.join(GRID_KEYS)})")
        if key not in GRID_KEYS:
            raise SweepError(f"Invalid sweep grid: unknown key {raw_key.strip()!r}; grid keys: "
                             f"{', '.join(GRID_KEYS)}")
        if key in grid:
            raise SweepError(f"Invalid sweep grid: {key} is given twice; list all its values "
                             "in one --grid")
        if not raw_values.strip():
            raise SweepError(f"Invalid sweep grid: {key} has no values; write {key}=V1,V2,…")
        values = [_value(key, part) for part in _split(key, raw_values)]
        if len(set(values)) != len(values):
            raise SweepError(f"Invalid sweep grid: {key} lists a value twice ({raw_values})")
        grid[key] = values
    return grid


def format_value(value) -> str:
    """A swept value as a folder name and a table show it (0.000335, 64, softmax)."""
    if isinstance(value, float):
        return format(value, "g")
    return str(value)


@dataclass(frozen=True)
class Point:
    """One grid point: its number (from 1), folder name and swept values."""

    index: int
    name: str
    values: dict

    def label(self) -> str:
        """`lr=0.001 head=report`."""
        return " ".join(f"{k}={format_value(v)}" for k, v in self.values.items())


def _name_part(text: str) -> str:
    """A value as part of a folder name: a bank's path or `learned:` address made safe."""
    return re.sub(r"[^A-Za-z0-9=.,+_-]", "-", text)


def grid_points(grid: dict[str, list]) -> list[Point]:
    """Every combination of the grid's values, the first key varying slowest."""
    keys = list(grid)
    combos = list(itertools.product(*(grid[k] for k in keys)))
    width = len(str(len(combos)))
    points = []
    for index, combo in enumerate(combos, start=1):
        values = dict(zip(keys, combo, strict=True))
        name = f"p{index:0{width}d}_" + "_".join(f"{k}={_name_part(format_value(v))}"
                                                   for k, v in values.items())
        points.append(Point(index, name, values))
    return points


def point_config(base: StudyConfig, values: dict) -> StudyConfig:
    """The study a point runs: the base settings with the point's values (validated)."""
    changes = {GRID_KEYS[key][0]: value for key, value in values.items() if key != "kernels"}
    config = base.replace(**changes)
    if "kernels" in values:
        from study.kernel_bank import with_bank
        from study.protocol.banks import KernelError

        try:
            config = with_bank(config, values["kernels"])
        except KernelError as exc:
            raise SweepError(f"Invalid sweep grid: kernels={values['kernels']}: {exc}") from None
    return config.validated()

