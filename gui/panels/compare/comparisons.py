"""The compare panel's Comparisons tab: the three comparisons of docs/study.md#comparisons
(Inset, Architecture, Recovery) as curves and a table."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from gui.colors import (
    INCOMPLETE_COLOR,
    NOTE_STYLE,
    REFERENCE_TEXT_COLOR,
    network_color,
)
from gui.figures.style import CURVE_COLUMNS, draw_comparison, seeds_note, set_epoch_ticks
from gui.panels.compare.cells import (
    EPOCHS_COLUMN,
    REPORT_COLUMNS,
    SEEDS_COLUMN,
    TABLE_HEADERS,
    TIME_COLUMNS,
    _fit_height,
    _item,
    _read_only_table,
    _swatch,
    comparison_cells,
    comparison_tips,
    table_headers,
)
from gui.table_fit import ColumnFitter
from study.analysis.comparisons import COMPARISONS, comparison_by_key, comparison_table
from study.analysis.timing import ISOLATED_ESTIMATE_TEXT, is_isolated_estimate, shared_timing_note


class ComparisonsTab:
    """The Comparisons tab (mixed into ComparePanel)."""

    def _build_comparisons_tab(self) -> QWidget:
        tab = QWidget()
        self.view_selector = QComboBox()
        for comparison in COMPARISONS:
            self.view_selector.addItem(comparison.title, comparison.key)
            self.view_selector.setItemData(self.view_selector.count() - 1, comparison.question,
                                           Qt.ItemDataRole.ToolTipRole)
        self.view_selector.setToolTip("Which networks to compare")
        self.view_selector.currentIndexChanged.connect(self._on_view_changed)
        self.question_label = QLabel()
        self.question_label.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("Compare:"))
        top.addWidget(self.view_selector)
        top.addWidget(self.question_label, 1)

        plots = QWidget()
        plots_layout = QHBoxLayout(plots)
        plots_layout.setContentsMargins(0, 0, 0, 0)
        self.accuracy_plot = pg.PlotWidget()
        self.loss_plot = pg.PlotWidget()
        titles = ("Test accuracy", "Loss (solid: test, dashed: train)")
        for plot, title, (_column, axis_title, _scale) in zip(
            (self.accuracy_plot, self.loss_plot), titles, CURVE_COLUMNS, strict=True
        ):
            plot.setTitle(title)
            plot.setLabel("bottom", "epoch")
            plot.setLabel("left", axis_title)
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.getPlotItem().getViewBox().setDefaultPadding(0.04)
            plot.getAxis("left").enableAutoSIPrefix(False)
            plots_layout.addWidget(plot)
        self.legend = self.accuracy_plot.addLegend(offset=(-6, -6))
        self.legend.setLabelTextSize("9pt")

        self.comparison_table = _read_only_table(len(TABLE_HEADERS), TABLE_HEADERS)
        self.comparison_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Stretch)
        for column in REPORT_COLUMNS:
            self.comparison_table.horizontalHeaderItem(column).setToolTip(
                "The report's figure, for reference; its head was flawed and its "
                "hardware unknown")
        self.comparison_table.horizontalHeaderItem(SEEDS_COLUMN).setToolTip(
            "Seeds averaged: with several, each figure is their mean ± the half-width of its "
            "95 % Student-t interval")
        self.comparison_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # In a narrow window the columns keep their widths and the table scrolls sideways.
        self.comparison_columns = ColumnFitter(self.comparison_table, after=_fit_height)
        self.timing_label = QLabel()
        self.timing_label.setWordWrap(True)
        self.timing_label.setStyleSheet(NOTE_STYLE)
        self.timing_label.hide()
        layout = QVBoxLayout(tab)
        layout.addLayout(top)
        layout.addWidget(plots, 1)
        layout.addWidget(self.comparison_table)
        layout.addWidget(self.timing_label)
        return tab

    def current_comparison(self):
        """The comparison the view selector shows."""
        return comparison_by_key(self.view_selector.currentData())

    def show_comparison(self, key: str) -> None:
        """Select a comparison by key (e.g. "recovery")."""
        self.view_selector.setCurrentIndex(self.view_selector.findData(key))

    def _on_view_changed(self, _index: int) -> None:
        self._show_comparison()

    def _show_comparison(self) -> None:
        comparison = self.current_comparison()
        note = seeds_note(self.stored)
        self.question_label.setText(f"{comparison.question} ({note})" if note
                                    else comparison.question)
        for plot in (self.accuracy_plot, self.loss_plot):
            plot.clear()
        self.legend.clear()
        for plot in (self.accuracy_plot, self.loss_plot):
            plot.getPlotItem().enableAutoRange()
        self._comparison_drawn = draw_comparison(
            self.accuracy_plot.getPlotItem(), self.loss_plot.getPlotItem(), self.stored,
            comparison, legend=self.legend)
        if self._comparison_drawn:
            last = max(int(self.stored.curve(n, "test_accuracy")[0].max())
                       for n in self._comparison_drawn)
            for plot in (self.accuracy_plot, self.loss_plot):
                set_epoch_ticks(plot.getAxis("bottom"), last)
        status = self.model.state.status
        isolated = is_isolated_estimate(status)
        self.comparison_table.setHorizontalHeaderLabels(list(table_headers(isolated)))
        for column in TIME_COLUMNS:
            self.comparison_table.horizontalHeaderItem(column).setToolTip(
                ISOLATED_ESTIMATE_TEXT if isolated else "")
        self.timing_label.setText(shared_timing_note(
            status, getattr(self.model.state.config, "timing_rounds", None)))
        self.timing_label.setVisible(isolated)
        table = comparison_table(comparison, self._rows)
        self.comparison_table.setRowCount(len(table))
        for r, row in enumerate(table):
            missing = row["peak_test_accuracy"] is None
            tips = comparison_tips(row)
            for c, text in enumerate(comparison_cells(row)):
                tip = "not in this study" if missing and c not in (0, *REPORT_COLUMNS) else ""
                item = _item(text, tip or tips.get(c, ""))
                if c == 0:
                    item.setIcon(_swatch(network_color(row["network"])))
                    item.setTextAlignment(Qt.AlignmentFlag.AlignLeft
                                          | Qt.AlignmentFlag.AlignVCenter)
                    if missing:
                        item.setToolTip(f"{row['network']} has no results in this study")
                if c in REPORT_COLUMNS:
                    item.setForeground(QColor(REFERENCE_TEXT_COLOR))
                elif c == EPOCHS_COLUMN and not missing:
                    note = self.model.state.incomplete_note(row["network"])
                    if note:
                        item.setForeground(QColor(INCOMPLETE_COLOR))
                        item.setToolTip(f"{row['network']} {note}: its final accuracy is not "
                                        "final")
                self.comparison_table.setItem(r, c, item)
        self.comparison_columns.fit()

    def drawn_networks(self) -> list[str]:
        """Networks whose curves the comparison plots show."""
        return list(self._comparison_drawn)

    def plotted_curve(self, network: str, column: str) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) of a network's curve as drawn ("test_accuracy" in %, "test_loss",
        "train_loss"); empty arrays if the network is not drawn."""
        curve = self._comparison_drawn.get(network, {}).get(column)
        if curve is None:
            return np.array([]), np.array([])
        x, y = curve.getData()
        return np.asarray(x), np.asarray(y)
