"""The kernel panel on a study trained from kernels edited in its editor: the initial conv1 is
the edited one; after a fit HT changed and HF is frozen, stored and live."""

from __future__ import annotations

import os

import numpy as np
import pytest

from gui.panels.kernels import KernelPanel
from study.protocol import byhand
from study.state import open_study
from tests.gui import test_kernel_panel as kernel_panel_tests
from tests.gui.test_kernel_panel import relayed, shown

panel = kernel_panel_tests.panel  # the fixture, shared

REPORT = byhand.REPORT_KERNELS
INITIAL, CURRENT, DIFFERENCE = 0, 1, 2


@pytest.fixture(scope="module")
def trained_study(qapp, synthetic_data_dir, tmp_path_factory):
    """A 1-epoch NetA1-HF/HT study whose ByHand kernels were edited in the panel's editor."""
    from study.config import StudyConfig
    from study.run.runner import run_study

    editor_panel = KernelPanel()
    editor_panel.editor.cell_button(0, 2, 2).click()  # K1's centre: 1 -> 0
    assert editor_panel.kernels_problem() == ""
    edited = editor_panel.current_kernels()
    config = StudyConfig(
        networks=("NetA1-HF", "NetA1-HT"), epochs=1, batch_size=64, learning_rate=3e-3,
        backend=os.environ.get("KERAS_BACKEND", "torch"), data_dir=str(synthetic_data_dir),
        kernels=edited.tolist(),
    )
    events = []
    folder = run_study(config, emit=events.append,
                       out_root=tmp_path_factory.mktemp("trained-kernels"))
    editor_panel.deleteLater()
    return folder, events, edited


@pytest.mark.backend
def test_edited_kernels_become_the_studys_conv1_initial_weights(trained_study):
    folder, _, edited = trained_study
    assert not np.array_equal(edited, REPORT)
    stored = open_study(folder)
    for network in ("NetA1-HF", "NetA1-HT"):
        conv = stored.weights(network, "initial")["conv1/kernel"]
        assert np.array_equal(conv, byhand.to_conv_kernel(edited))
    assert np.array_equal(byhand.load_kernels(folder / "byhand.json"), edited)
    assert np.array_equal(np.asarray(stored.config.kernels, np.float32), edited)


@pytest.mark.backend
def test_after_a_fit_ht_changed_and_hf_is_frozen_in_a_stored_study(panel, trained_study):
    folder, _, edited = trained_study
    panel.set_study(open_study(folder))
    panel.select_network("NetA1-HT")
    assert np.array_equal(shown(panel, INITIAL), edited)
    assert shown(panel, DIFFERENCE).any()
    assert panel.frozen_badge.isHidden()
    assert "conv1 was trained" in panel.status_label.text()
    panel.select_network("NetA1-HF")
    assert np.array_equal(shown(panel, DIFFERENCE), np.zeros((4, 5, 5)))
    assert np.array_equal(shown(panel, CURRENT), edited)
    assert panel.frozen_badge.isVisible()
    assert "FROZEN" in panel.status_label.text()


@pytest.mark.backend
def test_after_a_fit_ht_changed_and_hf_is_frozen_from_live_events(panel, trained_study):
    _, events, _ = trained_study
    for event in events:
        panel.handle_event(relayed(event))
    ht = panel.network_kernels("NetA1-HT")
    hf = panel.network_kernels("NetA1-HF")
    assert ht.epoch == 1 and hf.epoch == 1
    assert ht.conv1_difference().any()
    assert hf.conv1_frozen
    assert panel.selected_network() == "NetA1-HT"
    assert "max |current − initial|" in panel.status_label.text()
    panel.select_network("NetA1-HF")
    assert not shown(panel, DIFFERENCE).any()
    assert "FROZEN" in panel.status_label.text()
