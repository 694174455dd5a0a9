"""A study's bank by name: its label, the conclusions' wording, the list and compare columns and
the TensorBoard HParams (docs/study.md#kernel-banks)."""

from __future__ import annotations

import csv
import json
import re

import numpy as np
import pytest

from study.analysis.conclusions import FINAL, PEAK, TIME, evaluate_conclusions
from study.analysis.export import write_csv_files
from study.config import StudyConfig
from study.protocol import banks
from study.protocol.bank_names import bank_label, scheme_words, study_bank
from study.protocol.byhand import REPORT_KERNELS
from study.state import open_study
from tests.known_study import summary_rows, write_known_study

ACCURACY = {"NetA1-HF": 0.80, "NetA1-HT": 0.83, "NetA1-DT": 0.85,
            "NetA2-HF": 0.86, "NetA2-HT": 0.87, "NetA2-DT": 0.89}
SECONDS = {"NetA1-HF": 1.0, "NetA1-HT": 1.4, "NetA1-DT": 1.5,
           "NetA2-HF": 1.2, "NetA2-HT": 1.6, "NetA2-DT": 1.7}
LEARNED = "learned:/runs/a:b/study-20260101-120000:NetA1-DT:0"


def banked(spec: str) -> StudyConfig:
    """A config using `spec` as it is recorded (the canonical spec beside its kernels)."""
    text, kernels = banks.resolve(spec)
    return StudyConfig(epochs=60, kernel_bank=text, kernels=kernels.tolist())


def texts(config=None) -> dict:
    return {(c.key, c.measure): c.conclusion
            for c in evaluate_conclusions(summary_rows(ACCURACY, SECONDS), config)}


@pytest.mark.parametrize("bank, label", [
    (None, "byhand"),
    ("byhand:norm=none", "byhand"),
    ("sobel:size=3,norm=l2", "sobel"),
    ("sobel:size=5,norm=l2", "sobel:size=5"),
    ("gabor:orientations=8,wavelengths=4,size=5,norm=l2", "gabor:orientations=8"),
    ("random-binary:count=4,size=5,seed=3,norm=none", "random-binary:seed=3"),
    ("/data/my banks/edges.json", "edges.json"),
    (LEARNED, "learned: NetA1-DT of study-20260101-120000"),
    ("learned:/runs/x:NetA2-HT:2", "learned: NetA2-HT of x, seed 2"),
    ("custom", "custom"),
])
def test_a_bank_has_a_short_label(bank, label):
    assert bank_label(bank) == label


def test_a_studys_bank_is_its_spec_or_the_reports_or_custom():
    assert study_bank(None) == "byhand" and StudyConfig().bank == "byhand"
    assert study_bank(None, REPORT_KERNELS.tolist()) == "byhand"
    edited = REPORT_KERNELS.copy()
    edited[0, 0, 0] = 0
    assert StudyConfig(kernels=edited.tolist()).bank == "custom"
    assert banked("sobel").bank == "sobel:size=3,norm=l2"


def test_conclusions_name_a_hand_made_bank_instead_of_hf():
    sobel = texts(banked("sobel"))
    assert sobel[("order-NetA1", PEAK)] == (
        "NetA1: DT > hand-made trained (sobel) > hand-made frozen (sobel) in peak test accuracy")
    assert sobel[("fastest-NetA2", TIME)] == \
        "NetA2: hand-made frozen (sobel) is the fastest per epoch"
    assert sobel[("deeper-HF", FINAL)] == (
        "hand-made frozen (sobel): NetA2 beats NetA1 in final test accuracy")
    assert sobel[("deeper-DT", PEAK)] == "DT: NetA2 beats NetA1 in peak test accuracy"
    assert sobel[("gain", PEAK)] == (
        "The hand-made frozen (sobel) -> hand-made trained (sobel) gain in peak test accuracy "
        "is larger for NetA1 than for NetA2")
    assert sobel[("recovery", PEAK)] == (
        "NetA2 hand-made frozen (sobel) beats every NetA1 network in peak test accuracy while "
        "costing less per epoch than NetA1 hand-made trained (sobel) and NetA1-DT")
    # The keys, measures and order stay; only the wording moves.
    assert list(sobel) == list(texts())


def test_conclusions_name_a_learned_bank_and_its_study():
    text, kernels = banks.resolve("dct")
    config = StudyConfig(kernel_bank=LEARNED, kernels=kernels.tolist())
    learned = texts(config)
    assert learned[("deeper-HF", PEAK)] == (
        "learned-then-frozen (learned: NetA1-DT of study-20260101-120000): NetA2 beats NetA1 in "
        "peak test accuracy")
    assert "learned-then-trained (learned: NetA1-DT of study-20260101-120000) >" in \
        learned[("order-NetA2", FINAL)]
    checks = {c.key: c for c in evaluate_conclusions(summary_rows(ACCURACY, SECONDS), config)}
    assert checks["gain"].caveat.endswith(
        "the learned: NetA1-DT of study-20260101-120000 bank's kernels (not the report's)")


def test_the_reports_kernels_keep_the_reports_wording():
    plain = texts()
    assert plain[("order-NetA1", PEAK)] == "NetA1: DT > HT > HF in peak test accuracy"
    assert texts(StudyConfig(kernels=REPORT_KERNELS.tolist())) == plain
    edited = REPORT_KERNELS.copy()
    edited[1, 2, 2] = 0
    assert texts(StudyConfig(kernels=edited.tolist())) == plain
    assert scheme_words("custom") == scheme_words(None) == {"HF": "HF", "HT": "HT"}


def _with_bank(folder, spec):
    """Rewrite a stored study's config.json as a study with the bank `spec` writes it."""
    path = folder / "config.json"
    config = json.loads(path.read_text())
    text, kernels = banks.resolve(spec)
    config.update(kernel_bank=text, kernels=kernels.tolist())
    path.write_text(json.dumps(config))
    return folder


def test_conclusions_csv_and_the_apps_rows_speak_of_the_bank(tmp_path):
    folder = _with_bank(write_known_study(tmp_path), "gabor:orientations=2,size=7")
    state = open_study(folder)
    out = tmp_path / "export"
    out.mkdir()
    write_csv_files(state, out)
    with open(out / "conclusions.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    label = "hand-made frozen (gabor:orientations=2,size=7)"
    written = {(r["key"], r["measure"]): r["conclusion"] for r in rows}
    assert written[("deeper-HF", PEAK)] == f"{label}: NetA2 beats NetA1 in peak test accuracy"
    assert [r["conclusion"] for r in state.conclusions()] == [r["conclusion"] for r in rows]
    assert not any(" HF " in r["conclusion"] for r in rows)
    assert np.array_equal(np.asarray(state.config.kernels, np.float32),
                          banks.resolve("gabor:orientations=2,size=7")[1])


# ----- main.py list and compare --------------------------------------------------------------


@pytest.fixture
def three(tmp_path):
    """Three stored studies: the report's kernels, sobel and a learned bank."""
    byhand_study = write_known_study(tmp_path / "a")
    sobel = _with_bank(write_known_study(tmp_path / "b"), "sobel")
    learned = write_known_study(tmp_path / "c")
    path = learned / "config.json"
    config = json.loads(path.read_text())
    config.update(kernel_bank=LEARNED, kernels=banks.resolve("dct")[1].tolist())
    path.write_text(json.dumps(config))
    return byhand_study, sobel, learned


def test_list_has_a_bank_column_in_every_format(three, tmp_path):
    from study.cli.library_output import list_output
    from study.folder.library import list_studies

    rows = list_studies([tmp_path / "a", tmp_path / "b", tmp_path / "c"])
    lines = list_output(rows, "table").splitlines()
    titles = lines[0].split()
    assert titles[titles.index("head") + 1] == "kernels"
    start = lines[0].index("kernels")
    cells = [line[start:].split("  ")[0].strip() for line in lines[1:]]
    assert cells == ["byhand", "sobel", "learned: NetA1-DT of study-20260101-120000"]
    records = list(csv.DictReader(list_output(rows, "csv").splitlines()))
    assert [r["bank"] for r in records] == ["byhand", "sobel:size=3,norm=l2", LEARNED]
    assert [r["bank"] for r in json.loads(list_output(rows, "json"))] == \
        ["byhand", "sobel:size=3,norm=l2", LEARNED]


def _compare(folders, out):
    from study.analysis.multi_compare import compare_studies, load_studies, write_csv_files

    comparison = compare_studies(load_studies(folders))
    out.mkdir()
    write_csv_files(comparison, out)
    read = {}
    for name in ("studies.csv", "differences.csv"):
        with open(out / name, newline="") as fh:
            read[name] = list(csv.DictReader(fh))
    return comparison, read


def test_compare_labels_and_columns_name_banks_that_differ(three, tmp_path):
    from study.analysis.multi_compare import study_labels
    from study.cli.library_output import differences_table

    byhand_study, sobel, learned = three
    comparison, read = _compare([byhand_study, sobel, learned], tmp_path / "cmp")
    names = study_labels(three)
    assert comparison.labels == [f"{names[0]} [byhand]", f"{names[1]} [sobel]",
                                 f"{names[2]} [learned: NetA1-DT of study-20260101-120000]"]
    studies = read["studies.csv"]
    assert list(studies[0])[:2] == ["study", "bank"]
    assert {(r["study"], r["bank"]) for r in studies} == {
        (comparison.labels[0], "byhand"), (comparison.labels[1], "sobel:size=3,norm=l2"),
        (comparison.labels[2], LEARNED)}
    differences = read["differences.csv"]
    assert list(differences[0])[2:6] == ["baseline", "study", "baseline_bank", "study_bank"]
    assert {(d["baseline_bank"], d["study_bank"]) for d in differences} == {
        ("byhand", "sobel:size=3,norm=l2"), ("byhand", LEARNED)}
    lines = differences_table(comparison.differences).splitlines()
    assert lines[0].split()[:4] == ["network", "measure", "study", "bank"]
    assert re.split(r"\s{2,}", lines[1])[2:4] == [comparison.labels[1], "sobel"]
    # Only the bank differs: the legend is the label, which names it already.
    assert [key for key, _ in comparison.settings] == ["bank"]
    assert comparison.legend_label(1) == comparison.labels[1]


def test_compare_shows_one_shared_bank_and_leaves_byhand_alone(three, tmp_path):
    from study.analysis.multi_compare import study_labels
    from study.cli.library_output import differences_table

    byhand_study, sobel, _learned = three
    again = _with_bank(write_known_study(tmp_path / "d"), "sobel")
    comparison, read = _compare([sobel, again], tmp_path / "same")
    assert comparison.labels == study_labels([sobel, again])  # one bank: the plain labels
    assert {r["bank"] for r in read["studies.csv"]} == {"sobel:size=3,norm=l2"}
    assert "bank" in differences_table(comparison.differences).splitlines()[0].split()
    plain = write_known_study(tmp_path / "e")
    comparison, read = _compare([byhand_study, plain], tmp_path / "plain")
    assert "bank" not in read["studies.csv"][0] and "study_bank" not in read["differences.csv"][0]
    assert "bank" not in differences_table(comparison.differences).splitlines()[0].split()


def test_tensorboard_hparams_record_the_bank():
    from study.run.tensorboard import hparams_of

    def kernels(config):
        return hparams_of(config.to_dict(), "NetA1-HF", 0, "s")["kernels"]

    assert kernels(StudyConfig()) == "byhand"
    assert kernels(banked("gabor:orientations=2")) == \
        "gabor:orientations=2,wavelengths=4,size=5,norm=l2"
    edited = REPORT_KERNELS.copy()
    edited[0, 0, 0] = 0
    assert kernels(StudyConfig(kernels=edited.tolist())) == "custom"
    assert hparams_of({}, "NetA1-HF", 0, "s")["kernels"] == "byhand"
