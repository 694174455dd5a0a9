"""All-at-once mode: every (network, seed) trains as a branch of one model.

Events (and so the folder's files) are those of sequential mode, per network and seed. Each
network's train_seconds is its isolated-timing estimate (status.json: timing
"isolated-estimate"): the mean of its isolated timing rounds (isolated_seconds_per_epoch; the
rounds themselves in isolated_timing_rounds), timed once per network when the first epoch has
trained (on the first seed: the seed does not change a network's cost); status.json also
records the shared wall time of every epoch. A resumed study starts after epoch `saved` from the
combined model's checkpoint, with the estimates and rounds it recorded.
"""

from __future__ import annotations

import time
from collections import Counter

from study.analysis.timing import mean_seconds
from study.folder.reader import read_weights
from study.protocol.events import (
    NetworkDiverged,
    NetworkPredictions,
    NetworkStarted,
    NetworkWeights,
    RunRecorded,
    SharedEpochTimed,
)
from study.protocol.status import ISOLATED_ESTIMATES_KEY, ISOLATED_ROUNDS_KEY
from study.protocol.weights import flat_weights, nested_weights
from study.run.context import RunContext, finished_event, kernels_event


class _SharedClock:
    """The shared epochs' seconds: those a resumed run kept, and this run's."""

    def __init__(self, status: dict, saved: int):
        self.earlier = list(status.get("shared_epoch_seconds") or [])[:saved] if saved else []
        self.earlier_eval = float(status.get("shared_eval_seconds") or 0.0) if saved else 0.0
        self.earlier_checkpoints = (list(status.get("checkpoint_seconds") or [])[:saved]
                                    if saved else [])
        self.epochs: list = []
        self.checkpoint_seconds: list[float] = []

    def facts(self) -> dict:
        """The shared times as status.json records them."""
        return {
            "shared_wall_seconds": sum(self.earlier) + sum(e.shared_train_seconds
                                                           for e in self.epochs),
            "shared_eval_seconds": self.earlier_eval + sum(e.shared_eval_seconds
                                                           for e in self.epochs),
            "shared_epoch_seconds": self.earlier + [e.shared_train_seconds for e in self.epochs],
            # Seconds each epoch's checkpoint took (the cost of resumability, README).
            "checkpoint_seconds": self.earlier_checkpoints + self.checkpoint_seconds,
        }


def train_all_at_once(run: RunContext, combined, initial: dict, kernels) -> dict:
    """Train every (network, seed) of `combined`; return their final layer weights."""
    from keras_models.checkpoint import restore_checkpoint
    from keras_models.combined import train_combined

    saved = run.completed.get((None, 0), 0)
    members = list(combined.members.values())
    for index, (name, seed) in enumerate(members):
        run.emit(NetworkStarted(name, index, len(members), seed))
        run.emit(kernels_event(name, 0, initial[name, seed], seed))
    checkpoint = run.paths.checkpoint_path(None)
    estimates, rounds = _recorded_timing(run, combined, saved)
    clock = _SharedClock(run.status, saved)
    run.emit(RunRecorded({
        "shared_wall_seconds": float(sum(clock.earlier)),
        "shared_eval_seconds": clock.earlier_eval, "shared_epoch_seconds": clock.earlier,
        **_timing_facts(estimates, rounds)}))
    # A branch that diverged stops there, as in sequential mode, and the others go on; its
    # last good weights and predictions are written when it diverges, since the branch goes on
    # computing (unrecorded) in the shared model. Those that diverged before a resume are kept
    # as they were written.
    gave_up = {(d.get("network"), d.get("seed")) for d in run.status.get("diverged") or []}
    final = _kept_final_weights(run, members, gave_up, combined.seeds)

    def timing() -> dict:
        # Timed once, when the first epoch has trained and before its rows are written: the
        # first batch does not wait for six more networks to compile, and every row still
        # carries its network's estimate.
        if not estimates and run.config.timing_rounds:  # 0 rounds: the shared times
            t0 = time.perf_counter()
            rounds.update(_isolated_rounds(run, combined, kernels))
            estimates.update(mean_seconds(rounds))
            run.emit(RunRecorded({**_timing_facts(estimates, rounds),
                                  # what building, warming up and timing them cost
                                  "isolated_timing_seconds": time.perf_counter() - t0}))
        return estimates

    if not run.stop_event.is_set():
        train_combined(
            combined, run.dataset, epochs=run.config.epochs, batch_size=run.config.batch_size,
            learning_rate=run.config.learning_rate, shuffle=run.config.shuffle,
            emit=run.emit, stop_event=run.stop_event,
            on_epoch=lambda shared: _epoch_ended(run, combined, checkpoint, clock, saved,
                                                 shared),
            seconds_per_epoch=timing, eval_batch_size=run.eval_batch_size,
            first_epoch=saved + 1,
            restore=(lambda model: restore_checkpoint(model, checkpoint)) if saved else None,
            gave_up=gave_up,
            on_diverged=lambda name, seed, exc: _diverged(run, combined, final, gave_up, name,
                                                          seed, exc),
        )
    _finish_members(run, combined, members, gave_up, final, trained=bool(saved or clock.epochs))
    return final


def _recorded_timing(run: RunContext, combined, saved: int) -> tuple[dict, dict]:
    """The isolated estimates and rounds a resumed run recorded, when the estimates cover every
    network (a study recorded before the rounds existed has estimates only)."""
    recorded = run.status.get(ISOLATED_ESTIMATES_KEY) if saved else None
    if isinstance(recorded, dict) and set(recorded) == set(combined.networks):
        rounds = run.status.get(ISOLATED_ROUNDS_KEY)
        return dict(recorded), dict(rounds) if isinstance(rounds, dict) else {}
    return {}, {}


def _timing_facts(estimates: dict, rounds: dict) -> dict:
    """status.json's isolated-timing facts: each network's mean and, beside it, its rounds."""
    facts = {ISOLATED_ESTIMATES_KEY: dict(estimates)} if estimates else {}
    if rounds:
        facts[ISOLATED_ROUNDS_KEY] = {name: list(values) for name, values in rounds.items()}
    return facts


def _isolated_rounds(run: RunContext, combined, kernels) -> dict:
    from keras_models.isolated_timing import isolated_timing_rounds, round_batches

    config = run.config
    return isolated_timing_rounds(
        combined.networks, run.dataset, seed=combined.seeds[0], head=config.head,
        kernels=kernels, batch_size=config.batch_size, learning_rate=config.learning_rate,
        rounds=config.timing_rounds,
        round_batches=round_batches(config.epochs, len(run.dataset.x_train), config.batch_size,
                                    config.timing_rounds),
        stop_event=run.stop_event,
    )


def _kept_final_weights(run: RunContext, members, gave_up, seeds) -> dict:
    """The final weights of the branches that diverged before a resume, as they were saved."""
    final = {}
    for name, seed in members:
        if (name, seed) in gave_up:
            kept = read_weights(run.folder, name, "final", seed, seeds)
            if kept is not None:
                final[name, seed] = nested_weights(kept)
    return final


def _epoch_ended(run: RunContext, combined, checkpoint, clock: _SharedClock, saved: int,
                 shared) -> None:
    from keras_models.checkpoint import save_checkpoint
    from keras_models.schemes import layer_weights

    for (name, seed), result in shared.results.items():
        run.epoch_ended(name, seed, result)
        weights = layer_weights(combined.branch(name, seed))
        if run.saver is not None:
            run.saver.epoch_ended(name, seed, result.test_accuracy, weights)
        run.emit(kernels_event(name, result.epoch, weights, seed))
    # After the metrics rows: a kill between the two costs the epoch, which a resume
    # drops and trains again.
    t0 = time.perf_counter()
    save_checkpoint(checkpoint, combined.model, shared.epoch)
    clock.checkpoint_seconds.append(time.perf_counter() - t0)
    clock.epochs.append(shared)
    run.emit(SharedEpochTimed(saved + len(clock.epochs), shared.shared_train_seconds,
                              shared.shared_eval_seconds))
    run.emit(RunRecorded(clock.facts()))


def _diverged(run: RunContext, combined, final: dict, gave_up: set, name: str, seed: int,
              exc) -> None:
    from keras_models.schemes import layer_weights
    from keras_models.training import predict_classes

    branch = combined.branch(name, seed)
    final[name, seed] = layer_weights(branch)
    run.emit(NetworkWeights(name, "final", flat_weights(final[name, seed]), seed))
    if run.has_epochs(name, seed):
        run.emit(NetworkPredictions(name, predict_classes(branch, run.dataset.x_test,
                                                          run.eval_batch_size),
                                    run.dataset.y_test, seed))
        if run.saver is not None:
            run.save_models(name, seed, final[name, seed])
    gave_up.add((name, seed))
    run.emit(NetworkDiverged(name, exc.epoch, exc.batch, str(exc), seed))


def _finish_members(run: RunContext, combined, members, gave_up, final: dict,
                    trained: bool) -> None:
    """Final weights, predictions and models of the branches still going; then each
    (network, seed)'s summary."""
    from keras_models.combined import predict_combined
    from keras_models.schemes import layer_weights

    going = [member for member in members if member not in gave_up]
    for name, seed in going:
        final[name, seed] = layer_weights(combined.branch(name, seed))
        run.emit(NetworkWeights(name, "final", flat_weights(final[name, seed]), seed))
    if going and trained:
        predicted = predict_combined(combined, run.dataset.x_test, run.eval_batch_size)
        for name, seed in going:
            run.emit(NetworkPredictions(name, predicted[name, seed], run.dataset.y_test, seed))
            if run.saver is not None:
                run.save_models(name, seed, final[name, seed])
    done = Counter((row["network"], row["seed"]) for row in run.rows)
    for row in run.summary_rows():
        run.emit(finished_event(row, done[row.network, row.seed]))
