"""A study with a bank other than the report's, on every backend: HF's conv1 starts as the bank's
kernels and ends bit-identical, HT's starts there and moves, and the study's init identity
report (init_identity.csv, the identity table) says so (docs/study.md#initial-weights)."""

from __future__ import annotations

import csv
import os

import numpy as np
import pytest

from study.analysis.identity import IDENTICAL, identity_table
from study.config import StudyConfig
from study.kernel_bank import with_bank
from study.protocol import banks
from study.run.runner import run_study
from study.state import open_study

pytestmark = pytest.mark.backend

NETWORKS = ("NetA1-HF", "NetA2-HF", "NetA1-HT", "NetA2-HT")
FROZEN = ("NetA1-HF", "NetA2-HF")


@pytest.mark.parametrize("spec, mode", [("sobel", "sequential"),
                                        ("gabor:orientations=2,size=7", "all-at-once")])
def test_a_frozen_bank_conv1_stays_bit_identical(spec, mode, synthetic_data_dir, tmp_path):
    config = StudyConfig(networks=NETWORKS, epochs=1, batch_size=64, learning_rate=1e-2,
                         train_limit=128, test_limit=64, mode=mode, timing_rounds=0,
                         backend=os.environ.get("KERAS_BACKEND", "torch"),
                         data_dir=str(synthetic_data_dir))
    config = with_bank(config, spec)
    canonical, kernels = banks.resolve(spec)
    assert kernels.shape[1] != 5  # not the report's size: the bank really is in use
    state = open_study(run_study(config, out_root=tmp_path))
    assert state.config.kernel_bank == canonical
    bank = banks.conv_kernel(kernels)
    for network in NETWORKS:
        before = state.stored_weights(network, "initial")
        after = state.stored_weights(network, "final")
        assert np.array_equal(before["conv1/kernel"], bank), network
        assert not before["conv1/bias"].any()
        if network in FROZEN:
            assert np.array_equal(after["conv1/kernel"], bank), network
            assert np.array_equal(after["conv1/bias"], before["conv1/bias"]), network
        else:
            assert not np.array_equal(after["conv1/kernel"], bank), network
    rows = identity_table(state)
    frozen = [r["check"] for r in rows if r["kind"] == "after training"]
    assert frozen == [f"{n}: |conv1 after training - conv1 initial|" for n in FROZEN]
    assert {r["verdict"] for r in rows} == {IDENTICAL} and len(rows) > len(frozen)
    with open(state.folder / "init_identity.csv", newline="") as fh:
        written = {r["check"]: float(r["norm"]) for r in csv.DictReader(fh)}
    assert all(written[check] == 0.0 for check in frozen)
