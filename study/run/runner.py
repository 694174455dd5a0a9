"""Runs a study: data, networks, training; reports typed events to `emit` and to the folder
observer (study.folder.writer.FolderObserver), which writes the study folder from them.

Keras is imported only after the backend has been fixed (keras_models.backend.select_backend),
so this module may be imported by a process that has not chosen one yet.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from keras_models.backend import resolve_device, select_backend
from study.analysis.timing import timing_for_mode
from study.config import ConfigError, StudyConfig
from study.data import data_fingerprint, load_dataset
from study.folder.layout import DEFAULT_ROOT, check_out_root
from study.folder.writer import FolderObserver, StudyWriter
from study.protocol.events import (
    Failed,
    InitIdentity,
    NetworkDiverged,
    NetworkPredictions,
    NetworkStarted,
    NetworkWeights,
    StudyFinished,
    StudyStarted,
)
from study.protocol.status import StudyStatus
from study.protocol.weights import flat_weights, frozen_rows, init_identity_rows
from study.run.context import RunContext, fan_out, finished_event, kernels_event
from study.run.resume import ResumeError, ResumePlan, plan_resume

__all__ = ["ResumeError", "ResumePlan", "plan_resume", "resume_study", "run_study",
           "check_input", "check_memory", "memory_needed"]


def run_study(
    config: StudyConfig,
    emit: Callable = lambda event: None,
    stop_event: threading.Event | None = None,
    out_root=DEFAULT_ROOT,
    resume=None,
    kept=None,
) -> Path | None:
    """Run `config` to the end (or until `stop_event`); return the study folder.

    `resume` (a ResumePlan from plan_resume) continues that stopped study in its own folder.
    `kept` (a study.data.KeptDataset loaded ahead, by the app's warm worker) is used instead of
    loading the data again when it holds this study's data setting, unchanged.

    None when stopped before the study started (no folder is made then).

    Bad settings, data, backend or device raise before any folder is made. An error during
    training is reported as a Failed event, recorded in status.json and raised again; every
    epoch completed before it stays on disk.
    """
    config = config.validated()
    stop_event = stop_event or threading.Event()
    setup = _prepare(config, out_root, resume, kept)
    if stop_event.is_set():
        # Stopped while starting up: nothing has been written, so nothing is left half-made.
        return None
    run = _open(config, setup, emit, stop_event, out_root, resume)
    import keras

    try:
        with keras.device(setup.device):
            _train(run)
    except BaseException as exc:
        message = _describe(exc, *run.current, several=len(run.seeds) > 1)
        run.emit(Failed(message, str(run.folder), run.current[0]))
        raise
    state = StudyStatus.STOPPED if stop_event.is_set() else StudyStatus.FINISHED
    run.emit(StudyFinished(str(run.folder), state.value,
                           [r.as_dict() for r in run.summary_rows()]))
    return run.folder


def resume_study(folder, emit: Callable = lambda event: None,
                 stop_event: threading.Event | None = None) -> Path | None:
    """Continue the stopped study in `folder` from its last completed epoch (plan_resume)."""
    plan = plan_resume(folder)
    return run_study(plan.config, emit, stop_event, resume=plan)


@dataclass(frozen=True)
class _Setup:
    """What a run checked and loaded before any folder is made."""

    backend: str
    device: str
    dataset: object
    keras_version: str
    fingerprint: str
    # The dataset block status.json records; its fingerprint is of the whole arrays, so studies
    # of one dataset with different limits are known to share it.
    dataset_info: dict


def _prepare(config: StudyConfig, out_root, resume, kept) -> _Setup:
    """Backend, data and device, checked: every error here comes before a folder is made."""
    if resume is None:
        check_out_root(out_root)
    backend = select_backend(config.backend)
    dataset = kept.dataset_for(config.data_dir, config.dataset) if kept is not None else None
    if dataset is None:
        dataset = load_dataset(config.data_dir, config.dataset)
    whole = dataset
    dataset = dataset.limited(config.train_limit, config.test_limit)
    check_input(config, dataset.input_shape)
    check_memory(config, dataset)
    device = resolve_device(config.device, backend)

    import keras

    fingerprint = data_fingerprint(dataset)
    if resume is not None:
        resume.check(backend, keras.__version__, dataset.describe(), fingerprint)
    unlimited = len(whole.x_train) == len(dataset.x_train) and \
        len(whole.x_test) == len(dataset.x_test)
    info = {**dataset.info(),
            "fingerprint": fingerprint if unlimited else data_fingerprint(whole)}
    return _Setup(backend, device, dataset, keras.__version__, fingerprint, info)


def _open(config: StudyConfig, setup: _Setup, emit: Callable, stop_event, out_root,
          resume) -> RunContext:
    """The folder observer (a new folder, or the resumed one) and StudyStarted."""
    from keras_models.saving import ModelSaver
    from keras_models.training import batches_per_epoch

    if resume is None:
        writer = StudyWriter.create(out_root, config)
        completed, status = {}, {}
    else:
        completed, status = resume.completed, resume.status
        writer = StudyWriter.reopen(resume.folder, config, resume.status, completed)
    dataset = setup.dataset
    run = RunContext(config, dataset, fan_out(FolderObserver(writer), emit), stop_event,
                     writer.folder, writer, status=status, completed=completed,
                     rows=list(writer.epochs),
                     # The report head's softmax runs over the batch, so it must see the
                     # training batch.
                     eval_batch_size=config.batch_size if config.head == "report" else 1000)
    run.emit(StudyStarted(
        folder=str(writer.folder), backend=setup.backend, device=setup.device,
        networks=list(config.networks), epochs=config.epochs,
        train_size=len(dataset.x_train), test_size=len(dataset.x_test),
        batches_per_epoch=batches_per_epoch(len(dataset.x_train), config.batch_size),
        dataset=dataset.describe(), seeds=list(config.seed_list),
        keras_version=setup.keras_version, mode=config.mode,
        timing=timing_for_mode(config.mode), data_fingerprint=setup.fingerprint,
        dataset_info=setup.dataset_info,
    ))
    kept_rows = list(run.rows)
    run.rows.clear()
    for row in kept_rows:
        # A resumed study first tells its kept epochs, so that a reader's view is whole.
        run.epoch_ended(row["network"], row["seed"], _Epoch(row))
    # models/NET.keras and NET.best.keras: a resumed study's kept epochs hold the peaks to beat.
    run.saver = ModelSaver(config.head, writer.model_path, run.rows, dataset.input_shape,
                           dataset.num_classes)
    return run


class _Epoch:
    """A kept metrics row read as an epoch's result."""

    def __init__(self, row: dict):
        self.__dict__.update(row)


def _train(run: RunContext) -> None:
    """Build the networks, report their initial weights, train them, report the frozen rows."""
    from keras_models.schemes import build_network, dataset_shapes, layer_weights

    config, seeds = run.config, run.seeds
    kernels = config.conv1_start()
    shapes = dataset_shapes(run.dataset)
    combined = None
    if config.mode == "all-at-once":
        from keras_models.combined import build_combined

        combined = build_combined(config.networks, config.seed, config.head, kernels,
                                  seeds=seeds, **shapes)
        models = {(name, seed): combined.branch(name, seed)
                  for seed in seeds for name in config.networks}
    else:
        # Seed s's models are exactly those of the one-seed study --seed s.
        models = {(name, seed): build_network(name, seed, config.head, kernels, **shapes)
                  for seed in seeds for name in config.networks}
    initial = {key: layer_weights(model) for key, model in models.items()}
    for (name, seed), weights in initial.items():
        run.emit(NetworkWeights(name, "initial", flat_weights(weights), seed))
    identity = _identity_rows(initial, seeds)
    run.emit(InitIdentity(identity))
    if combined is not None:
        from study.run.all_at_once import train_all_at_once

        final = train_all_at_once(run, combined, initial, kernels)
    else:
        final = _train_sequential(run, models, initial)
    run.current = ("", 0)
    run.emit(InitIdentity(identity + _frozen_rows(initial, final, seeds)))


def _train_sequential(run: RunContext, models: dict, initial: dict) -> dict:
    """Train each (network, seed) in turn, seed by seed; return their final layer weights."""
    gave_up = {(d.get("network"), d.get("seed")) for d in run.status.get("diverged") or []}
    runs = [(name, seed) for seed in run.seeds for name in run.config.networks]
    final = {}
    for index, (name, seed) in enumerate(runs):
        if run.stop_event.is_set():
            break
        run.current = (name, seed)
        run.emit(NetworkStarted(name, index, len(runs), seed))
        run.emit(kernels_event(name, 0, initial[name, seed], seed))
        final[name, seed] = _train_network(run, name, seed, models[name, seed],
                                           (name, seed) in gave_up)
    return final


def _train_network(run: RunContext, name: str, seed: int, model, gave_up: bool) -> dict:
    """Train one (network, seed), then report its final weights, predictions and summary."""
    from keras_models.checkpoint import restore_checkpoint, save_checkpoint
    from keras_models.schemes import layer_weights
    from keras_models.training import Diverged, predict_classes, train_network

    config, dataset = run.config, run.dataset
    done = []
    saved = run.completed.get((name, seed), 0)
    checkpoint = run.paths.checkpoint_path(name, seed)

    def on_epoch(result):
        done.append(result)
        run.epoch_ended(name, seed, result)
        # A new peak's model before the checkpoint: a kill in between costs the epoch, which
        # a resume trains again, saving it again.
        weights = layer_weights(model)
        run.saver.epoch_ended(name, seed, result.test_accuracy, weights)
        # After the metrics row: a kill between the two costs the epoch, which a resume drops
        # and trains again.
        save_checkpoint(checkpoint, model, result.epoch)
        run.emit(kernels_event(name, result.epoch, weights, seed))

    try:
        results = train_network(
            model, name, dataset, epochs=config.epochs, batch_size=config.batch_size,
            learning_rate=config.learning_rate, seed=seed, shuffle=config.shuffle,
            emit=run.emit, stop_event=run.stop_event, on_epoch=on_epoch,
            eval_batch_size=run.eval_batch_size,
            # A network that diverged before the stop stays where it stopped.
            first_epoch=(config.epochs if gave_up else saved) + 1,
            restore=(lambda m: restore_checkpoint(m, checkpoint)) if saved else None,
        )
    except Diverged as exc:
        # This network stops with its completed epochs (its weights are back at the last of
        # them); the others go on.
        results = done
        run.emit(NetworkDiverged(name, exc.epoch, exc.batch, str(exc), seed))
    final = layer_weights(model)
    run.emit(NetworkWeights(name, "final", flat_weights(final), seed))
    epochs_done = saved + len(results)
    if epochs_done:
        run.emit(NetworkPredictions(name, predict_classes(model, dataset.x_test,
                                                          run.eval_batch_size),
                                    dataset.y_test, seed))
        run.save_models(name, seed, final)
    rows = {(row.network, row.seed): row for row in run.summary_rows()}
    if (name, seed) in rows:
        run.emit(finished_event(rows[name, seed], epochs_done))
    return final


# What a study's process holds besides the per-seed training arrays (the backend, the dataset,
# the compiled programs), and what each seed trained at the same time adds, as a multiple of the
# training set's bytes (its epoch's shuffled images and labels, and Keras' batches of them).
# Measured on the full data, JAX, all-at-once: peak RSS 1.06 GB with 1 seed and 1.88 GB with 5,
# about 1.1 training sets per seed; the estimate rounds both up.
BASE_MEMORY_BYTES = 1_000_000_000
PER_SEED_TRAINING_SETS = 1.25


def memory_needed(config: StudyConfig, dataset) -> int:
    """Bytes a study needs, roughly: the base, and per seed trained at the same time about one
    more copy of the training set. All-at-once trains every seed at once; sequential one at a
    time."""
    per_seed = PER_SEED_TRAINING_SETS * (dataset.x_train.nbytes + dataset.y_train.nbytes)
    at_once = len(config.seed_list) if config.mode == "all-at-once" else 1
    return int(BASE_MEMORY_BYTES + at_once * per_seed)


def available_memory_bytes() -> int | None:
    """Memory available to a new allocation now (MemAvailable), or None when unknown."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        return None


def check_memory(config: StudyConfig, dataset) -> None:
    """ConfigError (a usage error: exit 2, no folder) when the seeds cannot fit in memory."""
    available = available_memory_bytes()
    needed = memory_needed(config, dataset)
    if available is not None and needed > available:
        seeds = len(config.seed_list)
        hint = ("use fewer seeds or --mode sequential" if config.mode == "all-at-once"
                else "use a smaller --train-limit")
        raise ConfigError(
            f"Invalid study settings: {seeds} seed(s) {config.mode} need about "
            f"{needed / 1e9:.1f} GB of memory but {available / 1e9:.1f} GB is available; {hint}"
        )


def check_input(config: StudyConfig, shape) -> None:
    """ConfigError (exit 2, no folder) when the dataset's images are too small for the networks
    with this study's conv1 kernels; the message names the smallest size that works."""
    from study.protocol.banks import input_problems
    from study.protocol.networks import network_spec

    architectures = {network_spec(name).architecture for name in config.networks}
    size = int(config.byhand_kernels().shape[1])
    problems = input_problems(shape, architectures, size)
    if problems:
        raise ConfigError(f"Invalid study settings: {problems[0]}")


def _by_seed(weights: dict, seed: int) -> dict:
    """{network: weights} of one seed from {(network, seed): weights}."""
    return {name: value for (name, s), value in weights.items() if s == seed}


def _seed_label(rows, seed: int, seeds) -> list[tuple[str, float]]:
    """Identity rows of one seed; in a multi-seed study each label starts "seed S: "."""
    if len(seeds) <= 1:
        return list(rows)
    return [(f"seed {seed}: {check}", norm) for check, norm in rows]


def _identity_rows(initial: dict, seeds) -> list[tuple[str, float]]:
    """The init identity report (docs/study.md#initial-weights) of every seed, seed by seed."""
    return [row for seed in seeds
            for row in _seed_label(init_identity_rows(_by_seed(initial, seed)), seed, seeds)]


def _frozen_rows(initial: dict, final: dict, seeds) -> list[tuple[str, float]]:
    """The HF conv1-after-training rows of every seed, seed by seed."""
    return [row for seed in seeds
            for row in _seed_label(frozen_rows(_by_seed(initial, seed), _by_seed(final, seed)),
                                   seed, seeds)]


def _describe(exc: BaseException, network: str, seed: int = 0, several: bool = False) -> str:
    where = f" while training {network}" if network else ""
    if network and several:
        where += f" (seed {seed})"
    if isinstance(exc, KeyboardInterrupt):
        return f"interrupted{where}"
    if isinstance(exc, MemoryError):
        return f"out of memory{where}; try a smaller batch size or fewer networks"
    return f"{type(exc).__name__}{where}: {exc}"
