"""Live plots: test accuracy, test loss and train loss per epoch, one curve per network.

The data lives in the StudyModel's state; a change marks a curve dirty and a timer draws it, so
the redraw rate never follows the event rate; each curve is created once, then setData.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QWidget

from gui.colors import network_color
from gui.study_model import StudyModel

# (metrics column, plot title, y-axis label, scale applied to the stored value)
PLOTS = (
    ("test_accuracy", "Test accuracy", "%", 100.0),
    ("test_loss", "Test loss", "cross-entropy", 1.0),
    ("train_loss", "Train loss", "cross-entropy", 1.0),
)
REDRAW_INTERVAL_MS = 125


class LivePlots(QWidget):
    """Three overlaid per-epoch plots with a legend, drawn from a StudyModel's state."""

    def __init__(self, parent: QWidget | None = None, model: StudyModel | None = None):
        super().__init__(parent)
        self.model = model if model is not None else StudyModel(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
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

    def _remove_curves(self) -> None:
        for (_network, column), curve in self._curves.items():
            self.plots[column].removeItem(curve)
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
        networks = state.networks if state.live else state.networks_with_epochs()
        self.set_networks(networks)
        self._dirty.update(state.networks_with_epochs())
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

    def _on_curves_changed(self, network: str, seed: int) -> None:
        if seed == self.model.state.first_seed or not self.model.state.seeds:
            self._ensure(network)
            self._dirty.add(network)

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
        for network in self._dirty:
            for column, _title, _unit, scale in PLOTS:
                epochs, values = state.curve(network, column)
                self._curves[network, column].setData(epochs.astype(float), values * scale)
        self._dirty.clear()
        self._fit_epoch_ticks()
        self.redraws += 1

    def _fit_epoch_ticks(self) -> None:
        # Epochs are whole numbers: with few of them, pyqtgraph's automatic ticks show halves.
        state = self.model.state
        last = max((state.epochs_done(n) for n in self._networks), default=0)
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
