"""Seeds: seed s of a multi-seed study is the one-seed study --seed s, in both modes."""

import csv
import os

import numpy as np
import pytest

from study.config import StudyConfig
from study.protocol.events import (
    BatchProgress,
    EpochEnded,
    KernelsUpdated,
    NetworkFinished,
    NetworkStarted,
    StudyStarted,
)
from study.run.runner import run_study
from study.state import open_study

pytestmark = pytest.mark.backend

SEEDS = (1, 4)
# A frozen conv1 (HF), a trained ByHand one (HT) and a Glorot one (DT), both architectures.
NETWORKS = ("NetA1-HF", "NetA1-HT", "NetA2-DT")
# The all-at-once bounds of tests/unit/test_combined.py.
ACCURACY_TOLERANCE = 1e-4


def _config(data_dir, **changes) -> StudyConfig:
    base = StudyConfig(networks=NETWORKS, epochs=1, batch_size=64, learning_rate=3e-3,
                       backend=os.environ.get("KERAS_BACKEND", "torch"), data_dir=str(data_dir))
    return base.replace(**changes).validated()


@pytest.fixture(scope="module")
def studies(synthetic_data_dir, tmp_path_factory):
    """One-epoch studies: each seed alone, and both seeds together in either mode."""
    found, events = {}, {}
    runs = {("single", seed): {"seed": seed} for seed in SEEDS}
    # No isolated timing: the seeds are the subject here (test_combined.py times the networks).
    runs.update({("multi", mode): {"seed": SEEDS[0], "seeds": SEEDS, "mode": mode,
                                   "timing_rounds": 0}
                 for mode in ("sequential", "all-at-once")})
    for key, changes in runs.items():
        seen = []
        folder = run_study(_config(synthetic_data_dir, **changes), emit=seen.append,
                           out_root=tmp_path_factory.mktemp("-".join(map(str, key))))
        found[key], events[key] = open_study(folder), seen
    return found, events


@pytest.mark.parametrize("mode", ["sequential", "all-at-once"])
def test_each_seed_of_a_multi_seed_study_is_the_one_seed_study_of_that_seed(studies, mode):
    found, _ = studies
    multi = found["multi", mode]
    assert tuple(multi.seeds) == SEEDS
    exact = mode == "sequential"
    for seed in SEEDS:
        single = found["single", seed]
        assert tuple(single.seeds) == (seed,)
        for name in NETWORKS:
            for key, value in single.weights(name, "initial").items():
                np.testing.assert_array_equal(multi.weights(name, "initial", seed)[key], value,
                                              err_msg=f"{name} seed {seed} {key}")
            (alone,) = [r for r in single.epochs if r["network"] == name]
            (together,) = [r for r in multi.epochs if r["network"] == name and r["seed"] == seed]
            assert together["epoch"] == alone["epoch"] == 1
            if exact:
                assert together["test_accuracy"] == alone["test_accuracy"]
                assert together["train_loss"] == pytest.approx(alone["train_loss"], rel=1e-6)
            else:
                assert abs(together["test_accuracy"] - alone["test_accuracy"]) \
                    <= ACCURACY_TOLERANCE, f"{name} seed {seed}"
                assert together["train_loss"] == pytest.approx(alone["train_loss"], rel=1e-4)
            assert together["test_loss"] == pytest.approx(alone["test_loss"], rel=1e-4)
            final = multi.weights(name, "final", seed)
            for key, value in single.weights(name, "final").items():
                np.testing.assert_allclose(final[key], value, rtol=1e-4, atol=1e-5,
                                           err_msg=f"{name} seed {seed} {key}")
            predicted, labels = multi.predictions(name, seed)
            alone_predicted, alone_labels = single.predictions(name)
            np.testing.assert_array_equal(labels, alone_labels)
            if exact:
                np.testing.assert_array_equal(predicted, alone_predicted)


def test_seeds_differ_in_their_initial_tensors_and_their_results(studies):
    found, _ = studies
    a, b = (found["single", seed] for seed in SEEDS)
    # DT's conv1 and every linear1 are drawn from the seed; HF/HT's conv1 is the ByHand set.
    assert not np.array_equal(a.weights("NetA2-DT", "initial")["conv1/kernel"],
                              b.weights("NetA2-DT", "initial")["conv1/kernel"])
    assert not np.array_equal(a.weights("NetA1-HF", "initial")["linear1/kernel"],
                              b.weights("NetA1-HF", "initial")["linear1/kernel"])
    np.testing.assert_array_equal(a.weights("NetA1-HF", "initial")["conv1/kernel"],
                                  b.weights("NetA1-HF", "initial")["conv1/kernel"])
    assert [r["train_loss"] for r in a.epochs] != [r["train_loss"] for r in b.epochs]


def _read_csv(path):
    with open(path, newline="") as fh:
        reader = csv.DictReader(fh)
        return reader.fieldnames, list(reader)


@pytest.mark.parametrize("mode", ["sequential", "all-at-once"])
def test_a_multi_seed_study_writes_seed_columns_and_files_per_seed(studies, mode):
    study = studies[0]["multi", mode]
    folder = study.folder
    columns, metrics = _read_csv(folder / "metrics.csv")
    assert columns[:3] == ["network", "seed", "epoch"]
    assert sorted((r["network"], int(r["seed"])) for r in metrics) == sorted(
        (name, seed) for name in NETWORKS for seed in SEEDS)
    columns, summary = _read_csv(folder / "summary.csv")
    assert columns[:2] == ["network", "seed"]
    assert [(r["network"], int(r["seed"])) for r in summary] == [
        (name, seed) for name in NETWORKS for seed in SEEDS]
    columns, aggregate = _read_csv(folder / "aggregate.csv")
    assert columns == ["network", "n_seeds", "metric", "mean", "std", "ci_low", "ci_high"]
    assert {r["network"] for r in aggregate} == set(NETWORKS)
    assert {int(r["n_seeds"]) for r in aggregate} == {2}
    peak = {r["network"]: r for r in aggregate if r["metric"] == "peak_test_accuracy"}
    for name in NETWORKS:
        values = [float(r["peak_test_accuracy"]) for r in summary if r["network"] == name]
        assert float(peak[name]["mean"]) == pytest.approx(np.mean(values))
        assert float(peak[name]["ci_low"]) <= np.mean(values) <= float(peak[name]["ci_high"])

    weights = sorted(p.name for p in (folder / "weights").iterdir())
    assert weights == sorted(f"{name}.seed-{seed}.{which}.npz" for name in NETWORKS
                             for seed in SEEDS for which in ("initial", "final"))
    predictions = sorted(p.name for p in (folder / "predictions").iterdir())
    # The final model's predictions, and the best (peak-accuracy) model's beside them.
    assert predictions == sorted(f"{name}.seed-{seed}{kind}.npz" for name in NETWORKS
                                 for seed in SEEDS for kind in ("", ".best"))
    models = sorted(p.name for p in (folder / "models").iterdir())
    assert models == sorted(f"{name}.seed-{seed}{kind}.keras" for name in NETWORKS
                            for seed in SEEDS for kind in ("", ".best"))

    checks = [check for check, _ in study.init_identity]
    assert all(check.startswith(("seed 1: ", "seed 4: ")) for check in checks)
    assert "seed 4: NetA1: |conv1 HF - conv1 HT|" in checks
    assert "seed 1: NetA1-HF: |conv1 after training - conv1 initial|" in checks
    assert "seed 4: NetA1-HF: |conv1 after training - conv1 initial|" in checks
    assert all(norm == 0.0 for _, norm in study.init_identity)


def test_a_one_seed_study_keeps_its_file_names_and_labels(studies):
    study = studies[0]["single", SEEDS[1]]
    names = {p.name for p in (study.folder / "weights").iterdir()}
    assert "NetA1-HF.initial.npz" in names and "NetA2-DT.final.npz" in names
    assert {r["seed"] for r in study.epochs} == {SEEDS[1]}
    assert not any(check.startswith("seed ") for check, _ in study.init_identity)


@pytest.mark.parametrize("mode", ["sequential", "all-at-once"])
def test_every_network_event_of_a_multi_seed_study_carries_its_seed(studies, mode):
    events = studies[1]["multi", mode]
    (started,) = [e for e in events if isinstance(e, StudyStarted)]
    assert started.seeds == list(SEEDS)
    expected = sorted((name, seed) for name in NETWORKS for seed in SEEDS)
    for kind in (NetworkStarted, EpochEnded, NetworkFinished, BatchProgress):
        pairs = sorted({(e.network, e.seed) for e in events if isinstance(e, kind)})
        assert pairs == expected, kind.__name__
    for kind in (NetworkStarted, EpochEnded, NetworkFinished):
        assert len([e for e in events if isinstance(e, kind)]) == len(expected), kind.__name__
    kernels = [(e.network, e.seed, e.epoch) for e in events if isinstance(e, KernelsUpdated)]
    assert sorted(kernels) == sorted((name, seed, epoch) for name, seed in expected
                                     for epoch in (0, 1))
    ended = {(e.network, e.seed): e.test_accuracy for e in events if isinstance(e, EpochEnded)}
    stored = {(r["network"], r["seed"]): r["test_accuracy"]
              for r in studies[0]["multi", mode].epochs}
    assert ended == stored
