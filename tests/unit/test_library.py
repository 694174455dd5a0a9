"""The study library and the comparison of studies: `main.py list` and `main.py compare`, their
rows, numbers, files and refusals; browsing and comparing never change a study's files."""

from __future__ import annotations

import csv
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import main
from study.analysis.multi_compare import (
    ONE_SEED,
    WELCH,
    compare_studies,
    differing_settings,
    load_studies,
)
from study.analysis.statistics import paired_difference, t_interval, welch_difference
from study.config import StudyConfig
from study.folder.library import list_studies, study_row
from study.folder.writer import StudyWriter
from study.protocol.events import EpochResult
from tests.known_study import (
    ACCURACY,
    EVAL_SECONDS,
    SEED_SHIFT,
    SEEDS,
    TRAIN_SECONDS,
    seeded_accuracy,
)
from tests.library_studies import (
    DAMAGED,
    HALF_WRITTEN,
    INTERRUPTED,
    REPORT,
    RUNNING,
    SOFTMAX,
    STOPPED,
    THREE_SEED_SHIFT,
    THREE_SEEDS,
    write_library,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    root = tmp_path_factory.mktemp("library")
    return root, write_library(root)


def _run(*args):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "main.py", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=300)


def _read_csv(path):
    with open(path, newline="") as fh:
        reader = csv.DictReader(fh)
        return reader.fieldnames, list(reader)


# ----- the library ----------------------------------------------------------------------------
def test_every_kind_of_study_is_listed_with_its_truthful_state(library):
    root, folders = library
    rows = {row.name: row for row in list_studies([root])}
    assert sorted(rows) == sorted(folders)
    assert {name: row.state for name, row in rows.items()} == {
        SOFTMAX: "finished", REPORT: "finished", THREE_SEEDS: "finished", STOPPED: "stopped",
        INTERRUPTED: "interrupted", RUNNING: "running", HALF_WRITTEN: "unknown",
        DAMAGED: "finished"}
    softmax = rows[SOFTMAX]
    assert (softmax.backend, softmax.device, softmax.mode, softmax.head) == (
        "torch", "cpu", "sequential", "softmax")
    assert softmax.epochs_text == "3/3" and softmax.seeds_text == "1"
    # The best network's peak: NetA2-DT reaches 0.81 at its last epoch.
    assert softmax.best_peak == pytest.approx(0.81) and softmax.best_network == "NetA2-DT"
    assert softmax.duration_seconds == pytest.approx(
        sum(sum(v) for v in TRAIN_SECONDS.values()) + 18 * EVAL_SECONDS)
    assert softmax.duration_text == "2:38"
    report = rows[REPORT]
    assert (report.head, report.backend, report.seeds_text) == ("report", "jax", "5 (0–4)")
    # Multi-seed: each network's peak is its mean over the seeds (the seed shifts average 0).
    assert report.best_peak == pytest.approx(0.81 + float(np.mean(SEED_SHIFT)))
    stopped = rows[STOPPED]
    assert stopped.epochs_text == "0–2/3" and (stopped.train_size, stopped.test_size) == (256, 128)
    assert stopped.best_peak == pytest.approx(0.60)
    assert "elsewhere.invalid" in rows[INTERRUPTED].problem
    assert rows[HALF_WRITTEN].problem == "half-written: no metrics.csv"
    assert rows[DAMAGED].problem.startswith("config.json: not valid JSON")
    assert all(row.problem == "" for name, row in rows.items()
               if name in (SOFTMAX, REPORT, THREE_SEEDS, STOPPED, RUNNING))


def test_a_study_folder_given_as_the_folder_is_listed_alone(library):
    _root, folders = library
    (row,) = list_studies([folders[SOFTMAX]])
    assert row.name == SOFTMAX and row.state == "finished"


def test_an_unreadable_status_is_named_and_nothing_raises(tmp_path):
    folders = write_library(tmp_path)
    (folders[STOPPED] / "status.json").write_text("[]")
    row = study_row(folders[STOPPED])
    assert row.state == "unknown" and "damaged" in row.problem


def test_list_of_a_missing_folder_is_one_line(tmp_path, capsys):
    assert main.main(["list", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "not a folder" in err
    assert main.main(["list", str(tmp_path)]) == 0
    assert capsys.readouterr().out == f"No studies found in {tmp_path}.\n"


# ----- comparing studies ----------------------------------------------------------------------
def test_welch_difference_is_scipys():
    a, b = [0.80, 0.82, 0.81, 0.79], [0.84, 0.83, 0.86]
    result = welch_difference(a, b)
    va, vb = np.var(a, ddof=1) / 4, np.var(b, ddof=1) / 3
    df = (va + vb) ** 2 / (va ** 2 / 3 + vb ** 2 / 2)
    half = stats.t.ppf(0.975, df) * math.sqrt(va + vb)
    assert result.difference == pytest.approx(np.mean(b) - np.mean(a))
    assert (result.low, result.high) == pytest.approx((result.difference - half,
                                                       result.difference + half))
    assert result.p_value == pytest.approx(stats.ttest_ind(b, a, equal_var=False).pvalue)
    one = welch_difference([0.8], [0.85])
    assert one.difference == pytest.approx(0.05) and math.isnan(one.low)


def test_comparison_numbers_settings_and_caveats(library):
    _root, folders = library
    comparison = compare_studies(load_studies(
        [folders[REPORT], folders[THREE_SEEDS], folders[SOFTMAX]]))
    assert comparison.labels == [REPORT, "lr-0.01", SOFTMAX]
    settings = dict(comparison.settings)
    assert settings["head"] == ["report", "softmax", "softmax"]
    assert settings["learning_rate"] == ["0.000335", "0.01", "0.000335"]
    assert settings["seeds"] == ["0,1,2,3,4", "0,1,2", "0"]
    assert settings["backend"] == ["jax", "jax", "torch"]
    assert "epochs" not in settings and "networks" not in settings

    rows = {(r["study"], r["network"]): r for r in comparison.rows}
    report_dt = [seeded_accuracy("NetA2-DT", i) for i in range(len(SEEDS))]
    peaks = [max(v) for v in report_dt]
    expected = t_interval(peaks)
    row = rows[REPORT, "NetA2-DT"]
    assert row["n_seeds"] == 5 and row["peak_test_accuracy"] == pytest.approx(expected.mean)
    assert (row["peak_ci_low"], row["peak_ci_high"]) == pytest.approx((expected.low,
                                                                        expected.high))
    assert rows[SOFTMAX, "NetA2-DT"]["peak_ci_low"] is None

    diffs = {(d["study"], d["network"], d["measure"]): d for d in comparison.differences}
    # The report study (seeds 0–4) and lr-0.01 (seeds 0–2) share seeds 0, 1, 2: paired by seed.
    paired = diffs["lr-0.01", "NetA1-HF", "peak_test_accuracy"]
    three = [max(seeded_accuracy("NetA1-HF", i, {
        "NetA1-HF": tuple(a + THREE_SEED_SHIFT for a in ACCURACY["NetA1-HF"])}))
        for i in range(3)]
    five = [max(seeded_accuracy("NetA1-HF", i)) for i in range(5)]
    expected = paired_difference(dict(enumerate(three)), dict(enumerate(five)))
    assert paired["method"] == "paired by seed (3)" and paired["df"] == 2
    assert paired["difference"] == pytest.approx(expected.mean)
    assert (paired["ci_low"], paired["ci_high"]) == pytest.approx((expected.low, expected.high))
    assert paired["baseline_mean"] == pytest.approx(np.mean(five[:3]))
    assert paired["caveat"] == f"seeds 3,4 of {REPORT} unpaired, left out"
    assert (paired["n_baseline"], paired["n_study"]) == (5, 3)
    single = diffs[SOFTMAX, "NetA1-HF", "final_test_accuracy"]
    assert single["ci_low"] is None and single["caveat"] == f"{ONE_SEED} in {SOFTMAX}"
    assert single["method"] == ONE_SEED


def _seeded_study(root, name: str, peaks: dict, **config) -> Path:
    """A one-network, one-epoch study named `name` whose seed s reaches peaks[s] (peak = final
    test accuracy)."""
    seeds = tuple(peaks)
    writer = StudyWriter.create(root / ".scratch", StudyConfig(
        networks=("NetA1-HF",), epochs=1, seed=seeds[0], seeds=seeds, **config))
    for seed, peak in peaks.items():
        writer.append_epoch("NetA1-HF", EpochResult(1, 0.5, 0.5, peak, 1.0, 0.1), seed=seed)
    writer.write_summary()
    writer.write_status(state="finished", backend="jax", device="cpu")
    target = root / name
    os.rename(writer.folder, target)
    return target


def test_shared_seeds_are_paired_and_resolve_what_welch_does_not(tmp_path):
    # Seed-to-seed spread of 5 points, a steady +1 point per seed: pairing by seed removes the
    # spread both studies share, Welch cannot.
    base = {1: 0.80, 2: 0.85, 3: 0.90}
    other = {1: 0.811, 2: 0.859, 3: 0.911}
    folders = [_seeded_study(tmp_path, "report", base, head="report"),
               _seeded_study(tmp_path, "softmax", other),
               _seeded_study(tmp_path, "softmax-other-seeds",
                             {s + 3: v for s, v in other.items()}),
               _seeded_study(tmp_path, "softmax-one-shared",
                             {s + 2: v for s, v in other.items()})]
    comparison = compare_studies(load_studies(folders))
    diffs = {(d["study"], d["measure"]): d for d in comparison.differences}

    paired = diffs["softmax", "peak_test_accuracy"]
    d = [0.011, 0.009, 0.011]
    half = stats.t.ppf(0.975, 2) * np.std(d, ddof=1) / math.sqrt(3)
    assert paired["method"] == "paired by seed (3)" and paired["caveat"] == ""
    assert paired["difference"] == pytest.approx(np.mean(d))
    assert (paired["ci_low"], paired["ci_high"]) == pytest.approx((np.mean(d) - half,
                                                                   np.mean(d) + half))
    assert paired["p_value"] == pytest.approx(
        stats.ttest_rel(list(other.values()), list(base.values())).pvalue)
    assert paired["ci_low"] > 0  # resolved: the softmax study is better

    # The same numbers on seeds that do not overlap: independent samples, Welch, not resolved.
    welch = diffs["softmax-other-seeds", "peak_test_accuracy"]
    expected = welch_difference(list(base.values()), list(other.values()))
    assert welch["method"] == WELCH and welch["df"] == pytest.approx(expected.df)
    assert welch["difference"] == pytest.approx(paired["difference"])
    assert (welch["ci_low"], welch["ci_high"]) == pytest.approx((expected.low, expected.high))
    assert welch["ci_low"] < 0 < welch["ci_high"]
    # One shared seed is not a pairing: Welch over all the seeds of each.
    assert diffs["softmax-one-shared", "final_test_accuracy"]["method"] == WELCH


def test_two_single_seed_studies_give_the_plain_difference_and_say_one_seed(library):
    _root, folders = library
    comparison = compare_studies(load_studies([folders[SOFTMAX], folders[STOPPED]]))
    diffs = {(d["network"], d["measure"]): d for d in comparison.differences}
    hf = diffs["NetA1-HF", "peak_test_accuracy"]
    assert hf["difference"] == pytest.approx(0.60 - 0.60)
    assert hf["caveat"] == f"{ONE_SEED}; {STOPPED}: 2 of 3 epochs"
    assert hf["ci_low"] is None and hf["ci_high"] is None and hf["method"] == ONE_SEED
    # NetA1-DT has no epochs in the stopped study; NetA2 networks are not in it at all.
    assert diffs["NetA1-DT", "peak_test_accuracy"]["caveat"] == f"no epochs in {STOPPED}"
    assert diffs["NetA2-DT", "peak_test_accuracy"]["difference"] is None


def test_legend_labels_name_the_settings_that_differ(library):
    _root, folders = library
    comparison = compare_studies(load_studies([folders[REPORT], folders[THREE_SEEDS]]))
    assert [key for key, _ in comparison.settings] == ["learning_rate", "head", "seeds"]
    assert comparison.legend_label(0) == f"{REPORT} (learning_rate 0.000335, head report, …)"
    assert comparison.settings_text(1, most=3) == "learning_rate 0.01, head softmax, seeds 0,1,2"
    assert comparison.settings_text(0, most=1, width=4) == "learning_rate 0.0…, …"
    same = compare_studies(load_studies([folders[SOFTMAX], folders[SOFTMAX]]))
    assert same.legend_label(1) == same.labels[1]


def test_identical_settings_do_not_differ(library):
    _root, folders = library
    states = [s.state for s in load_studies([folders[SOFTMAX], folders[SOFTMAX]])]
    assert differing_settings(states) == []


@pytest.mark.parametrize("case", ["one study", "half-written", "damaged", "missing",
                                  "not a comparison"])
def test_compare_refusals_are_one_line_and_make_no_folder(library, tmp_path, capsys, case):
    _root, folders = library
    out = tmp_path / "out"
    studies = {"one study": [folders[SOFTMAX]],
               "half-written": [folders[SOFTMAX], folders[HALF_WRITTEN]],
               "damaged": [folders[DAMAGED], folders[SOFTMAX]],
               "missing": [folders[SOFTMAX], tmp_path / "no-such-study"],
               "not a comparison": [folders[SOFTMAX], folders[REPORT]]}[case]
    if case == "not a comparison":
        out.mkdir()
        (out / "notes.txt").write_text("mine")
    code = main.main(["compare", *map(str, studies), "--out", str(out), "--force"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err
    if case == "not a comparison":
        assert [p.name for p in out.iterdir()] == ["notes.txt"]
    else:
        assert not out.exists()
    assert not any(p.name.startswith(".out.") for p in tmp_path.iterdir())
