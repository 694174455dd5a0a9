"""StudyConfig: every setting of a study (defaults: docs/study.md#training), validated, as JSON."""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from study.protocol import byhand
from study.protocol.backends import BACKENDS, BackendError, parse_device
from study.protocol.networks import HEADS, NETWORKS

MODES = ("sequential", "all-at-once")
MAX_EPOCHS = 10_000
MAX_BATCH_SIZE = 60_000
MAX_SEEDS = 64
MAX_SEED = 2**32 - 1


class ConfigError(ValueError):
    """A setting that cannot be used; the message names the field and what is allowed."""


@dataclass(frozen=True)
class StudyConfig:
    """Settings of one study run; the report's defaults (docs/study.md#training), a correct head."""

    networks: tuple[str, ...] = NETWORKS
    epochs: int = 60
    batch_size: int = 128
    learning_rate: float = 3.35e-4
    seed: int = 0
    shuffle: bool = True
    head: str = "softmax"
    # JAX is the fastest backend on a CPU for these small networks (benchmarks/benchmark.py).
    backend: str = "jax"
    device: str = "cpu"
    data_dir: str | None = None
    train_limit: int | None = None
    test_limit: int | None = None
    kernels: tuple | None = field(default=None, repr=False)
    mode: str = "sequential"
    # Every seed trains every network once (docs/study.md#statistics); None means just `seed`.
    seeds: tuple[int, ...] | None = None

    def __post_init__(self):
        object.__setattr__(self, "networks", tuple(self.networks))
        if self.seeds is not None and isinstance(self.seeds, list | tuple):
            object.__setattr__(self, "seeds", tuple(self.seeds))
        if self.kernels is not None and not isinstance(self.kernels, tuple):
            try:
                nested = tuple(tuple(tuple(row) for row in k) for k in self.kernels)
            except TypeError:
                nested = self.kernels
            object.__setattr__(self, "kernels", nested)

    def problems(self) -> list[str]:
        """Every reason this config cannot run, each naming its field; empty when valid."""
        found = []

        def integer(name, low, high, optional=False):
            value = getattr(self, name)
            if optional and value is None:
                return
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                found.append(f"{name} must be a whole number from {low} to {high}, got {value!r}")

        if not self.networks:
            found.append(f"networks must name at least one of {', '.join(NETWORKS)}")
        for name in self.networks:
            if name not in NETWORKS:
                found.append(f"networks: {name!r} is unknown; choose from {', '.join(NETWORKS)}")
        if len(set(self.networks)) != len(self.networks):
            found.append("networks: each network may be listed once")
        integer("epochs", 1, MAX_EPOCHS)
        integer("batch_size", 1, MAX_BATCH_SIZE)
        lr = self.learning_rate
        if isinstance(lr, bool) or not isinstance(lr, int | float) or not (
            math.isfinite(lr) and 0 < lr <= 10
        ):
            found.append(f"learning_rate must be a number above 0 and at most 10, got {lr!r}")
        integer("seed", 0, MAX_SEED)
        if self.seeds is not None:
            seeds = self.seeds
            if not isinstance(seeds, tuple) or not 1 <= len(seeds) <= MAX_SEEDS:
                found.append(f"seeds must list 1 to {MAX_SEEDS} seeds, got {seeds!r}")
            elif any(isinstance(s, bool) or not isinstance(s, int) or not 0 <= s <= MAX_SEED
                     for s in seeds):
                found.append(f"seeds must be whole numbers from 0 to {MAX_SEED}, got {seeds!r}")
            elif len(set(seeds)) != len(seeds):
                found.append(f"seeds: each seed may be listed once, got {seeds!r}")
        if not isinstance(self.shuffle, bool):
            found.append(f"shuffle must be true or false, got {self.shuffle!r}")
        if self.head not in HEADS:
            found.append(f"head must be one of {', '.join(HEADS)}, got {self.head!r}")
        if self.backend not in BACKENDS:
            found.append(f"backend must be one of {', '.join(BACKENDS)}, got {self.backend!r}")
        try:
            parse_device(self.device)
        except BackendError:
            found.append(f"device must be cpu, gpu or gpu:N, got {self.device!r}")
        integer("train_limit", 1, 10**8, optional=True)
        integer("test_limit", 1, 10**8, optional=True)
        if self.data_dir is not None and not isinstance(self.data_dir, str):
            found.append(f"data_dir must be a folder or .npz path, got {self.data_dir!r}")
        if self.kernels is not None:
            found.extend(f"kernels: {p}" for p in byhand.kernel_problems(self.kernels))
        if self.mode not in MODES:
            found.append(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        return found

    def validated(self) -> StudyConfig:
        """Return self, or raise ConfigError listing every problem."""
        found = self.problems()
        if found:
            raise ConfigError("Invalid study settings: " + "; ".join(found))
        return self

    @property
    def seed_list(self) -> tuple[int, ...]:
        """The seeds this study trains every network with: `seeds`, or just `seed`."""
        return tuple(self.seeds) if self.seeds else (self.seed,)

    def byhand_kernels(self):
        """The ByHand kernels this study uses, (4, 5, 5): its own, or the report's."""
        if self.kernels is None:
            return byhand.REPORT_KERNELS.copy()
        return byhand.validate_kernels(self.kernels)

    def replace(self, **changes) -> StudyConfig:
        """A copy with some fields changed (not validated: call validated())."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """Plain-JSON form of the config."""
        data = dataclasses.asdict(self)
        data["networks"] = list(self.networks)
        data["seeds"] = list(self.seeds) if self.seeds is not None else None
        if self.kernels is not None:
            data["kernels"] = [[[int(v) for v in row] for row in k] for k in self.kernels]
        return data

    def to_json(self) -> str:
        """The config as a JSON document."""
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, data) -> StudyConfig:
        """Build (and validate) a config from a dict; unknown fields are refused."""
        if not isinstance(data, dict):
            raise ConfigError("a study config must be a JSON object of settings")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(
                f"unknown setting(s) {', '.join(unknown)}; "
                f"known settings: {', '.join(sorted(known))}"
            )
        data = dict(data)
        if isinstance(data.get("networks"), str):
            data["networks"] = [n.strip() for n in data["networks"].split(",") if n.strip()]
        try:
            return cls(**data).validated()
        except TypeError as exc:
            raise ConfigError(f"Invalid study settings: {exc}") from None

    @classmethod
    def from_json(cls, text: str) -> StudyConfig:
        """Parse a JSON document into a validated config."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"not valid JSON (line {exc.lineno}: {exc.msg})") from None
        except RecursionError:
            raise ConfigError("not a study config: its JSON is nested too deeply") from None
        except ValueError as exc:
            # e.g. a number too long to convert (Python refuses integers of over 4,300 digits)
            raise ConfigError(f"not a usable JSON document ({exc})") from None
        try:
            return cls.from_dict(data)
        except ConfigError:
            raise
        except (RecursionError, ValueError, TypeError, OverflowError) as exc:
            raise ConfigError(f"not a usable study config ({type(exc).__name__}: {exc})"
                              ) from None


def load_config(path) -> StudyConfig:
    """Read a config file; ConfigError names the file and the problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc}") from None
    try:
        return StudyConfig.from_json(text)
    except ConfigError as exc:
        raise ConfigError(f"config file {path}: {exc}") from None
