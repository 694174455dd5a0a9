"""The app's kernel banks: the setup's bank chooser (its config, its messages, its preview), the
Kernel editor's real values and 0/1 toggles, its JSON files, and the bank shown for each study in
the Studies tab and the Study shown box."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import Qt

from gui.panels.studies import StudiesPanel
from study.config import StudyConfig
from study.folder.library import COLUMNS
from study.kernel_bank import resolve_bank
from study.protocol import banks, byhand
from tests.gui.test_app_window import configure, make_window
from tests.kernel_study import write_kernel_study

LISTING_MS = 10_000


def choose(setup, name: str, params: str = "") -> None:
    """Pick a bank in the combo and type its parameters, as a user would."""
    setup.bank_combo.setCurrentIndex(setup.bank_combo.findData(name))
    setup.bank_params_edit.setText(params)


def run_config(window, monkeypatch) -> StudyConfig:
    """Press Run and return the config the child process would be given (as its JSON file)."""
    started = []
    monkeypatch.setattr(window.controller, "start",
                        lambda config, root: started.append(config) or True)
    assert window.run_action.isEnabled(), window.setup.run_reason.text()
    window.setup.run_button.click()
    assert len(started) == 1
    return StudyConfig.from_dict(json.loads(started[0].to_json()))


def finish(state) -> None:
    path = state.folder / "status.json"
    status = json.loads(path.read_text())
    status["state"] = "finished"
    path.write_text(json.dumps(status))


# --- the chooser ------------------------------------------------------------------------------


def test_the_chosen_bank_reaches_the_config_of_the_run(window, synthetic_data_dir, monkeypatch):
    configure(window, synthetic_data_dir)
    setup = window.setup
    assert setup.bank_combo.currentData() == "byhand"
    assert run_config(window, monkeypatch).kernel_bank is None

    choose(setup, "sobel")
    config = run_config(window, monkeypatch)
    assert config.kernel_bank == "sobel:size=3,norm=l2"
    assert np.shape(config.kernels) == (4, 3, 3) and config.problems() == []
    np.testing.assert_allclose(config.byhand_kernels(), banks.resolve("sobel")[1])

    choose(setup, "gabor", "orientations=6")
    config = run_config(window, monkeypatch)
    assert config.kernel_bank == "gabor:orientations=6,wavelengths=4,size=5,norm=l2"
    assert np.shape(config.kernels) == (6, 5, 5)


def test_a_long_bank_wraps_in_the_setup_instead_of_widening_it(window):
    setup = window.setup
    before = setup.minimumSizeHint().width()
    choose(setup, "gabor", "orientations=16,wavelengths=3,size=7")
    # The summary names the whole spec ("gabor:orientations=16,wavelengths=3,size=7,norm=l2"),
    # wrapped in the panel: the setup keeps within the scroll area's margin of 24 px.
    assert "orientations=16," in setup.bank_summary.text()
    assert setup.minimumSizeHint().width() <= before + 24


def test_the_bank_is_remembered_as_typed(window, qtbot, tmp_path):
    choose(window.setup, "gabor", "orientations=99")
    window.save_settings()
    again = make_window(qtbot, tmp_path)
    assert again.setup.bank_combo.currentData() == "gabor"
    assert again.setup.bank_params_edit.text() == "orientations=99"
    assert not again.setup.run_button.isEnabled()
    choose(window.setup, "dct", "count=6")
    window.save_settings()
    again = make_window(qtbot, tmp_path)
    assert again.setup.bank_spec() == "dct:count=6"
    assert again.setup.bank_preview.kernel_count() == 6


def test_a_bad_parameter_disables_run_with_the_parsers_message(window, synthetic_data_dir):
    configure(window, synthetic_data_dir)
    setup = window.setup
    label = setup.error_labels["kernel_bank"]
    for params, message in (("orientations=99", "orientations must be from 1 to 64, got 99"),
                            ("size=4", "size must be odd"),
                            ("colour=red", "takes KEY=VALUE parameters")):
        choose(setup, "gabor", params)
        assert not setup.run_button.isEnabled() and not window.run_action.isEnabled()
        assert label.isVisible() and message in label.text()
        assert label.text().startswith("Kernel bank gabor") and "\n" not in label.text()
        assert setup.bank_params_edit.styleSheet() != ""
        assert setup.bank_preview.kernel_count() == 0
    setup.bank_params_edit.setText("orientations=3")
    assert setup.run_button.isEnabled() and label.isHidden()
    assert setup.bank_params_edit.styleSheet() == ""
    assert setup.bank_preview.kernel_count() == 3


@pytest.mark.parametrize(("name", "params", "count", "size"), [
    ("sobel", "", 4, 3), ("laplacian", "size=5", 2, 5), ("dct", "count=9", 9, 5),
    ("random-normal", "count=5,size=7", 5, 7), ("gabor", "orientations=6", 6, 5),
])
def test_the_preview_shows_each_kernel_of_the_chosen_bank(window, name, params, count, size):
    setup = window.setup
    choose(setup, name, params)
    preview = setup.bank_preview
    assert preview.kernel_count() == count
    spec = f"{name}:{params}" if params else name
    expected = banks.resolve(spec, int(setup.seed_edit.text()))[1]
    for k in range(count):
        np.testing.assert_allclose(preview.kernel_values(k), expected[k], rtol=1e-6)
    low, high = preview.levels()
    assert low == -high and high == pytest.approx(np.abs(expected).max(), rel=1e-6)
    assert f" {size}×{size} kernels, values " in setup.bank_summary.text()


def test_byhand_previews_the_editors_kernels_and_a_bank_can_be_edited(window):
    setup, editor = window.setup, window.kernel_panel.editor
    assert setup.bank_preview.kernel_count() == 4
    np.testing.assert_array_equal(setup.bank_preview.kernel_values(2), byhand.REPORT_KERNELS[2])
    editor.count_spin.setValue(6)
    assert setup.bank_preview.kernel_count() == 6
    assert editor.current_kernels().shape == (6, 5, 5)

    choose(setup, "scharr")
    setup.bank_edit_button.click()
    assert setup.bank_combo.currentData() == "byhand"
    np.testing.assert_allclose(editor.current_kernels(), banks.resolve("scharr")[1])
    assert editor.real_mode and window.tabs.currentWidget() is window.kernel_panel
    assert setup.bank_preview.kernel_count() == 4
    np.testing.assert_allclose(setup.bank_preview.kernel_values(0), banks.resolve("scharr")[1][0])


def test_a_file_bank_and_a_learned_bank(window, synthetic_data_dir, monkeypatch, tmp_path):
    configure(window, synthetic_data_dir)
    setup = window.setup
    path = tmp_path / "mine.json"
    values = np.linspace(-1, 1, 3 * 49).reshape(3, 7, 7)
    byhand.save_kernels(path, values, any_bank=True)
    choose(setup, "file")
    assert not setup.run_button.isEnabled()
    assert "choose a JSON kernel file" in setup.error_labels["kernel_bank"].text()
    setup.bank_path_edit.setText(str(path))
    assert setup.bank_preview.kernel_count() == 3
    config = run_config(window, monkeypatch)
    assert config.kernel_bank == str(path)
    np.testing.assert_allclose(config.byhand_kernels(), values, rtol=1e-6)

    stored = write_kernel_study(tmp_path / "learn", networks=("NetA1-DT", "NetA2-HT"))
    choose(setup, "learned")
    setup.bank_path_edit.setText(str(stored.folder))
    assert not setup.run_button.isEnabled()
    assert "finished" in setup.error_labels["kernel_bank"].text()
    finish(stored)
    setup.bank_path_edit.setText("")
    setup.bank_path_edit.setText(str(stored.folder))
    combo = setup.bank_network_combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["NetA1-DT", "NetA2-HT"]
    assert combo.currentText() == "NetA1-DT" and setup.bank_seed_combo.currentText() == "0"
    combo.setCurrentIndex(1)
    final = stored.stored_weights("NetA2-HT", "final")
    config = run_config(window, monkeypatch)
    assert config.kernel_bank == f"learned:{stored.folder}:NetA2-HT:0"
    np.testing.assert_array_equal(banks.conv_kernel(config.byhand_kernels()),
                                  final["conv1/kernel"])
    np.testing.assert_array_equal(config.kernel_bias, final["conv1/bias"])
    assert setup.bank_preview.kernel_count() == 4
    assert "conv1 bias" in setup.bank_summary.text()


# --- the editor -------------------------------------------------------------------------------


def test_real_mode_keeps_a_typed_value_and_0_1_mode_toggles(window, qtbot):
    editor = window.kernel_panel.editor
    qtbot.mouseClick(editor.cell_button(0, 2, 2), Qt.MouseButton.LeftButton)
    assert editor.current_kernels()[0, 2, 2] == 0.0 and editor.cell_button(0, 2, 2).text() == "0"
    qtbot.mouseClick(editor.cell_button(0, 2, 2), Qt.MouseButton.LeftButton)
    assert editor.current_kernels()[0, 2, 2] == 1.0

    editor.real_radio.click()
    assert editor.real_mode
    cell = editor.cell_edit(1, 0, 3)
    cell.selectAll()
    qtbot.keyClicks(cell, "-0.375")
    qtbot.keyClick(cell, Qt.Key.Key_Return)
    assert editor.current_kernels()[1, 0, 3] == pytest.approx(-0.375)
    assert editor.cell_edit(1, 0, 3).text() == "-0.375"
    assert window.kernel_panel.kernels_problem() == ""
    np.testing.assert_allclose(window.setup.bank_preview.kernel_values(1)[0, 3], -0.375)
    cell.selectAll()
    qtbot.keyClicks(cell, "abc")
    qtbot.keyClick(cell, Qt.Key.Key_Return)
    assert editor.current_kernels()[1, 0, 3] == pytest.approx(-0.375) and cell.text() == "-0.375"

    # Back in 0/1 mode the real value is marked, and a click makes it a 1.
    editor.binary_radio.click()
    assert "only 0 and 1" in editor.validation_label.text()
    qtbot.mouseClick(editor.cell_button(1, 0, 3), Qt.MouseButton.LeftButton)
    assert editor.current_kernels()[1, 0, 3] == 1.0


def test_count_and_size_reshape_the_editor(window):
    editor = window.kernel_panel.editor
    editor.size_spin.setValue(3)
    kernels = editor.current_kernels()
    assert kernels.shape == (4, 3, 3)
    np.testing.assert_array_equal(kernels, byhand.REPORT_KERNELS[:, 1:4, 1:4])
    editor.count_spin.setValue(5)
    assert editor.current_kernels().shape == (5, 3, 3)
    assert editor.cell_button(4, 1, 1).text() == "1" and editor.ones_text(4) == "1 ones of 9"
    editor.size_spin.setValue(7)
    assert editor.current_kernels().shape == (5, 7, 7)
    assert editor.current_kernels()[0, 0].tolist() == [0] * 7


def test_saved_kernels_are_a_file_the_command_line_reads(window, tmp_path):
    editor = window.kernel_panel.editor
    editor.set_real_mode(True)
    editor.count_spin.setValue(6)
    editor.size_spin.setValue(3)
    editor.set_value(5, 0, 0, 0.125)
    editor.set_value(2, 2, 1, -3.5)
    edited = editor.current_kernels()
    path = tmp_path / "edited.json"
    assert editor.save_to_file(path)
    text, kernels, bias = resolve_bank(str(path))  # what `--kernels edited.json` uses
    assert text == str(path) and bias is None
    np.testing.assert_array_equal(kernels, edited)
    assert json.loads(path.read_text())["format"] == byhand.FILE_FORMAT

    editor.reset_to_report()
    assert not editor.real_mode and editor.current_kernels().shape == (4, 5, 5)
    assert editor.load_from_file(path)
    assert editor.real_mode and np.array_equal(editor.current_kernels(), edited)
    assert editor.cell_edit(2, 2, 1).text() == "-3.5"

    # The report's 0/1 kernels load back as toggles.
    byhand.save_kernels(tmp_path / "report.json", byhand.REPORT_KERNELS)
    assert editor.load_from_file(tmp_path / "report.json") and not editor.real_mode


# --- the bank of each study -------------------------------------------------------------------


def test_the_studies_tab_and_the_study_shown_name_the_bank(window, qtbot, tmp_path,
                                                          monkeypatch):
    root = tmp_path / "library"
    sobel = write_kernel_study(root, networks=("NetA1-HF",), bank="sobel").folder
    old = write_kernel_study(root, networks=("NetA1-HF",)).folder
    panel = StudiesPanel(studies_root=lambda: root)
    qtbot.addWidget(panel)
    panel.show()
    with qtbot.waitSignal(panel.sig_listed, timeout=LISTING_MS):
        panel.refresh()
    column = COLUMNS.index("bank")
    assert panel.model.headerData(column, Qt.Orientation.Horizontal) == "kernels"
    names = panel.shown_names()
    cells = {name: panel.proxy.index(row, column).data() for row, name in enumerate(names)}
    assert cells == {sobel.name: "sobel", old.name: "byhand"}
    panel.filter_edit.setText("sobel")
    assert panel.shown_names() == [sobel.name]

    assert window.open_study_folder(sobel)
    box = window.setup.study_box
    assert box.texts()["Kernel bank"] == "sobel:size=3,norm=l2 (four 3×3 kernels)"
    box.use_button.click()
    assert window.setup.bank_combo.currentData() == "sobel"
    assert window.setup.bank_params_edit.text() == ""
    assert window.setup.bank_preview.kernel_count() == 4
    assert window.open_study_folder(old)
    assert box.texts()["Kernel bank"] == "byhand (the report's)"
