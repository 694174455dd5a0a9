"""Runs a study: data, networks, training, files on disk; reports typed events to `emit`.

Keras is imported only after the backend has been fixed (keras_models.backend.select_backend),
so this module may be imported by a process that has not chosen one yet.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from keras_models.backend import resolve_device, select_backend
from study.config import StudyConfig
from study.data import load_dataset
from study.protocol.events import (
    EpochEnded,
    Failed,
    InitIdentity,
    KernelsUpdated,
    NetworkFinished,
    NetworkStarted,
    SharedEpochTimed,
    StudyFinished,
    StudyStarted,
)
from study.protocol.weights import flat_weights, frozen_rows, init_identity_rows
from study.store import DEFAULT_ROOT, StudyWriter
from study.timing import timing_for_mode


def run_study(
    config: StudyConfig,
    emit: Callable = lambda event: None,
    stop_event: threading.Event | None = None,
    out_root=DEFAULT_ROOT,
) -> Path | None:
    """Run `config` to the end (or until `stop_event`); return the study folder.

    None when stopped before the study started (no folder is made then).

    Bad settings, data, backend or device raise before any folder is made. An error during
    training is reported as a Failed event, recorded in status.json and raised again; every
    epoch completed before it stays on disk.
    """
    config = config.validated()
    stop_event = stop_event or threading.Event()
    backend = select_backend(config.backend)
    dataset = load_dataset(config.data_dir).limited(config.train_limit, config.test_limit)
    device = resolve_device(config.device, backend)

    import keras

    if stop_event.is_set():
        # Stopped while starting up: nothing has been written, so nothing is left half-made.
        return None

    from keras_models.schemes import build_network, layer_weights
    from keras_models.training import batches_per_epoch, predict_classes, train_network

    writer = StudyWriter.create(out_root, config)
    writer.write_status(backend=backend, device=device, dataset=dataset.describe(),
                        keras_version=keras.__version__, mode=config.mode,
                        timing=timing_for_mode(config.mode))
    emit(StudyStarted(
        folder=str(writer.folder), backend=backend, device=device,
        networks=list(config.networks), epochs=config.epochs,
        train_size=len(dataset.x_train), test_size=len(dataset.x_test),
        batches_per_epoch=batches_per_epoch(len(dataset.x_train), config.batch_size),
        dataset=dataset.describe(),
    ))
    current = ""
    try:
        with keras.device(device):
            kernels = config.byhand_kernels()
            if config.mode == "all-at-once":
                from keras_models.combined import build_combined

                combined = build_combined(config.networks, config.seed, config.head, kernels)
                models = combined.branches
            else:
                models = {
                    name: build_network(name, config.seed, config.head, kernels)
                    for name in config.networks
                }
            initial = {name: layer_weights(model) for name, model in models.items()}
            for name, weights in initial.items():
                writer.save_weights(name, "initial", flat_weights(weights))
            identity = init_identity_rows(initial)
            writer.write_init_identity(identity)
            emit(InitIdentity(identity))

            final = {}
            # The report head's softmax runs over the batch, so it must see the training batch.
            eval_batch_size = config.batch_size if config.head == "report" else 1000
            if config.mode == "all-at-once":
                final = _run_all_at_once(combined, config, dataset, writer, emit, stop_event,
                                         initial, kernels, eval_batch_size)
            else:
                for index, name in enumerate(config.networks):
                    if stop_event.is_set():
                        break
                    current = name
                    emit(NetworkStarted(name, index, len(config.networks)))
                    emit(_kernels_event(name, 0, initial[name]))

                    def on_epoch(result, name=name):
                        writer.append_epoch(name, result)
                        emit(EpochEnded(name, result.epoch, result.train_loss, result.test_loss,
                                        result.test_accuracy, result.train_seconds,
                                        result.eval_seconds))
                        emit(_kernels_event(name, result.epoch, layer_weights(models[name])))

                    results = train_network(
                        models[name], name, dataset,
                        epochs=config.epochs, batch_size=config.batch_size,
                        learning_rate=config.learning_rate, seed=config.seed,
                        shuffle=config.shuffle, emit=emit, stop_event=stop_event,
                        on_epoch=on_epoch, eval_batch_size=eval_batch_size,
                    )
                    final[name] = layer_weights(models[name])
                    writer.save_weights(name, "final", flat_weights(final[name]))
                    if results:
                        writer.save_predictions(name, predict_classes(models[name], dataset.x_test,
                                                                      eval_batch_size),
                                                dataset.y_test)
                    rows = {row.network: row for row in writer.write_summary()}
                    if name in rows:
                        row = rows[name]
                        emit(NetworkFinished(name, len(results), row.peak_test_accuracy,
                                             row.peak_epoch, row.final_test_accuracy,
                                             row.seconds_per_epoch, row.total_seconds))
            current = ""
            identity = identity + frozen_rows(initial, final)
            writer.write_init_identity(identity)
            emit(InitIdentity(identity))
    except BaseException as exc:
        message = _describe(exc, current)
        try:
            writer.write_summary()
            writer.write_status(state="failed", error=message)
        except Exception:  # noqa: BLE001 - the original error matters more
            pass
        emit(Failed(message, str(writer.folder), current))
        raise
    state = "stopped" if stop_event.is_set() else "finished"
    writer.write_status(state=state)
    emit(StudyFinished(str(writer.folder), state, [r.as_dict() for r in writer.summary_rows()]))
    return writer.folder


def _run_all_at_once(combined, config, dataset, writer, emit, stop_event, initial, kernels,
                     eval_batch_size) -> dict:
    """Train every network as a branch of one model; return their final weights.

    Events and files are those of sequential mode, per network. Each network's train_seconds
    is its isolated-timing estimate (status.json: timing "isolated-estimate"), timed before
    training; status.json also records the shared wall time of every epoch.
    """
    from keras_models.combined import (
        isolated_seconds_per_epoch,
        predict_combined,
        train_combined,
    )
    from keras_models.schemes import layer_weights

    names = combined.networks
    for index, name in enumerate(names):
        emit(NetworkStarted(name, index, len(names)))
        emit(_kernels_event(name, 0, initial[name]))
    estimates = isolated_seconds_per_epoch(
        names, dataset, seed=config.seed, head=config.head, kernels=kernels,
        batch_size=config.batch_size, learning_rate=config.learning_rate, stop_event=stop_event,
    )
    writer.write_status(isolated_seconds_per_epoch=estimates, shared_wall_seconds=0.0,
                        shared_eval_seconds=0.0, shared_epoch_seconds=[])
    shared_epochs = []

    def on_epoch(shared):
        for name, result in shared.results.items():
            writer.append_epoch(name, result)
            emit(EpochEnded(name, result.epoch, result.train_loss, result.test_loss,
                            result.test_accuracy, result.train_seconds, result.eval_seconds))
            emit(_kernels_event(name, result.epoch, layer_weights(combined.branches[name])))
        shared_epochs.append(shared)
        emit(SharedEpochTimed(len(shared_epochs), shared.shared_train_seconds,
                              shared.shared_eval_seconds))
        writer.write_status(
            shared_wall_seconds=sum(e.shared_train_seconds for e in shared_epochs),
            shared_eval_seconds=sum(e.shared_eval_seconds for e in shared_epochs),
            shared_epoch_seconds=[e.shared_train_seconds for e in shared_epochs],
        )

    if not stop_event.is_set():
        train_combined(
            combined, dataset, epochs=config.epochs, batch_size=config.batch_size,
            learning_rate=config.learning_rate, seed=config.seed, shuffle=config.shuffle,
            emit=emit, stop_event=stop_event, on_epoch=on_epoch, seconds_per_epoch=estimates,
            eval_batch_size=eval_batch_size,
        )
    final = {name: layer_weights(branch) for name, branch in combined.branches.items()}
    for name in names:
        writer.save_weights(name, "final", flat_weights(final[name]))
    if shared_epochs:
        predicted = predict_combined(combined, dataset.x_test, eval_batch_size)
        for name in names:
            writer.save_predictions(name, predicted[name], dataset.y_test)
    for row in writer.write_summary():
        emit(NetworkFinished(row.network, len(shared_epochs), row.peak_test_accuracy,
                             row.peak_epoch, row.final_test_accuracy, row.seconds_per_epoch,
                             row.total_seconds))
    return final


def _kernels_event(name: str, epoch: int, weights: dict) -> KernelsUpdated:
    conv2 = weights.get("conv2")
    return KernelsUpdated(name, epoch, weights["conv1"][0].tolist(),
                          conv2[0].tolist() if conv2 else None)


def _describe(exc: BaseException, network: str) -> str:
    where = f" while training {network}" if network else ""
    if isinstance(exc, KeyboardInterrupt):
        return f"interrupted{where}"
    if isinstance(exc, MemoryError):
        return f"out of memory{where}; try a smaller batch size or fewer networks"
    return f"{type(exc).__name__}{where}: {exc}"
