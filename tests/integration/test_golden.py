"""Behaviour kept, proven: the golden commands give the files recorded in tests/golden.

A small study in both modes (JAX, two seeds), its export, a two-study compare and a two-point
sweep are run afresh and compared with tests/golden/snapshot.json: the same file names, the same
CSV cells (times and paths aside) and the same weights and predictions. Float results can differ
between CPU models, so on another CPU than the snapshot's the numbers are compared to 1e-6 and
arrays by name only. Record again (`python -m tests.golden.record`) only for an intended change.
"""

from __future__ import annotations

import csv
import io

import pytest

from tests.golden.commands import load_snapshot, machine, produce


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _close(expected: str, actual: str) -> bool:
    if expected == actual:
        return True
    try:
        return abs(float(expected) - float(actual)) <= 1e-6
    except ValueError:
        return False


@pytest.fixture(scope="module")
def produced(tmp_path_factory):
    pytest.importorskip("jax")
    return produce(tmp_path_factory.mktemp("golden"))


def test_the_same_files_are_written(produced):
    expected = load_snapshot()["files"]
    assert sorted(produced) == sorted(expected)


def test_every_csv_has_the_recorded_cells(produced):
    snapshot = load_snapshot()
    same_cpu = snapshot["machine"] == machine()
    for name, content in snapshot["files"].items():
        if not name.endswith(".csv"):
            continue
        if same_cpu:
            assert produced[name] == content, name
            continue
        want, got = _rows(content), _rows(produced[name])
        assert len(got) == len(want) and got[:1] == want[:1], name
        for want_row, got_row in zip(want, got, strict=True):
            assert len(got_row) == len(want_row), name
            pairs = zip(want_row, got_row, strict=True)
            assert all(_close(w, g) for w, g in pairs), (name, want_row, got_row)


def test_weights_and_predictions_are_the_recorded_arrays(produced):
    snapshot = load_snapshot()
    if snapshot["machine"] != machine():
        pytest.skip(f"snapshot made on {snapshot['machine']}; arrays compared on that CPU only")
    digests = {k: v for k, v in snapshot["files"].items() if v.startswith("sha256:")}
    assert digests, "the snapshot holds the weights and predictions"
    for name, digest in digests.items():
        assert produced[name] == digest, name
