"""The summary table (SPEC §3): peak test accuracy and its epoch, final accuracy, times."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from gui.colors import network_color
from keras_models.schemes import NETWORKS
from study.summary import format_duration

HEADERS = ("Network", "Peak test acc.", "Peak epoch", "Final test acc.", "Time / epoch",
           "Total (mm:ss.ss)")
HEADER_TIPS = (
    "", "Highest test accuracy over the epochs", "The first epoch that reached the peak",
    "Test accuracy after the last epoch", "Training seconds per epoch (evaluation not included)",
    "Total training time",
)


def summary_cells(row) -> list[str]:
    """The table's texts for one summary row (SummaryRow or NetworkFinished)."""
    return [
        row.network,
        f"{100 * row.peak_test_accuracy:.2f} %",
        str(row.peak_epoch),
        f"{100 * row.final_test_accuracy:.2f} %",
        f"{row.seconds_per_epoch:.2f} s",
        format_duration(row.total_seconds),
    ]


def _swatch(color: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


class SummaryTable(QTableWidget):
    """One row per finished network, in the study's network order."""

    def __init__(self, parent=None):
        super().__init__(0, len(HEADERS), parent)
        self.setHorizontalHeaderLabels(HEADERS)
        for column, tip in enumerate(HEADER_TIPS):
            if tip:
                self.horizontalHeaderItem(column).setToolTip(tip)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self._order: list[str] = list(NETWORKS)

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

    def add_row(self, row) -> None:
        """Add or replace a network's row (SummaryRow or NetworkFinished)."""
        existing = self.networks()
        if row.network in existing:
            index = existing.index(row.network)
        else:
            rank = self._rank(row.network)
            index = sum(1 for name in existing if self._rank(name) < rank)
            self.insertRow(index)
        for column, text in enumerate(summary_cells(row)):
            item = QTableWidgetItem(text)
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
