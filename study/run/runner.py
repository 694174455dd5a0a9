"""Runs a study: data, networks, training, files on disk; reports typed events to `emit`.

Keras is imported only after the backend has been fixed (keras_models.backend.select_backend),
so this module may be imported by a process that has not chosen one yet.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from keras_models.backend import resolve_device, select_backend
from study.analysis.timing import timing_for_mode
from study.config import ConfigError, StudyConfig
from study.data import load_dataset
from study.folder.store import (
    DEFAULT_ROOT,
    RESUMABLE_STATES,
    StoreError,
    StudyWriter,
    check_out_root,
    checkpoint_epoch,
    data_fingerprint,
    open_study,
    read_weights,
)
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
from study.protocol.weights import flat_weights, frozen_rows, init_identity_rows, nested_weights


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
    if resume is None:
        check_out_root(out_root)
    backend = select_backend(config.backend)
    dataset = kept.dataset_for(config.data_dir) if kept is not None else None
    if dataset is None:
        dataset = load_dataset(config.data_dir)
    dataset = dataset.limited(config.train_limit, config.test_limit)
    check_memory(config, dataset)
    device = resolve_device(config.device, backend)

    import keras

    fingerprint = data_fingerprint(dataset)
    if resume is not None:
        resume.check(backend, keras.__version__, dataset.describe(), fingerprint)
    if stop_event.is_set():
        # Stopped while starting up: nothing has been written, so nothing is left half-made.
        return None

    from keras_models.checkpoint import restore_checkpoint, save_checkpoint
    from keras_models.saving import ModelSaver
    from keras_models.schemes import build_network, layer_weights
    from keras_models.training import batches_per_epoch, predict_classes, train_network

    if resume is None:
        writer = StudyWriter.create(out_root, config)
        completed = {}
    else:
        completed = resume.completed
        writer = StudyWriter.reopen(resume.folder, config, resume.status, completed)
    outer_emit = emit

    def emit(event):
        # Every event (a batch's progress, an epoch's end) is also the writer's sign of life.
        writer.heartbeat()
        outer_emit(event)

    writer.write_status(backend=backend, device=device, dataset=dataset.describe(),
                        keras_version=keras.__version__, mode=config.mode,
                        timing=timing_for_mode(config.mode), data_fingerprint=fingerprint)
    seeds = config.seed_list
    emit(StudyStarted(
        folder=str(writer.folder), backend=backend, device=device,
        networks=list(config.networks), epochs=config.epochs,
        train_size=len(dataset.x_train), test_size=len(dataset.x_test),
        batches_per_epoch=batches_per_epoch(len(dataset.x_train), config.batch_size),
        dataset=dataset.describe(), seeds=list(seeds),
    ))
    for row in writer.epochs:
        # A resumed study first tells its kept epochs, so that a reader's view is whole.
        emit(EpochEnded(row["network"], row["epoch"], row["train_loss"], row["test_loss"],
                        row["test_accuracy"], row["train_seconds"], row["eval_seconds"],
                        row["seed"]))
    current = ("", 0)
    # models/NET.keras and NET.best.keras: a resumed study's kept epochs hold the peaks to beat.
    saver = ModelSaver(config.head, writer.model_path, writer.epochs)
    try:
        with keras.device(device):
            kernels = config.byhand_kernels()
            if config.mode == "all-at-once":
                from keras_models.combined import build_combined

                combined = build_combined(config.networks, config.seed, config.head, kernels,
                                          seeds=seeds)
                models = {(name, seed): combined.branch(name, seed)
                          for seed in seeds for name in config.networks}
            else:
                # Seed s's models are exactly those of the one-seed study --seed s.
                models = {(name, seed): build_network(name, seed, config.head, kernels)
                          for seed in seeds for name in config.networks}
            initial = {key: layer_weights(model) for key, model in models.items()}
            for (name, seed), weights in initial.items():
                writer.save_weights(name, "initial", flat_weights(weights), seed=seed)
            identity = _identity_rows(initial, seeds)
            writer.write_init_identity(identity)
            emit(InitIdentity(identity))

            final = {}
            # The report head's softmax runs over the batch, so it must see the training batch.
            eval_batch_size = config.batch_size if config.head == "report" else 1000
            if config.mode == "all-at-once":
                final = _run_all_at_once(combined, config, dataset, writer, emit, stop_event,
                                         initial, kernels, eval_batch_size,
                                         completed.get((None, 0), 0), saver)
            else:
                from keras_models.training import Diverged

                diverged = list(writer.status.get("diverged") or [])
                gave_up = {(d.get("network"), d.get("seed")) for d in diverged}
                runs = [(name, seed) for seed in seeds for name in config.networks]
                for index, (name, seed) in enumerate(runs):
                    if stop_event.is_set():
                        break
                    current = (name, seed)
                    model = models[name, seed]
                    emit(NetworkStarted(name, index, len(runs), seed))
                    emit(_kernels_event(name, 0, initial[name, seed], seed))

                    done = []
                    saved = completed.get((name, seed), 0)
                    checkpoint = writer.checkpoint_path(name, seed)
                    # A network that diverged before the stop stays where it stopped.
                    start = config.epochs if (name, seed) in gave_up else saved

                    def on_epoch(result, name=name, seed=seed, model=model, done=done,
                                 checkpoint=checkpoint):
                        done.append(result)
                        writer.append_epoch(name, result, seed=seed)
                        # A new peak's model before the checkpoint: a kill in between costs the
                        # epoch, which a resume trains again, saving it again.
                        weights = layer_weights(model)
                        saver.epoch_ended(name, seed, result.test_accuracy, weights)
                        # After the metrics row: a kill between the two costs the epoch, which
                        # a resume drops and trains again.
                        save_checkpoint(checkpoint, model, result.epoch)
                        emit(EpochEnded(name, result.epoch, result.train_loss, result.test_loss,
                                        result.test_accuracy, result.train_seconds,
                                        result.eval_seconds, seed))
                        emit(_kernels_event(name, result.epoch, weights, seed))

                    try:
                        results = train_network(
                            model, name, dataset,
                            epochs=config.epochs, batch_size=config.batch_size,
                            learning_rate=config.learning_rate, seed=seed,
                            shuffle=config.shuffle, emit=emit, stop_event=stop_event,
                            on_epoch=on_epoch, eval_batch_size=eval_batch_size,
                            first_epoch=start + 1,
                            restore=(lambda m, path=checkpoint: restore_checkpoint(m, path))
                            if saved else None,
                        )
                    except Diverged as exc:
                        # This network stops with its completed epochs (its weights are back
                        # at the last of them); the others go on.
                        results = done
                        diverged.append({"network": name, "seed": seed, "epoch": exc.epoch,
                                         "batch": exc.batch, "message": str(exc)})
                        writer.write_status(diverged=diverged)
                        emit(NetworkDiverged(name, exc.epoch, exc.batch, str(exc), seed))
                    final[name, seed] = layer_weights(model)
                    writer.save_weights(name, "final", flat_weights(final[name, seed]),
                                        seed=seed)
                    epochs_done = saved + len(results)
                    if epochs_done:
                        writer.save_predictions(name, predict_classes(model, dataset.x_test,
                                                                      eval_batch_size),
                                                dataset.y_test, seed=seed)
                        _save_models(saver, writer, name, seed, final[name, seed], dataset,
                                     eval_batch_size)
                    rows = {(row.network, row.seed): row for row in writer.write_summary()}
                    if (name, seed) in rows:
                        emit(_finished_event(rows[name, seed], epochs_done))
            current = ("", 0)
            identity = identity + _frozen_rows(initial, final, seeds)
            writer.write_init_identity(identity)
            emit(InitIdentity(identity))
    except BaseException as exc:
        message = _describe(exc, *current, several=len(seeds) > 1)
        # On a full disk the reserve set aside at the start makes room for these last files.
        writer.release_reserve()
        try:
            writer.write_summary()
            writer.write_status(state="failed", error=message)
        except Exception:  # noqa: BLE001 - the original error matters more
            pass
        emit(Failed(message, str(writer.folder), current[0]))
        raise
    state = "stopped" if stop_event.is_set() else "finished"
    writer.release_reserve()
    writer.write_status(state=state)
    emit(StudyFinished(str(writer.folder), state, [r.as_dict() for r in writer.summary_rows()]))
    return writer.folder


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


def _finished_event(row, epochs_done: int) -> NetworkFinished:
    return NetworkFinished(row.network, epochs_done, row.peak_test_accuracy, row.peak_epoch,
                           row.final_test_accuracy, row.seconds_per_epoch, row.total_seconds,
                           row.seed)


def _save_models(saver, writer, name: str, seed: int, weights: dict, dataset,
                 eval_batch_size: int) -> None:
    """models/NET.keras from the final weights, and the best model's test predictions."""
    best = saver.finished(name, seed, weights, dataset.x_test, eval_batch_size)
    if best is not None:
        writer.save_predictions(name, best, dataset.y_test, seed=seed, kind="best")
    # What keeping the .keras files cost this run (docs/performance.md#other-costs: it is cheap).
    writer.write_status(model_files_saved=saver.files, model_save_seconds=saver.seconds)


def _run_all_at_once(combined, config, dataset, writer, emit, stop_event, initial, kernels,
                     eval_batch_size, saved: int = 0, saver=None) -> dict:
    """Train every (network, seed) as a branch of one model; return their final weights.

    Events and files are those of sequential mode, per network and seed. Each network's
    train_seconds is its isolated-timing estimate (status.json: timing "isolated-estimate"),
    timed before training, once per network (the seed does not change a network's cost);
    status.json also records the shared wall time of every epoch. A resumed study starts after
    epoch `saved` from the combined model's checkpoint, with the estimates it recorded.
    """
    from keras_models.checkpoint import restore_checkpoint, save_checkpoint
    from keras_models.combined import predict_combined, train_combined
    from keras_models.isolated_timing import isolated_seconds_per_epoch
    from keras_models.schemes import layer_weights
    from keras_models.training import predict_classes

    members = list(combined.members.values())
    for index, (name, seed) in enumerate(members):
        emit(NetworkStarted(name, index, len(members), seed))
        emit(_kernels_event(name, 0, initial[name, seed], seed))
    checkpoint = writer.checkpoint_path(None)
    recorded = writer.status.get("isolated_seconds_per_epoch") if saved else None
    estimates = {}
    if isinstance(recorded, dict) and set(recorded) == set(combined.networks):
        estimates.update(recorded)

    def timing() -> dict:
        # Timed once, when the first epoch has trained and before its rows are written: the
        # first batch does not wait for six more networks to compile, and every row still
        # carries its network's estimate.
        if not estimates:
            estimates.update(isolated_seconds_per_epoch(
                combined.networks, dataset, seed=combined.seeds[0], head=config.head,
                kernels=kernels, batch_size=config.batch_size,
                learning_rate=config.learning_rate, stop_event=stop_event,
            ))
            writer.write_status(isolated_seconds_per_epoch=dict(estimates))
        return estimates

    earlier = list(writer.status.get("shared_epoch_seconds") or [])[:saved] if saved else []
    earlier_eval = float(writer.status.get("shared_eval_seconds") or 0.0) if saved else 0.0
    earlier_checkpoints = list(writer.status.get("checkpoint_seconds") or [])[:saved] if saved \
        else []
    writer.write_status(shared_wall_seconds=float(sum(earlier)),
                        shared_eval_seconds=earlier_eval, shared_epoch_seconds=earlier,
                        **({"isolated_seconds_per_epoch": dict(estimates)} if estimates else {}))
    shared_epochs = []

    def on_epoch(shared):
        for (name, seed), result in shared.results.items():
            writer.append_epoch(name, result, seed=seed)
            emit(EpochEnded(name, result.epoch, result.train_loss, result.test_loss,
                            result.test_accuracy, result.train_seconds, result.eval_seconds,
                            seed))
            weights = layer_weights(combined.branch(name, seed))
            if saver is not None:
                saver.epoch_ended(name, seed, result.test_accuracy, weights)
            emit(_kernels_event(name, result.epoch, weights, seed))
        # After the metrics rows: a kill between the two costs the epoch, which a resume
        # drops and trains again.
        t0 = time.perf_counter()
        save_checkpoint(checkpoint, combined.model, shared.epoch)
        checkpoint_seconds.append(time.perf_counter() - t0)
        shared_epochs.append(shared)
        emit(SharedEpochTimed(saved + len(shared_epochs), shared.shared_train_seconds,
                              shared.shared_eval_seconds))
        writer.write_status(
            shared_wall_seconds=sum(earlier) + sum(e.shared_train_seconds
                                                   for e in shared_epochs),
            shared_eval_seconds=earlier_eval + sum(e.shared_eval_seconds
                                                   for e in shared_epochs),
            shared_epoch_seconds=earlier + [e.shared_train_seconds for e in shared_epochs],
            # Seconds each epoch's checkpoint took (the cost of resumability, docs/performance.md).
            checkpoint_seconds=earlier_checkpoints + checkpoint_seconds,
        )

    checkpoint_seconds = []
    # A branch that diverged stops there, as in sequential mode, and the others go on; its
    # last good weights and predictions are written when it diverges, since the branch goes on
    # computing (unrecorded) in the shared model. Those that diverged before a resume are kept
    # as they were written.
    diverged = list(writer.status.get("diverged") or [])
    gave_up = {(d.get("network"), d.get("seed")) for d in diverged}
    final = {}
    for name, seed in members:
        if (name, seed) in gave_up:
            kept = read_weights(writer.folder, name, "final", seed, combined.seeds)
            if kept is not None:
                final[name, seed] = nested_weights(kept)

    def on_diverged(name, seed, exc):
        branch = combined.branch(name, seed)
        final[name, seed] = layer_weights(branch)
        writer.save_weights(name, "final", flat_weights(final[name, seed]), seed=seed)
        if any(row["network"] == name and row["seed"] == seed for row in writer.epochs):
            writer.save_predictions(name, predict_classes(branch, dataset.x_test,
                                                          eval_batch_size),
                                    dataset.y_test, seed=seed)
            if saver is not None:
                _save_models(saver, writer, name, seed, final[name, seed], dataset,
                             eval_batch_size)
        diverged.append({"network": name, "seed": seed, "epoch": exc.epoch,
                         "batch": exc.batch, "message": str(exc)})
        gave_up.add((name, seed))
        writer.write_status(diverged=diverged)
        emit(NetworkDiverged(name, exc.epoch, exc.batch, str(exc), seed))

    if not stop_event.is_set():
        train_combined(
            combined, dataset, epochs=config.epochs, batch_size=config.batch_size,
            learning_rate=config.learning_rate, shuffle=config.shuffle,
            emit=emit, stop_event=stop_event, on_epoch=on_epoch, seconds_per_epoch=timing,
            eval_batch_size=eval_batch_size, first_epoch=saved + 1,
            restore=(lambda model: restore_checkpoint(model, checkpoint)) if saved else None,
            gave_up=gave_up, on_diverged=on_diverged,
        )
    going = [member for member in members if member not in gave_up]
    for name, seed in going:
        final[name, seed] = layer_weights(combined.branch(name, seed))
        writer.save_weights(name, "final", flat_weights(final[name, seed]), seed=seed)
    if going and (saved or shared_epochs):
        predicted = predict_combined(combined, dataset.x_test, eval_batch_size)
        for name, seed in going:
            writer.save_predictions(name, predicted[name, seed], dataset.y_test, seed=seed)
            if saver is not None:
                _save_models(saver, writer, name, seed, final[name, seed], dataset,
                             eval_batch_size)
    done = Counter((row["network"], row["seed"]) for row in writer.epochs)
    for row in writer.write_summary():
        emit(_finished_event(row, done[row.network, row.seed]))
    return final


def _kernels_event(name: str, epoch: int, weights: dict, seed: int = 0) -> KernelsUpdated:
    conv2 = weights.get("conv2")
    return KernelsUpdated(name, epoch, weights["conv1"][0].tolist(),
                          conv2[0].tolist() if conv2 else None, seed)


def _describe(exc: BaseException, network: str, seed: int = 0, several: bool = False) -> str:
    where = f" while training {network}" if network else ""
    if network and several:
        where += f" (seed {seed})"
    if isinstance(exc, KeyboardInterrupt):
        return f"interrupted{where}"
    if isinstance(exc, MemoryError):
        return f"out of memory{where}; try a smaller batch size or fewer networks"
    return f"{type(exc).__name__}{where}: {exc}"


class ResumeError(StoreError):
    """A study that cannot be resumed; one line saying why (a usage error: exit 2)."""


@dataclass
class ResumePlan:
    """What `study --resume` continues: the folder, its config and status, and for each
    (network, seed) the epoch its checkpoint was saved after (all-at-once: also (None, 0))."""

    folder: Path
    config: StudyConfig
    status: dict
    completed: dict

    def check(self, backend: str, keras_version: str, dataset: str, fingerprint: str) -> None:
        """ResumeError when this process would not continue the study as it ran."""
        recorded = self.status
        differences = []
        if recorded.get("backend") != backend:
            differences.append(f"backend {recorded.get('backend')} then, {backend} now")
        if recorded.get("keras_version") != keras_version:
            differences.append(f"Keras {recorded.get('keras_version')} then, {keras_version} now")
        if recorded.get("data_fingerprint") != fingerprint or recorded.get("dataset") != dataset:
            differences.append(f"the data differ ({recorded.get('dataset')} then, {dataset} "
                               "now, or the same sizes with other contents)")
        if differences:
            raise ResumeError(f"{self.folder}: cannot resume: {'; '.join(differences)}; a "
                              "resumed study must continue exactly as it ran")


def plan_resume(folder) -> ResumePlan:
    """Check that `folder` is a study that may be resumed and read where each network stopped.

    ResumeError (one line) for a folder that is not a study, a finished or still running one,
    or one without the records a resume needs (it predates checkpoints)."""
    folder = Path(folder)
    try:
        study = open_study(folder)
    except StoreError as exc:
        raise ResumeError(f"cannot resume: {exc}") from None
    status = study.status
    state = status.get("state")
    if state not in RESUMABLE_STATES:
        why = {"finished": "it has finished", "running": "it is still running"}.get(
            state, f"its state is {state!r}")
        raise ResumeError(f"{folder}: cannot resume: {why}; only a stopped, failed or "
                          "interrupted study can be resumed")
    if "data_fingerprint" not in status or "keras_version" not in status:
        raise ResumeError(f"{folder}: cannot resume: it was made before studies could be "
                          "resumed (its status.json has no data fingerprint)")
    config = study.config
    seeds = config.seed_list
    if config.mode == "all-at-once":
        epoch = checkpoint_epoch(folder, None, seeds[0], seeds)
        completed = {(name, seed): epoch for seed in seeds for name in config.networks}
        completed[None, 0] = epoch
    else:
        completed = {(name, seed): checkpoint_epoch(folder, name, seed, seeds)
                     for seed in seeds for name in config.networks}
    return ResumePlan(folder, config, status, completed)


def resume_study(folder, emit: Callable = lambda event: None,
                 stop_event: threading.Event | None = None) -> Path | None:
    """Continue the stopped study in `folder` from its last completed epoch (plan_resume)."""
    plan = plan_resume(folder)
    return run_study(plan.config, emit, stop_event, resume=plan)
