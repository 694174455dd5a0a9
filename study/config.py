"""StudyConfig: every setting of a study (defaults: docs/study.md#training), validated, as JSON."""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from study.datasets.known import DEFAULT_DATASET, KNOWN, is_known
from study.protocol import banks, byhand
from study.protocol.backends import BACKENDS, BackendError, parse_device
from study.protocol.bank_names import CUSTOM, study_bank
from study.protocol.jsonfile import JsonLimitError, load_json_limited, loads_limited
from study.protocol.networks import HEADS, NETWORKS, network_spec
from study.protocol.status import ISOLATED_TIMING_ROUNDS

MODES = ("sequential", "all-at-once")
MAX_EPOCHS = 10_000
MAX_BATCH_SIZE = 60_000
MAX_SEEDS = 64
MAX_SEED = 2**32 - 1
MAX_TIMING_ROUNDS = 100
MAX_NAME = 80
MAX_NOTE = 4000


# A config is a flat object whose deepest value is the kernels list (3 levels inside it).
CONFIG_BYTES, CONFIG_DEPTH = 4 * 1024 * 1024, 8


def _number(value):
    """A kernel value as JSON writes it: 1 for a whole number (the report's 0/1 style), else
    the float."""
    value = float(value)
    return int(value) if value.is_integer() else value


class ConfigError(ValueError):
    """A setting that cannot be used; the message names the field and what is allowed."""


def _resolved_bank(spec: str, seed) -> dict:
    """A config's `kernel_bank` written without its kernels: resolved here (not `learned:`,
    which reads a stored study: give it as --kernels)."""
    try:
        if banks.parse_spec(spec).name == "learned":
            raise ConfigError(f"kernel_bank {spec}: a learned: bank is given as --kernels SPEC "
                              "or with its kernels")
        text, kernels = banks.resolve(spec, seed if isinstance(seed, int) else 0)
    except byhand.KernelError as exc:
        raise ConfigError(f"Invalid study settings: kernel_bank: {exc}") from None
    if text == banks.resolve(banks.DEFAULT_SPEC)[0]:
        return {"kernel_bank": None, "kernels": None}
    return {"kernel_bank": text, "kernels": kernels.tolist()}


def dataset_problems(dataset, data_dir=None) -> list[str]:
    """Why `dataset` is not a usable dataset setting ([] when it is): a known name, or a path
    (a folder of IDX files or an .npz) of the user's own data, not given twice."""
    if is_known(dataset):
        return []
    text = dataset if isinstance(dataset, str) else ""
    if not text.strip() or "\n" in text or not (
            "/" in text or "\\" in text or text.endswith(".npz") or Path(text).exists()):
        return [f"dataset must be one of {', '.join(KNOWN)} or the path of a folder of "
                f"IDX files or an .npz, got {dataset!r}"]
    if data_dir:
        return [f"dataset {dataset} is your own data: leave out data_dir (--data), which "
                "reads a known dataset from another place"]
    return []


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
    # A known dataset's name (docs/datasets.md) or the path of the user's own data; `data_dir`
    # reads a known dataset from that folder or .npz instead of its usual place.
    dataset: str = DEFAULT_DATASET
    data_dir: str | None = None
    train_limit: int | None = None
    test_limit: int | None = None
    kernels: tuple | None = field(default=None, repr=False)
    # The bank's spec (docs/study.md#kernel-banks) beside its resolved `kernels`; None: the
    # report's kernels or a config's own list. `kernel_bias`: conv1's bias, for `learned:` only.
    kernel_bank: str | None = None
    kernel_bias: tuple | None = field(default=None, repr=False)
    mode: str = "sequential"
    # All-at-once: rounds of isolated timing per network (docs/study.md#time-claims); 0 times
    # nothing, so the per-network times are the shared ones and no time claim is resolved.
    timing_rounds: int = ISOLATED_TIMING_ROUNDS
    # Every seed trains every network once (docs/study.md#statistics); None means just `seed`.
    seeds: tuple[int, ...] | None = None
    # A person's name and note for the study: descriptive only, they change no result.
    name: str = ""
    note: str = ""

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
        if isinstance(self.kernel_bias, list):
            object.__setattr__(self, "kernel_bias", tuple(self.kernel_bias))

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
        found.extend(dataset_problems(self.dataset, self.data_dir))
        found.extend(self._kernel_problems())
        if self.mode not in MODES:
            found.append(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        rounds = self.timing_rounds
        if (isinstance(rounds, bool) or not isinstance(rounds, int)
                or not (rounds == 0 or 2 <= rounds <= MAX_TIMING_ROUNDS)):
            found.append("timing_rounds must be 0 (no isolated timing) or a whole number from 2 "
                         f"to {MAX_TIMING_ROUNDS} (one round gives no interval), got {rounds!r}")
        found.extend(self._text_problems())
        return found

    def _kernel_problems(self) -> list[str]:
        found = []
        if self.kernels is not None:
            architectures = {network_spec(n).architecture for n in self.networks
                             if n in NETWORKS} or {"NetA1", "NetA2"}
            found.extend(f"kernels: {p}" for p in banks.kernel_problems(self.kernels,
                                                                        architectures))
        if self.kernel_bank is not None and not isinstance(self.kernel_bank, str):
            found.append(f"kernel_bank must be a bank's spec, got {self.kernel_bank!r}")
        elif self.kernel_bank is not None and self.kernels is None:
            found.append(f"kernel_bank {self.kernel_bank} comes with its kernels (give it as "
                         "--kernels SPEC)")
        if self.kernel_bias is not None:
            count = len(self.kernels) if self.kernels is not None else byhand.KERNEL_COUNT
            try:
                ok = banks.np.isfinite(banks.np.asarray(self.kernel_bias, float)).all() and (
                    banks.np.shape(self.kernel_bias) == (count,))
            except (TypeError, ValueError):
                ok = False
            if not ok:
                found.append(f"kernel_bias must be {count} finite numbers, one per kernel")
        return found

    def _text_problems(self) -> list[str]:
        """The name: one line of at most MAX_NAME characters; the note: at most MAX_NOTE."""
        found = []
        if not isinstance(self.name, str) or "\n" in self.name or len(self.name) > MAX_NAME:
            found.append(f"name must be one line of at most {MAX_NAME} characters, got "
                         f"{str(self.name)[:MAX_NAME + 1]!r}")
        if not isinstance(self.note, str) or len(self.note) > MAX_NOTE:
            found.append(f"note must be text of at most {MAX_NOTE} characters")
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

    @property
    def bank(self) -> str:
        """conv1's bank as text: the recorded spec, "byhand" (the report's) or "custom"."""
        return study_bank(self.kernel_bank, self.kernels)

    def byhand_kernels(self):
        """conv1's kernels (N, k, k) this study uses: its bank's, or the report's (4, 5, 5)."""
        if self.kernels is None:
            return byhand.REPORT_KERNELS.copy()
        return banks.validate(self.kernels)

    def kernel_bank_text(self) -> str:
        """The bank conv1 starts from, as the app and `list` name it: the recorded spec;
        "byhand" for the report's kernels (every study from before banks); "byhand (edited)"
        or "edited (N k×k)" for a config's own kernels without a spec."""
        bank = self.bank
        if bank != CUSTOM:
            return bank
        shape = banks.np.shape(self.kernels)
        if shape == byhand.REPORT_KERNELS.shape:
            return f"{banks.DEFAULT_SPEC} (edited)"
        return f"edited ({shape[0]} {shape[-1]}×{shape[-1]})"

    def conv1_start(self) -> banks.Conv1Start:
        """conv1's start for HF and HT: the bank's kernels and, for `learned:`, its bias."""
        return banks.conv1_start(self.byhand_kernels(), self.kernel_bias)

    def replace(self, **changes) -> StudyConfig:
        """A copy with some fields changed (not validated: call validated())."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """Plain-JSON form of the config."""
        data = dataclasses.asdict(self)
        data["networks"] = list(self.networks)
        data["seeds"] = list(self.seeds) if self.seeds is not None else None
        if self.kernels is not None:
            data["kernels"] = [[[_number(v) for v in row] for row in k] for k in self.kernels]
        # Left out when unset, so a study with the report's kernels writes the same file as ever.
        if data["dataset"] == DEFAULT_DATASET:
            del data["dataset"]
        if data["timing_rounds"] == ISOLATED_TIMING_ROUNDS:
            del data["timing_rounds"]
        for key in ("kernel_bank", "kernel_bias"):
            if data[key] is None:
                del data[key]
            elif key == "kernel_bias":
                data[key] = [float(v) for v in self.kernel_bias]
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
        if isinstance(data.get("kernel_bank"), str) and data.get("kernels") is None:
            data.update(_resolved_bank(data["kernel_bank"], data.get("seed", cls.seed)))
        try:
            return cls(**data).validated()
        except TypeError as exc:
            raise ConfigError(f"Invalid study settings: {exc}") from None

    @classmethod
    def from_json(cls, text: str) -> StudyConfig:
        """Parse a JSON document into a validated config."""
        try:
            data = loads_limited(text, "a study config", max_depth=CONFIG_DEPTH)
        except JsonLimitError as exc:
            raise ConfigError(str(exc).removeprefix("a study config is ")) from None
        return cls.from_data(data)

    @classmethod
    def from_data(cls, data) -> StudyConfig:
        """from_dict, any other failure of a parsed document said in one line."""
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
        data = load_json_limited(path, CONFIG_BYTES, CONFIG_DEPTH, f"config file {path}")
    except JsonLimitError as exc:
        raise ConfigError(str(exc)) from None
    try:
        return StudyConfig.from_data(data)
    except ConfigError as exc:
        raise ConfigError(f"config file {path}: {exc}") from None
