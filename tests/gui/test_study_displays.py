"""What the window shows of the study on screen: its own settings, its own status, fresh axes
and notes, and networks that ended early — each once a wrong display."""

from __future__ import annotations

import sys

import pyqtgraph as pg
import pytest

import gui.worker
from gui.figures.style import comparison_figure
from gui.panels.setup import SetupPanel
from study.analysis.comparisons import comparison_by_key
from study.config import StudyConfig
from study.folder.writer import StudyWriter
from study.protocol.backends import DeviceInfo
from study.protocol.events import EpochResult
from study.state import StudyState

TF_DATA = "Fashion-MNIST IDX files in /data: 6000 train / 1000 test"


def write_study(root, config: StudyConfig, done=None, state="finished",
                backend="tensorflow", dataset=TF_DATA):
    """A study folder with `done[network]` epochs per network (all of them by default)."""
    writer = StudyWriter.create(root, config)
    done = done or {n: config.epochs for n in config.networks}
    for network in config.networks:
        for epoch in range(1, done[network] + 1):
            writer.append_epoch(network, EpochResult(epoch, 1.0 / epoch, 1.5 / epoch,
                                                     0.4 + epoch / 100, 1.25, 0.25))
    writer.write_summary()
    writer.write_status(state=state, backend=backend, device="cpu", dataset=dataset)
    return writer.folder


def report_head_study(root):
    """The report's settings: 60 epochs, report head, no shuffle, full data, on TensorFlow."""
    config = StudyConfig(networks=("NetA1-HF", "NetA2-HF"), epochs=60, head="report",
                         shuffle=False, backend="tensorflow", seed=3)
    return write_study(root, config, done={"NetA1-HF": 2, "NetA2-HF": 2}, state="stopped")


def test_an_opened_study_shows_its_own_settings_and_they_can_be_reused(window, tmp_path):
    setup = window.setup
    setup.epochs_edit.setText("3")
    setup.train_limit_edit.setText("6000")
    folder = report_head_study(tmp_path / "studies")
    assert window.open_study_folder(folder)

    box = setup.study_box
    assert box.isVisible() and box.texts()["Study"] == f"{folder.name} (stopped)"
    shown = box.texts()
    assert shown["Head"] == "report (the report's flawed head)"
    assert shown["Shuffle"] == "no (stored order)"
    assert shown["Epochs"] == "60"
    assert shown["Train images"] == "all 60,000" and shown["Test images"] == "all 10,000"
    assert shown["Backend"] == "tensorflow" and shown["Seed"] == "3"
    assert shown["Mode"] == "sequential" and shown["Kernel bank"] == "byhand (the report's)"
    assert shown["Data"] == TF_DATA
    # Read-only: the next run's fields keep what the user typed until asked.
    assert setup.epochs_edit.text() == "3"

    box.use_button.click()
    config = setup.config()
    assert (config.head, config.shuffle, config.epochs, config.train_limit, config.seed) == (
        "report", False, 60, None, 3)
    assert config.networks == ("NetA1-HF", "NetA2-HF")
    assert config.backend == "tensorflow"


def test_the_status_bar_describes_the_opened_study_not_the_setup(window, tmp_path):
    window.setup.set_backend("jax")
    folder = report_head_study(tmp_path / "studies")
    assert window.open_study_folder(folder)
    # Editing the setup for the next run does not relabel the study shown.
    window.setup.data_edit.setText(str(tmp_path))
    window.setup.set_backend("torch")
    window.setup.epochs_edit.setText("5")
    assert window.backend_label.text() == "Backend: tensorflow"
    assert window.device_label.text() == "Device: cpu"
    assert window.dataset_label.text() == f"Data: {TF_DATA}"


def test_the_device_note_names_the_backend_now_chosen(qtbot):
    panel = SetupPanel(probe_devices=False)
    qtbot.addWidget(panel)
    panel.set_backend("torch")
    panel._on_devices("torch", [DeviceInfo("cpu", "CPU")])
    assert panel.device_note.text() == "torch finds no GPU; training runs on the CPU"
    panel._on_devices("jax", [DeviceInfo("cpu", "CPU"), DeviceInfo("gpu:0", "H200")])
    assert "torch" in panel.device_note.text()  # jax's answer waits until jax is chosen
    panel.set_backend("jax")
    assert panel.device_note.text() == "jax finds 1 GPU(s)"
    panel.set_backend("torch")
    assert panel.device_note.text().startswith("torch finds no GPU")
    panel.set_backend("tensorflow")
    assert panel.backend() != "tensorflow" or panel.device_note.text() == ""


def _failing_child(monkeypatch, code="import sys; print('error: no data', file=sys.stderr); "
                                     "sys.exit(2)"):
    monkeypatch.setattr(gui.worker, "study_command", lambda config, out: [
        sys.executable, "-c", code])


def test_a_network_stopped_mid_run_is_marked_in_the_summary_and_the_figures(window, tmp_path):
    config = StudyConfig(networks=("NetA1-HF", "NetA2-HF"), epochs=3)
    folder = write_study(tmp_path / "studies", config, done={"NetA1-HF": 3, "NetA2-HF": 1},
                         state="stopped")
    assert window.open_study_folder(folder)
    rows = {row[0]: row for row in window.summary.texts()}
    assert rows["NetA2-HF"][3] == "41.00 % (stopped at epoch 1 of 3)"
    assert rows["NetA1-HF"][3] == "43.00 %"
    assert "not final" in window.summary.item(1, 3).toolTip()
    compare = window.compare_panel
    compare.show_comparison("architecture-HF")
    epochs = {compare.comparison_table.item(r, 0).text(): compare.comparison_table.item(r, 1)
              for r in range(compare.comparison_table.rowCount())}
    assert epochs["NetA2-HF"].toolTip() == ("NetA2-HF (stopped at epoch 1 of 3): its final "
                                            "accuracy is not final")
    assert epochs["NetA1-HF"].toolTip() == ""

    widget = comparison_figure(StudyState.from_folder(folder), comparison_by_key("recovery"))
    legends = [item for item in widget.scene().items() if isinstance(item, pg.LegendItem)]
    labels = [label.text for legend in legends for _sample, label in legend.items]
    widget.deleteLater()
    assert "NetA2-HF (stopped at epoch 1 of 3)" in labels and "NetA1-HF" in labels


@pytest.mark.parametrize("which", ["finished", "running"])
def test_the_live_summary_marks_only_networks_that_ended_early(window, which):
    from study.protocol.events import EpochEnded, NetworkFinished, StudyFinished, StudyStarted

    window.model.start_run(StudyConfig(networks=("NetA1-HF", "NetA2-HF"), epochs=3))
    window._on_event(StudyStarted("/tmp/x", "torch", "cpu", ["NetA1-HF", "NetA2-HF"], 3, 64,
                                  16, 1))
    window._on_event(EpochEnded("NetA1-HF", 1, 1.0, 1.0, 0.5, 1.0, 0.1))
    window._on_event(NetworkFinished("NetA1-HF", 1, 0.5, 1, 0.5, 1.0, 1.0))
    if which == "finished":
        window._on_event(StudyFinished("/tmp/x", "stopped"))
    assert window.summary.texts()[0][3] == "50.00 % (stopped at epoch 1 of 3)"


def test_a_live_run_fills_every_panel_without_reading_its_folder(window, tmp_path, monkeypatch):
    import pathlib

    import numpy as np

    import study.state
    from study.protocol.events import (
        EpochEnded,
        InitIdentity,
        KernelsUpdated,
        NetworkFinished,
        NetworkStarted,
        SharedEpochTimed,
        StudyStarted,
    )

    folder = tmp_path / "studies" / "study-live"
    folder.mkdir(parents=True)
    read = []

    def no_reading(*args, **_kwargs):
        read.append(args)
        raise AssertionError("the study folder was read during the run")

    real_read_text = pathlib.Path.read_text
    monkeypatch.setattr(study.state, "read_folder", no_reading)
    monkeypatch.setattr(study.state, "open_study", no_reading)
    monkeypatch.setattr(pathlib.Path, "read_text", lambda self, *a, **k: no_reading(self)
                        if str(self).startswith(str(folder)) else real_read_text(self, *a, **k))
    networks = ["NetA1-HF", "NetA1-HT"]
    window.model.start_run(StudyConfig(networks=tuple(networks), epochs=2, mode="all-at-once"))
    window._on_event(StudyStarted(str(folder), "jax", "cpu", networks, 2, 64, 16, 1, "synthetic"))
    window._on_event(InitIdentity([("NetA1: |conv1 HF - conv1 HT|", 0.0)]))
    conv1 = np.zeros((5, 5, 1, 4), np.float32)
    for index, network in enumerate(networks):
        window._on_event(NetworkStarted(network, index, 2))
        window._on_event(KernelsUpdated(network, 0, conv1.tolist()))
    for epoch in (1, 2):
        for network in networks:
            window._on_event(EpochEnded(network, epoch, 1.0, 1.0, 0.3 * epoch, 1.0, 0.1))
            window._on_event(KernelsUpdated(network, epoch, (conv1 + epoch).tolist()))
        window._on_event(SharedEpochTimed(epoch, 2.0, 0.2))
    for network in networks:
        window._on_event(NetworkFinished(network, 2, 0.6, 2, 0.6, 1.0, 2.0))
    window.compare_panel.rebuild()
    assert read == []
    assert window.summary.networks() == networks
    assert "shared wall time 00:04.00" in window.summary.note.text()
    assert window.kernel_panel.network_kernels("NetA1-HT").epoch == 2
    assert window.compare_panel.drawn_networks() == networks
    assert window.compare_panel.identity_table.rowCount() == 1
    assert window.dataset_label.text() == "Data: synthetic"
    assert window.setup.study_box.texts()["Mode"] == "all-at-once"
