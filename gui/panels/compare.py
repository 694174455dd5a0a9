"""The compare panel: the comparisons of docs/study.md#comparisons, the report's conclusions as
checks, init identity and confusion matrices, all drawn from the StudyModel's state (never from
the folder during a run; confusion matrices appear once the run has ended and its predictions
are on disk).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gui.colors import (
    CELL_TEXT_COLOR,
    DIFFERS_COLOR,
    DOES_NOT_HOLD_COLOR,
    HOLDS_COLOR,
    IDENTICAL_COLOR,
    INCOMPLETE_COLOR,
    NOT_APPLICABLE_COLOR,
    NOT_RESOLVED_COLOR,
    NOTE_STYLE,
    REFERENCE_TEXT_COLOR,
    network_color,
)
from gui.plot_style import CURVE_COLUMNS, draw_comparison, seeds_note, set_epoch_ticks
from gui.study_model import StudyModel
from gui.table_fit import ColumnFitter
from study.analysis.comparisons import COMPARISONS, comparison_by_key, comparison_table, study_rows
from study.analysis.conclusions import (
    DOES_NOT_HOLD,
    FINAL,
    HOLDS,
    MEASURE_WORDS,
    NOT_APPLICABLE,
    NOT_RESOLVED,
    PEAK,
    TIME,
    conclusion_rows,
    study_conclusions,
)
from study.analysis.formats import (
    ci_tip,
    interval_text,
    mean_ci_text,
    mean_epoch_text,
    p_text,
    signed_text,
)
from study.analysis.identity import identity_table
from study.analysis.timing import ISOLATED_ESTIMATE_TEXT, is_isolated_estimate, shared_timing_note
from study.folder.csvio import StoreError

TABLE_HEADERS = ("Network", "Epochs", "Peak test acc.", "Peak epoch", "Final test acc.",
                 "Time / epoch", "Total (mm:ss.ss)", "Report: peak", "Report: s / epoch",
                 "Report: total", "Seeds")
SEEDS_COLUMN = 10
REPORT_COLUMNS = (7, 8, 9)
# The time columns' titles when the figures are isolated-timing estimates (all-at-once).
ISOLATED_TIME_HEADERS = {5: "Time / epoch\n(isolated est.)", 6: "Total\n(isolated est.)"}
TIME_COLUMNS = tuple(ISOLATED_TIME_HEADERS)
EPOCHS_COLUMN = 1
VERDICT_COLORS = {HOLDS: HOLDS_COLOR, DOES_NOT_HOLD: DOES_NOT_HOLD_COLOR,
                  NOT_RESOLVED: NOT_RESOLVED_COLOR, NOT_APPLICABLE: NOT_APPLICABLE_COLOR}
# The conclusions table: what the report concluded, the verdict here, the numbers of the part
# that decides it (difference of the seed-paired means, its 95 % CI, p, seeds), the caveat; the
# evidence (seed means, every part's numbers) is the verdict's tooltip.
CONCLUSION_HEADERS = ("The report concluded", "In this study", "Measure", "Difference",
                      "95 % CI", "p", "n", "Caveat", "On the report's\nfigures")
CONCLUSION_TIPS = (
    "", "holds: the whole 95 % interval of every part is on the claimed side of 0; does not "
    "hold: some part's interval is wholly on the other side; not resolved: neither (more seeds "
    "may settle it); n.a.: a network it needs has no results",
    "The measure the claim is checked on", "Mean over the seeds of the paired difference of the "
    "part that decides the verdict (accuracy in points, time in seconds)",
    "95 % Student-t interval of that mean (empty with one seed)",
    "Two-sided p-value of a one-sample t test of the paired differences against 0",
    "Seeds paired", "Why the verdict may mislead",
    "The same check on the report's own printed figures (one number each)",
)
(CONCLUSION_COLUMN, VERDICT_COLUMN, MEASURE_COLUMN, DIFFERENCE_COLUMN, CI_COLUMN, P_COLUMN,
 N_COLUMN, CAVEAT_COLUMN, REPORT_VERDICT_COLUMN) = range(9)
MEASURE_SHORT = {PEAK: "peak acc.", FINAL: "final acc.", TIME: "time / epoch"}
# Which accuracy measures the conclusions table checks (the timing claims come with each).
MEASURE_CHOICES = (((PEAK,), "peak test accuracy (the report's)"),
                   ((FINAL,), "final-epoch test accuracy"),
                   ((PEAK, FINAL), "peak and final"))
EMPTY_TEXT = "Open a study (File > Open) or run one to compare its networks."


def _swatch(color: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


def _percent(value) -> str:
    return "—" if value is None else f"{100 * value:.2f} %"


def _item(text: str, tip: str = "", background: str | None = None,
          align=Qt.AlignmentFlag.AlignCenter) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setTextAlignment(align | Qt.AlignmentFlag.AlignVCenter)
    if tip:
        item.setToolTip(tip)
    if background:
        item.setBackground(QColor(background))
        item.setForeground(QColor(CELL_TEXT_COLOR))
    return item


def _read_only_table(columns: int, headers) -> QTableWidget:
    table = QTableWidget(0, columns)
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(True)
    table.verticalHeader().setMinimumSectionSize(24)
    return table


def table_headers(isolated: bool = False) -> tuple[str, ...]:
    """The comparison table's titles; the time columns say when they are isolated estimates."""
    if not isolated:
        return TABLE_HEADERS
    return tuple(ISOLATED_TIME_HEADERS.get(column, text)
                 for column, text in enumerate(TABLE_HEADERS))


def _seeded(row: dict) -> bool:
    return (row.get("n_seeds") or 0) > 1


def comparison_cells(row: dict) -> list[str]:
    """The panel's texts for one comparison-table row (study.analysis.comparisons.TABLE_COLUMNS).

    With several seeds the measured cells are means ± the half-width of their 95 % interval
    and the peak epoch a mean ("12.4"); with one seed they read as they always did.
    """
    measured = row["peak_test_accuracy"] is not None
    if _seeded(row):
        def ci(measure, scale, unit):
            return mean_ci_text(row[measure], row.get(f"{measure}_ci_low"),
                                row.get(f"{measure}_ci_high"), scale=scale, unit=unit)

        peak, final = ci("peak_test_accuracy", 100, "%"), ci("final_test_accuracy", 100, "%")
        peak_epoch, seconds = mean_epoch_text(row["peak_epoch"]), ci("seconds_per_epoch", 1, "s")
    else:
        peak, final = _percent(row["peak_test_accuracy"]), _percent(row["final_test_accuracy"])
        peak_epoch = str(row["peak_epoch"]) if measured else "—"
        seconds = f"{row['seconds_per_epoch']:.2f} s" if measured else "—"
    return [
        row["network"],
        str(row["epochs"]) if row.get("epochs") is not None else ("—" if not measured else ""),
        peak,
        peak_epoch,
        final,
        seconds,
        row["total_time"] or "—",
        f"{100 * row['report_peak_test_accuracy']:.1f} %",
        f"{row['report_seconds_per_epoch']:.2f} s",
        row["report_total_time"],
        str(row.get("n_seeds") or "—") if measured else "—",
    ]


def comparison_tips(row: dict) -> dict[int, str]:
    """Tooltips of a multi-seed comparison row's cells: the intervals and the seeds."""
    if not _seeded(row):
        return {}
    n = row["n_seeds"]
    tips = {}
    for column, measure, scale, unit in ((2, "peak_test_accuracy", 100, "%"),
                                         (4, "final_test_accuracy", 100, "%"),
                                         (5, "seconds_per_epoch", 1, "s")):
        tips[column] = ci_tip(row[measure], row.get(f"{measure}_ci_low"),
                              row.get(f"{measure}_ci_high"), n, scale=scale, unit=unit)
    tips[3] = f"mean over {n} seeds of the epoch that reached the peak"
    tips[6] = f"mean over {n} seeds"
    tips[SEEDS_COLUMN] = f"{n} seeds: {row.get('seeds', '')}"
    return tips


def conclusion_cells(conclusion, report_verdict: str) -> list[str]:
    """The conclusions table's texts for one study.analysis.conclusions.Conclusion
    (CONCLUSION_HEADERS)."""
    part = next((p for p in conclusion.parts if p.label == conclusion.part), None)
    measure = part.measure if part is not None else conclusion.measure
    scale, decimals, unit = (1.0, 3, "s") if measure == TIME else (100.0, 2, "pts")
    return [
        conclusion.conclusion,
        conclusion.verdict,
        MEASURE_SHORT.get(conclusion.measure, conclusion.measure),
        signed_text(conclusion.difference_mean, scale=scale, decimals=decimals, unit=unit),
        interval_text(conclusion.ci_low, conclusion.ci_high, scale=scale, decimals=decimals,
                      unit=unit),
        p_text(conclusion.p_value),
        str(conclusion.n_seeds) if conclusion.n_seeds else "—",
        conclusion.caveat,
        report_verdict,
    ]


def _verdict_tip(conclusion) -> str:
    """The evidence behind a verdict, one part per line."""
    lines = [f"{conclusion.verdict}: {conclusion.conclusion}"]
    if conclusion.part:
        lines.append(f"decided by: {conclusion.part}")
    lines += [f"• {part.label} ({MEASURE_WORDS[part.measure]}): {part.verdict} — "
              f"{part.evidence}" for part in conclusion.parts] or [conclusion.evidence]
    if conclusion.caveat:
        lines.append(f"caveat: {conclusion.caveat}")
    return "\n".join(lines)


class ComparePanel(QWidget):
    """Comparisons (Inset, Architecture, Recovery), conclusions, init identity, confusion."""

    def __init__(self, parent: QWidget | None = None, model: StudyModel | None = None):
        super().__init__(parent)
        self.model = model if model is not None else StudyModel(self)
        self._rows: dict[str, dict] = {}
        self._confusions: dict = {}
        self._comparison_drawn: dict[str, dict] = {}

        self.study_label = QLabel(EMPTY_TEXT)
        self.study_label.setWordWrap(True)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_comparisons_tab(), "Comparisons")
        self.tabs.addTab(self._build_conclusions_tab(), "Conclusions")
        self.tabs.addTab(self._build_identity_tab(), "Init identity")
        self.tabs.addTab(self._build_confusion_tab(), "Confusion")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.study_label)
        layout.addWidget(self.tabs, 1)
        self.tabs.currentChanged.connect(self._fit_rows_timer.start)
        # Changes arriving together (six networks finishing in one all-at-once step) redraw once.
        self._rebuild_timer = QTimer(self)
        self._rebuild_timer.setSingleShot(True)
        self._rebuild_timer.setInterval(0)
        self._rebuild_timer.timeout.connect(self.rebuild)
        self.model.sig_reset.connect(self.rebuild)
        for signal in (self.model.sig_summary_changed, self.model.sig_identity_changed,
                       self.model.sig_status_changed):
            signal.connect(self._rebuild_timer.start)
        self.rebuild()

    # -- construction --------------------------------------------------------------------------

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

    def _build_conclusions_tab(self) -> QWidget:
        tab = QWidget()
        self.conclusions_label = QLabel()
        self.conclusions_label.setWordWrap(True)
        self.measure_selector = QComboBox()
        for measures, text in MEASURE_CHOICES:
            self.measure_selector.addItem(text, measures)
        self.measure_selector.setToolTip(
            "The accuracy the claims are checked on. The peak is the report's measure but is "
            "picked on the test set (biased up); the final epoch's is not")
        self.measure_selector.currentIndexChanged.connect(self._fill_conclusions)
        measure_row = QHBoxLayout()
        measure_row.addWidget(QLabel("Accuracy measure:"))
        measure_row.addWidget(self.measure_selector)
        measure_row.addStretch(1)
        self.conclusions_table = _read_only_table(len(CONCLUSION_HEADERS), CONCLUSION_HEADERS)
        for column, tip in enumerate(CONCLUSION_TIPS):
            if tip:
                self.conclusions_table.horizontalHeaderItem(column).setToolTip(tip)
        header = self.conclusions_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(CONCLUSION_COLUMN, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(CAVEAT_COLUMN, QHeaderView.ResizeMode.Stretch)
        self.conclusions_table.setColumnWidth(CONCLUSION_COLUMN, 360)
        # Wrapped text needs its row heights recomputed once the column widths have settled.
        self._fit_rows_timer = QTimer(self)
        self._fit_rows_timer.setSingleShot(True)
        self._fit_rows_timer.setInterval(0)
        self._fit_rows_timer.timeout.connect(self._fit_conclusion_rows)
        header.sectionResized.connect(self._fit_rows_timer.start)
        layout = QVBoxLayout(tab)
        layout.addWidget(self.conclusions_label)
        layout.addLayout(measure_row)
        layout.addWidget(self.conclusions_table, 1)
        return tab

    def _build_identity_tab(self) -> QWidget:
        tab = QWidget()
        self.identity_label = QLabel()
        self.identity_label.setWordWrap(True)
        self.identity_table = _read_only_table(4, ("Check", "When", "Norm", "Verdict"))
        header = self.identity_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(tab)
        layout.addWidget(self.identity_label)
        layout.addWidget(self.identity_table, 1)
        return tab

    def _build_confusion_tab(self) -> QWidget:
        tab = QWidget()
        self.confusion_selector = QComboBox()
        self.confusion_selector.currentIndexChanged.connect(self._on_confusion_changed)
        self.confusion_label = QLabel()
        self.confusion_label.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("Network:"))
        top.addWidget(self.confusion_selector)
        top.addWidget(self.confusion_label, 1)
        self.confusion_table = QTableWidget(0, 0)
        self.confusion_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        layout = QVBoxLayout(tab)
        layout.addLayout(top)
        layout.addWidget(self.confusion_table, 1)
        return tab

    # -- the agreed interface with the main window ---------------------------------------------

    @property
    def stored(self):
        """The study shown (the model's StudyState), or None when there is none."""
        state = self.model.state
        return state if state.folder is not None or state.rows else None

    def set_study(self, stored) -> None:
        """Show a StoredStudy (None clears the panel) through the model."""
        self.model.show_stored(stored)
        self.rebuild()

    def handle_event(self, event) -> None:
        """Apply a study event to the model and redraw at once (the window lets it coalesce)."""
        self.model.apply(event)
        self.rebuild()

    def rebuild(self) -> None:
        """Redraw every view from the model's state (in memory: no file is read mid-run)."""
        self._rebuild_timer.stop()
        state = self.model.state
        stored = self.stored
        # Each network's figures averaged over the seeds (one seed: its own row).
        self._rows = study_rows(stored) if stored is not None else {}
        try:
            self._confusions = state.confusions() if stored is not None else {}
        except (StoreError, ValueError) as exc:
            self._confusions = {}
            self.confusion_label.setText(f"Predictions cannot be read: {exc}")
        if state.running:
            name = state.folder.name if state.folder is not None else ""
            self.study_label.setText(
                f"Study {name} is running; comparisons fill in as networks finish.")
        elif stored is None:
            self.study_label.setText(EMPTY_TEXT)
        else:
            done = len(self._rows)
            name = state.folder.name if state.folder is not None else ""
            seeds = (f" Figures are means over {len(state.seeds)} seeds "
                     f"({', '.join(str(s) for s in state.seeds)}) with 95 % intervals."
                     if len(state.seeds) > 1 else "")
            self.study_label.setText(
                f"Study {name} ({state.state}): {done} of {len(state.networks)} "
                f"networks have results.{seeds}")
        self._show_comparison()
        self._fill_conclusions()
        self._fill_identity()
        self._fill_confusion_selector()

    # -- comparisons ---------------------------------------------------------------------------

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
        self.timing_label.setText(shared_timing_note(status))
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

    # -- conclusions ---------------------------------------------------------------------------

    def set_conclusion_measures(self, measures) -> None:
        """Check the accuracy claims on (PEAK,), (FINAL,) or (PEAK, FINAL)."""
        for index in range(self.measure_selector.count()):
            if tuple(self.measure_selector.itemData(index)) == tuple(measures):
                self.measure_selector.setCurrentIndex(index)

    def _fill_conclusions(self, *_args) -> None:
        table = self.conclusions_table
        if self.stored is None:
            table.setRowCount(0)
            self.conclusions_label.setText("No study: nothing to check.")
            return
        measures = tuple(self.measure_selector.currentData() or (PEAK,))
        # Paired over every seed of the study; the timing claims come once.
        conclusions = study_conclusions(self.stored, measures=measures)
        rows = conclusion_rows(conclusions)
        table.setRowCount(len(rows))
        left = Qt.AlignmentFlag.AlignLeft
        for r, (conclusion, row) in enumerate(zip(conclusions, rows, strict=True)):
            verdict = conclusion.verdict
            tip = _verdict_tip(conclusion)
            cells = conclusion_cells(conclusion, row["report_verdict"])
            for c, text in enumerate(cells):
                if c == VERDICT_COLUMN:
                    item = _item(text, tip, background=VERDICT_COLORS.get(
                        verdict, NOT_APPLICABLE_COLOR))
                elif c in (CONCLUSION_COLUMN, CAVEAT_COLUMN):
                    item = _item(text, tip if c == CONCLUSION_COLUMN else text, align=left)
                elif c in (DIFFERENCE_COLUMN, CI_COLUMN):
                    item = _item(text, f"decided by: {conclusion.part}" if conclusion.part
                                 else "", align=Qt.AlignmentFlag.AlignRight)
                else:
                    item = _item(text)
                table.setItem(r, c, item)
        self._fit_rows_timer.start()
        counts = {v: sum(1 for c in conclusions if c.verdict == v)
                  for v in (HOLDS, DOES_NOT_HOLD, NOT_RESOLVED, NOT_APPLICABLE)}
        seeds = max((c.n_seeds for c in conclusions), default=0)
        basis = (f"Paired over {seeds} seeds: a verdict needs the whole 95 % interval of every "
                 "part on one side of 0" if seeds > 1 else
                 "One seed: the sign of one difference decides (run with --seeds 5 to know); "
                 "ties count as not holding")
        self.conclusions_label.setText(
            f"The report's conclusions on this study: {counts[HOLDS]} hold, "
            f"{counts[DOES_NOT_HOLD]} do not hold, {counts[NOT_RESOLVED]} not resolved, "
            f"{counts[NOT_APPLICABLE]} not applicable (a network they need has no results). "
            f"{basis}.")

    def _fit_conclusion_rows(self, *_args) -> None:
        self.conclusions_table.resizeRowsToContents()

    def verdicts(self) -> dict[str, str]:
        """{conclusion text: verdict} as the conclusions view shows them."""
        table = self.conclusions_table
        return {table.item(r, CONCLUSION_COLUMN).text(): table.item(r, VERDICT_COLUMN).text()
                for r in range(table.rowCount())}

    # -- init identity -------------------------------------------------------------------------

    def _fill_identity(self) -> None:
        table = self.identity_table
        rows = identity_table(self.stored) if self.stored is not None else []
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            identical = row["verdict"] == "identical"
            background = IDENTICAL_COLOR if identical else DIFFERS_COLOR
            table.setItem(r, 0, _item(row["check"], align=Qt.AlignmentFlag.AlignLeft))
            table.setItem(r, 1, _item(row["kind"]))
            table.setItem(r, 2, _item(f"{row['norm']:.6g}", repr(row["norm"])))
            table.setItem(r, 3, _item(row["verdict"], background=background))
        if self.stored is None:
            self.identity_label.setText("No study.")
        elif not rows:
            self.identity_label.setText("This study has no init identity rows yet.")
        else:
            differing = [row["check"] for row in rows if row["verdict"] != "identical"]
            after = sum(1 for row in rows if row["kind"] == "after training")
            text = (f"{len(rows)} checks, {after} of them after training: the norm of "
                    "the difference of two tensors, 0 when they are bit-identical. ")
            text += ("All are 0." if not differing
                     else f"{len(differing)} differ: " + "; ".join(differing))
            self.identity_label.setText(text)

    # -- confusion -----------------------------------------------------------------------------

    def _fill_confusion_selector(self) -> None:
        current = self.confusion_selector.currentText()
        self.confusion_selector.blockSignals(True)
        self.confusion_selector.clear()
        for network in self._confusions:
            self.confusion_selector.addItem(_swatch(network_color(network)), network)
        index = self.confusion_selector.findText(current)
        self.confusion_selector.setCurrentIndex(max(index, 0) if self._confusions else -1)
        self.confusion_selector.blockSignals(False)
        self._show_confusion()

    def show_confusion(self, network: str) -> None:
        """Select the network whose confusion matrix is shown."""
        self.confusion_selector.setCurrentIndex(self.confusion_selector.findText(network))

    def _on_confusion_changed(self, _index: int) -> None:
        self._show_confusion()

    def _show_confusion(self) -> None:
        table = self.confusion_table
        confusion = self._confusions.get(self.confusion_selector.currentText())
        if confusion is None:
            table.setRowCount(0)
            table.setColumnCount(0)
            if self.stored is not None and not self._confusions:
                self.confusion_label.setText(
                    "No predictions stored: they are saved when a network finishes training.")
            elif self.stored is None:
                self.confusion_label.setText("No study.")
            return
        names = confusion.class_names
        table.setRowCount(len(names))
        table.setColumnCount(len(names) + 1)
        table.setHorizontalHeaderLabels([*names, "Class accuracy"])
        table.setVerticalHeaderLabels(list(names))
        matrix = confusion.matrix
        totals = matrix.sum(axis=1)
        accuracy = confusion.per_class_accuracy
        for r in range(len(names)):
            for c in range(len(names)):
                count = int(matrix[r, c])
                share = count / totals[r] if totals[r] else 0.0
                item = _item(str(count), f"true {names[r]}, predicted {names[c]}: {count} "
                             f"({100 * share:.1f} % of {int(totals[r])})")
                item.setBackground(_heat(share, diagonal=r == c))
                item.setForeground(QColor("#ffffff" if share > 0.55 else CELL_TEXT_COLOR))
                table.setItem(r, c, item)
            value = accuracy[r]
            text = "—" if math.isnan(value) else f"{100 * value:.1f} %"
            table.setItem(r, len(names), _item(text, f"{names[r]}: correct / test images"))
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        if confusion.pooled:
            self.confusion_label.setText(
                f"{confusion.network} on {confusion.test_images} test images at the end of "
                f"training, pooled over {confusion.n_seeds} seeds "
                f"({' '.join(str(s) for s in confusion.seeds)}: each count sums the seeds, "
                f"{confusion.test_size} predictions): {100 * confusion.accuracy:.2f} % correct. "
                "Rows: true class; columns: predicted.")
        else:
            self.confusion_label.setText(
                f"{confusion.network} on {confusion.test_images} test images at the end of "
                f"training: {100 * confusion.accuracy:.2f} % correct. Rows: true class; "
                "columns: predicted.")

    def confusion_counts(self) -> np.ndarray:
        """The counts the confusion view shows, as an array (rows true, columns predicted)."""
        table = self.confusion_table
        n = table.rowCount()
        return np.array([[int(table.item(r, c).text()) for c in range(n)] for r in range(n)],
                        dtype=int).reshape(n, n)


def _heat(share: float, diagonal: bool) -> QColor:
    """Cell colour: green for the diagonal (right), red off it (wrong), stronger when larger."""
    base = (46, 125, 50) if diagonal else (198, 40, 40)
    strength = min(1.0, max(0.0, share)) ** 0.6 if share > 0 else 0.0
    return QColor(*(round(255 + (b - 255) * strength) for b in base))


def _fit_height(table: QTableWidget) -> None:
    """Make a short table exactly as tall as its header and rows, so none hides behind a scroll."""
    height = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
    height += sum(table.rowHeight(r) for r in range(table.rowCount()))
    if table.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOn:
        height += table.horizontalScrollBar().sizeHint().height()
    if table.height() != height + 2 or table.minimumHeight() != height + 2:
        table.setFixedHeight(height + 2)
