"""Study folders: never overwritten, metrics appended as they come, atomic files, read back."""

import csv
import errno
import os
from types import SimpleNamespace

import numpy as np
import pytest

from study.analysis.formats import format_duration
from study.analysis.summary import summarize
from study.config import StudyConfig
from study.folder import liveness
from study.folder.csvio import StoreError
from study.folder.writer import StudyWriter
from study.state import open_study


def _epoch(epoch, acc, seconds=2.0):
    return SimpleNamespace(epoch=epoch, train_loss=1.0 / epoch, test_loss=0.9 / epoch,
                           test_accuracy=acc, train_seconds=seconds, eval_seconds=0.5)


def test_each_run_gets_a_new_folder(tmp_path):
    config = StudyConfig(networks=("NetA1-HF",))
    first = StudyWriter.create(tmp_path, config).folder
    second = StudyWriter.create(tmp_path, config).folder
    assert first != second and first.is_dir() and second.is_dir()
    # A running study also holds the bytes it set aside for a full disk (.reserve).
    assert sorted(p.name for p in first.iterdir()) == [
        ".reserve", "aggregate.csv", "byhand.json", "config.json", "metrics.csv", "status.json",
        "summary.csv", "weights"]


def test_metrics_rows_are_on_disk_as_each_epoch_ends(tmp_path):
    writer = StudyWriter.create(tmp_path, StudyConfig(networks=("NetA1-HF", "NetA2-DT")))
    writer.append_epoch("NetA1-HF", _epoch(1, 0.5))
    with open(writer.metrics_path) as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["network", "seed", "epoch", "train_loss", "test_loss", "test_accuracy",
                             "train_seconds", "eval_seconds"]
    assert rows == [{"network": "NetA1-HF", "seed": "0", "epoch": "1", "train_loss": "1.0",
                     "test_loss": "0.9", "test_accuracy": "0.5", "train_seconds": "2.0",
                     "eval_seconds": "0.5"}]


def test_summary_peak_epoch_and_times(tmp_path):
    writer = StudyWriter.create(tmp_path, StudyConfig(networks=("NetA1-HF", "NetA2-DT")))
    for epoch, acc in enumerate([0.5, 0.8, 0.8, 0.7], start=1):
        writer.append_epoch("NetA1-HF", _epoch(epoch, acc, seconds=1.5 * epoch))
    rows = writer.write_summary()
    assert [r.network for r in rows] == ["NetA1-HF"]
    row = rows[0]
    assert (row.peak_test_accuracy, row.peak_epoch, row.final_test_accuracy) == (0.8, 2, 0.7)
    assert row.total_seconds == pytest.approx(15.0)
    assert row.seconds_per_epoch == pytest.approx(3.75)
    with open(writer.folder / "summary.csv") as fh:
        stored = list(csv.DictReader(fh))
    assert stored[0]["peak_epoch"] == "2" and float(stored[0]["total_seconds"]) == 15.0


def test_format_duration_is_mm_ss_hundredths():
    assert format_duration(220.71) == "03:40.71"
    assert format_duration(5.0) == "00:05.00"
    assert format_duration(3599.999) == "60:00.00"


def test_summarize_without_epochs_is_none():
    assert summarize("NetA1-HF", []) is None


def test_open_study_reads_back_curves_weights_and_identity(tmp_path):
    writer = StudyWriter.create(tmp_path, StudyConfig(networks=("NetA1-HF",), epochs=2))
    writer.append_epoch("NetA1-HF", _epoch(1, 0.6))
    writer.append_epoch("NetA1-HF", _epoch(2, 0.7))
    writer.write_init_identity([("NetA1: |conv1 HF - conv1 HT|", 0.0)])
    kernel = np.arange(100, dtype=np.float32).reshape(5, 5, 1, 4)
    writer.save_weights("NetA1-HF", "initial", {"conv1/kernel": kernel})
    stored = open_study(writer.folder)
    epochs, acc = stored.curve("NetA1-HF", "test_accuracy")
    assert epochs.tolist() == [1, 2] and acc.tolist() == [0.6, 0.7]
    assert stored.init_identity == [("NetA1: |conv1 HF - conv1 HT|", 0.0)]
    np.testing.assert_array_equal(stored.weights("NetA1-HF", "initial")["conv1/kernel"], kernel)
    assert stored.weights("NetA1-HF", "final") is None
    assert stored.status["state"] == "running"


def test_a_line_cut_short_by_a_crash_keeps_every_complete_row(tmp_path):
    writer = StudyWriter.create(tmp_path, StudyConfig(networks=("NetA1-HF",)))
    writer.append_epoch("NetA1-HF", _epoch(1, 0.6))
    with open(writer.metrics_path, "a") as fh:
        fh.write("NetA1-HF,2,0.5,0.4")
    stored = open_study(writer.folder)
    assert [r["epoch"] for r in stored.epochs] == [1]


def test_not_a_study_folder(tmp_path):
    (tmp_path / "random.txt").write_text("hi")
    with pytest.raises(StoreError, match="is not a Kernel Lab study folder"):
        open_study(tmp_path)
    with pytest.raises(StoreError, match="is not a folder"):
        open_study(tmp_path / "random.txt")


def test_a_full_disk_keeps_the_earlier_file_and_says_what_to_do(tmp_path, monkeypatch):
    writer = StudyWriter.create(tmp_path, StudyConfig(networks=("NetA1-HF",)))
    writer.append_epoch("NetA1-HF", _epoch(1, 0.6))
    writer.write_summary()
    before = (writer.folder / "summary.csv").read_text()

    def full_disk(src, dst):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(liveness.os, "replace", full_disk)
    writer.append_epoch("NetA1-HF", _epoch(2, 0.9))
    with pytest.raises(StoreError) as info:
        writer.write_summary()
    assert "No space left on device" in str(info.value)
    assert "what was already written is kept" in str(info.value)
    assert (writer.folder / "summary.csv").read_text() == before
    assert not list(writer.folder.glob(".*.tmp"))


def test_a_multi_seed_study_keeps_each_seed_apart(tmp_path):
    config = StudyConfig(networks=("NetA1-HF", "NetA2-DT"), seeds=(3, 7, 9))
    writer = StudyWriter.create(tmp_path, config)
    accuracies = {3: 0.50, 7: 0.56, 9: 0.53}
    for seed, acc in accuracies.items():
        for epoch in (1, 2):
            writer.append_epoch("NetA1-HF", _epoch(epoch, acc + 0.01 * epoch), seed=seed)
        writer.save_weights("NetA1-HF", "final", {"conv1/kernel": np.full((1,), seed)}, seed=seed)
        writer.save_predictions("NetA1-HF", np.array([seed]), np.array([1]), seed=seed)
    writer.write_summary()
    assert sorted(p.name for p in (writer.folder / "weights").iterdir()) == [
        "NetA1-HF.seed-3.final.npz", "NetA1-HF.seed-7.final.npz", "NetA1-HF.seed-9.final.npz"]

    with open(writer.folder / "summary.csv") as fh:
        summary = list(csv.DictReader(fh))
    assert [(r["network"], r["seed"], r["peak_test_accuracy"]) for r in summary] == [
        ("NetA1-HF", "3", "0.52"), ("NetA1-HF", "7", "0.5800000000000001"),
        ("NetA1-HF", "9", "0.55")]
    with open(writer.folder / "aggregate.csv") as fh:
        aggregate = list(csv.DictReader(fh))
    assert list(aggregate[0]) == ["network", "n_seeds", "metric", "mean", "std", "ci_low",
                                  "ci_high"]
    peak = next(r for r in aggregate if r["metric"] == "peak_test_accuracy")
    assert peak["n_seeds"] == "3"
    assert float(peak["mean"]) == pytest.approx(0.55)
    # sd 0.03, t(0.975, 2) = 4.302653: half-width 4.302653 * 0.03 / sqrt(3) = 0.074524
    assert float(peak["ci_high"]) - 0.55 == pytest.approx(0.074524, abs=1e-6)

    stored = open_study(writer.folder)
    assert tuple(stored.seeds) == (3, 7, 9)
    assert [r.seed for r in stored.summary] == [3, 7, 9]
    assert stored.curve("NetA1-HF", "test_accuracy", seed=7)[1] == pytest.approx([0.57, 0.58])
    assert stored.curve("NetA1-HF", "test_accuracy")[1] == pytest.approx([0.51, 0.52])
    assert stored.weights("NetA1-HF", "final", seed=9)["conv1/kernel"][0] == 9
    assert stored.predictions("NetA1-HF", seed=7)[0][0] == 7


def test_one_seed_study_aggregate_leaves_the_spread_empty(tmp_path):
    writer = StudyWriter.create(tmp_path, StudyConfig(networks=("NetA1-HF",), seed=5))
    writer.append_epoch("NetA1-HF", _epoch(1, 0.6))
    writer.write_summary()
    with open(writer.folder / "aggregate.csv") as fh:
        peak = next(r for r in csv.DictReader(fh) if r["metric"] == "peak_test_accuracy")
    assert (peak["n_seeds"], peak["mean"], peak["std"], peak["ci_low"]) == ("1", "0.6", "", "")
    with open(writer.metrics_path) as fh:
        assert next(csv.DictReader(fh))["seed"] == "5"


def test_a_folder_from_before_seeds_reads_as_its_one_seed(tmp_path):
    writer = StudyWriter.create(tmp_path, StudyConfig(networks=("NetA1-HF",), seed=4))
    writer.metrics_path.write_text(
        "network,epoch,train_loss,test_loss,test_accuracy,train_seconds,eval_seconds\n"
        "NetA1-HF,1,1.0,0.9,0.61,2.0,0.5\n")
    config = (writer.folder / "config.json").read_text().replace('"seeds": null', '"x": 0')
    (writer.folder / "config.json").write_text(config.replace(',\n  "x": 0', ""))
    stored = open_study(writer.folder)
    assert stored.config.seeds is None and tuple(stored.seeds) == (4,)
    assert [(r.network, r.seed, r.peak_test_accuracy) for r in stored.summary] == [
        ("NetA1-HF", 4, 0.61)]


def test_a_planted_link_at_a_temp_name_is_never_written_through(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me\n")
    writer = StudyWriter.create(tmp_path / "studies", StudyConfig(networks=("NetA1-HF",)))
    for name in (".summary.csv.tmp", ".status.json.tmp", "summary.csv.tmp"):
        (writer.folder / name).symlink_to(outside)
    writer.append_epoch("NetA1-HF", _epoch(1, 0.6))
    writer.write_summary()
    writer.write_status(state="finished")
    assert outside.read_text() == "keep me\n"
    assert "NetA1-HF" in (writer.folder / "summary.csv").read_text()
    leftovers = [p.name for p in writer.folder.iterdir()
                 if p.name.endswith(".tmp") and not p.is_symlink()]
    assert leftovers == []


def test_byhand_kernels_are_saved_without_following_a_planted_link(tmp_path):
    from study.protocol import byhand

    outside = tmp_path / "outside.txt"
    outside.write_text("keep me\n")
    (tmp_path / "k.json.tmp").symlink_to(outside)
    (tmp_path / ".k.json.tmp").symlink_to(outside)
    byhand.save_kernels(tmp_path / "k.json", byhand.REPORT_KERNELS)
    assert outside.read_text() == "keep me\n"
    assert (byhand.load_kernels(tmp_path / "k.json") == byhand.REPORT_KERNELS).all()


@pytest.mark.parametrize("name", ["metrics.csv", "config.json"])
def test_a_study_file_that_links_out_of_the_folder_is_refused(tmp_path, name):
    writer = StudyWriter.create(tmp_path / "studies", StudyConfig(networks=("NetA1-HF",)))
    outside = tmp_path / "secret.txt"
    outside.write_bytes((writer.folder / name).read_bytes())
    (writer.folder / name).unlink()
    (writer.folder / name).symlink_to(outside)
    with pytest.raises(StoreError, match="outside the study folder"):
        open_study(writer.folder)


def test_weights_that_link_out_of_the_folder_are_refused(tmp_path):
    writer = StudyWriter.create(tmp_path / "studies", StudyConfig(networks=("NetA1-HF",)))
    writer.append_epoch("NetA1-HF", _epoch(1, 0.6))
    real = writer.save_weights("NetA1-HF", "final", {"conv1/kernel": np.zeros((5, 5, 1, 4))})
    outside = tmp_path / "elsewhere.npz"
    real.rename(outside)
    real.symlink_to(outside)
    stored = open_study(writer.folder)
    with pytest.raises(StoreError, match="outside the study folder"):
        stored.weights("NetA1-HF", "final")
