"""The compare panel's Conclusions and Init identity tabs: the report's conclusions checked
against this study, and whether the networks started from the same tensors."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
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
    DIFFERS_COLOR,
    IDENTICAL_COLOR,
    MUTED_TEXT_COLOR,
)
from gui.panels.compare.cells import (
    CAVEAT_COLUMN,
    CI_COLUMN,
    CONCLUSION_COLUMN,
    CONCLUSION_HEADERS,
    CONCLUSION_TIPS,
    DIFFERENCE_COLUMN,
    MEASURE_CHOICES,
    VERDICT_COLUMN,
    _item,
    _read_only_table,
    _verdict_tip,
    conclusion_cells,
    verdict_color,
    verdict_seeds,
)
from study.analysis.conclusions import (
    DOES_NOT_HOLD,
    HOLDS,
    NOT_APPLICABLE,
    NOT_RESOLVED,
    PEAK,
    conclusion_rows,
    study_conclusions,
)
from study.analysis.identity import identity_table

CAVEAT_WIDTH = 300


class ConclusionsTab:
    """The Conclusions and Init identity tabs (mixed into ComparePanel)."""

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
        # The caveat gets room of its own (wrapped into a narrow leftover it made rows tall);
        # the table scrolls sideways when the window is narrower than the columns.
        header.setSectionResizeMode(CAVEAT_COLUMN, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        self.conclusions_table.setColumnWidth(CONCLUSION_COLUMN, 360)
        self.conclusions_table.setColumnWidth(CAVEAT_COLUMN, CAVEAT_WIDTH)
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
                    item = _item(text, tip, background=verdict_color(
                        verdict, verdict_seeds(conclusion)))
                    item.setData(Qt.ItemDataRole.UserRole, verdict)
                    if verdict_seeds(conclusion) == 1:
                        item.setForeground(QColor(MUTED_TEXT_COLOR))
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
                 "One seed: in accuracy the sign of one difference decides (run with --seeds 5 "
                 "to know), ties counting as not holding; the time claims rest on repeated "
                 "timings and their interval")
        self.conclusions_label.setText(
            f"The report's conclusions on this study: {counts[HOLDS]} hold, "
            f"{counts[DOES_NOT_HOLD]} do not hold, {counts[NOT_RESOLVED]} not resolved, "
            f"{counts[NOT_APPLICABLE]} not applicable (a network they need has no results). "
            f"{basis}.")

    def _fit_conclusion_rows(self, *_args) -> None:
        self.conclusions_table.resizeRowsToContents()

    def verdicts(self) -> dict[str, str]:
        """{conclusion text: verdict} of the conclusions view (the verdict without its
        "(1 seed)"; the cell's text says it)."""
        table = self.conclusions_table
        return {table.item(r, CONCLUSION_COLUMN).text().split("\n")[0]:
                table.item(r, VERDICT_COLUMN).data(Qt.ItemDataRole.UserRole)
                for r in range(table.rowCount())}

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
