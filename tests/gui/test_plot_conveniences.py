"""The live plots' conveniences: hover read-out of a point, and EMA smoothing with the raw points
kept faint (bands and seed lines smoothed alike)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF

from gui.panels.live_plots import LivePlots
from gui.smoothing import ema
from study.protocol.events import EpochEnded
from study.state import StudyState, open_study
from tests.known_study import SEEDS, write_known_seeded_study, write_known_study


def epoch(network, number, accuracy, loss=1.0, seed=0):
    """An EpochEnded event with the given accuracy and losses."""
    return EpochEnded(network, number, loss, loss * 2, accuracy, 1.0, 0.5, seed=seed)


def shown_plots(qtbot, plots=None) -> LivePlots:
    plots = plots or LivePlots()
    qtbot.addWidget(plots)
    plots.resize(1200, 420)
    plots.show()
    qtbot.waitExposed(plots)
    return plots


def scene_point(plots, column, x, y):
    """Where the data point (x, y) of `column`'s plot is on its scene."""
    view = plots.plots[column].getPlotItem().getViewBox()
    return view.mapViewToScene(QPointF(x, y))


def hover(plots, column, x, y, dx=0.0):
    """Move the pointer over the data point (x, y), `dx` pixels to its right."""
    pos = scene_point(plots, column, x, y) + QPointF(dx, 0)
    plots.plots[column].scene().sigMouseMoved.emit(pos)


def test_ema_is_tensorboards_debiased_average():
    values = np.array([1.0, 2.0, 3.0, np.nan, 4.0])
    assert list(ema(values, 0.0)[[0, 1, 2, 4]]) == [1.0, 2.0, 3.0, 4.0]
    smoothed = ema(values, 0.5)
    # last: 0.5, 1.25, 2.125, (skipped), 3.0625; debiased by 1 - 0.5^n.
    assert smoothed[0] == pytest.approx(1.0)
    assert smoothed[1] == pytest.approx(1.25 / 0.75)
    assert smoothed[2] == pytest.approx(2.125 / 0.875)
    assert np.isnan(smoothed[3])
    assert smoothed[4] == pytest.approx(3.0625 / 0.9375)


def test_hovering_a_point_shows_network_seed_epoch_and_value(qtbot):
    plots = shown_plots(qtbot)
    for number, accuracy in enumerate((0.5, 0.7, 0.6), start=1):
        plots.add_epoch(epoch("NetA1-HF", number, accuracy, loss=1 / number))
        plots.add_epoch(epoch("NetA2-DT", number, accuracy + 0.2))
    plots.redraw()
    qtbot.wait(20)
    hover(plots, "test_accuracy", 2, 70.0, dx=4)
    expected = "NetA1-HF · seed 0 · epoch 2 · Test accuracy: 70.00 %"
    assert plots.hover_label.text() == expected
    assert plots.hovered == ("NetA1-HF", "test_accuracy", 2)
    text = plots._hover_texts["test_accuracy"]
    assert text.isVisible() and "epoch 2" in text.toPlainText()
    hover(plots, "train_loss", 3, 1 / 3)
    assert plots.hover_label.text() == "NetA1-HF · seed 0 · epoch 3 · Train loss: 0.3333"
    assert not plots._hover_texts["test_accuracy"].isVisible()
    # Far from every point: nothing.
    hover(plots, "test_accuracy", 1.5, 90.0)
    assert plots.hover_label.text() == "" and plots.hovered is None


def test_smoothing_draws_the_ema_and_keeps_the_raw_points_faint(qtbot):
    plots = shown_plots(qtbot)
    accuracies = (0.5, 0.8, 0.6, 0.9)
    for number, accuracy in enumerate(accuracies, start=1):
        plots.add_epoch(epoch("NetA1-HT", number, accuracy))
    plots.redraw()
    raw = np.array(accuracies) * 100
    assert plots.smoothing() == 0.0 and plots.smoothing_label.text() == "0 (off)"
    assert list(plots.drawn_points("NetA1-HT", "test_accuracy")[1]) == pytest.approx(raw)
    assert plots.raw_points("NetA1-HT", "test_accuracy")[0].size == 0

    plots.smoothing_slider.setValue(60)
    assert plots.smoothing_label.text() == "0.60"
    _, smoothed = plots.drawn_points("NetA1-HT", "test_accuracy")
    assert list(smoothed) == pytest.approx(ema(raw, 0.6))
    x, kept = plots.raw_points("NetA1-HT", "test_accuracy")
    assert list(x) == [1, 2, 3, 4] and list(kept) == pytest.approx(raw)
    faint = plots._raw["NetA1-HT", "test_accuracy"]
    assert faint.opts["pen"].color().alpha() < 128
    assert plots.curve("NetA1-HT", "test_accuracy").opts["symbol"] is None
    # Hover names the raw value and the smoothed one.
    qtbot.wait(20)
    hover(plots, "test_accuracy", 2, raw[1])
    text = plots.hover_label.text()
    assert text.startswith("NetA1-HT · seed 0 · epoch 2 · Test accuracy: 80.00 %")
    assert f"smoothed (0.60): {ema(raw, 0.6)[1]:.2f} %" in text
    # New epochs are smoothed as they come; back to 0 shows the raw curve again.
    plots.add_epoch(epoch("NetA1-HT", 5, 0.7))
    plots.redraw()
    assert len(plots.drawn_points("NetA1-HT", "test_accuracy")[1]) == 5
    plots.set_smoothing(0)
    assert list(plots.drawn_points("NetA1-HT", "test_accuracy")[1]) == pytest.approx(
        [*raw, 70.0])
    assert plots.raw_points("NetA1-HT", "test_accuracy")[0].size == 0
    assert plots.curve("NetA1-HT", "test_accuracy").opts["symbol"] == "o"


def test_smoothing_follows_the_bands_and_the_seed_lines(qtbot, tmp_path):
    plots = shown_plots(qtbot)
    plots.model.set_state(StudyState.from_folder(write_known_seeded_study(tmp_path / "studies")))
    network = plots.networks()[0]
    assert plots.multi_seed()
    plots.set_seed_lines_shown(True)
    _x, low, high = plots.band(network, "test_accuracy")
    plots.set_smoothing(0.5)
    _, mean = plots.drawn_points(network, "test_accuracy")
    _x, smooth_low, smooth_high = plots.band(network, "test_accuracy")
    assert list(smooth_low) == pytest.approx(ema(low, 0.5))
    assert list(smooth_high) == pytest.approx(ema(high, 0.5))
    assert np.all(smooth_low <= mean + 1e-9) and np.all(mean <= smooth_high + 1e-9)
    state = plots.model.state
    for seed, (_x, line) in plots.seed_lines(network, "test_accuracy").items():
        _e, values = state.curve(network, "test_accuracy", seed)
        assert list(line) == pytest.approx(ema(values * 100, 0.5))
    # Hover over a mean names the seeds and the band.
    qtbot.wait(20)
    x, y = plots.drawn_points(network, "test_accuracy")
    hover(plots, "test_accuracy", x[1], y[1])
    text = plots.hover_label.text()
    assert text.startswith(f"{network} · mean of {len(SEEDS)} seeds · epoch 2 · Test accuracy: ")
    assert " · 95 % CI " in text and "smoothed (0.50)" in text


def test_a_stored_study_is_smoothed_too(qtbot, tmp_path):
    stored = open_study(write_known_study(tmp_path / "studies"))
    plots = shown_plots(qtbot)
    plots.set_smoothing(0.3)
    plots.show_study(stored)
    _, drawn = plots.drawn_points("NetA1-HF", "test_accuracy")
    assert list(drawn) == pytest.approx(ema(np.array([50.0, 60.0, 55.0]), 0.3))
