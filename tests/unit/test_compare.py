"""Comparison tables, the report's conclusions as checks, init identity and confusion matrices."""

from __future__ import annotations

import numpy as np
import pytest

from study.compare import (
    COMPARISONS,
    DOES_NOT_HOLD,
    HOLDS,
    NOT_APPLICABLE,
    REPORT_FIGURES,
    TABLE_COLUMNS,
    comparison_by_key,
    comparison_table,
    comparison_tables,
    conclusions_table,
    evaluate_conclusions,
    identity_table,
    report_rows,
    study_rows,
)
from study.confusion import (
    ConfusionError,
    confusion_matrix,
    per_class_accuracy,
    study_confusion,
    study_confusions,
)
from study.store import open_study
from tests.known_study import summary_rows, write_known_study


@pytest.fixture
def known(tmp_path):
    """The known study read back."""
    return open_study(write_known_study(tmp_path))


def test_the_three_comparisons_of_spec_5():
    assert [(c.key, c.networks) for c in COMPARISONS] == [
        ("inset-NetA1", ("NetA1-HF", "NetA1-HT", "NetA1-DT")),
        ("inset-NetA2", ("NetA2-HF", "NetA2-HT", "NetA2-DT")),
        ("architecture-HF", ("NetA1-HF", "NetA2-HF")),
        ("architecture-HT", ("NetA1-HT", "NetA2-HT")),
        ("architecture-DT", ("NetA1-DT", "NetA2-DT")),
        ("recovery", ("NetA1-HF", "NetA1-HT", "NetA1-DT", "NetA2-HF")),
    ]
    with pytest.raises(KeyError, match="inset-NetA1"):
        comparison_by_key("inset")


def test_inset_table_has_exact_values_and_report_figures(known):
    table = comparison_tables(known)["inset-NetA1"]
    assert [tuple(row) for row in table] == [TABLE_COLUMNS] * 3
    hf, ht, dt = table
    assert hf["network"] == "NetA1-HF"
    assert hf["epochs"] == 3
    assert hf["peak_test_accuracy"] == 0.60 and hf["peak_epoch"] == 2
    assert hf["final_test_accuracy"] == 0.55
    assert hf["seconds_per_epoch"] == 1.5 and hf["total_seconds"] == 4.5
    assert hf["total_time"] == "00:04.50"
    assert (hf["report_peak_test_accuracy"], hf["report_seconds_per_epoch"],
            hf["report_total_time"]) == (0.349, 3.66, "03:40.71")
    # NetA1-HT reaches 0.62 twice: the first epoch that reached it counts.
    assert (ht["peak_test_accuracy"], ht["peak_epoch"]) == (0.62, 2)
    assert ht["final_test_accuracy"] == 0.62
    assert (dt["peak_test_accuracy"], dt["peak_epoch"], dt["seconds_per_epoch"]) == (0.66, 2, 2.5)
    assert dt["report_total_time"] == "05:09.49"


def test_architecture_and_recovery_tables(known):
    tables = comparison_tables(known)
    a1, a2 = tables["architecture-DT"]
    assert (a2["network"], a2["peak_test_accuracy"], a2["peak_epoch"]) == ("NetA2-DT", 0.81, 3)
    assert a2["seconds_per_epoch"] == 40.5 and a2["total_time"] == "02:01.50"
    assert a1["network"] == "NetA1-DT" and a2["report_peak_test_accuracy"] == 0.796
    recovery = tables["recovery"]
    assert [r["network"] for r in recovery][-1] == "NetA2-HF"
    assert recovery[-1]["seconds_per_epoch"] == 1.75 and recovery[-1]["total_time"] == "00:05.25"


def test_tables_from_plain_summary_rows_match_the_stored_study(known):
    plain = [row.as_dict() for row in known.summary]  # as StudyFinished.summary carries them
    for comparison in COMPARISONS:
        from_rows = comparison_table(comparison, plain)
        from_study = comparison_tables(known)[comparison.key]
        # Plain rows carry no epoch count; everything else agrees.
        assert [{**r, "epochs": None} for r in from_study] == from_rows


def test_a_missing_network_keeps_its_row_with_report_figures_only(tmp_path):
    stored = open_study(write_known_study(tmp_path, networks=("NetA1-HF", "NetA1-HT")))
    dt = comparison_tables(stored)["inset-NetA1"][2]
    assert dt["network"] == "NetA1-DT"
    assert dt["peak_test_accuracy"] is None and dt["total_time"] is None and dt["epochs"] is None
    assert dt["report_peak_test_accuracy"] == 0.394


def test_report_figures_are_the_ones_in_spec_4():
    assert {n: (f.peak_test_accuracy, f.seconds_per_epoch, f.total_time)
            for n, f in REPORT_FIGURES.items()} == {
        "NetA1-HF": (0.349, 3.66, "03:40.71"), "NetA1-HT": (0.380, 5.13, "05:07.57"),
        "NetA1-DT": (0.394, 5.16, "05:09.49"), "NetA2-HF": (0.703, 4.51, "04:30.51"),
        "NetA2-HT": (0.706, 5.95, "05:57.19"), "NetA2-DT": (0.796, 6.07, "06:03.84"),
    }
    assert REPORT_FIGURES["NetA2-DT"].total_seconds == pytest.approx(363.84)


# ---------------------------------------------------------------------------------------------
# Conclusions

BASE_ACCURACY = {"NetA1-HF": 0.80, "NetA1-HT": 0.83, "NetA1-DT": 0.85,
                 "NetA2-HF": 0.86, "NetA2-HT": 0.87, "NetA2-DT": 0.89}
BASE_SECONDS = {"NetA1-HF": 1.0, "NetA1-HT": 1.4, "NetA1-DT": 1.5,
                "NetA2-HF": 1.2, "NetA2-HT": 1.6, "NetA2-DT": 1.7}
KEYS = ["order-NetA1", "order-NetA2", "fastest-NetA1", "fastest-NetA2",
        "deeper-HF", "deeper-HT", "deeper-DT", "gain", "recovery"]


def verdicts(accuracy=None, seconds=None):
    rows = summary_rows({**BASE_ACCURACY, **(accuracy or {})}, {**BASE_SECONDS, **(seconds or {})})
    return {c.key: c for c in evaluate_conclusions(rows)}


def test_every_conclusion_holds_on_data_built_to_satisfy_it():
    checks = verdicts()
    assert list(checks) == KEYS
    assert {k: c.verdict for k, c in checks.items()} == dict.fromkeys(KEYS, HOLDS)
    assert checks["order-NetA1"].evidence == (
        "NetA1-DT 85.00 % > NetA1-HT 83.00 %; NetA1-HT 83.00 % > NetA1-HF 80.00 %"
    )
    assert checks["fastest-NetA2"].evidence == (
        "NetA2-HF 1.200 s/epoch < NetA2-HT 1.600 s/epoch; "
        "NetA2-HF 1.200 s/epoch < NetA2-DT 1.700 s/epoch"
    )
    assert checks["gain"].evidence.startswith("NetA1 gain +3.00 pts (80.00 % -> 83.00 %) > "
                                              "NetA2 gain +1.00 pts")


@pytest.mark.parametrize("key, accuracy, seconds, evidence", [
    ("order-NetA1", {"NetA1-HT": 0.86}, None, "NetA1-DT 85.00 % is not > NetA1-HT 86.00 %"),
    ("order-NetA1", {"NetA1-HT": 0.85}, None, "NetA1-DT 85.00 % is not > NetA1-HT 85.00 %"),
    ("order-NetA2", {"NetA2-HF": 0.875}, None, "NetA2-HT 87.00 % is not > NetA2-HF 87.50 %"),
    ("fastest-NetA1", None, {"NetA1-HF": 1.45},
     "NetA1-HF 1.450 s/epoch is not < NetA1-HT 1.400 s/epoch"),
    ("fastest-NetA2", None, {"NetA2-HF": 1.65},
     "NetA2-HF 1.650 s/epoch is not < NetA2-HT 1.600 s/epoch"),
    ("deeper-HF", {"NetA2-HF": 0.79}, None, "NetA2-HF 79.00 % is not > NetA1-HF 80.00 %"),
    ("deeper-HT", {"NetA2-HT": 0.82}, None, "NetA2-HT 82.00 % is not > NetA1-HT 83.00 %"),
    ("deeper-DT", {"NetA2-DT": 0.84}, None, "NetA2-DT 84.00 % is not > NetA1-DT 85.00 %"),
    ("gain", {"NetA2-HT": 0.90}, None, "NetA1 gain +3.00 pts (80.00 % -> 83.00 %) is not > "
                                       "NetA2 gain +4.00 pts (86.00 % -> 90.00 %)"),
    ("recovery", {"NetA2-HF": 0.845}, None, "NetA2-HF 84.50 % is not > NetA1-DT 85.00 %"),
    ("recovery", None, {"NetA2-HF": 1.45},
     "NetA2-HF 1.450 s/epoch is not < NetA1-HT 1.400 s/epoch"),
])
def test_each_conclusion_fails_where_the_data_contradicts_it(key, accuracy, seconds, evidence):
    check = verdicts(accuracy, seconds)[key]
    assert check.verdict == DOES_NOT_HOLD and check.holds is False
    assert evidence in check.evidence


def test_a_conclusion_that_needs_a_missing_network_is_not_applicable():
    rows = summary_rows({k: v for k, v in BASE_ACCURACY.items() if k != "NetA1-DT"},
                        {k: v for k, v in BASE_SECONDS.items() if k != "NetA1-DT"})
    checks = {c.key: c for c in evaluate_conclusions(rows)}
    for key in ("order-NetA1", "fastest-NetA1", "deeper-DT", "recovery"):
        assert checks[key].verdict == NOT_APPLICABLE and checks[key].holds is None
        assert "NetA1-DT" in checks[key].evidence
    for key in ("order-NetA2", "fastest-NetA2", "deeper-HF", "deeper-HT", "gain"):
        assert checks[key].verdict == HOLDS


def test_the_report_figures_satisfy_every_conclusion_of_the_report():
    assert {c.key: c.verdict for c in evaluate_conclusions(report_rows())} == \
        dict.fromkeys(KEYS, HOLDS)


def test_conclusions_on_the_known_study(known):
    table = conclusions_table(study_rows(known))
    assert [row["key"] for row in table] == KEYS
    assert {row["verdict"] for row in table} == {HOLDS}
    assert {row["report_verdict"] for row in table} == {HOLDS}
    recovery = table[-1]
    assert "NetA2-HF 75.00 % > NetA1-DT 66.00 %" in recovery["evidence"]
    assert "NetA2-HF 1.750 s/epoch < NetA1-HT 2.000 s/epoch" in recovery["evidence"]


# ---------------------------------------------------------------------------------------------
# Init identity

def test_identity_table_reads_the_stored_rows(known):
    rows = identity_table(known)
    assert [(r["check"], r["kind"], r["norm"], r["verdict"]) for r in rows] == [
        ("NetA1: |conv1 HF - conv1 HT|", "initial", 0.0, "identical"),
        ("NetA2: |conv1 HF - conv1 HT|", "initial", 0.0, "identical"),
        ("A1 vs A2: |conv1 A1-HF - conv1 A2-HF|", "initial", 0.0, "identical"),
        ("NetA1-HF: |conv1 after training - conv1 initial|", "after training", 0.0, "identical"),
        ("NetA2-HF: |conv1 after training - conv1 initial|", "after training", 0.0, "identical"),
    ]


def test_frozen_rows_come_from_the_weights_when_the_study_did_not_write_them(tmp_path):
    stored = open_study(write_known_study(tmp_path, frozen_rows=False,
                                          hf_conv1_moved=("NetA2-HF",)))
    after = [r for r in identity_table(stored) if r["kind"] == "after training"]
    assert [(r["check"], r["norm"], r["verdict"]) for r in after] == [
        ("NetA1-HF: |conv1 after training - conv1 initial|", 0.0, "identical"),
        ("NetA2-HF: |conv1 after training - conv1 initial|", 0.5, "differs"),
    ]


# ---------------------------------------------------------------------------------------------
# Confusion matrices

def test_confusion_matrix_counts_true_rows_and_predicted_columns():
    matrix = confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2], num_classes=3)
    assert matrix.tolist() == [[1, 0, 0], [0, 1, 0], [0, 1, 1]]
    assert per_class_accuracy(matrix).tolist() == [1.0, 1.0, 0.5]
    assert np.isnan(per_class_accuracy(np.zeros((2, 2)))).all()


@pytest.mark.parametrize("predicted, labels, message", [
    ([0, 1], [0, 1, 2], "2 predictions but 3 labels"),
    ([0, 10], [0, 1], "predicted classes must lie in 0..9, found 0..10"),
    ([0, 1], [-1, 1], "labels must lie in 0..9"),
])
def test_confusion_matrix_refuses_mismatched_input(predicted, labels, message):
    with pytest.raises(ConfusionError, match=message):
        confusion_matrix(predicted, labels)


def test_study_confusion_from_stored_predictions(known):
    confusion = study_confusion(known, "NetA1-HF")
    assert confusion.test_size == 30 and confusion.accuracy == pytest.approx(0.9)
    assert confusion.matrix[6, 0] == 3 and confusion.matrix[6, 6] == 0
    assert confusion.per_class_accuracy[6] == 0.0
    assert confusion.per_class_accuracy[[0, 1, 9]].tolist() == [1.0, 1.0, 1.0]
    shirt = confusion.csv_rows()[6]
    assert shirt["true_class"] == "Shirt" and shirt["predicted T-shirt/top"] == 3
    assert (shirt["total"], shirt["correct"], shirt["accuracy"]) == (3, 0, 0.0)
    assert list(shirt) == list(confusion.csv_columns())
    assert set(study_confusions(known)) == set(known.config.networks)


def test_a_network_without_predictions_has_no_confusion(tmp_path):
    stored = open_study(write_known_study(tmp_path, predictions=False))
    assert study_confusion(stored, "NetA1-HF") is None and study_confusions(stored) == {}
