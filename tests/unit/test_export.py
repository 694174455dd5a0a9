"""CSV export of a stored study: every file, its columns and values, refusal, failed exports."""

from __future__ import annotations

import csv
import errno
import json

import numpy as np
import pytest
from scipy import stats

import study.analysis.export as export_module
from study.analysis.comparisons import TABLE_COLUMNS
from study.analysis.conclusions import CONCLUSION_COLUMNS, CONCLUSION_PART_COLUMNS
from study.analysis.export import ExportError, export_study
from study.analysis.identity import IDENTITY_TABLE_COLUMNS
from study.analysis.summary import METRICS_COLUMNS, SUMMARY_COLUMNS
from study.data import CLASS_NAMES
from study.state import open_study
from tests.known_study import (
    ACCURACY,
    JITTER,
    SEED_SHIFT,
    SEEDS,
    TRAIN_SECONDS,
    write_known_seeded_study,
    write_known_study,
)

COMPARISON_FILES = [f"comparison_{key}.csv" for key in (
    "inset-NetA1", "inset-NetA2", "architecture-HF", "architecture-HT", "architecture-DT",
    "recovery")]
NETWORKS = list(ACCURACY)
EXPECTED_FILES = sorted([
    "metrics.csv", "summary.csv", "aggregate.csv", *COMPARISON_FILES, "conclusions.csv",
    "conclusion_parts.csv", "init_identity.csv",
    *[f"confusion_{n}.csv" for n in NETWORKS], "per_class_accuracy.csv", "export.json",
])


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return tuple(reader.fieldnames), list(reader)


@pytest.fixture
def study_folder(tmp_path):
    return write_known_study(tmp_path / "studies")


def visible_files(folder):
    return sorted(p.name for p in folder.iterdir())


def test_export_writes_every_named_file_into_study_dir_export(study_folder):
    result = export_study(study_folder)
    assert result.folder == study_folder / "export"
    assert result.files == EXPECTED_FILES
    assert visible_files(result.folder) == EXPECTED_FILES
    marker = json.loads((result.folder / "export.json").read_text())
    assert marker["format"] == "kernel-lab/export"
    assert marker["files"] == [f for f in EXPECTED_FILES if f != "export.json"]
    # No staging folder is left beside it.
    assert [p.name for p in study_folder.iterdir() if p.name.startswith(".")] == []


def test_metrics_and_summary_match_the_stored_study(study_folder, tmp_path):
    out = export_study(study_folder, tmp_path / "out").folder
    columns, rows = read_csv(out / "metrics.csv")
    assert columns == METRICS_COLUMNS
    assert len(rows) == 6 * 3
    stored = open_study(study_folder)
    for row, stored_row in zip(rows, stored.epochs, strict=True):
        assert row["network"] == stored_row["network"]
        assert int(row["epoch"]) == stored_row["epoch"]
        assert int(row["seed"]) == stored_row["seed"] == 0
        for column in METRICS_COLUMNS[3:]:
            assert float(row[column]) == stored_row[column]
    hf_epochs = [r for r in rows if r["network"] == "NetA1-HF"]
    assert [float(r["test_accuracy"]) for r in hf_epochs] == list(ACCURACY["NetA1-HF"])
    assert [float(r["train_seconds"]) for r in hf_epochs] == list(TRAIN_SECONDS["NetA1-HF"])
    columns, rows = read_csv(out / "summary.csv")
    assert columns == (*SUMMARY_COLUMNS, "epochs_done", "note")
    dt = next(r for r in rows if r["network"] == "NetA2-DT")
    assert (float(dt["peak_test_accuracy"]), int(dt["peak_epoch"]), float(dt["seconds_per_epoch"]),
            float(dt["total_seconds"])) == (0.81, 3, 40.5, 121.5)


def test_comparison_conclusion_identity_and_confusion_csvs(study_folder, tmp_path):
    out = export_study(study_folder, tmp_path / "out").folder
    for name in COMPARISON_FILES:
        columns, _rows = read_csv(out / name)
        assert columns == TABLE_COLUMNS
    _, inset = read_csv(out / "comparison_inset-NetA1.csv")
    assert [r["network"] for r in inset] == ["NetA1-HF", "NetA1-HT", "NetA1-DT"]
    hf = inset[0]
    assert (hf["epochs"], hf["peak_test_accuracy"], hf["peak_epoch"], hf["final_test_accuracy"],
            hf["seconds_per_epoch"], hf["total_seconds"], hf["total_time"]) == \
        ("3", "0.6", "2", "0.55", "1.5", "4.5", "00:04.50")
    assert (hf["report_peak_test_accuracy"], hf["report_seconds_per_epoch"],
            hf["report_total_time"]) == ("0.349", "3.66", "03:40.71")
    _, recovery = read_csv(out / "comparison_recovery.csv")
    assert recovery[-1]["network"] == "NetA2-HF" and recovery[-1]["total_time"] == "00:05.25"

    columns, conclusions = read_csv(out / "conclusions.csv")
    assert columns == CONCLUSION_COLUMNS == (
        "key", "conclusion", "verdict", "evidence", "report_verdict", "measure", "part",
        "n_seeds", "difference_mean", "ci_low", "ci_high", "p_value", "caveat")
    assert len(conclusions) == 16  # 7 accuracy conclusions × (peak, final) + 2 timing ones
    assert {r["verdict"] for r in conclusions if r["key"] != "fastest-NetA1"} == {"holds"}
    # NetA1-HF's epochs 2 and 3 (1.5 and 2.0 s) against NetA1-HT's (2.0 and 2.0 s): Welch's
    # interval spans 0.
    assert next(r for r in conclusions if r["key"] == "fastest-NetA1")["verdict"] == \
        "not resolved"
    first = conclusions[0]
    assert (first["key"], first["measure"], first["part"], first["n_seeds"]) == \
        ("order-NetA1", "peak_test_accuracy", "NetA1-HT > NetA1-HF", "1")
    assert first["evidence"] == (
        "NetA1-DT 66.00 % > NetA1-HT 62.00 %; NetA1-HT 62.00 % > NetA1-HF 60.00 %")
    assert float(first["difference_mean"]) == pytest.approx(0.02)
    assert (first["ci_low"], first["ci_high"], first["p_value"]) == ("", "", "")
    assert first["caveat"] == "one seed: run with --seeds 5 to know; only 3 epochs (fewer than 10)"
    assert conclusions[1]["measure"] == "final_test_accuracy"
    assert conclusions[1]["report_verdict"] == "n.a."  # the report printed no final accuracy
    assert [r["measure"] for r in conclusions if r["key"].startswith("fastest")] == \
        ["seconds_per_epoch"] * 2

    columns, identity = read_csv(out / "init_identity.csv")
    assert columns == IDENTITY_TABLE_COLUMNS
    assert [(r["kind"], float(r["norm"]), r["verdict"]) for r in identity][-1] == \
        ("after training", 0.0, "identical")

    columns, matrix = read_csv(out / "confusion_NetA1-HF.csv")
    assert columns == ("true_class", *(f"predicted {c}" for c in CLASS_NAMES),
                       "total", "correct", "accuracy")
    shirt = matrix[6]
    assert shirt["true_class"] == "Shirt" and shirt["predicted T-shirt/top"] == "3"
    assert (shirt["predicted Shirt"], shirt["total"], shirt["correct"], shirt["accuracy"]) == \
        ("0", "3", "0", "0.0")
    columns, per_class = read_csv(out / "per_class_accuracy.csv")
    assert columns == ("class", *NETWORKS)
    assert per_class[6]["NetA1-HF"] == "0.0" and per_class[6]["NetA2-HF"] == "1.0"


def test_a_study_without_predictions_exports_no_confusion_files(tmp_path):
    folder = write_known_study(tmp_path, networks=("NetA1-HF", "NetA2-HF"), predictions=False)
    out = export_study(folder).folder
    assert not list(out.glob("confusion_*")) and not (out / "per_class_accuracy.csv").exists()
    _, conclusions = read_csv(out / "conclusions.csv")
    assert {r["key"]: r["verdict"] for r in conclusions}["deeper-HF"] == "holds"
    assert {r["key"]: r["verdict"] for r in conclusions}["gain"] == "n.a."


def test_a_second_export_refuses_without_force_and_replaces_with_it(study_folder):
    first = export_study(study_folder)
    (first.folder / "summary.csv").write_text("edited by hand\n")
    with pytest.raises(ExportError, match="already holds an export; use --force"):
        export_study(study_folder)
    assert (first.folder / "summary.csv").read_text() == "edited by hand\n"
    again = export_study(study_folder, force=True)
    assert again.replaced and again.folder == first.folder
    assert (again.folder / "summary.csv").read_text().startswith("network,seed,peak_test_accuracy")
    assert [p.name for p in study_folder.iterdir() if p.name.startswith(".")] == []


def test_a_folder_with_other_files_is_never_replaced(tmp_path, study_folder):
    target = tmp_path / "my documents"
    target.mkdir()
    (target / "thesis.txt").write_text("precious")
    with pytest.raises(ExportError, match="not empty and is not a Kernel Lab export"):
        export_study(study_folder, target, force=True)
    assert visible_files(target) == ["thesis.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert export_study(study_folder, empty).files == EXPECTED_FILES


def test_a_non_study_folder_is_refused(tmp_path):
    with pytest.raises(ExportError, match="is not a Kernel Lab study folder"):
        export_study(tmp_path)


def test_full_disk_leaves_the_earlier_export_intact_and_says_so(study_folder, monkeypatch):
    first = export_study(study_folder)
    before = {p.name: p.read_bytes() for p in first.folder.iterdir()}
    real_write = export_module.write_export_file
    written = []

    def fill_up(path, text):
        if len(written) == 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        written.append(path)
        real_write(path, text)

    monkeypatch.setattr(export_module, "write_export_file", fill_up)
    with pytest.raises(ExportError) as caught:
        export_study(study_folder, force=True)
    message = str(caught.value)
    assert message.startswith("export failed: could not write ")
    assert "No space left on device" in message and "Free some disk space" in message
    assert f"The earlier export in {first.folder} is intact." in message
    # The file named is where it would have gone, not the hidden staging folder.
    assert str(first.folder / "comparison_inset-NetA1.csv") in message
    assert {p.name: p.read_bytes() for p in first.folder.iterdir()} == before
    assert [p.name for p in study_folder.iterdir() if p.name.startswith(".")] == []


def test_a_failing_extra_writer_leaves_nothing_behind(study_folder, tmp_path):
    def broken_png_writer(stored, folder):
        (folder / "half.png").write_bytes(b"\x89PNG")
        raise OSError(errno.ENOSPC, "No space left on device", str(folder / "half.png"))

    out = tmp_path / "fresh"
    with pytest.raises(ExportError, match=f"Nothing was written to {out}"):
        export_study(study_folder, out, extra_writers=[broken_png_writer])
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_an_unwritable_destination_says_so(study_folder, tmp_path, monkeypatch):
    real_mkdir = type(tmp_path).mkdir

    def refuse(self, *args, **kwargs):
        if self.name.startswith(".out.partial-"):
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(type(tmp_path), "mkdir", refuse)
    with pytest.raises(ExportError, match="Permission denied. Choose a folder you can write to"):
        export_study(study_folder, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_file_in_the_way_is_refused(study_folder, tmp_path):
    (tmp_path / "out").write_text("x")
    with pytest.raises(ExportError, match="exists and is not a folder"):
        export_study(study_folder, tmp_path / "out")


def test_the_folder_a_person_picks_becomes_a_sensible_export_folder(study_folder, tmp_path):
    from study.analysis.export import export_folder_for

    assert export_folder_for(study_folder, study_folder) == study_folder / "export"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert export_folder_for(study_folder, empty) == empty
    assert export_folder_for(study_folder, tmp_path / "new") == tmp_path / "new"
    earlier = export_study(study_folder, tmp_path / "earlier").folder
    assert export_folder_for(study_folder, earlier) == earlier
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    assert export_folder_for(study_folder, busy) == busy / f"{study_folder.name}-export"


# ---------------------------------------------------------------------------------------------
# A study of five seeds, exported end to end

def test_a_seeded_study_exports_every_seed_the_aggregate_and_conclusions_with_intervals(tmp_path):
    folder = write_known_seeded_study(tmp_path / "studies", train_limit=2000)
    out = export_study(folder, tmp_path / "out").folder
    assert {"aggregate.csv", "conclusions.csv", "conclusion_parts.csv"} <= set(visible_files(out))

    columns, summary = read_csv(out / "summary.csv")
    assert columns == (*SUMMARY_COLUMNS, "epochs_done", "note") and len(summary) == 6 * 5
    a2ht = [r for r in summary if r["network"] == "NetA2-HT"]
    assert [int(r["seed"]) for r in a2ht] == list(SEEDS)
    peaks = [float(r["peak_test_accuracy"]) for r in a2ht]
    assert peaks == [round(0.76 + s + j, 6) for s, j in zip(SEED_SHIFT, JITTER["NetA2-HT"],
                                                            strict=True)]
    _, metrics = read_csv(out / "metrics.csv")
    assert len(metrics) == 6 * 5 * 3 and {r["seed"] for r in metrics} == {"0", "1", "2", "3", "4"}

    columns, aggregate = read_csv(out / "aggregate.csv")
    assert columns == ("network", "n_seeds", "metric", "mean", "std", "ci_low", "ci_high")
    row = next(r for r in aggregate
               if (r["network"], r["metric"]) == ("NetA2-HT", "peak_test_accuracy"))
    low, high = stats.t.interval(0.95, 4, loc=np.mean(peaks), scale=stats.sem(peaks))
    assert row["n_seeds"] == "5"
    assert float(row["mean"]) == pytest.approx(np.mean(peaks)) == pytest.approx(0.757)
    assert float(row["std"]) == pytest.approx(np.std(peaks, ddof=1))
    assert (float(row["ci_low"]), float(row["ci_high"])) == pytest.approx((low, high))
    assert len(aggregate) == 6 * 4

    columns, conclusions = read_csv(out / "conclusions.csv")
    assert columns == CONCLUSION_COLUMNS and len(conclusions) == 16
    rows = {(r["key"], r["measure"]): r for r in conclusions}
    order = rows[("order-NetA2", "peak_test_accuracy")]
    d = [0.01 + j for j in JITTER["NetA2-HT"]]  # NetA2-HT − NetA2-HF per seed
    low, high = stats.t.interval(0.95, 4, loc=np.mean(d), scale=stats.sem(d))
    assert (order["verdict"], order["part"], order["n_seeds"]) == \
        ("not resolved", "NetA2-HT > NetA2-HF", "5")
    assert float(order["difference_mean"]) == pytest.approx(0.007)
    assert (float(order["ci_low"]), float(order["ci_high"])) == pytest.approx((low, high))
    assert float(order["p_value"]) == pytest.approx(stats.ttest_1samp(d, 0).pvalue)
    assert order["caveat"] == "only 3 epochs (fewer than 10); data subset (2000 training images)"
    assert "NetA2-HT 75.70 % is not surely > NetA2-HF 75.00 % (difference +0.70 pts, " \
           "95 % CI -1.99 to +3.39, p = 0.510)" in order["evidence"]
    assert order["report_verdict"] == "holds"
    assert rows[("order-NetA1", "peak_test_accuracy")]["verdict"] == "holds"
    assert rows[("gain", "peak_test_accuracy")]["verdict"] == "not resolved"
    assert rows[("gain", "final_test_accuracy")]["verdict"] == "holds"
    fastest = rows[("fastest-NetA2", "seconds_per_epoch")]
    assert (fastest["verdict"], float(fastest["difference_mean"]), float(fastest["p_value"])) == \
        ("holds", -1.25, 0.0)

    columns, parts = read_csv(out / "conclusion_parts.csv")
    assert columns == CONCLUSION_PART_COLUMNS
    order_parts = [p for p in parts
                   if (p["key"], p["measure"]) == ("order-NetA2", "peak_test_accuracy")]
    assert [(p["part"], p["verdict"]) for p in order_parts] == [
        ("NetA2-DT > NetA2-HT (peak test accuracy)", "holds"),
        ("NetA2-HT > NetA2-HF (peak test accuracy)", "not resolved")]
    assert order_parts[1]["seeds"] == "0 1 2 3 4"
    assert [float(v) for v in order_parts[1]["differences"].split()] == pytest.approx(d)
    recovery = [p for p in parts
                if (p["key"], p["measure"]) == ("recovery", "final_test_accuracy")]
    assert [p["part"] for p in recovery][-1] == "NetA2-HF < NetA1-DT (time per epoch)"
    # order 4 rows × 2 parts, fastest 2 × 2, deeper 6 × 1, gain 2 × 1, recovery 2 × 5
    assert len(parts) == 30


def test_a_network_stopped_early_is_marked_in_the_exported_summary(tmp_path):
    from types import SimpleNamespace

    from study.config import StudyConfig
    from study.folder.writer import StudyWriter

    writer = StudyWriter.create(tmp_path, StudyConfig(networks=("NetA1-HF", "NetA2-DT"),
                                                      epochs=4))
    for network, epochs in (("NetA1-HF", 4), ("NetA2-DT", 2)):
        for epoch in range(1, epochs + 1):
            writer.append_epoch(network, SimpleNamespace(
                epoch=epoch, train_loss=1.0, test_loss=0.9, test_accuracy=0.5 + epoch / 100,
                train_seconds=2.0, eval_seconds=0.5))
    writer.write_summary()
    writer.write_status(state="stopped")
    out = export_study(writer.folder, tmp_path / "out").folder
    _, rows = read_csv(out / "summary.csv")
    notes = {r["network"]: (r["epochs_done"], r["note"]) for r in rows}
    assert notes == {"NetA1-HF": ("4", ""), "NetA2-DT": ("2", "(stopped at epoch 2 of 4)")}
