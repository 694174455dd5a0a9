"""Live plots, progress bar, summary table and setup panel, fed with small fake events."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor

import gui.panels.setup.form as setup_panel_module
from gui.colors import network_color
from gui.panels.live_plots import LivePlots
from gui.panels.progress import TrainingProgress, format_eta
from gui.panels.setup import SetupPanel, device_label, problem_field
from gui.panels.summary import SummaryTable
from study.protocol.backends import BackendStatus, DeviceInfo
from study.protocol.events import (
    BatchProgress,
    EpochEnded,
    NetworkFinished,
    NetworkStarted,
    StudyStarted,
)


def epoch(network, number, accuracy, loss=1.0):
    """An EpochEnded event with the given accuracy and losses."""
    return EpochEnded(network, number, loss, loss * 2, accuracy, 1.0, 0.5)


def test_curves_are_created_once_and_drawn_by_the_timer(qtbot):
    plots = LivePlots()
    qtbot.addWidget(plots)
    plots.set_networks(["NetA1-HF", "NetA2-DT"])
    curve = plots.curve("NetA1-HF", "test_accuracy")
    plots.add_epoch(epoch("NetA1-HF", 1, 0.5))
    # Stored, not drawn: drawing waits for the timer.
    assert len(plots.drawn_points("NetA1-HF", "test_accuracy")[0]) == 0
    qtbot.waitUntil(lambda: len(plots.drawn_points("NetA1-HF", "test_accuracy")[0]) == 1)
    redraws = plots.redraws
    for number in (2, 3):
        plots.add_epoch(epoch("NetA1-HF", number, 0.5 + number / 10, loss=1 / number))
    plots.add_epoch(epoch("NetA2-DT", 1, 0.8))
    qtbot.waitUntil(lambda: len(plots.drawn_points("NetA1-HF", "test_accuracy")[0]) == 3)
    # Three events arrived between two ticks; one redraw drew them all.
    assert plots.redraws == redraws + 1
    assert plots.curve("NetA1-HF", "test_accuracy") is curve
    x, y = plots.drawn_points("NetA1-HF", "test_accuracy")
    assert list(x) == [1, 2, 3] and list(y) == pytest.approx([50.0, 70.0, 80.0])
    assert list(plots.drawn_points("NetA1-HF", "test_loss")[1]) == pytest.approx(
        [2.0, 1.0, 2 / 3])
    for column, plot in plots.plots.items():
        assert len(plot.getPlotItem().listDataItems()) == 2, column
    assert [label.text for _sample, label in plots.legend.items] == ["NetA1-HF", "NetA2-DT"]
    assert QColor(curve.opts["pen"].color()).name() == network_color("NetA1-HF")
    assert QColor(plots.curve("NetA2-DT", "train_loss").opts["pen"].color()).name() == \
        network_color("NetA2-DT")


def test_a_repeated_epoch_is_not_drawn_twice(qtbot):
    plots = LivePlots()
    qtbot.addWidget(plots)
    plots.add_epoch(epoch("NetA1-HT", 1, 0.5))
    plots.add_epoch(epoch("NetA1-HT", 1, 0.5))
    plots.redraw()
    assert list(plots.drawn_points("NetA1-HT", "test_accuracy")[0]) == [1]
    assert plots.legend.isVisible()
    plots.clear()
    assert plots.networks() == [] and plots.legend.items == [] and not plots.legend.isVisible()


def test_progress_shows_network_epoch_batch_and_eta(qtbot):
    bar = TrainingProgress()
    qtbot.addWidget(bar)
    bar.start(StudyStarted("f", "torch", "cpu", ["NetA1-HF", "NetA2-DT"], 5, 64, 16, 8))
    bar.network_started(NetworkStarted("NetA1-HF", 0, 2))
    bar.epoch_done(EpochEnded("NetA1-HF", 5, 1.0, 1.0, 0.5, 4.0, 1.0))
    bar.network_started(NetworkStarted("NetA2-DT", 1, 2))
    bar.batch_done(BatchProgress("NetA2-DT", 3, 4, 8, 2.0))
    # 7 of 10 network-epochs done plus half an epoch: 60 of 80 batches.
    assert bar.value() == 750
    text = bar.text()
    assert "NetA2-DT (2/2)" in text and "epoch 3/5" in text and "batch 4/8" in text
    # 20 batches at 0.5 s, then three evaluations of 1 s (this epoch's and two more).
    assert bar.eta_seconds() == pytest.approx(13.0)
    assert "ETA 0:13" in text
    bar.finish("finished", "Study finished: f")
    assert bar.value() == 1000 and bar.text() == "Study finished: f"


def test_format_eta():
    assert format_eta(0) == "0:00"
    assert format_eta(75.4) == "1:15"
    assert format_eta(3 * 3600 + 62) == "3:01:02"


def test_summary_rows_keep_the_study_order():
    table = SummaryTable()
    table.clear_rows(["NetA1-HF", "NetA1-DT", "NetA2-DT"])
    table.add_row(NetworkFinished("NetA2-DT", 3, 0.8123, 2, 0.8, 3.004, 9.0125))
    table.add_row(NetworkFinished("NetA1-HF", 3, 0.5, 1, 0.45, 1.5, 65.5))
    table.add_row(NetworkFinished("NetA1-HF", 3, 0.51, 3, 0.51, 1.5, 65.5))
    assert table.texts() == [
        ["NetA1-HF", "51.00 %", "3", "51.00 %", "1.50 s", "01:05.50"],
        ["NetA2-DT", "81.23 %", "2", "80.00 %", "3.00 s", "00:09.01"],
    ]


def test_problem_field_and_device_label():
    assert problem_field("epochs must be a whole number") == "epochs"
    assert problem_field("kernels: K1 is all zeros") == "kernels"
    assert problem_field("learning_rate must be a number") == "learning_rate"
    assert device_label(DeviceInfo("cpu", "CPU")) == "CPU"
    assert device_label(DeviceInfo("gpu:1", "NVIDIA H200")) == "GPU 1: NVIDIA H200"


def test_backend_not_installed_is_shown_disabled_with_its_reason(qtbot, monkeypatch):
    reason = "the jax package is not installed (pip install jax)"
    monkeypatch.setattr(setup_panel_module, "available_backends", lambda: [
        BackendStatus("torch", True), BackendStatus("tensorflow", True),
        BackendStatus("jax", False, reason),
    ])
    panel = SetupPanel(probe_devices=False)
    qtbot.addWidget(panel)
    combo = panel.backend_combo
    index = combo.findData("jax")
    item = combo.model().item(index)
    assert not item.isEnabled()
    assert item.toolTip() == reason
    assert combo.itemText(index) == "jax (not installed)"
    panel.set_backend("jax")
    assert panel.backend() == "torch"


def test_device_list_follows_the_backend(qtbot):
    panel = SetupPanel(probe_devices=False)
    qtbot.addWidget(panel)
    assert [panel.device_combo.itemText(i) for i in range(panel.device_combo.count())] == ["CPU"]
    panel.set_backend("torch")
    panel._on_devices("torch", [DeviceInfo("cpu", "CPU"), DeviceInfo("gpu:0", "NVIDIA H200")])
    assert panel.device_combo.itemText(1) == "GPU 0: NVIDIA H200"
    panel.set_device("gpu:0")
    assert panel.config().device == "gpu:0"
    assert panel.device_note.text() == "torch finds 1 GPU(s)"
    # A backend whose GPUs are not known yet offers the CPU only, and keeps the wish for later.
    panel.set_backend("jax")
    assert panel.device() == "cpu"
    panel._on_devices("jax", [DeviceInfo("cpu", "CPU"), DeviceInfo("gpu:0", "H200")])
    assert panel.device() == "gpu:0"
