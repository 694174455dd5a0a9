"""The Kernels tab: viewer (initial / current / difference), overview, conv2, ByHand editor."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from gui.panels.kernels import KernelPanel
from keras_models.schemes import initial_weights
from study.protocol import byhand
from study.protocol.events import (
    KernelsUpdated,
    NetworkStarted,
    StudyStarted,
    event_from_json,
    event_to_json,
)
from study.protocol.networks import NETWORKS, network_spec
from tests.kernel_study import SHAPES, write_kernel_study

REPORT = byhand.REPORT_KERNELS
INITIAL, CURRENT, DIFFERENCE = 0, 1, 2


def relayed(event):
    """The event as the window gets it: through the worker's JSON line."""
    return event_from_json(event_to_json(event))


def initial_event(network: str, seed: int = 0, kernels=None) -> KernelsUpdated:
    """The epoch-0 KernelsUpdated the runner sends, built from the schemes' initial weights."""
    spec = network_spec(network)
    weights = initial_weights(spec, SHAPES[spec.architecture], seed, kernels)
    conv2 = weights["conv2"][0].tolist() if "conv2" in weights else None
    return KernelsUpdated(network, 0, weights["conv1"][0].tolist(), conv2)


def started(networks, folder="") -> StudyStarted:
    return StudyStarted(folder=folder, backend="torch", device="cpu", networks=list(networks),
                        epochs=1, train_size=512, test_size=256, batches_per_epoch=8)


def shown(panel: KernelPanel, column: int) -> np.ndarray:
    """The four kernels the viewer shows in one column, (4, 5, 5)."""
    return np.stack([panel.viewer.cell_values(k, column) for k in range(4)])


@pytest.fixture
def panel(kernel_panel):
    return kernel_panel


@pytest.fixture(scope="module")
def six_network_study(tmp_path_factory):
    return write_kernel_study(tmp_path_factory.mktemp("kernel-panel"), epochs=2)


# --- viewer -----------------------------------------------------------------------------------


def test_viewer_shows_the_report_kernels_for_hf_and_ht_before_training(panel):
    panel.handle_event(relayed(started(("NetA1-HF", "NetA1-HT", "NetA1-DT"))))
    for network in ("NetA1-HF", "NetA1-HT", "NetA1-DT"):
        panel.handle_event(relayed(initial_event(network)))
    for network in ("NetA1-HF", "NetA1-HT"):
        panel.select_network(network)
        assert panel.selected_network() == network
        assert np.array_equal(shown(panel, INITIAL), REPORT)
        assert np.array_equal(shown(panel, CURRENT), REPORT)
        assert not shown(panel, DIFFERENCE).any()
        assert "before training" in panel.status_label.text()
        assert panel.frozen_badge.isHidden()
    panel.select_network("NetA1-DT")
    assert not np.array_equal(shown(panel, INITIAL), REPORT)
    assert not np.isin(shown(panel, INITIAL), (0.0, 1.0)).all()


def test_colour_scale_is_shared_and_symmetric(panel):
    panel.handle_event(started(("NetA1-HT",)))
    panel.handle_event(initial_event("NetA1-HT"))
    conv = byhand.to_conv_kernel(REPORT)
    conv[0, 0, 0, 0] = 1.5
    panel.handle_event(KernelsUpdated("NetA1-HT", 1, conv.tolist()))
    assert panel.viewer.levels(0) == (-1.5, 1.5)
    panel.own_scale_box.setChecked(True)
    assert panel.viewer.levels(0) == (-1.5, 1.5)
    assert panel.viewer.levels(1) == (-0.5, 0.5)


def test_viewer_refreshes_each_epoch_and_says_frozen_from_the_data(panel):
    panel.handle_event(started(("NetA1-HF", "NetA1-HT")))
    panel.handle_event(initial_event("NetA1-HF"))
    panel.handle_event(initial_event("NetA1-HT"))
    unchanged = byhand.to_conv_kernel(REPORT)
    moved = unchanged.copy()
    moved[1, 0, 0, 1] -= 0.125  # K2, row 2, column 1 (a 1 in the report's K2)
    panel.handle_event(relayed(KernelsUpdated("NetA1-HF", 1, unchanged.tolist())))
    panel.handle_event(relayed(KernelsUpdated("NetA1-HT", 1, moved.tolist())))

    assert panel.selected_network() == "NetA1-HT"  # follows the training network
    assert shown(panel, CURRENT)[1, 1, 0] == pytest.approx(0.875)
    assert shown(panel, DIFFERENCE)[1, 1, 0] == pytest.approx(-0.125)
    assert panel.frozen_badge.isHidden()
    assert "max |current − initial| = 0.125 (K2 row 2 column 1)" in panel.status_label.text()

    panel.select_network("NetA1-HF")
    assert np.array_equal(shown(panel, DIFFERENCE), np.zeros((4, 5, 5)))
    assert panel.frozen_badge.isVisible()
    assert "FROZEN" in panel.status_label.text()
    assert "exactly 0" in panel.status_label.text()
    assert panel.warning_label.text() == ""

    # The words come from the data: an HT network whose conv1 did not move is called frozen too.
    panel.handle_event(KernelsUpdated("NetA1-HT", 2, unchanged.tolist()))
    panel.select_network("NetA1-HT")
    assert "FROZEN" in panel.status_label.text()
    assert "yet conv1 did not change" in panel.warning_label.text()


def test_hovering_a_cell_shows_its_value(panel, qtbot):
    panel.handle_event(started(("NetA1-HT",)))
    panel.handle_event(initial_event("NetA1-HT"))
    qtbot.wait(50)
    item = panel.viewer.cell_item(1, INITIAL)  # K2 initial
    scene_point = item.mapToScene(QPointF(0.5, 1.5))  # column 1, row 2
    view_point = panel.viewer.mapFromScene(scene_point)
    qtbot.mouseMove(panel.viewer.viewport(), view_point)
    qtbot.waitUntil(lambda: panel.hover_label.text() != "", timeout=2000)
    assert panel.hover_label.text() == "NetA1-HT · initial · K2, row 2, column 1: 1"
    assert item.cell_text(2, 0) == "NetA1-HT · initial · K2, row 3, column 1: 0"


def test_a_stored_study_shows_initial_and_final_kernels(panel, six_network_study):
    panel.set_study(six_network_study)
    assert [panel.network_combo.itemText(i) for i in range(panel.network_combo.count())] \
        == list(NETWORKS)
    panel.select_network("NetA1-HT")
    final = six_network_study.weights("NetA1-HT", "final")["conv1/kernel"]
    assert np.array_equal(shown(panel, INITIAL), REPORT)
    assert np.array_equal(shown(panel, CURRENT)[3], final[:, :, 0, 3])
    assert "Final (epoch 2)" in panel.viewer.grid.column_titles[CURRENT]
    assert "max |final − initial|" in panel.status_label.text()
    panel.select_network("NetA2-HF")
    assert "FROZEN" in panel.status_label.text()
    assert panel.editor.study_button.isEnabled()

    panel.set_study(six_network_study)  # the window reopens a study after its run
    assert panel.selected_network() == "NetA2-HF"

    panel.set_study(None)
    assert panel.network_combo.count() == 0
    assert panel.viewer.grid is None
    assert panel.status_label.text() == "No kernels to show."
    assert not panel.editor.study_button.isEnabled()


def test_conv2_view_for_neta2_only(panel, six_network_study):
    panel.set_study(six_network_study)
    panel.select_network("NetA1-HT")
    assert not panel.layer_combo.isEnabled()
    panel.select_network("NetA2-HT")
    assert panel.layer_combo.isEnabled()
    panel.layer_combo.setCurrentText("conv2")
    grid = panel.viewer.grid
    assert (len(grid.row_titles), len(grid.column_titles)) == (4, 12)
    final = six_network_study.weights("NetA2-HT", "final")["conv2/kernel"]
    assert np.array_equal(panel.viewer.cell_values(1, 6), final[:, :, 1, 6])  # K7, input 2
    panel.conv2_state_combo.setCurrentText("All three")
    assert len(panel.viewer.grid.row_titles) == 12
    assert "conv2: max |Δ|" in panel.status_label.text()
    panel.select_network("NetA1-DT")
    assert panel.layer_combo.currentText() == "conv1"
    assert len(panel.viewer.grid.column_titles) == 3


def test_overview_shows_conv1_of_all_six_networks(panel, six_network_study):
    panel.set_study(six_network_study)
    grid = panel.overview.grid
    assert len(grid.row_titles) == 6
    assert len(grid.column_titles) == 12  # K1..K4 of initial, final, difference
    for row, network in enumerate(NETWORKS):
        assert grid.row_titles[row].startswith(network)
        frozen = network.endswith("-HF")
        assert ("FROZEN" in grid.row_titles[row]) == frozen
        diff = np.stack([panel.overview.cell_values(row, 8 + k) for k in range(4)])
        assert (not diff.any()) == frozen
    assert np.array_equal(panel.overview.cell_values(1, 2), REPORT[2])  # NetA1-HT initial K3


def test_kernels_updated_without_initial_reads_the_study_folder(panel, tmp_path):
    stored = write_kernel_study(tmp_path, networks=("NetA1-HT",))
    panel.handle_event(started(("NetA1-HT",), folder=str(stored.folder)))
    final = stored.weights("NetA1-HT", "final")["conv1/kernel"]
    panel.handle_event(KernelsUpdated("NetA1-HT", 2, final.tolist()))
    assert np.array_equal(shown(panel, INITIAL), REPORT)
    assert shown(panel, DIFFERENCE).any()


def test_a_run_started_after_a_stored_study_shows_live_kernels(panel, six_network_study):
    panel.set_study(six_network_study)
    panel.handle_event(started(("NetA1-HT",), folder=str(six_network_study.folder)))
    assert panel.network_kernels("NetA1-HF") is None
    assert panel.viewer.grid is None
    assert "no kernels yet" in panel.status_label.text()
    panel.handle_event(initial_event("NetA1-HT"))
    assert panel.viewer.grid.column_titles[CURRENT] == "Current (epoch 0)"


def test_picking_a_network_stops_following_the_run(panel):
    panel.handle_event(started(("NetA1-HF", "NetA1-HT")))
    panel.handle_event(initial_event("NetA1-HF"))
    panel.network_combo.activated.emit(0)
    assert not panel.follow_box.isChecked()
    panel.handle_event(NetworkStarted("NetA1-HT", 1, 2))
    panel.handle_event(initial_event("NetA1-HT"))
    assert panel.selected_network() == "NetA1-HF"


# --- editor -----------------------------------------------------------------------------------


def test_editor_starts_with_the_report_kernels_and_a_click_toggles_a_cell(panel, qtbot):
    editor = panel.editor
    assert np.array_equal(panel.current_kernels(), REPORT)
    assert panel.kernels_problem() == ""
    assert editor.ones_text(0) == "9 ones of 25"
    with qtbot.waitSignal(panel.sig_kernels_changed):
        qtbot.mouseClick(editor.cell_button(0, 2, 2), Qt.MouseButton.LeftButton)
    assert panel.current_kernels()[0, 2, 2] == 0.0
    assert editor.cell_button(0, 2, 2).text() == "0"
    assert editor.ones_text(0) == "8 ones of 25"
    assert panel.kernels_problem() == ""
    assert editor.validation_label.text().startswith("Valid")
    with qtbot.waitSignal(panel.sig_kernels_changed):
        editor.reset_button.click()
    assert np.array_equal(panel.current_kernels(), REPORT)


def test_editor_refuses_duplicate_kernels(panel, qtbot, tmp_path):
    editor = panel.editor
    duplicate = REPORT.copy()
    duplicate[1] = duplicate[0]
    with qtbot.waitSignal(panel.sig_kernels_changed):
        editor.set_kernels(duplicate)
    assert "K1 and K2 are the same pattern" in panel.kernels_problem()
    assert "K1 and K2 are the same pattern" in editor.validation_label.text()
    assert not editor.save_button.isEnabled()
    assert not editor.save_to_file(tmp_path / "dup.json")
    assert not (tmp_path / "dup.json").exists()
    # Clicking a cell of K2 makes the kernels distinct again.
    qtbot.mouseClick(editor.cell_button(1, 0, 1), Qt.MouseButton.LeftButton)
    assert panel.kernels_problem() == ""


def test_editor_refuses_all_zero_kernel(panel, qtbot):
    editor = panel.editor
    for r, c in np.argwhere(REPORT[0] == 1):
        qtbot.mouseClick(editor.cell_button(0, int(r), int(c)), Qt.MouseButton.LeftButton)
    assert editor.ones_text(0) == "0 ones of 25"
    assert "K1 is all zeros" in panel.kernels_problem()


def test_editor_refuses_non_binary_kernels(panel, qtbot, tmp_path):
    editor = panel.editor
    odd = REPORT.copy()
    odd[2, 0, 0] = 0.5
    editor.set_kernels(odd)
    assert "K3 row 1 column 1 is 0.5: only 0 and 1 are allowed" in panel.kernels_problem()
    assert "only 0 and 1" in editor.validation_label.text()
    assert editor.cell_button(2, 0, 0).text() == "0.5"
    qtbot.mouseClick(editor.cell_button(2, 0, 0), Qt.MouseButton.LeftButton)
    assert panel.current_kernels()[2, 0, 0] == 1.0
    assert panel.kernels_problem() == ""

    # A file of 4×4 kernels is refused with the reason; the kernels stay as they were.
    bad = tmp_path / "bad.json"
    values = REPORT[:, :4, :4].astype(int).tolist()
    bad.write_text(json.dumps({"format": byhand.FILE_FORMAT, "version": 1, "kernels": values}))
    before = panel.current_kernels()
    assert not editor.load_from_file(bad)
    assert "kernel size 4 does not fit" in editor.last_error
    assert editor.error_box is not None and "does not fit" in editor.error_box.text()
    assert np.array_equal(panel.current_kernels(), before)
    assert not editor.real_mode
    with pytest.raises(byhand.KernelError, match="4×5×5"):
        editor.set_kernels(np.zeros((4, 5)))
    # A file with a 2 in it is a bank of real values: it loads in real mode.
    real = tmp_path / "real.json"
    values = REPORT.astype(int).tolist()
    values[0][0][0] = 2
    real.write_text(json.dumps({"format": byhand.FILE_FORMAT, "version": 1, "kernels": values}))
    assert editor.load_from_file(real)
    assert editor.real_mode and editor.real_radio.isChecked()
    assert editor.cell_button(0, 0, 0).text() == "2" and panel.kernels_problem() == ""


def test_editor_json_round_trip(panel, qtbot, tmp_path):
    editor = panel.editor
    qtbot.mouseClick(editor.cell_button(3, 4, 4), Qt.MouseButton.LeftButton)
    edited = panel.current_kernels()
    path = tmp_path / "mine.json"
    assert editor.save_to_file(path)
    assert np.array_equal(byhand.load_kernels(path), edited)
    editor.reset_to_report()
    assert np.array_equal(panel.current_kernels(), REPORT)
    with qtbot.waitSignal(panel.sig_kernels_changed):
        assert editor.load_from_file(path)
    assert np.array_equal(panel.current_kernels(), edited)
    assert not editor.load_from_file(tmp_path / "missing.json")
    assert "does not exist" in editor.last_error


def test_use_the_opened_study_kernels(panel, tmp_path):
    stored = write_kernel_study(tmp_path, networks=("NetA1-HF",))
    mine = REPORT.copy()
    mine[3] = 1.0
    byhand.save_kernels(stored.folder / "byhand.json", mine)
    panel.set_study(stored)
    panel.editor.study_button.click()
    assert np.array_equal(panel.current_kernels(), mine)


# --- a real short fit (Keras) -----------------------------------------------------------------
