"""The kernel CSV and kernel helpers of study/analysis/kernels.py, on stored studies made without
Keras."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from study.analysis.kernels import (
    KERNEL_CSV_COLUMNS,
    NetworkKernels,
    conv1_kernels,
    conv2_kernels,
    kernel_csv_text,
    stored_kernels,
    write_kernel_csv,
)
from study.protocol import byhand
from study.protocol.networks import NETWORKS
from tests.kernel_study import write_kernel_study


def read_rows(text: str) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames) == KERNEL_CSV_COLUMNS
    return list(reader)


@pytest.fixture(scope="module")
def six_network_study(tmp_path_factory):
    return write_kernel_study(tmp_path_factory.mktemp("kernels"), epochs=2)


def test_csv_holds_600_conv1_rows_for_six_networks(six_network_study, tmp_path):
    path = write_kernel_csv(six_network_study, tmp_path / "kernels.csv")
    rows = read_rows(path.read_text(encoding="utf-8"))
    conv1 = [r for r in rows if r["layer"] == "conv1"]
    assert len(conv1) == 6 * 4 * 25
    assert {r["network"] for r in conv1} == set(NETWORKS)
    keys = {(r["network"], r["kernel"], r["row"], r["col"]) for r in conv1}
    assert len(keys) == 600
    assert {r["kernel"] for r in conv1} == {"K1", "K2", "K3", "K4"}
    assert {int(r["row"]) for r in conv1} == {1, 2, 3, 4, 5}
    assert {int(r["col"]) for r in conv1} == {1, 2, 3, 4, 5}


def test_csv_holds_conv2_rows_for_the_neta2_networks_only(six_network_study):
    rows = read_rows(kernel_csv_text(six_network_study))
    conv2 = [r for r in rows if r["layer"] == "conv2"]
    assert len(conv2) == 3 * 12 * 4 * 9
    assert {r["network"] for r in conv2} == {"NetA2-HF", "NetA2-HT", "NetA2-DT"}
    assert {r["kernel"] for r in conv2} >= {"K1.in1", "K12.in4"}
    assert len(rows) == 600 + 1296


def test_csv_values_are_the_stored_weights_at_the_right_place(six_network_study):
    rows = read_rows(kernel_csv_text(six_network_study))
    initial = six_network_study.weights("NetA1-HT", "initial")["conv1/kernel"]
    final = six_network_study.weights("NetA1-HT", "final")["conv1/kernel"]
    # K2, row 3, col 1 of the kernel set is conv1/kernel[row, col, 0, kernel] (0-based).
    row = next(r for r in rows if (r["network"], r["layer"], r["kernel"], r["row"], r["col"])
               == ("NetA1-HT", "conv1", "K2", "3", "1"))
    assert np.float32(row["initial"]) == initial[2, 0, 0, 1]
    assert np.float32(row["final"]) == final[2, 0, 0, 1]
    assert float(row["initial"]) == byhand.REPORT_KERNELS[1, 2, 0]
    conv2_final = six_network_study.weights("NetA2-DT", "final")["conv2/kernel"]
    row = next(r for r in rows if (r["network"], r["layer"], r["kernel"], r["row"], r["col"])
               == ("NetA2-DT", "conv2", "K7.in2", "1", "3"))
    assert np.float32(row["final"]) == conv2_final[0, 2, 1, 6]


def test_csv_shows_hf_conv1_unchanged_and_ht_changed(six_network_study):
    rows = read_rows(kernel_csv_text(six_network_study))

    def changed(network):
        return sum(r["initial"] != r["final"] for r in rows
                   if r["network"] == network and r["layer"] == "conv1")

    assert changed("NetA1-HF") == 0
    assert changed("NetA2-HF") == 0
    assert changed("NetA1-HT") > 0


def test_network_without_final_weights_has_an_empty_final_column(tmp_path):
    stored = write_kernel_study(tmp_path, networks=("NetA1-HF", "NetA2-DT"),
                                finished=("NetA1-HF",))
    rows = read_rows(kernel_csv_text(stored))
    neta2 = [r for r in rows if r["network"] == "NetA2-DT"]
    assert len(neta2) == 100 + 432
    assert all(r["final"] == "" for r in neta2)
    assert all(r["final"] != "" for r in rows if r["network"] == "NetA1-HF")


def test_network_without_any_weights_is_left_out(tmp_path):
    stored = write_kernel_study(tmp_path, networks=("NetA1-HT",))
    (stored.folder / "weights" / "NetA1-HT.initial.npz").unlink()
    assert kernel_csv_text(stored).strip() == ",".join(KERNEL_CSV_COLUMNS)
    assert stored_kernels(stored) == {}


def test_conv1_kernels_gives_the_report_kernels_from_a_conv_kernel():
    conv = byhand.to_conv_kernel(byhand.REPORT_KERNELS)
    assert np.array_equal(conv1_kernels(conv), byhand.REPORT_KERNELS)
    assert np.array_equal(conv1_kernels(conv.tolist()), byhand.REPORT_KERNELS)
    with pytest.raises(ValueError, match=r"\(5, 5, 1, 4\)"):
        conv1_kernels(np.zeros((3, 3, 4, 12)))


def test_conv2_kernels_orders_output_kernel_then_input_channel():
    conv = np.arange(3 * 3 * 4 * 12, dtype=np.float32).reshape(3, 3, 4, 12)
    kernels = conv2_kernels(conv)
    assert kernels.shape == (12, 4, 3, 3)
    assert kernels[6, 1, 0, 2] == conv[0, 2, 1, 6]


def test_frozen_is_decided_from_the_data_and_needs_an_epoch():
    report = byhand.REPORT_KERNELS
    conv = byhand.to_conv_kernel(report)
    before = NetworkKernels("NetA1-HT", report, report.copy(), epoch=0)
    assert not before.conv1_frozen
    assert "before training" in before.describe_conv1()
    # An HT name with unchanged data is called frozen: the data decide, not the scheme.
    unchanged = before.with_current(3, conv)
    assert unchanged.conv1_frozen
    assert np.array_equal(unchanged.conv1_difference(), np.zeros((4, 5, 5)))
    assert "FROZEN" in unchanged.describe_conv1()
    assert "exactly 0 in all 100 values" in unchanged.describe_conv1()
    moved = conv.copy()
    moved[2, 0, 0, 1] += 0.25
    trained = before.with_current(3, moved)
    assert not trained.conv1_frozen
    value, where = trained.max_conv1_change()
    assert value == pytest.approx(0.25)
    assert where == (1, 2, 0)
    assert "max |current − initial| = 0.25 (K2 row 3 column 1)" in trained.describe_conv1()


def test_stored_kernels_reads_epochs_and_conv2(six_network_study):
    found = stored_kernels(six_network_study)
    assert list(found) == list(NETWORKS)
    assert found["NetA1-HF"].epoch == 2
    assert found["NetA1-HF"].conv1_frozen
    assert not found["NetA1-HT"].conv1_frozen
    assert found["NetA1-HT"].initial_conv2 is None
    assert found["NetA2-HT"].initial_conv2.shape == (12, 4, 3, 3)
    assert np.array_equal(found["NetA1-HT"].initial_conv1, byhand.REPORT_KERNELS)
