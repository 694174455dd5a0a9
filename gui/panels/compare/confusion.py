"""The compare panel's Confusion tab: each network's confusion matrix, pooled over the seeds,
once the run has ended and its predictions are on disk."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from gui.colors import (
    CELL_TEXT_COLOR,
    network_color,
)
from gui.panels.compare.cells import (
    _heat,
    _item,
    _swatch,
)
from study.analysis.formats import MISSING


class ConfusionTab:
    """The Confusion tab (mixed into ComparePanel)."""

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
            text = MISSING if math.isnan(value) else f"{100 * value:.1f} %"
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
