"""`list` as a table, CSV and JSON (with the environment), and compare's differences table."""

from __future__ import annotations

import csv
import io
import json

import pytest

from study.analysis.multi_compare import compare_studies, load_studies
from study.cli.library_output import RECORD_KEYS, differences_table, list_output
from study.folder.environment import environment_record
from study.folder.library import list_studies
from tests.library_studies import DAMAGED, REPORT, SOFTMAX, THREE_SEEDS, write_library


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    root = tmp_path_factory.mktemp("library")
    folders = write_library(root)
    status = folders[SOFTMAX] / "status.json"
    recorded = json.loads(status.read_text())
    recorded["environment"] = environment_record("jax")
    status.write_text(json.dumps(recorded))
    return root, folders


def test_json_has_every_study_its_record_and_environment(library):
    root, folders = library
    rows = list_studies([root])
    records = {r["study"]: r for r in json.loads(list_output(rows, "json"))}
    assert set(records) == {row.name for row in rows}
    softmax = records[SOFTMAX]
    assert list(softmax)[:len(RECORD_KEYS)] == list(RECORD_KEYS)
    assert softmax["state"] == "finished" and softmax["seeds"] == [0]
    assert softmax["environment"]["backend"] == "jax" and softmax["environment"]["python"]
    assert records[REPORT]["environment"] is None
    assert records[DAMAGED]["problem"]


def test_csv_is_one_line_per_study_with_plain_cells(library):
    root, _folders = library
    rows = list_studies([root])
    read = list(csv.DictReader(io.StringIO(list_output(rows, "csv"))))
    assert len(read) == len(rows) and tuple(read[0]) == RECORD_KEYS
    report = next(r for r in read if r["study"] == REPORT)
    assert report["seeds"] == "0 1 2 3 4" and float(report["best_peak"]) > 0


def test_the_table_is_the_library_table(library):
    root, _folders = library
    text = list_output(list_studies([root]), "table")
    assert text.splitlines()[0].startswith("study") and SOFTMAX in text


def test_the_differences_table_reads_in_points_with_its_method(library):
    _root, folders = library
    comparison = compare_studies(load_studies([folders[REPORT], folders[THREE_SEEDS]]))
    lines = differences_table(comparison.differences).splitlines()
    assert lines[0].split()[:3] == ["network", "measure", "study"]
    assert len(lines) == 1 + len(comparison.differences)
    assert any("paired by seed (3)" in line and "lr-0.01" in line for line in lines[1:])
    assert any(" +3.00" in line for line in lines[1:])
