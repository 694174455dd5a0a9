"""The Studies tab's comparison: the chosen studies' curves overlaid (one line style per study,
the usual colour per network) and each network's peak and final accuracy with the differences
(study.analysis.multi_compare reads and compares; gui.figures.overlay draws)."""

from __future__ import annotations

import html
import math

from PySide6.QtCore import QEvent, Qt, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.colors import ERROR_COLOR, INCOMPLETE_COLOR, NOTE_STYLE, TEXT_COLOR, network_color
from gui.figures.style import set_epoch_ticks
from study.analysis.formats import MISSING, interval_text, mean_ci_text, signed_text
from study.analysis.multi_compare import (
    CompareError,
    MultiComparison,
    compare_studies,
    load_studies,
)

ALL_NETWORKS = "All networks"
COMPARE_HEADERS = ("Network", "Study", "Seeds", "Epochs", "Peak test acc.", "Final test acc.",
                   "Δ peak vs first (pt)", "Δ final vs first (pt)", "Δ interval", "Note")
NOTE_COLUMN = COMPARE_HEADERS.index("Note")
# The legend strip above the plots: its margins (left, top, right, bottom) and the room
# between a sample line and its label.
LEGEND_MARGINS = (6, 2, 6, 2)
LEGEND_SPACING = 14
EMPTY_COMPARE = "Select two or more studies and press Compare (Ctrl-click to select several)."


class StudiesComparison:
    """The comparison half of the Studies panel (mixed into StudiesPanel, a QWidget that has
    `sig_compared` and `selected_paths`)."""

    def _build_compare_view(self) -> QWidget:
        import pyqtgraph as pg

        widget = QWidget()
        layout = QVBoxLayout(widget)
        layout.setContentsMargins(0, 0, 0, 0)
        self.compare_title = QLabel(EMPTY_COMPARE)
        self.compare_title.setWordWrap(True)
        self.settings_label = QLabel()
        self.settings_label.setWordWrap(True)
        self.settings_label.setTextFormat(Qt.TextFormat.RichText)
        self.network_selector = QComboBox()
        self.network_selector.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.network_selector.setMinimumContentsLength(len(ALL_NETWORKS))
        self.network_selector.currentIndexChanged.connect(self._redraw)
        row = QHBoxLayout()
        row.addWidget(self.compare_title, 1)
        row.addWidget(QLabel("Curves of:"))
        row.addWidget(self.network_selector)
        self.accuracy_plot = pg.PlotWidget(title="Test accuracy")
        self.accuracy_plot.setLabel("left", "test accuracy (%)")
        self.loss_plot = pg.PlotWidget(title="Test loss")
        self.loss_plot.setLabel("left", "loss (cross-entropy)")
        for plot in (self.accuracy_plot, self.loss_plot):
            plot.setLabel("bottom", "epoch")
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.getAxis("left").enableAutoSIPrefix(False)
        # The legend in a strip of its own above both plots: inside a plot its k + 6 entries
        # would cover the curves (and be cut off at the plot's bottom).
        self.legend_view = pg.GraphicsLayoutWidget()
        self.legend_view.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.legend_view.ci.setContentsMargins(0, 0, 0, 0)
        self.legend_view.ci.setSpacing(0)
        # One row (or more) of the studies' line styles, then the networks' colours.
        self.legend, self.network_legend = (
            pg.LegendItem(frame=False, labelTextColor=TEXT_COLOR, horSpacing=LEGEND_SPACING,
                          labelTextSize="10pt") for _ in range(2))
        for legend_row, legend in enumerate(self.legends()):
            legend.layout.setContentsMargins(*LEGEND_MARGINS)
            self.legend_view.ci.addItem(legend, row=legend_row, col=0)
        self.legend_view.ci.layout.setColumnStretchFactor(1, 1)
        self.legend_view.ci.addLabel("", row=0, col=1, rowspan=2)
        self.legend_view.setVisible(False)
        self.legend_view.installEventFilter(self)
        side_by_side = QHBoxLayout()
        side_by_side.addWidget(self.accuracy_plot)
        side_by_side.addWidget(self.loss_plot)
        plots = QVBoxLayout()
        plots.setContentsMargins(0, 0, 0, 0)
        plots.setSpacing(0)
        plots.addWidget(self.legend_view)
        plots.addLayout(side_by_side, 1)
        self.compare_table = QTableWidget(0, len(COMPARE_HEADERS))
        self.compare_table.setHorizontalHeaderLabels(COMPARE_HEADERS)
        self.compare_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.compare_table.verticalHeader().setVisible(False)
        # Compact rows: two studies × six networks fit without scrolling at the default size.
        self.compare_table.verticalHeader().setDefaultSectionSize(
            self.compare_table.fontMetrics().height() + 6)
        self.compare_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.compare_table.horizontalHeader().setStretchLastSection(True)
        self.compare_note = QLabel(
            "Peak, final: mean over the seeds ± half its 95 % t interval. Δ: study − first, "
            "95 % interval paired by seed where they share ≥ 2 seeds, else Welch; none with "
            "one seed.")
        self.compare_note.setToolTip(
            "Paired by seed: the Student-t interval of the per-seed differences over the seeds "
            "both studies ran (a seed fixes the initial tensors and the batch order). Welch: "
            "the unequal-variance t interval of two independent samples, when they share "
            "fewer than 2 seeds and each has ≥ 2.")
        self.compare_note.setStyleSheet(NOTE_STYLE)
        self.compare_note.setWordWrap(True)
        lower = QSplitter(Qt.Orientation.Vertical)
        plots_widget = QWidget()
        plots_widget.setLayout(plots)
        table_widget = QWidget()
        table_layout = QVBoxLayout(table_widget)
        table_layout.setContentsMargins(0, 0, 0, 0)
        # The differing settings above the table, which keeps the whole width for its columns.
        table_layout.addWidget(self.settings_label)
        table_layout.addWidget(self.compare_table, 1)
        table_layout.addWidget(self.compare_note)
        lower.addWidget(plots_widget)
        lower.addWidget(table_widget)
        lower.setSizes([400, 460])
        layout.addLayout(row)
        layout.addWidget(lower, 1)
        return widget

    # ----- comparing ----------------------------------------------------------------------
    @Slot()
    def compare_selected(self) -> bool:
        """Compare the selected studies; False (with the reason shown) if they cannot be."""
        return self.compare_paths(self.selected_paths())

    def compare_paths(self, paths) -> bool:
        """Compare these study folders (the first is the baseline)."""
        try:
            comparison = compare_studies(load_studies(paths))
        except CompareError as exc:
            self._show_compare_error(str(exc))
            return False
        except Exception as exc:  # noqa: BLE001 - a damaged study must never crash the app
            self._show_compare_error(f"{type(exc).__name__}: {exc}")
            return False
        self.show_comparison(comparison)
        return True

    def _show_compare_error(self, message: str) -> None:
        self.comparison = None
        self.compare_title.setText(f"Cannot compare: {message}")
        self.compare_title.setStyleSheet(f"color: {ERROR_COLOR};")
        self.settings_label.setText("")
        self.compare_table.setRowCount(0)
        self._clear_plots()

    def show_comparison(self, comparison: MultiComparison) -> None:
        """Show a comparison: curves, differing settings and the per-network table."""
        from gui.figures.overlay import style_word

        self.comparison = comparison
        self.compare_title.setStyleSheet("")
        self.compare_title.setText("Comparing " + "; ".join(
            f"<b>{html.escape(s.label)}</b> ({style_word(i)})"
            for i, s in enumerate(comparison.studies)))
        self.settings_label.setText(settings_html(comparison))
        self.network_selector.blockSignals(True)
        self.network_selector.clear()
        self.network_selector.addItem(ALL_NETWORKS, "")
        for network in comparison.networks:
            self.network_selector.addItem(network, network)
        self.network_selector.blockSignals(False)
        self._fill_table(comparison)
        self._redraw()
        self.sig_compared.emit()

    def _clear_plots(self) -> None:
        self.accuracy_plot.clear()
        self.loss_plot.clear()
        for legend in self.legends():
            legend.clear()
        self.legend_view.setVisible(False)
        self.drawn = {}

    def _redraw(self, *_args) -> None:
        from gui.figures.overlay import draw_overlay

        self._clear_plots()
        if self.comparison is None:
            return
        chosen = self.network_selector.currentData()
        networks = [chosen] if chosen else self.comparison.networks
        accuracy = draw_overlay(self.accuracy_plot, self.comparison.studies, networks,
                                "test_accuracy", 100.0)
        loss = draw_overlay(self.loss_plot, self.comparison.studies, networks, "test_loss", 1.0)
        self.drawn = {"test_accuracy": accuracy, "test_loss": loss}
        self._fill_legend(networks)
        last_epoch = max((int(max(c.getData()[0])) for c in accuracy.values()
                          if c.getData()[0] is not None and len(c.getData()[0])), default=1)
        for plot in (self.accuracy_plot, self.loss_plot):
            set_epoch_ticks(plot.getAxis("bottom"), last_epoch)

    def _fill_legend(self, networks) -> None:
        """One entry per study (its line style, in grey) and, with several networks, one per
        network (its colour): k + 6 entries instead of k × 6."""
        import pyqtgraph as pg

        from gui.figures.overlay import line_style

        self._legend_items = []
        for index in range(len(self.comparison.studies)):
            item = pg.PlotDataItem(pen=pg.mkPen("#404040", width=2, style=line_style(index)))
            self._legend_items.append(item)
            self.legend.addItem(item, self.comparison.legend_label(index))
        if len(networks) > 1:
            for network in networks:
                item = pg.PlotDataItem(pen=pg.mkPen(network_color(network), width=3))
                self._legend_items.append(item)
                self.network_legend.addItem(item, network)
        self.legend_view.setVisible(True)
        self._arrange_legend()

    def legends(self) -> tuple:
        """The legend of the studies' line styles and that of the networks' colours."""
        return self.legend, self.network_legend

    def _arrange_legend(self) -> None:
        """Each legend with as many entries to a row as the strip's width holds; the strip as
        tall as their rows."""
        left, top, right, bottom = LEGEND_MARGINS
        width = max(self.legend_view.width(), 200) - left - right
        height = 0
        for legend in self.legends():
            entries = len(legend.items)
            if not entries:
                continue
            # A column: sample, spacing, label, spacing (each as wide as the widest entry).
            widest = max(sample.boundingRect().width() + label.boundingRect().width()
                         for sample, label in legend.items) + 2 * LEGEND_SPACING + 4
            columns = max(1, min(entries, int(width // widest)))
            legend.setColumnCount(columns)
            row_height = max(max(sample.boundingRect().height(), label.boundingRect().height())
                             for sample, label in legend.items)
            height += math.ceil(entries / columns) * row_height + top + bottom
        self.legend_view.setFixedHeight(int(math.ceil(height)) + 2)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        # The strip's width is known only once it is laid out: arrange the legend then.
        if watched is self.legend_view and event.type() == QEvent.Type.Resize:
            self._arrange_legend()
        return super().eventFilter(watched, event)

    def legend_labels(self) -> list[str]:
        """The legend's entries, in order."""
        return [label.text for legend in self.legends() for _sample, label in legend.items]

    def show_network(self, network: str) -> None:
        """Draw only `network`'s curves ("" for all)."""
        index = self.network_selector.findData(network)
        self.network_selector.setCurrentIndex(max(index, 0))

    def _fill_table(self, comparison: MultiComparison) -> None:
        differences = {(d["network"], d["study"], d["measure"]): d
                       for d in comparison.differences}
        table = self.compare_table
        # Network by network, the studies in their order, so each network's figures sit together.
        order = {label: i for i, label in enumerate(comparison.labels)}
        networks = {name: i for i, name in enumerate(comparison.networks)}
        rows = sorted(comparison.rows, key=lambda r: (networks[r["network"]], order[r["study"]]))
        table.setRowCount(len(rows))
        notes = False
        for r, row in enumerate(rows):
            peak = differences.get((row["network"], row["study"], "peak_test_accuracy"))
            final = differences.get((row["network"], row["study"], "final_test_accuracy"))
            epochs = f"{row['epochs_done']}/{row['epochs_planned']}"
            caveats = "; ".join(dict.fromkeys(
                d["caveat"] for d in (peak, final) if d and d["caveat"]))
            notes = notes or bool(caveats)
            cells = [row["network"], row["study"], str(row["n_seeds"]), epochs,
                     mean_ci(row["peak_test_accuracy"], row["peak_ci_low"],
                             row["peak_ci_high"]),
                     mean_ci(row["final_test_accuracy"], row["final_ci_low"],
                             row["final_ci_high"]),
                     difference_text(peak) if peak else "baseline",
                     difference_text(final) if final else "baseline",
                     (peak or final or {}).get("method", ""), caveats]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 0:
                    item.setForeground(QColor(network_color(row["network"])))
                if c == 3 and row["epochs_done"] < row["epochs_planned"]:
                    item.setForeground(QColor(INCOMPLETE_COLOR))
                table.setItem(r, c, item)
        # Without a caveat the Note column would only take the room the others need.
        table.setColumnHidden(NOTE_COLUMN, not notes)

    def table_texts(self) -> list[list[str]]:
        """The comparison table's cells as text, row by row."""
        table = self.compare_table
        return [[table.item(r, c).text() for c in range(table.columnCount())]
                for r in range(table.rowCount())]

    def drawn_curves(self, column: str = "test_accuracy") -> dict:
        """{(study label, network): curve} of the plot of `column`."""
        return dict(self.drawn.get(column, {}))


def mean_ci(mean, low, high) -> str:
    """"91.20 %" or "91.20 ± 0.35 %" (accuracy, in points); "—" when missing."""
    return mean_ci_text(mean, low, high, scale=100.0, unit="%")


def difference_text(row: dict) -> str:
    """"+0.40 [−0.10, +0.90]" or "+0.40" (one seed), in points; "—" without a difference."""
    text = signed_text(row.get("difference"), scale=100.0)
    if text != MISSING and row.get("ci_low") is not None:
        text += " " + interval_text(row["ci_low"], row.get("ci_high"), scale=100.0)
    return text


def settings_html(comparison: MultiComparison) -> str:
    """The settings that differ, one line each: "head: report (solid) · softmax (dashed)"."""
    from gui.figures.overlay import style_word

    if not comparison.settings:
        return "<i>The studies' settings are the same.</i>"
    lines = [f"<b>{html.escape(key)}</b>: " + " · ".join(
        f"{html.escape(value) or '—'} ({style_word(i)})" for i, value in enumerate(values))
        for key, values in comparison.settings]
    return "Settings that differ — " + "<br>".join(lines)
