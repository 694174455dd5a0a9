"""A study's bank by name: its label, the conclusions' wording, the list and compare columns and
the TensorBoard HParams (docs/study.md#kernel-banks)."""

from __future__ import annotations

import csv
import json

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
    assert sobel[("fastest-NetA2", TIME)] == "NetA2: hand-made frozen (sobel) is the fastest per epoch"
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
