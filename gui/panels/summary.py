"""The summary table (docs/study.md#training): peak test accuracy, its epoch, final accuracy, times.

A study of several seeds shows one row per network: each figure the mean over its seeds ± the
half-width of its 95 % Student-t interval, the peak epoch a mean, and a Seeds column with n.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
)

from gui.colors import INCOMPLETE_COLOR, NOTE_STYLE, network_color
from study.analysis.formats import ci_tip, format_duration, mean_ci_text, mean_epoch_text
from study.analysis.timing import (
    ISOLATED_ESTIMATE,
    ISOLATED_ESTIMATE_TEXT,
    MEASURED,
    NO_SHARED_EPOCH_YET,
    shared_timing_note,
)
from study.protocol.networks import NETWORKS

HEADERS = ("Network", "Peak test acc.", "Peak epoch", "Final test acc.", "Time / epoch",
           "Total (mm:ss.ss)")
HEADER_TIPS = (
    "", "Highest test accuracy over the epochs", "The first epoch that reached the peak",
    "Test accuracy after the last epoch", "Training seconds per epoch (evaluation not included)",
    "Total training time",
)
# The time columns' titles when the figures are isolated-timing estimates (all-at-once).
ISOLATED_TIME_HEADERS = {4: "Time / epoch\n(isolated est.)", 5: "Total\n(isolated est.)"}
TIME_COLUMNS = tuple(ISOLATED_TIME_HEADERS)
ISOLATED_TIP = ISOLATED_ESTIMATE_TEXT
FINAL_COLUMN = 3
INCOMPLETE_TIP = "This network ended before its planned epochs: its final accuracy is not final."
# Marks a multi-seed final accuracy some of whose seeds ended early; the footnote says how.
EARLY_MARK = "*"
SEEDS_HEADER = "Seeds"
SEEDS_TIP = ("Seeds whose results are averaged; each figure is their mean ± the half-width of its "
             "95 % Student-t interval (the tooltip gives the interval)")
# (column, summary measure, scale, unit) of the cells that carry an interval
INTERVAL_CELLS = ((1, "peak_test_accuracy", 100.0, "%"), (3, "final_test_accuracy", 100.0, "%"),
                  (4, "seconds_per_epoch", 1.0, "s"))


def summary_headers(timing: str = MEASURED) -> tuple[str, ...]:
    """The table's column titles; the time columns say when they are isolated estimates."""
    if timing != ISOLATED_ESTIMATE:
        return HEADERS
    return tuple(ISOLATED_TIME_HEADERS.get(column, text) for column, text in enumerate(HEADERS))


def summary_cells(row, incomplete: str = "") -> list[str]:
    """The table's texts for one summary row (SummaryRow or NetworkFinished); `incomplete`
    ("(stopped at epoch k of N)") follows the final accuracy of a network that ended early."""
    final = f"{100 * row.final_test_accuracy:.2f} %"
    return [
        row.network,
        f"{100 * row.peak_test_accuracy:.2f} %",
        str(row.peak_epoch),
        f"{final} {incomplete}" if incomplete else final,
        f"{row.seconds_per_epoch:.2f} s",
        format_duration(row.total_seconds),
    ]


def mean_summary_cells(row: dict, seeds_planned: int = 0, incomplete: str = "",
                       one_timing: bool = False) -> list[str]:
    """The table's texts for one network averaged over its seeds
    (study.analysis.comparisons.network_row); a final accuracy with `incomplete` seeds is marked
    EARLY_MARK (the notes go to its tooltip and the footnote):
    means ± CI half-width, the mean peak epoch ("12.4", "2"), the mean total, and n (of the
    planned seeds when fewer have finished). `one_timing`: the seconds are one isolated-timing
    estimate per network (all-at-once), shown plain, since an interval over copies of one
    figure ("± 0.00 s") would read as precision."""
    peak = mean_ci_text(row["peak_test_accuracy"], row.get("peak_test_accuracy_ci_low"),
                        row.get("peak_test_accuracy_ci_high"), scale=100.0, unit="%")
    final = mean_ci_text(row["final_test_accuracy"], row.get("final_test_accuracy_ci_low"),
                         row.get("final_test_accuracy_ci_high"), scale=100.0, unit="%")
    n = int(row["n_seeds"])
    return [
        row["network"],
        peak,
        mean_epoch_text(row["peak_epoch"]),
        f"{final} {EARLY_MARK}" if incomplete else final,
        mean_ci_text(row["seconds_per_epoch"],
                     None if one_timing else row.get("seconds_per_epoch_ci_low"),
                     None if one_timing else row.get("seconds_per_epoch_ci_high"), unit="s"),
        format_duration(row["total_seconds"]),
        f"{n} of {seeds_planned}" if seeds_planned > n else str(n),
    ]


def early_end_footnote(ended_early: dict[str, dict[int, str]], seeds_of) -> str:
    """The line under a multi-seed table for networks whose seeds ended early: each distinct
    note once, with the networks (and seeds, when not all of them) it applies to."""
    by_note: dict[str, list[str]] = {}
    for network, notes in ended_early.items():
        for note in dict.fromkeys(notes.values()):
            seeds = [s for s, n in notes.items() if n == note]
            which = network if seeds == seeds_of(network) else (
                f"{network} (seed{'s' if len(seeds) > 1 else ''} "
                f"{', '.join(str(s) for s in seeds)})")
            by_note.setdefault(note.strip("()"), []).append(which)
    parts = [f"{note}: {', '.join(names)}" for note, names in by_note.items()]
    return (f"{EARLY_MARK} Final test acc. is the last epoch reached, not the planned one — "
            + "; ".join(parts) + ".")


def _swatch(color: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


class SummaryTable(QTableWidget):
    """One row per finished network, in the study's network order."""

    def __init__(self, parent=None, model=None):
        super().__init__(0, len(HEADERS), parent)
        # The main window places this line under the table; hidden for measured studies.
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet(NOTE_STYLE)
        self.note.hide()
        self.timing = MEASURED
        self.set_timing(MEASURED)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        # The final accuracy of a network that ended early carries its note in full.
        header.setSectionResizeMode(FINAL_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self._order: list[str] = list(NETWORKS)

        if model is not None:
            self.bind(model)

    def set_timing(self, timing: str, note: str = "") -> None:
        """Label the time columns as measured or isolated estimates; `note` goes under the table.

        For an all-at-once study without a note yet (no shared epoch measured) the note says
        that the networks share their steps.
        """
        self.timing = timing if timing == ISOLATED_ESTIMATE else MEASURED
        self.setHorizontalHeaderLabels(summary_headers(self.timing))
        for column, tip in enumerate(HEADER_TIPS):
            if column in TIME_COLUMNS and self.timing == ISOLATED_ESTIMATE:
                tip = f"{tip}. {ISOLATED_TIP}"
            if tip:
                self.horizontalHeaderItem(column).setToolTip(tip)
        if self.timing == ISOLATED_ESTIMATE and not note:
            note = NO_SHARED_EPOCH_YET
        self.note.setText(note if self.timing == ISOLATED_ESTIMATE else "")
        self.note.setVisible(self.timing == ISOLATED_ESTIMATE)

    def headers(self) -> list[str]:
        """The column titles as shown."""
        return [self.horizontalHeaderItem(c).text() for c in range(self.columnCount())]

    def height_for_rows(self, rows: int) -> int:
        """Pixels needed to show the header and `rows` rows without scrolling."""
        return (self.horizontalHeader().sizeHint().height()
                + rows * self.verticalHeader().defaultSectionSize() + 2 * self.frameWidth() + 2)

    def clear_rows(self, order=None) -> None:
        """Empty the table; `order` is the study's network order for the rows to come."""
        self.setRowCount(0)
        self._order = list(order) if order else list(NETWORKS)

    def set_rows(self, rows) -> None:
        """Show exactly these summary rows."""
        self.setRowCount(0)
        for row in rows:
            self.add_row(row)

    def bind(self, model) -> None:
        """Render from a gui.study_model.StudyModel: rows, timing labels and notes follow it."""
        self.model = model
        model.sig_reset.connect(self.show_state)
        model.sig_summary_changed.connect(self.show_state)
        model.sig_status_changed.connect(self.show_state)

    def show_state(self, *_args) -> None:
        """Show the model's study: its finished networks, marked when they ended early."""
        state = self.model.state
        status = state.status
        measured = status.get("shared_epoch_seconds") or not state.running
        rounds = getattr(state.config, "timing_rounds", None)
        self.set_timing(state.timing, shared_timing_note(status, rounds) if measured else "")
        self.clear_rows(state.networks)
        multi = len(state.seeds) > 1
        self._set_seeds_column(multi)
        if not multi:
            for row in state.summary_rows():
                self.add_row(row, state.incomplete_note(row.network))
            return
        ended_early: dict[str, dict[int, str]] = {}
        for network, row in state.compare_rows().items():
            notes = {s: state.incomplete_note(network, s) for s in state.seeds_of(network)}
            notes = {s: note for s, note in notes.items() if note}
            if notes:
                ended_early[network] = notes
            self.add_mean_row(row, len(state.seeds), "\n".join(
                f"seed {s} {note}" for s, note in notes.items()))
        if ended_early:
            # The cell keeps "mean ± half-width" and a mark; the per-seed notes go under the
            # table (and into the cell's tooltip), so no column is squeezed by them.
            footnote = early_end_footnote(ended_early, state.seeds_of)
            self.note.setText("\n".join(t for t in (self.note.text(), footnote) if t))
            self.note.show()

    def _set_seeds_column(self, shown: bool) -> None:
        self.setColumnCount(len(HEADERS) + (1 if shown else 0))
        self.setHorizontalHeaderLabels([*summary_headers(self.timing),
                                        *((SEEDS_HEADER,) if shown else ())])
        for column, tip in enumerate(HEADER_TIPS):
            if column in TIME_COLUMNS and self.timing == ISOLATED_ESTIMATE:
                tip = f"{tip}. {ISOLATED_TIP}"
            if shown and column in (1, 2, 3, 4, 5):
                tip = f"{tip} (mean over the seeds)"
            if tip:
                self.horizontalHeaderItem(column).setToolTip(tip)
        if shown:
            self.horizontalHeaderItem(len(HEADERS)).setToolTip(SEEDS_TIP)
            self.horizontalHeader().setSectionResizeMode(
                len(HEADERS), QHeaderView.ResizeMode.ResizeToContents)

    def add_mean_row(self, row: dict, seeds_planned: int = 0, incomplete: str = "") -> None:
        """Add or replace a network's row averaged over its seeds
        (study.analysis.comparisons.network_row)."""
        index = self._row_index(row["network"])
        n = int(row["n_seeds"])
        tips = {column: ci_tip(row[measure], row.get(f"{measure}_ci_low"),
                               row.get(f"{measure}_ci_high"), n, scale=scale, unit=unit)
                for column, measure, scale, unit in INTERVAL_CELLS}
        tips[2] = f"mean over {n} seeds of the first epoch that reached the peak"
        tips[5] = f"mean over {n} seeds"
        tips[len(HEADERS)] = f"seeds {row.get('seeds', '')}"
        one_timing = self.timing == ISOLATED_ESTIMATE
        if one_timing:
            tips[4] = "one isolated-timing estimate per network (the same for every seed)"
        for column, text in enumerate(mean_summary_cells(row, seeds_planned, incomplete,
                                                         one_timing)):
            item = QTableWidgetItem(text)
            item.setToolTip(tips.get(column, ""))
            if incomplete and column == FINAL_COLUMN:
                item.setToolTip(f"{INCOMPLETE_TIP}\n{incomplete}")
                item.setForeground(QColor(INCOMPLETE_COLOR))
            if column == 0:
                item.setIcon(_swatch(network_color(row["network"])))
            else:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.setItem(index, column, item)

    def _row_index(self, network: str) -> int:
        existing = self.networks()
        if network in existing:
            return existing.index(network)
        rank = self._rank(network)
        index = sum(1 for name in existing if self._rank(name) < rank)
        self.insertRow(index)
        return index

    def add_row(self, row, incomplete: str = "") -> None:
        """Add or replace a network's row (SummaryRow or NetworkFinished)."""
        index = self._row_index(row.network)
        for column, text in enumerate(summary_cells(row, incomplete)):
            item = QTableWidgetItem(text)
            if incomplete and column == FINAL_COLUMN:
                item.setToolTip(INCOMPLETE_TIP)
                item.setForeground(QColor(INCOMPLETE_COLOR))
            if column == 0:
                item.setIcon(_swatch(network_color(row.network)))
            else:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.setItem(index, column, item)

    def _rank(self, network: str) -> int:
        return self._order.index(network) if network in self._order else len(self._order)

    def networks(self) -> list[str]:
        """The networks listed, top to bottom."""
        return [self.item(r, 0).text() for r in range(self.rowCount()) if self.item(r, 0)]

    def texts(self) -> list[list[str]]:
        """Every cell's text, row by row."""
        return [[self.item(r, c).text() for c in range(self.columnCount())]
                for r in range(self.rowCount())]
