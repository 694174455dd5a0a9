"""Columns that stretch to fill a table when its contents fit, and keep their contents' widths
with a horizontal scroll bar when they do not (a narrow window), instead of cutting every
header and cell short."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QHeaderView, QTableWidget


class ColumnFitter(QObject):
    """Fits `table`'s columns whenever its viewport is resized (and when fit() is called);
    `after` runs after each fit (e.g. to set the table's height for its scroll bar)."""

    def __init__(self, table: QTableWidget, after=None):
        super().__init__(table)
        self.table = table
        self.after = after
        table.viewport().installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def wanted_widths(self) -> list[int]:
        """Each column's width for its header and cells on one line."""
        table = self.table
        header = table.horizontalHeader()
        return [max(table.sizeHintForColumn(c), header.sectionSizeFromContents(c).width())
                for c in range(table.columnCount())]

    def fits(self) -> bool:
        """Whether every column fits the viewport at its contents' width."""
        return sum(self.wanted_widths()) <= self.table.viewport().width()

    def fit(self) -> None:
        """When the columns fit, each gets its contents' width plus an even share of the room
        left (an equal split would cut a wide column short); else each gets its contents' width
        and the table scrolls."""
        table = self.table
        header = table.horizontalHeader()
        widths = self.wanted_widths()
        spare = table.viewport().width() - sum(widths)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        if spare >= 0 and widths:
            share, extra = divmod(spare, len(widths))
            widths = [w + share + (1 if i < extra else 0) for i, w in enumerate(widths)]
            policy = Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        else:
            policy = Qt.ScrollBarPolicy.ScrollBarAlwaysOn
        for column, width in enumerate(widths):
            header.resizeSection(column, width)
        if table.horizontalScrollBarPolicy() != policy:
            table.setHorizontalScrollBarPolicy(policy)
        if self.after is not None:
            self.after(table)
