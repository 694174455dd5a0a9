"""Typed, frozen events a study emits while it runs; each travels as one JSON object.

The GUI's worker process writes them as JSON lines and the window re-emits them as Qt signals,
so everything in an event is plain data (str, int, float, lists). Events about one network
carry the seed of that network's run: a multi-seed study trains each network once per seed.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field

from study.protocol.jsonfile import loads_limited

# The numbers of one epoch, as EpochEnded and a metrics row both carry them.
EPOCH_VALUES = ("train_loss", "test_loss", "test_accuracy", "train_seconds", "eval_seconds")


@dataclass(frozen=True)
class EpochResult:
    """Metrics of one completed epoch of one network (what a study folder stores per row)."""

    epoch: int
    train_loss: float
    test_loss: float
    test_accuracy: float
    train_seconds: float
    eval_seconds: float


@dataclass(frozen=True)
class StudyStarted:
    """A study folder exists and training is about to begin."""

    folder: str
    backend: str
    device: str
    networks: list[str]
    epochs: int
    train_size: int
    test_size: int
    batches_per_epoch: int
    dataset: str = ""
    seeds: list[int] = field(default_factory=list)
    # What a resumed run must match, and how its times were taken (status.json records them).
    keras_version: str = ""
    mode: str = ""
    timing: str = ""
    data_fingerprint: str = ""
    # The dataset block (study.data.Dataset.info): its name, classes, image shape and, for a
    # fetched one, each file's URL and SHA-256.
    dataset_info: dict = field(default_factory=dict)


@dataclass(frozen=True)
class InitIdentity:
    """Norms of differences of initial tensors (docs/study.md#initial-weights), and frozen conv1."""

    rows: list[tuple[str, float]]


@dataclass(frozen=True)
class NetworkStarted:
    """A network begins training."""

    network: str
    index: int
    count: int
    seed: int = 0


@dataclass(frozen=True)
class BatchProgress:
    """Progress inside an epoch (throttled: a few per second at most)."""

    network: str
    epoch: int
    batch: int
    batches: int
    seconds: float
    seed: int = 0


@dataclass(frozen=True)
class EpochEnded:
    """One epoch of one network is done and evaluated on the test set."""

    network: str
    epoch: int
    train_loss: float
    test_loss: float
    test_accuracy: float
    train_seconds: float
    eval_seconds: float
    seed: int = 0


@dataclass(frozen=True)
class KernelsUpdated:
    """Current kernels of conv1 (5,5,1,4) and, for NetA2, conv2 (3,3,4,12), as nested lists."""

    network: str
    epoch: int
    conv1: list
    conv2: list | None = None
    seed: int = 0


@dataclass(frozen=True)
class NetworkFinished:
    """A network finished (or was stopped) with its summary row."""

    network: str
    epochs_done: int
    peak_test_accuracy: float
    peak_epoch: int
    final_test_accuracy: float
    seconds_per_epoch: float
    total_seconds: float
    seed: int = 0


@dataclass(frozen=True)
class SharedEpochTimed:
    """All-at-once: the training and evaluation seconds of one epoch all networks shared."""

    epoch: int
    train_seconds: float
    eval_seconds: float


@dataclass(frozen=True)
class StudyFinished:
    """The study ended: state is "finished" or "stopped"."""

    folder: str
    state: str
    summary: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Failed:
    """The study could not go on; `message` says what is wrong and what to do."""

    message: str
    folder: str = ""
    network: str = ""


@dataclass(frozen=True)
class NetworkDiverged:
    """A network's training loss became NaN or infinite: it stopped there (its completed epochs
    are kept, its weights are those of its last completed epoch); the others go on."""

    network: str
    epoch: int
    batch: int
    message: str
    seed: int = 0


@dataclass(frozen=True)
class RunRecorded:
    """Facts about the run its record keeps beside the metrics (status.json): timing estimates,
    shared epoch seconds, checkpoint and model-file costs. Plain JSON values."""

    facts: dict


@dataclass(frozen=True)
class NetworkWeights:
    """A (network, seed)'s weights ("initial" or "final") as flat arrays ("conv1/kernel", …).
    In-process only (LOCAL_EVENTS): observers in the training process store them."""

    network: str
    which: str
    weights: dict
    seed: int = 0


@dataclass(frozen=True)
class NetworkPredictions:
    """A (network, seed)'s predicted classes on the test set beside the labels (kind "best":
    its peak-accuracy model's). In-process only (LOCAL_EVENTS)."""

    network: str
    predicted: object
    labels: object
    seed: int = 0
    kind: str = "final"


# Events for the study's record only: observers in the training process see them; they never
# travel as JSON lines (arrays, and facts the app reads from status.json).
LOCAL_EVENTS = (NetworkWeights, NetworkPredictions, RunRecorded)


@dataclass(frozen=True)
class WorkerReady:
    """The app's warm worker (`study --warm-start`) has loaded Keras on `backend` (and, when
    `dataset` is not empty, that dataset) and waits for one job on its stdin."""

    backend: str
    pid: int
    dataset: str = ""
    seconds: float = 0.0


EVENT_TYPES = {
    cls.__name__: cls
    for cls in (
        StudyStarted, InitIdentity, NetworkStarted, BatchProgress, EpochEnded,
        KernelsUpdated, NetworkFinished, SharedEpochTimed, StudyFinished, Failed,
        NetworkDiverged, RunRecorded, WorkerReady,
    )
}


def event_to_json(event) -> str:
    """One event as a single-line JSON object with its type under "event"."""
    data = dataclasses.asdict(event)
    data["event"] = type(event).__name__
    return json.dumps(data, separators=(",", ":"))


def event_from_json(line: str):
    """Parse a line written by event_to_json; ValueError if it is not an event."""
    try:
        data = loads_limited(line, "an event line")
        cls = EVENT_TYPES[data.pop("event")]
        if cls is InitIdentity:
            data["rows"] = [tuple(row) for row in data["rows"]]
        return cls(**data)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"not a Kernel Lab event: {line[:80]!r}") from exc
