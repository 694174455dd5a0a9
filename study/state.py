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

from study.analysis.kernels import NetworkKernels, conv1_kernels, conv2_kernels
from study.analysis.summary import SummaryRow, summarize
from study.analysis.timing import ISOLATED_ESTIMATE, study_timing, timing_for_mode
from study.config import StudyConfig
from study.folder.store import StoredStudy, StoreError, open_study, read_predictions, read_weights
from study.protocol.events import (
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

Key = tuple[str, int]
# The numbers of one epoch, as EpochEnded and a metrics row both carry them.
EPOCH_VALUES = ("train_loss", "test_loss", "test_accuracy", "train_seconds", "eval_seconds")
RUNNING, FINISHED, STOPPED, FAILED, UNKNOWN = "running", "finished", "stopped", "failed", "unknown"
# A study status.json calls running whose writer is gone (study.folder.store.truthful_status).
INTERRUPTED = "interrupted"
# The status keys a live study and its folder agree on (status.json holds a few more).
STATUS_KEYS = ("state", "backend", "device", "dataset", "mode", "timing",
               "shared_epoch_seconds", "shared_wall_seconds")

# What apply() changed, so an adapter knows what to redraw.
STATUS, CURVES, SUMMARY, KERNELS, IDENTITY, NETWORK, PROGRESS, STARTED = (
    "status", "curves", "summary", "kernels", "identity", "network", "progress", "started")


def config_seeds(config: StudyConfig | None) -> tuple[int, ...]:
    """The seeds a config trains (its seed_list once multi-seed studies exist, else its seed)."""
    if config is None:
        return ()
    seeds = getattr(config, "seed_list", None)
    return tuple(seeds) if seeds else (int(config.seed),)


CI, MIN_MAX = "ci", "min-max"


@dataclass(frozen=True)
class CurveBand:
    """A metrics column over a network's seeds: per epoch the mean, the band's low and high
    ends (95 % CI of the mean, or min–max) and how many seeds it summarises."""

    epochs: np.ndarray
    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray
    n_seeds: np.ndarray


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
    def from_folder(cls, folder, strict: bool = True) -> StudyState:
        """A stored study folder (StoreError when it is not one); half-written folders load.

        A damaged weights or predictions file is left out and named in `problems`; with
        `strict=False` (the app) so is a damaged init_identity.csv."""
        return cls.from_stored(open_study(folder, strict=strict))

    @classmethod
    def from_stored(cls, stored: StoredStudy) -> StudyState:
        """A StoredStudy as a state, by applying the events its files stand for."""
        state = cls(config=stored.config, networks=list(stored.config.networks),
                    seeds=list(config_seeds(stored.config)))
        state.status = {"mode": stored.status.get("mode", stored.config.mode),
                        "timing": study_timing(stored.status)
                        if "timing" in stored.status else timing_for_mode(stored.config.mode)}
        state.problems = list(getattr(stored, "problems", []))
        events = folder_events(stored, state.problems)
        for event in events:
            state.apply(event)
        if stored.status.get("state") not in (FINISHED, STOPPED, FAILED):
            # Still running elsewhere, or cut short by a crash: say what status.json says.
            state.status["state"] = stored.status.get("state", UNKNOWN)
        # A network without final weights did not finish: only its initial kernels are known.
        finals = {(e.network, e.seed) for e in events
                  if isinstance(e, KernelsUpdated) and e.epoch > 0}
        for key, kernels in list(state.kernels.items()):
            if key not in finals:
                state.kernels[key] = dataclasses.replace(
                    kernels, current_conv1=None, current_conv2=None,
                    epoch=state.epochs_done(*key))
        # status.json's other facts (isolated estimates, error, Keras version) ride along.
        for key, value in stored.status.items():
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
                           dataset=event.dataset)
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
        """One metrics column of `network` summarised over its seeds, epoch by epoch.

        `spread` CI: the 95 % Student-t interval of the mean (study.analysis.statistics.t_interval);
        MIN_MAX: the lowest and highest seed. An epoch only some seeds have reached (a run in
        progress) is summarised over those; with one value the band is that value.
        """
        from study.analysis.statistics import t_interval

        by_epoch: dict[int, list[float]] = {}
        for seed in self.seeds_of(network):
            for row in self.rows[network, seed]:
                by_epoch.setdefault(int(row["epoch"]), []).append(float(row[column]))
        epochs = sorted(by_epoch)
        mean, low, high, count = [], [], [], []
        for epoch in epochs:
            values = by_epoch[epoch]
            if spread == MIN_MAX or len(values) < 2:
                mean.append(float(np.mean(values)))
                low.append(min(values))
                high.append(max(values))
            else:
                interval = t_interval(values)
                mean.append(interval.mean)
                low.append(interval.low)
                high.append(interval.high)
            count.append(len(values))
        return CurveBand(np.array(epochs, dtype=int), np.array(mean, dtype=float),
                         np.array(low, dtype=float), np.array(high, dtype=float),
                         np.array(count, dtype=int))

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
        """"(stopped at epoch k of N)" for an incomplete network, "(diverged …)" for one whose
        loss became NaN or infinite, else ''."""
        key = (network, self.first_seed if seed is None else seed)
        if key in self.diverged:
            return (f"(diverged; {self.epochs_done(*key)} of {self.planned_epochs} epochs "
                    "completed)")
        if not self.is_incomplete(network, seed):
            return ""
        return f"(stopped at epoch {self.epochs_done(network, seed)} of {self.planned_epochs})"

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

    # The names StoredStudy has, so study.analysis.conclusions, study.analysis.confusion and the
    # figures read a
    # state as they read a stored study.
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

    def kernels_of(self, network: str, seed: int | None = None) -> NetworkKernels | None:
        """What is known of a (network, seed)'s kernels (None: nothing yet)."""
        return self.kernels.get((network, self.first_seed if seed is None else seed))

    def kernels_by_network(self, seed: int | None = None) -> dict[str, NetworkKernels]:
        """{network: kernels} of one seed, in the study's order."""
        seed = self.first_seed if seed is None else seed
        return {n: self.kernels[n, seed] for n in self.networks if (n, seed) in self.kernels}

    def weights(self, network: str, which: str, seed: int | None = None):
        """Stored weights ("initial"/"final") of a network; None until a live run has ended."""
        if self.live or not self.folder:
            return None
        try:
            return read_weights(self.folder, network, which,
                            self.first_seed if seed is None else seed, self.seeds)
        except StoreError:
            return None

    def predictions(self, network: str, seed: int | None = None):
        """(predicted, labels) read from the folder once a live run has ended; else None."""
        if self.live or not self.folder:
            return None
        try:
            return read_predictions(self.folder, network,
                                    self.first_seed if seed is None else seed, self.seeds)
        except StoreError as exc:
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


def _stored_row_seed(stored: StoredStudy, row: dict) -> int:
    return int(row.get("seed", stored.config.seed))


def _readable_weights(stored: StoredStudy, network: str, which: str, seed: int, seeds,
                      problems: list[str] | None):
    """A network's stored weights, or None when absent; a damaged file is None too when
    `problems` is given (its message is added there), else StoreError."""
    try:
        return read_weights(stored.folder, network, which, seed, seeds)
    except StoreError as exc:
        if problems is None:
            raise
        problems.append(str(exc))
        return None


def folder_events(stored: StoredStudy, problems: list[str] | None = None) -> list:
    """The events a stored study's files stand for, in the order a run emits them.

    With `problems`, a damaged weights file is left out and its message added there."""
    config, status = stored.config, stored.status
    seeds = list(config_seeds(config))
    events: list = [StudyStarted(
        folder=str(stored.folder), backend=status.get("backend", config.backend),
        device=status.get("device", config.device), networks=list(config.networks),
        epochs=config.epochs, train_size=0, test_size=0, batches_per_epoch=0,
        dataset=status.get("dataset", ""), seeds=seeds)]
    if stored.init_identity:
        events.append(InitIdentity(list(stored.init_identity)))
    by_key: dict[Key, list[dict]] = {}
    for row in stored.epochs:
        by_key.setdefault((row["network"], _stored_row_seed(stored, row)), []).append(row)
    for seed in seeds:
        for network in config.networks:
            initial = _readable_weights(stored, network, "initial", seed, seeds, problems)
            if initial is not None and "conv1/kernel" in initial:
                events.append(_kernels_event(network, 0, initial, seed))
    for (network, seed), rows in by_key.items():
        for row in sorted(rows, key=lambda r: r["epoch"]):
            events.append(EpochEnded(network, row["epoch"],
                                     *(row[c] for c in EPOCH_VALUES), seed=seed))
    for entry in status.get("diverged") or []:
        try:
            events.append(NetworkDiverged(str(entry["network"]), int(entry["epoch"]),
                                          int(entry["batch"]), str(entry["message"]),
                                          int(entry.get("seed", config.seed))))
        except (KeyError, TypeError, ValueError, AttributeError):
            if problems is not None:
                problems.append(f"{stored.folder / 'status.json'}: a damaged diverged entry")
    for epoch, seconds in enumerate(status.get("shared_epoch_seconds") or [], start=1):
        events.append(SharedEpochTimed(epoch, float(seconds), 0.0))
    for (network, seed), rows in by_key.items():
        final = _readable_weights(stored, network, "final", seed, seeds, problems)
        if final is not None and "conv1/kernel" in final:
            events.append(_kernels_event(network, max(r["epoch"] for r in rows), final, seed))
        row = summarize(network, rows, seed)
        events.append(NetworkFinished(network, len(rows), row.peak_test_accuracy,
                                      row.peak_epoch, row.final_test_accuracy,
                                      row.seconds_per_epoch, row.total_seconds, seed=seed))
    state = status.get("state")
    if state == FAILED:
        events.append(Failed(status.get("error", "the study failed"), str(stored.folder)))
    elif state in (FINISHED, STOPPED):
        events.append(StudyFinished(str(stored.folder), state))
    return events


def _kernels_event(network: str, epoch: int, flat: dict, seed: int) -> KernelsUpdated:
    conv2 = flat.get("conv2/kernel")
    return KernelsUpdated(network, int(epoch), np.asarray(flat["conv1/kernel"]).tolist(),
                          None if conv2 is None else np.asarray(conv2).tolist(), seed=seed)

