"""Live plots: test accuracy, test loss and train loss per epoch, one curve per network.

The data lives in the StudyModel's state; a change marks a curve dirty and a timer draws it, so
the redraw rate never follows the event rate; each curve is created once, then setData.
A multi-seed study draws each network's mean over its seeds with a shaded band (the 95 % CI of
the mean, or min–max) and, on request, every seed as a faint line.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from gui.colors import BAND_ALPHA, BAND_EDGE_ALPHA, SEED_LINE_ALPHA, network_color
from gui.study_model import StudyModel
from study.state import CI, MIN_MAX

# (metrics column, plot title, y-axis label, scale applied to the stored value)
PLOTS = (
    ("test_accuracy", "Test accuracy", "%", 100.0),
    ("test_loss", "Test loss", "cross-entropy", 1.0),
    ("train_loss", "Train loss", "cross-entropy", 1.0),
)
REDRAW_INTERVAL_MS = 125
SPREADS = ((CI, "95 % CI of the mean"), (MIN_MAX, "min – max of the seeds"))
SPREAD_TIP = ("The shaded band around each network's mean over its seeds: the 95 % Student-t "
              "interval of the mean, or the lowest and highest seed")


def _faded(color: str, alpha: int) -> QColor:
    faded = QColor(color)
    faded.setAlpha(alpha)
    return faded


class LivePlots(QWidget):
    """Three overlaid per-epoch plots with a legend, drawn from a StudyModel's state."""

    def __init__(self, parent: QWidget | None = None, model: StudyModel | None = None):
        super().__init__(parent)
        self.model = model if model is not None else StudyModel(self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        # Seed controls: shown only for a study of several seeds.
        self.seed_controls = QWidget()
        controls = QHBoxLayout(self.seed_controls)
        controls.setContentsMargins(4, 0, 4, 0)
        self.seeds_label = QLabel()
        self.spread_combo = QComboBox()
        for spread, text in SPREADS:
            self.spread_combo.addItem(text, spread)
        self.spread_combo.setToolTip(SPREAD_TIP)
        self.spread_combo.currentIndexChanged.connect(self._on_display_changed)
        self.seed_lines_box = QCheckBox("Show single seeds")
        self.seed_lines_box.setToolTip("Draw every seed's curve as a faint line")
        self.seed_lines_box.toggled.connect(self._on_display_changed)
        controls.addWidget(self.seeds_label)
        controls.addWidget(QLabel("Band:"))
        controls.addWidget(self.spread_combo)
        controls.addWidget(self.seed_lines_box)
        controls.addStretch(1)
        self.seed_controls.hide()
        outer.addWidget(self.seed_controls)
        layout = QHBoxLayout()
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        outer.addLayout(layout, 1)
        self.plots: dict[str, pg.PlotWidget] = {}
        for column, title, unit, _scale in PLOTS:
            plot = pg.PlotWidget()
            plot.setTitle(title)
            plot.setLabel("bottom", "epoch")
            plot.setLabel("left", unit)
            # Not SI units: pyqtgraph would otherwise relabel the axis "(x0.001)".
            plot.getAxis("left").enableAutoSIPrefix(False)
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.getPlotItem().getViewBox().setDefaultPadding(0.04)
            plot.getAxis("bottom").setStyle(tickTextOffset=4)
            self.plots[column] = plot
            layout.addWidget(plot)
        self.legend = self.plots["test_accuracy"].addLegend(
            offset=(-6, -6), brush=pg.mkBrush(255, 255, 255, 210), pen=pg.mkPen("#bbbbbb"))
        self.legend.setLabelTextSize("8pt")
        self.legend.hide()
        self._curves: dict[tuple[str, str], pg.PlotDataItem] = {}
        # (network, column) -> (low edge, high edge, fill) of the seed band
        self._bands: dict[tuple[str, str], tuple[pg.PlotCurveItem, pg.PlotCurveItem,
                                                 pg.FillBetweenItem]] = {}
        # (network, seed, column) -> one seed's faint line
        self._seed_lines: dict[tuple[str, int, str], pg.PlotDataItem] = {}
        self._networks: list[str] = []
        self._dirty: set[str] = set()
        self.redraws = 0
        self._timer = QTimer(self)
        self._timer.setInterval(REDRAW_INTERVAL_MS)
        self._timer.timeout.connect(self.redraw)
        self._timer.start()
        self.model.sig_reset.connect(self._on_reset)
        self.model.sig_curves_changed.connect(self._on_curves_changed)

    def networks(self) -> list[str]:
        """Networks that have curves, in the order they were added."""
        return list(self._networks)

    def spread(self) -> str:
        """What the band shows: CI ("ci") or MIN_MAX ("min-max")."""
        return self.spread_combo.currentData()

    def set_spread(self, spread: str) -> None:
        """Show the 95 % CI (CI) or min–max (MIN_MAX) band."""
        self.spread_combo.setCurrentIndex(self.spread_combo.findData(spread))

    def set_seed_lines_shown(self, shown: bool) -> None:
        """Draw (or hide) every seed's curve as a faint line."""
        self.seed_lines_box.setChecked(shown)

    def multi_seed(self) -> bool:
        """The study shown has several seeds: means, bands and seed lines are drawn."""
        return len(self.model.state.seeds) > 1

    def _on_display_changed(self, *_args) -> None:
        self._dirty.update(self._networks)
        self.redraw()

    def _remove_curves(self) -> None:
        for (_network, column), curve in self._curves.items():
            self.plots[column].removeItem(curve)
        for (_network, column), items in self._bands.items():
            for item in items:
                self.plots[column].removeItem(item)
        for (_network, _seed, column), line in self._seed_lines.items():
            self.plots[column].removeItem(line)
        self._bands.clear()
        self._seed_lines.clear()
        self.legend.clear()
        self.legend.hide()
        self._curves.clear()
        self._networks.clear()
        self._dirty.clear()

    def clear(self) -> None:
        """Show no study (the model is cleared)."""
        self.model.clear()

    def _on_reset(self) -> None:
        # A new study: old curves go, and the axes fit the new data (a zoom of the last study
        # must not hide the new one).
        self._remove_curves()
        for plot in self.plots.values():
            plot.getPlotItem().enableAutoRange()
        state = self.model.state
        seeds = state.seeds
        self.seed_controls.setVisible(len(seeds) > 1)
        self.seeds_label.setText(f"Mean of {len(seeds)} seeds ({', '.join(map(str, seeds))})."
                                 if len(seeds) > 1 else "")
        with_epochs = [n for n in state.networks if state.seeds_of(n)]
        networks = state.networks if state.live else with_epochs
        self.set_networks(networks)
        self._dirty.update(with_epochs)
        self.redraw()

    def set_networks(self, networks) -> None:
        """Create the curves of `networks` (once each), so the legend lists them in order."""
        for network in networks:
            self._ensure(network)

    def _ensure(self, network: str) -> None:
        if network in self._networks:
            return
        color = network_color(network)
        self._networks.append(network)
        self.legend.show()
        for column, *_ in PLOTS:
            curve = pg.PlotDataItem(
                name=network, pen=pg.mkPen(color, width=2), symbol="o", symbolSize=5,
                symbolBrush=color, symbolPen=color,
            )
            # The legend draws its sample from the scatter's own style, which pyqtgraph sets only
            # once data arrives; set it now so a network still waiting looks right.
            curve.scatter.setPen(pg.mkPen(color))
            curve.scatter.setBrush(pg.mkBrush(color))
            curve.scatter.setSize(5)
            # Only the accuracy plot has a legend; PlotItem.addItem lists named curves in it.
            self.plots[column].addItem(curve)
            self._curves[network, column] = curve

    def _on_curves_changed(self, network: str, _seed: int) -> None:
        self._ensure(network)
        self._dirty.add(network)

    def _band(self, network: str, column: str):
        # Made once, the first time a multi-seed study draws the network; under the mean.
        items = self._bands.get((network, column))
        if items is None:
            color = network_color(network)
            edge = pg.mkPen(_faded(color, BAND_EDGE_ALPHA), width=1)
            low, high = pg.PlotCurveItem(pen=edge), pg.PlotCurveItem(pen=edge)
            fill = pg.FillBetweenItem(low, high, brush=pg.mkBrush(_faded(color, BAND_ALPHA)))
            for item in (low, high, fill):
                item.setZValue(-10)
                self.plots[column].addItem(item)
            items = self._bands[network, column] = (low, high, fill)
        return items

    def _seed_line(self, network: str, seed: int, column: str) -> pg.PlotDataItem:
        line = self._seed_lines.get((network, seed, column))
        if line is None:
            line = pg.PlotDataItem(pen=pg.mkPen(_faded(network_color(network), SEED_LINE_ALPHA),
                                                width=1))
            line.setZValue(-5)
            self.plots[column].addItem(line)
            self._seed_lines[network, seed, column] = line
        return line

    def add_epoch(self, event) -> None:
        """Apply one EpochEnded event to the model; the timer draws it."""
        self.model.apply(event)

    def show_study(self, stored) -> None:
        """Show a stored study's curves (replacing what is shown)."""
        self.model.show_stored(stored)

    def redraw(self) -> None:
        """Push changed data into the curves (called by the timer)."""
        if not self._dirty:
            return
        state = self.model.state
        multi = self.multi_seed()
        spread = self.spread()
        show_seeds = multi and self.seed_lines_box.isChecked()
        for network in self._dirty:
            for column, _title, _unit, scale in PLOTS:
                if not multi:
                    epochs, values = state.curve(network, column)
                    self._curves[network, column].setData(epochs.astype(float), values * scale)
                    continue
                band = state.curve_band(network, column, spread)
                x = band.epochs.astype(float)
                low, high, fill = self._band(network, column)
                self._curves[network, column].setData(x, band.mean * scale)
                low.setData(x, band.low * scale)
                high.setData(x, band.high * scale)
                for item in (low, high, fill):
                    item.setVisible(len(x) > 0)
                for seed in state.seeds_of(network):
                    line = self._seed_line(network, seed, column)
                    if show_seeds:
                        epochs, values = state.curve(network, column, seed)
                        line.setData(epochs.astype(float), values * scale)
                    line.setVisible(show_seeds)
        self._dirty.clear()
        self._fit_epoch_ticks()
        self.redraws += 1

    def _fit_epoch_ticks(self) -> None:
        # Epochs are whole numbers: with few of them, pyqtgraph's automatic ticks show halves.
        state = self.model.state
        last = max((state.epochs_done(n, s) for n in self._networks for s in state.seeds_of(n)),
                   default=0)
        for plot in self.plots.values():
            axis = plot.getAxis("bottom")
            if last <= 12:
                axis.setTickSpacing(major=1, minor=1)
            else:
                axis.setTickSpacing()

    def curve(self, network: str, column: str) -> pg.PlotDataItem | None:
        """The curve item of a network in one plot (None if it has none)."""
        return self._curves.get((network, column))

    def drawn_points(self, network: str, column: str) -> tuple[np.ndarray, np.ndarray]:
        """(epochs, values) as currently drawn (values scaled as the axis shows them)."""
        curve = self.curve(network, column)
        if curve is None:
            return np.array([]), np.array([])
        x, y = curve.getData()
        if x is None:
            return np.array([]), np.array([])
        return np.asarray(x), np.asarray(y)

    def band(self, network: str, column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(epochs, low, high) of a network's seed band as drawn (empty when none is shown)."""
        items = self._bands.get((network, column))
        if items is None or not items[2].isVisible():
            return np.array([]), np.array([]), np.array([])
        low, high, _fill = items
        x, y_low = low.getData()
        _, y_high = high.getData()
        if x is None:
            return np.array([]), np.array([]), np.array([])
        return np.asarray(x), np.asarray(y_low), np.asarray(y_high)

    def band_items(self, network: str, column: str):
        """The (low edge, high edge, FillBetweenItem) of a network's band, or None."""
        return self._bands.get((network, column))

    def seed_lines(self, network: str, column: str) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """{seed: (epochs, values)} of the single-seed lines shown (empty when hidden)."""
        shown = {}
        for (name, seed, col), line in self._seed_lines.items():
            if name == network and col == column and line.isVisible():
                x, y = line.getData()
                shown[seed] = (np.asarray(x), np.asarray(y))
        return shown
