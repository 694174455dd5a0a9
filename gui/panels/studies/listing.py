"""The Studies tab's list: the library rows as a table model, and the thread that lists them
(study.folder.library reads only, off the GUI thread, so a folder of many studies never
freezes the window)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QThread, Signal
from PySide6.QtGui import QColor

from gui.colors import ERROR_COLOR, INCOMPLETE_COLOR
from study.folder.library import COLUMN_TITLES, COLUMNS, LibraryRow, list_studies
from study.protocol.status import StudyStatus

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
PATH_ROLE = Qt.ItemDataRole.UserRole + 2
# "damaged" is the library's word for a folder it could not read, not a study's state.
STATE_COLORS = {StudyStatus.FAILED: ERROR_COLOR, "damaged": ERROR_COLOR,
                StudyStatus.INTERRUPTED: INCOMPLETE_COLOR, StudyStatus.STOPPED: INCOMPLETE_COLOR,
                StudyStatus.UNKNOWN: INCOMPLETE_COLOR}
# Listing threads still running: kept referenced until they end, whatever happens to the panel.
RUNNING_LISTINGS: set = set()


class StudiesModel(QAbstractTableModel):
    """The library rows as a table model (display text, a sort value, the folder, a tooltip)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[LibraryRow] = []

    def set_rows(self, rows: list[LibraryRow]) -> None:
        """Show `rows` instead of what was shown."""
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008 - Qt's name
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMN_TITLES[COLUMNS[section]]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.text(column)
        if role == SORT_ROLE:
            return row.sort_value(column)
        if role == PATH_ROLE:
            return str(row.path)
        if role == Qt.ItemDataRole.ToolTipRole:
            # The whole note (and bank) here: its cell shows only its first words.
            bank = f"kernel bank: {row.bank}" if column == "bank" else ""
            return "\n".join(t for t in (str(row.path), bank, row.note, row.problem) if t)
        if role == Qt.ItemDataRole.ForegroundRole and column in ("state", "problem"):
            color = STATE_COLORS.get(row.state)
            return QColor(color) if color else None
        return None


class ListingThread(QThread):
    """Lists the studies of some folders off the GUI thread."""

    sig_listed = Signal(int, list)  # generation, rows

    def __init__(self, generation: int, folders: list[Path], parent=None):
        super().__init__(parent)
        self.generation = generation
        self.folders = folders

    def run(self) -> None:
        """List, and hand the rows back (never raises: a bad study is a row with a problem)."""
        try:
            rows = list_studies(self.folders)
        except Exception:  # noqa: BLE001 - an unreadable folder lists as nothing
            rows = []
        self.sig_listed.emit(self.generation, rows)
