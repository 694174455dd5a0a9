"""StudyState: one study as the app, the exports and the CLI see it — plain Python, no Qt, no Keras.

A state is built one way only: by applying study events (study.protocol.events). A running study
applies the worker's events as they arrive; a stored study is read by `StudyState.from_folder`,
which turns the folder's files into the same events and applies them. So a live study, once
finished, equals the same folder opened afterwards.

Everything per network is keyed by (network, seed): a multi-seed study trains each network once
per seed. A single-seed study has one key per network; its seed is the config's seed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from study.analysis.bands import CI, MIN_MAX, CurveBand, curve_band
from study.analysis.kernels import NetworkKernels, conv1_kernels, conv2_kernels
from study.analysis.summary import SummaryRow
from study.analysis.timing import ISOLATED_ESTIMATE, study_timing, timing_for_mode
from study.config import StudyConfig
from study.folder.csvio import StoreError
from study.folder.reader import folder_events, read_folder, read_predictions, read_weights
from study.protocol.events import (
    EPOCH_VALUES,
    EpochEnded,
    Failed,
    InitIdentity,
    KernelsUpdated,
    NetworkDiverged,
    NetworkFinished,
    NetworkStarted,
    SharedEpochTimed,
    StudyFinished,
    StudyStarted,
)
from study.protocol.status import StudyStatus

__all__ = ["CI", "MIN_MAX", "CurveBand", "EPOCH_VALUES", "StudyState", "open_study"]

Key = tuple[str, int]
RUNNING, FINISHED, STOPPED, FAILED, UNKNOWN, INTERRUPTED = (
    StudyStatus.RUNNING, StudyStatus.FINISHED, StudyStatus.STOPPED, StudyStatus.FAILED,
    StudyStatus.UNKNOWN, StudyStatus.INTERRUPTED)
# The status keys a live study and its folder agree on (status.json holds a few more).
STATUS_KEYS = ("state", "backend", "device", "dataset", "dataset_info", "mode", "timing",
               "shared_epoch_seconds", "shared_wall_seconds")

# What apply() changed, so an adapter knows what to redraw.
STATUS, CURVES, SUMMARY, KERNELS, IDENTITY, NETWORK, PROGRESS, STARTED = (
    "status", "curves", "summary", "kernels", "identity", "network", "progress", "started")


def config_seeds(config: StudyConfig | None) -> tuple[int, ...]:
    """The seeds a config trains (none without a config)."""
    return () if config is None else tuple(config.seed_list)


@dataclass(frozen=True)
class FinishedRun:
    """One (network, seed) run that finished or was stopped: its summary and epochs done."""

    summary: SummaryRow
    epochs_done: int
    seed: int


@dataclass
class StudyState:
    """One study: settings, status, curves, summary, kernels, init identity; see the module doc."""

    config: StudyConfig | None = None
    folder: Path | None = None
    status: dict = field(default_factory=dict)
    networks: list[str] = field(default_factory=list)
    seeds: list[int] = field(default_factory=list)
    rows: dict[Key, list[dict]] = field(default_factory=dict)
    finished: dict[Key, FinishedRun] = field(default_factory=dict)
    kernels: dict[Key, NetworkKernels] = field(default_factory=dict)
    init_identity: list[tuple[str, float]] = field(default_factory=list)
    failure: str = ""
    # Live-only facts, not part of a study's identity: the run's shape and where it is.
    live: bool = False
    current: Key | None = None
    train_size: int = 0
    test_size: int = 0
    batches_per_epoch: int = 0
    kernel_problems: dict[Key, str] = field(default_factory=dict)
    config_guessed: bool = False
    # Files of a stored study that could not be read and were left out, one line each.
    problems: list[str] = field(default_factory=list)
    # Networks whose training loss became NaN or infinite: {key: the message}.
    diverged: dict[Key, str] = field(default_factory=dict)
    # Every (network, seed, epoch) in the order its epoch arrived (a folder: the file's order).
    epoch_log: list[tuple[str, int, int]] = field(default_factory=list)
    # A stored study: status.json as read (what a resume continues), and whether a damaged
    # weights or predictions file raises StoreError (the exports) or is shown as missing.
    recorded_status: dict = field(default_factory=dict)
    strict: bool = False

    # ----- building -----------------------------------------------------------------------
    @classmethod
    def for_run(cls, config: StudyConfig) -> StudyState:
        """The empty state of a run about to start with `config` (events fill it in)."""
        return cls(config=config, networks=list(config.networks),
                   seeds=list(config_seeds(config)), live=True,
                   status={"state": RUNNING, "backend": config.backend,
                           "device": config.device, "mode": config.mode,
                           "timing": timing_for_mode(config.mode)})

    @classmethod
    def from_folder(cls, folder, strict: bool = True, weights: bool = True) -> StudyState:
        """A stored study folder (StoreError when it is not one); half-written folders load.

        A damaged weights file is left out of the kernels and named in `problems`; with
        `strict=False` (the app) so is a damaged init_identity.csv, and a damaged predictions
        file reads as missing. Without `weights` no weights file is read (no kernels)."""
        files = read_folder(folder, strict=strict)
        config, status = files.config, files.status
        state = cls(config=config, networks=list(config.networks),
                    seeds=list(config_seeds(config)), strict=strict,
                    recorded_status=dict(status))
        state.status = {"mode": status.get("mode", config.mode),
                        "timing": study_timing(status)
                        if "timing" in status else timing_for_mode(config.mode)}
        state.problems = list(files.problems)
        events = folder_events(files, state.problems, weights=weights)
        for event in events:
            state.apply(event)
        if status.get("state") not in (FINISHED, STOPPED, FAILED):
            # Still running elsewhere, or cut short by a crash: say what status.json says.
            state.status["state"] = status.get("state", UNKNOWN.value)
        # A network without final weights did not finish: only its initial kernels are known.
        finals = {(e.network, e.seed) for e in events
                  if isinstance(e, KernelsUpdated) and e.epoch > 0}
        for key, kernels in list(state.kernels.items()):
            if key not in finals:
                state.kernels[key] = dataclasses.replace(
                    kernels, current_conv1=None, current_conv2=None,
                    epoch=state.epochs_done(*key))
        # status.json's other facts (isolated estimates, error, Keras version) ride along.
        for key, value in status.items():
            if key not in STATUS_KEYS:
                state.status[key] = value
        state.problems.extend(p for p in state.kernel_problems.values()
                              if p not in state.problems)
        state.live = False
        return state

    # ----- applying events ----------------------------------------------------------------
    def apply(self, event) -> set[str]:
        """Fold one study event into the state; returns what changed (STATUS, CURVES, …)."""
        handler = getattr(self, f"_on_{type(event).__name__}", None)
        return handler(event) if handler is not None else set()

    def event_seed(self, seed: int) -> int:
        """The key seed of an event's `seed`."""
        # Events of a single-seed run from an older runner carry seed 0 whatever the config says.
        if len(self.seeds) == 1 and seed not in self.seeds:
            return self.seeds[0]
        return int(seed)

    def _on_StudyStarted(self, event: StudyStarted) -> set[str]:  # noqa: N802 - event name
        self.folder = Path(event.folder) if event.folder else self.folder
        for name in event.networks:
            if name not in self.networks:
                self.networks.append(name)
        if event.seeds:
            self.seeds = [int(s) for s in event.seeds]
        if self.config is None:
            # Followed without its config (a panel on its own): what the event says of it.
            self.config = StudyConfig(networks=tuple(event.networks), epochs=event.epochs,
                                      backend=event.backend, device=event.device,
                                      seed=self.seeds[0] if self.seeds else 0)
            self.config_guessed = True
            self.seeds = self.seeds or [self.config.seed]
        self.train_size, self.test_size = event.train_size, event.test_size
        self.batches_per_epoch = event.batches_per_epoch
        self.status.update(state=RUNNING, backend=event.backend, device=event.device,
                           dataset=event.dataset, dataset_info=event.dataset_info)
        return {STARTED, STATUS}

    def _on_InitIdentity(self, event: InitIdentity) -> set[str]:  # noqa: N802
        self.init_identity = [(str(check), float(norm)) for check, norm in event.rows]
        return {IDENTITY}

    def _on_NetworkStarted(self, event: NetworkStarted) -> set[str]:  # noqa: N802
        self.current = (event.network, self.event_seed(event.seed))
        if event.network not in self.networks:
            self.networks.append(event.network)
        return {NETWORK, PROGRESS}

    def _on_BatchProgress(self, event) -> set[str]:  # noqa: N802
        return {PROGRESS}

    def _on_EpochEnded(self, event: EpochEnded) -> set[str]:  # noqa: N802
        key = (event.network, self.event_seed(event.seed))
        if event.network not in self.networks:
            self.networks.append(event.network)
        row = {"network": event.network, "seed": key[1], "epoch": int(event.epoch),
               **{c: float(getattr(event, c)) for c in EPOCH_VALUES}}
        rows = self.rows.setdefault(key, [])
        if not any(r["epoch"] == row["epoch"] for r in rows):
            self.epoch_log.append((*key, row["epoch"]))
        rows[:] = [r for r in rows if r["epoch"] != row["epoch"]]
        rows.append(row)
        rows.sort(key=lambda r: r["epoch"])
        return {CURVES, PROGRESS}

    def _on_KernelsUpdated(self, event: KernelsUpdated) -> set[str]:  # noqa: N802
        key = (event.network, self.event_seed(event.seed))
        if event.network not in self.networks:
            self.networks.append(event.network)
        known = self.kernels.get(key)
        if known is None and event.epoch > 0:
            known = self._initial_kernels_from_folder(key)
        try:
            if known is None:
                conv1 = conv1_kernels(event.conv1)
                conv2 = None if event.conv2 is None else conv2_kernels(event.conv2)
                known = NetworkKernels(event.network, conv1, conv1.copy(), 0, conv2,
                                       None if conv2 is None else conv2.copy())
            self.kernels[key] = known.with_current(event.epoch, event.conv1, event.conv2)
        except (ValueError, TypeError) as exc:
            self.kernel_problems[key] = (f"{event.network}: kernels of epoch {event.epoch} could "
                                         f"not be shown ({exc})")
        else:
            self.kernel_problems.pop(key, None)
        return {KERNELS}

    def _initial_kernels_from_folder(self, key: Key) -> NetworkKernels | None:
        # Only for a follower that missed a network's epoch-0 kernels (the app never does):
        # the runner saved the initial weights before training.
        if not self.folder:
            return None
        try:
            initial = read_weights(self.folder, key[0], "initial", key[1], self.seeds)
        except StoreError:
            return None
        try:
            return None if initial is None else NetworkKernels.from_conv(key[0], initial)
        except (KeyError, ValueError, TypeError):
            return None

    def _on_NetworkFinished(self, event: NetworkFinished) -> set[str]:  # noqa: N802
        seed = self.event_seed(event.seed)
        row = SummaryRow(network=event.network, seed=seed,
                         peak_test_accuracy=float(event.peak_test_accuracy),
                         peak_epoch=int(event.peak_epoch),
                         final_test_accuracy=float(event.final_test_accuracy),
                         seconds_per_epoch=float(event.seconds_per_epoch),
                         total_seconds=float(event.total_seconds))
        self.finished[event.network, seed] = FinishedRun(row, int(event.epochs_done), seed)
        return {SUMMARY}

    def _on_SharedEpochTimed(self, event: SharedEpochTimed) -> set[str]:  # noqa: N802
        epochs = list(self.status.get("shared_epoch_seconds") or [])
        epochs[event.epoch - 1:] = [float(event.train_seconds)]
        self.status["shared_epoch_seconds"] = epochs
        self.status["shared_wall_seconds"] = sum(epochs)
        self.status["shared_eval_seconds"] = (float(self.status.get("shared_eval_seconds", 0.0))
                                              + float(event.eval_seconds))
        return {STATUS}

    def _on_NetworkDiverged(self, event: NetworkDiverged) -> set[str]:  # noqa: N802
        self.diverged[event.network, self.event_seed(event.seed)] = event.message
        return {STATUS, SUMMARY}

    def _on_StudyFinished(self, event: StudyFinished) -> set[str]:  # noqa: N802
        self.folder = Path(event.folder) if event.folder else self.folder
        self.status["state"] = event.state
        self.current = None
        return {STATUS}

    def _on_Failed(self, event: Failed) -> set[str]:  # noqa: N802
        self.folder = Path(event.folder) if event.folder else self.folder
        self.failure = event.message
        self.status.update(state=FAILED, error=event.message)
        self.current = None
        return {STATUS}

    # ----- reading ------------------------------------------------------------------------
    @property
    def state(self) -> str:
        """"running", "finished", "stopped", "failed" or "unknown"."""
        return self.status.get("state", UNKNOWN)

    @property
    def running(self) -> bool:
        """A live study that has not ended yet."""
        return self.live and self.state == RUNNING

    @property
    def timing(self) -> str:
        """"measured" or "isolated-estimate" (all-at-once)."""
        return study_timing(self.status)

    @property
    def isolated(self) -> bool:
        """The per-network times are isolated-timing estimates."""
        return self.timing == ISOLATED_ESTIMATE

    @property
    def planned_epochs(self) -> int:
        """Epochs each network was meant to train (0 when unknown)."""
        return self.config.epochs if self.config is not None else 0

    @property
    def first_seed(self) -> int:
        """The seed single-seed views show."""
        return self.seeds[0] if self.seeds else 0

    def keys(self) -> list[Key]:
        """Every (network, seed) with at least one epoch, in the study's order."""
        order = {name: i for i, name in enumerate(self.networks)}
        return sorted(self.rows, key=lambda k: (order.get(k[0], len(order)), k[1]))

    def networks_with_epochs(self, seed: int | None = None) -> list[str]:
        """Networks that completed at least one epoch (for `seed`; None: the first seed)."""
        seed = self.first_seed if seed is None else seed
        return [n for n, s in self.keys() if s == seed]

    def epoch_rows(self, network: str, seed: int | None = None) -> list[dict]:
        """The metrics rows of one (network, seed), by epoch."""
        return list(self.rows.get((network, self.first_seed if seed is None else seed), []))

    def curve(self, network: str, column: str,
              seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(epochs, values) of one metrics column for one (network, seed)."""
        rows = self.epoch_rows(network, seed)
        return (np.array([r["epoch"] for r in rows], dtype=int),
                np.array([r[column] for r in rows], dtype=float))

    def seeds_of(self, network: str) -> list[int]:
        """The seeds of `network` with at least one epoch, in the study's seed order."""
        order = {seed: i for i, seed in enumerate(self.seeds)}
        return sorted((s for n, s in self.rows if n == network),
                      key=lambda s: (order.get(s, len(order)), s))

    def curve_band(self, network: str, column: str, spread: str = CI) -> CurveBand:
        """One metrics column of `network` summarised over its seeds (analysis.bands)."""
        return curve_band((self.rows[network, seed] for seed in self.seeds_of(network)),
                          column, spread)

    def epochs_done(self, network: str, seed: int | None = None) -> int:
        """How many epochs of (network, seed) are recorded."""
        return len(self.epoch_rows(network, seed))

    def is_incomplete(self, network: str, seed: int | None = None) -> bool:
        """The network ended (stopped, failed) before its planned epochs."""
        key = (network, self.first_seed if seed is None else seed)
        done = self.epochs_done(*key)
        in_progress = self.running and key not in self.finished
        return 0 < done < self.planned_epochs and not in_progress

    def incomplete_note(self, network: str, seed: int | None = None) -> str:
        """"(stopped at epoch k of N)" ("interrupted" in a killed study) for an incomplete
        network, "(diverged …)" for one whose loss became NaN or infinite, else ''."""
        key = (network, self.first_seed if seed is None else seed)
        if key in self.diverged:
            return (f"(diverged; {self.epochs_done(*key)} of {self.planned_epochs} epochs "
                    "completed)")
        if not self.is_incomplete(network, seed):
            return ""
        how = StudyStatus.parse(self.state).cut_short
        return f"({how} at epoch {self.epochs_done(network, seed)} of {self.planned_epochs})"

    def summary_rows(self, seed: int | None = None) -> list[SummaryRow]:
        """Summary rows of the finished networks of `seed` (None: first seed), in study order.

        A stored study's rows are computed from its metrics, as NetworkFinished carried them.
        """
        seed = self.first_seed if seed is None else seed
        order = {name: i for i, name in enumerate(self.networks)}
        keys = sorted((k for k in self.finished if k[1] == seed),
                      key=lambda k: order.get(k[0], len(order)))
        return [self.finished[k].summary for k in keys]

    def all_summary_rows(self) -> dict[Key, SummaryRow]:
        """Every finished (network, seed)'s summary row."""
        return {key: run.summary for key, run in self.finished.items()}

    @property
    def summary(self) -> list[SummaryRow]:
        """One row per finished (network, seed), by network then seed."""
        order = {name: i for i, name in enumerate(self.networks)}
        keys = sorted(self.finished, key=lambda k: (order.get(k[0], len(order)), k[1]))
        return [self.finished[k].summary for k in keys]

    @property
    def epochs(self) -> list[dict]:
        """Every metrics row (each with its "seed"), by network, seed and epoch."""
        return [r for key in self.keys() for r in self.rows[key]]

    @property
    def recorded_epochs(self) -> list[dict]:
        """Every metrics row in the order the epochs arrived (metrics.csv's order)."""
        by_epoch = {(r["network"], r["seed"], r["epoch"]): r
                    for rows in self.rows.values() for r in rows}
        return [by_epoch[entry] for entry in self.epoch_log if entry in by_epoch]

    def kernels_of(self, network: str, seed: int | None = None) -> NetworkKernels | None:
        """What is known of a (network, seed)'s kernels (None: nothing yet)."""
        return self.kernels.get((network, self.first_seed if seed is None else seed))

    def kernels_by_network(self, seed: int | None = None) -> dict[str, NetworkKernels]:
        """{network: kernels} of one seed, in the study's order."""
        seed = self.first_seed if seed is None else seed
        return {n: self.kernels[n, seed] for n in self.networks if (n, seed) in self.kernels}

    def weights(self, network: str, which: str, seed: int | None = None):
        """Stored weights ("initial"/"final") of a network, else None; damage: see `strict`."""
        if self.live or not self.folder:
            return None
        try:
            return self.stored_weights(network, which, seed)
        except StoreError:
            if self.strict:
                raise
            return None

    def stored_weights(self, network: str, which: str, seed: int | None = None):
        """What the folder holds now of a network's weights (None: no file, or no folder);
        StoreError for a damaged file."""
        if not self.folder:
            return None
        return read_weights(self.folder, network, which,
                            self.first_seed if seed is None else seed, self.seeds)

    def predictions(self, network: str, seed: int | None = None):
        """(predicted, labels) of a stored study, else None; a damaged file: see `strict`."""
        if self.live or not self.folder:
            return None
        try:
            return read_predictions(self.folder, network,
                                    self.first_seed if seed is None else seed, self.seeds)
        except StoreError as exc:
            if self.strict:
                raise
            # A damaged file: shown as missing; the message is kept for whoever asks.
            if str(exc) not in self.problems:
                self.problems.append(str(exc))
            return None

    def confusions(self, seed: int | None = None) -> dict:
        """Confusion matrices, pooled over the seeds or of `seed` ({} until a live run ended)."""
        from study.analysis.confusion import study_confusions

        return {} if self.live else study_confusions(self, seed)

    def conclusions(self, measures=None) -> list[dict]:
        """The report's conclusions on this study, paired over its seeds (conclusion rows)."""
        from study.analysis.conclusions import ACCURACY_MEASURES, conclusion_rows, study_conclusions

        return conclusion_rows(study_conclusions(self, measures=measures or ACCURACY_MEASURES))

    def compare_rows(self) -> dict[str, dict]:
        """Each network's figures averaged over its seeds, with epochs done (study_rows)."""
        from study.analysis.comparisons import study_rows

        return study_rows(self)

    # ----- comparing ----------------------------------------------------------------------
    def snapshot(self) -> dict:
        """The study's content as plain data: what a live study and its folder agree on."""
        return {
            "config": self.config.to_dict() if self.config is not None else None,
            "folder": str(self.folder.resolve()) if self.folder else "",
            "status": {k: self.status.get(k) for k in STATUS_KEYS},
            "networks": list(self.networks),
            "seeds": list(self.seeds),
            "rows": {f"{n}/{s}": rows for (n, s), rows in sorted(self.rows.items())},
            "summary": {f"{n}/{s}": (run.summary.as_dict(), run.epochs_done)
                        for (n, s), run in sorted(self.finished.items())},
            "kernels": {f"{n}/{s}": _kernels_data(k) for (n, s), k in sorted(self.kernels.items())},
            "init_identity": list(self.init_identity),
        }

    def __eq__(self, other) -> bool:
        return isinstance(other, StudyState) and self.snapshot() == other.snapshot()

    __hash__ = None


def _kernels_data(kernels: NetworkKernels) -> dict:
    def listed(array):
        return None if array is None else np.asarray(array).tolist()

    return {"epoch": kernels.epoch, "initial_conv1": listed(kernels.initial_conv1),
            "current_conv1": listed(kernels.current_conv1),
            "initial_conv2": listed(kernels.initial_conv2),
            "current_conv2": listed(kernels.current_conv2)}


def open_study(folder, strict: bool = True) -> StudyState:
    """A stored study folder as a StudyState (StudyState.from_folder)."""
    return StudyState.from_folder(folder, strict=strict)
