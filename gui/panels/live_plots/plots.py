"""Live plots: test accuracy, test loss and train loss per epoch, one curve per network.

The data lives in the StudyModel's state; a change marks a curve dirty and a timer draws it, so
the redraw rate never follows the event rate; each curve is created once, then setData.
A multi-seed study draws each network's mean over its seeds with a shaded band (the 95 % CI of
the mean, or min–max) and, on request, every seed as a faint line.

Smoothing (TensorBoard's debiased EMA, gui.smoothing) draws the smoothed line with the raw points
kept faint beside it; the band edges and seed lines are smoothed alike, so the band stays around
the line it belongs to. Hovering a point names network, seed (or the mean of n seeds), epoch and
the value (and the smoothed value when smoothing is on).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from gui.colors import BAND_ALPHA, BAND_EDGE_ALPHA, SEED_LINE_ALPHA, network_color
from gui.panels.live_plots.constants import (
    LEGEND_SPACING,
    PLOTS,
    RAW_ALPHA,
    REDRAW_INTERVAL_MS,
    SMOOTHING_TIP,
    SPREAD_TIP,
    SPREADS,
    _faded,
)
from gui.panels.live_plots.hover import PlotHover
from gui.smoothing import MAX_WEIGHT, ema
from gui.study_model import StudyModel


class LivePlots(PlotHover, QWidget):
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
        controls.setContentsMargins(0, 0, 0, 0)
        self.seeds_label = QLabel()
        self.spread_combo = QComboBox()
        for spread, text in SPREADS:
            self.spread_combo.addItem(text, spread)
        self.spread_combo.setToolTip(SPREAD_TIP)
        self.spread_combo.currentIndexChanged.connect(self._on_display_changed)
        self.seed_lines_box = QCheckBox("Single seeds")
        self.seed_lines_box.setToolTip("Draw every seed's curve as a faint line")
        self.seed_lines_box.toggled.connect(self._on_display_changed)
        controls.addWidget(self.seeds_label)
        controls.addWidget(QLabel("Band:"))
        controls.addWidget(self.spread_combo)
        controls.addWidget(self.seed_lines_box)
        self.seed_controls.hide()
        # Smoothing and the hover read-out: for every study.
        self.smoothing_slider = QSlider(Qt.Orientation.Horizontal)
        self.smoothing_slider.setRange(0, int(round(100 * MAX_WEIGHT)))
        self.smoothing_slider.setValue(0)
        self.smoothing_slider.setFixedWidth(90)
        self.smoothing_slider.setToolTip(SMOOTHING_TIP)
        self.smoothing_label = QLabel()
        self.smoothing_label.setToolTip(SMOOTHING_TIP)
        self.smoothing_label.setMinimumWidth(self.smoothing_label.fontMetrics().horizontalAdvance(
            "0.00 (off)"))
        self.smoothing_slider.valueChanged.connect(self._on_smoothing_changed)
        self.hover_label = QLabel()
        self.hover_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Never widens the window: a long read-out is cut, not the layout stretched.
        self.hover_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.hover_label.setMinimumHeight(self.hover_label.fontMetrics().height() + 2)
        self.hover_label.setContentsMargins(4, 0, 4, 0)
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 0, 4, 0)
        bar.addWidget(self.seed_controls)
        smoothing_title = QLabel("Smoothing:")
        smoothing_title.setToolTip(SMOOTHING_TIP)
        bar.addWidget(smoothing_title)
        bar.addWidget(self.smoothing_slider)
        bar.addWidget(self.smoothing_label)
        bar.addStretch(1)
        outer.addLayout(bar)
        self._show_smoothing_label()
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
        # The hovered point's values, under the plots (also drawn beside the point).
        outer.addWidget(self.hover_label)
        # The legend in a strip of its own above the plots: inside a small plot its six
        # entries would cover the curves.
        self.legend_view = pg.GraphicsLayoutWidget()
        self.legend_view.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.legend_view.setBackground(None)
        self.legend_view.ci.setContentsMargins(0, 0, 0, 0)
        self.legend = pg.LegendItem(frame=False, labelTextSize="8pt", horSpacing=LEGEND_SPACING)
        self.legend.layout.setContentsMargins(4, 0, 4, 0)
        self.legend_view.ci.addItem(self.legend, row=0, col=0)
        self.legend_view.ci.layout.setColumnStretchFactor(1, 1)
        self.legend_view.ci.addLabel("", row=0, col=1)
        self.legend_view.installEventFilter(self)
        outer.insertWidget(outer.indexOf(self.hover_label), self.legend_view)
        self.legend.hide()
        self.legend_view.hide()
        self._curves: dict[tuple[str, str], pg.PlotDataItem] = {}
        # (network, column) -> (low edge, high edge, fill) of the seed band
        self._bands: dict[tuple[str, str], tuple[pg.PlotCurveItem, pg.PlotCurveItem,
                                                 pg.FillBetweenItem]] = {}
        # (network, seed, column) -> one seed's faint line
        self._seed_lines: dict[tuple[str, int, str], pg.PlotDataItem] = {}
        # (network, column) -> the faint raw points beside a smoothed line
        self._raw: dict[tuple[str, str], pg.PlotDataItem] = {}
        # column -> the read-out drawn next to the hovered point
        self._hover_texts: dict[str, pg.TextItem] = {}
        self.hovered: tuple[str, str, int] | None = None  # (network, column, epoch)
        for column, plot in self.plots.items():
            text = pg.TextItem(color="#202020", fill=pg.mkBrush(255, 255, 255, 225),
                               border=pg.mkPen("#999999"), anchor=(0, 1))
            font = text.textItem.font()
            font.setPointSizeF(max(7.0, font.pointSizeF() - 1))
            text.setFont(font)
            text.setZValue(100)
            text.hide()
            plot.addItem(text, ignoreBounds=True)
            self._hover_texts[column] = text
            plot.scene().sigMouseMoved.connect(
                lambda pos, column=column: self.hover_at(column, pos))
            # The scene sees no move once the pointer has left: the read-out goes then.
            plot.installEventFilter(self)
        self._networks: list[str] = []
        # The x axis is pinned to epoch 1 while a study has only its first epoch.
        self._pinned_one_epoch = False
        self._dirty: set[str] = set()
        self.redraws = 0
        self._timer = QTimer(self)
        self._timer.setInterval(REDRAW_INTERVAL_MS)
        self._timer.timeout.connect(self.redraw)
        self._timer.start()
        self._empty_axes()
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

    def smoothing(self) -> float:
        """The EMA weight of the curves (0: not smoothed)."""
        return self.smoothing_slider.value() / 100.0

    def set_smoothing(self, weight: float) -> None:
        """Smooth the curves with EMA weight `weight` (0 … 0.99; 0 turns smoothing off)."""
        self.smoothing_slider.setValue(int(round(100 * min(max(weight, 0.0), MAX_WEIGHT))))

    def _show_smoothing_label(self) -> None:
        weight = self.smoothing()
        self.smoothing_label.setText(f"{weight:.2f}" if weight else "0 (off)")

    def _on_smoothing_changed(self, _value: int) -> None:
        self._show_smoothing_label()
        smoothed = self.smoothing() > 0
        for curve in self._curves.values():
            # A smoothed line is a line; its raw points are drawn faint beside it.
            curve.setSymbol(None if smoothed else "o")
        self._on_display_changed()

    def _smooth(self, values: np.ndarray) -> np.ndarray:
        weight = self.smoothing()
        return ema(values, weight) if weight else values

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
        for (_network, column), raw in self._raw.items():
            self.plots[column].removeItem(raw)
        self._raw.clear()
        self.clear_hover()
        self._bands.clear()
        self._seed_lines.clear()
        self.legend.clear()
        self.legend.hide()
        self.legend_view.hide()
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
        self._empty_axes()
        state = self.model.state
        seeds = state.seeds
        self.seed_controls.setVisible(len(seeds) > 1)
        # Short, so the controls fit a small window; the seeds themselves are in the tooltip.
        self.seeds_label.setText(f"Mean of {len(seeds)} seeds." if len(seeds) > 1 else "")
        self.seeds_label.setToolTip(f"seeds {', '.join(map(str, seeds))}" if len(seeds) > 1
                                    else "")
        with_epochs = [n for n in state.networks if state.seeds_of(n)]
        networks = state.networks if state.live else with_epochs
        self.set_networks(networks)
        self._dirty.update(with_epochs)
        self.redraw()

    def _empty_axes(self) -> None:
        """Before any data the accuracy axis reads 0–100 %, not pyqtgraph's empty 0–1; auto-range
        stays on, so the first points take over."""
        self._pinned_one_epoch = False
        accuracy = self.plots["test_accuracy"].getPlotItem().getViewBox()
        accuracy.setYRange(0.0, 100.0, padding=0.0)
        accuracy.enableAutoRange(y=True)

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
        self.legend_view.show()
        for column, *_ in PLOTS:
            curve = pg.PlotDataItem(
                name=network, pen=pg.mkPen(color, width=2), symbol="o", symbolSize=5,
                symbolBrush=color, symbolPen=color,
            )
            if self.smoothing() > 0:
                curve.setSymbol(None)
            # The legend draws its sample from the scatter's own style, which pyqtgraph sets only
            # once data arrives; set it now so a network still waiting looks right.
            curve.scatter.setPen(pg.mkPen(color))
            curve.scatter.setBrush(pg.mkBrush(color))
            curve.scatter.setSize(5)
            self.plots[column].addItem(curve)
            self._curves[network, column] = curve
            if column == "test_accuracy":
                self.legend.addItem(curve, network)
        self._arrange_legend()

    def _arrange_legend(self) -> None:
        """As many entries to a row as the strip's width holds; the strip as tall as its rows."""
        entries = len(self.legend.items)
        if not entries:
            return
        widest = max(sample.boundingRect().width() + label.boundingRect().width()
                     for sample, label in self.legend.items) + 2 * LEGEND_SPACING
        columns = max(1, min(entries, int(max(self.legend_view.width(), 200) // widest)))
        self.legend.setColumnCount(columns)
        self.legend.layout.activate()
        self.legend_view.setFixedHeight(int(self.legend.layout.preferredHeight()) + 2)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if watched is self.legend_view and event.type() == QEvent.Type.Resize:
            self._arrange_legend()
        elif event.type() == QEvent.Type.Leave and watched in self.plots.values():
            self.clear_hover()
        return super().eventFilter(watched, event)

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

    def _raw_points(self, network: str, column: str) -> pg.PlotDataItem:
        raw = self._raw.get((network, column))
        if raw is None:
            faded = _faded(network_color(network), RAW_ALPHA)
            raw = pg.PlotDataItem(pen=pg.mkPen(faded, width=1), symbol="o", symbolSize=4,
                                  symbolBrush=faded, symbolPen=None)
            raw.setZValue(-3)
            self.plots[column].addItem(raw)
            self._raw[network, column] = raw
        return raw

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
        smoothed = self.smoothing() > 0
        smooth = self._smooth
        for network in self._dirty:
            for column, _title, _unit, scale in PLOTS:
                if not multi:
                    epochs, values = state.curve(network, column)
                    x, raw_values = epochs.astype(float), values * scale
                else:
                    band = state.curve_band(network, column, spread)
                    x, raw_values = band.epochs.astype(float), band.mean * scale
                self._curves[network, column].setData(x, smooth(raw_values))
                if smoothed:
                    self._raw_points(network, column).setData(x, raw_values)
                if (network, column) in self._raw:
                    self._raw[network, column].setVisible(smoothed)
                if not multi:
                    continue
                low, high, fill = self._band(network, column)
                low.setData(x, smooth(band.low * scale))
                high.setData(x, smooth(band.high * scale))
                for item in (low, high, fill):
                    item.setVisible(len(x) > 0)
                for seed in state.seeds_of(network):
                    line = self._seed_line(network, seed, column)
                    if show_seeds:
                        epochs, values = state.curve(network, column, seed)
                        line.setData(epochs.astype(float), smooth(values * scale))
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
            view = plot.getPlotItem().getViewBox()
            if last == 1 and view.autoRangeEnabled()[0]:
                # One epoch is one point: auto-range would widen it to −1…3; show epoch 1 alone.
                view.setXRange(0.5, 1.5, padding=0.0)
                self._pinned_one_epoch = True
            elif last > 1 and self._pinned_one_epoch:
                view.enableAutoRange(x=True)
        if last > 1:
            self._pinned_one_epoch = False
