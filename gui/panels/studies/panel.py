"""The Studies tab: every study under the save folder (and folders the user adds), sortable and
filterable (an added folder is listed until "Remove folder" takes it off the list — its files
are never touched); double-click opens one in the window; select two or more and Compare
overlays their curves and tabulates each network's peak and final accuracy with the
differences.

Listing reads only (study.folder.library) and runs on a QThread, so a folder of many studies never
freezes the window; comparing reads the chosen studies (study.analysis.multi_compare).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSortFilterProxyModel, Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gui.colors import HINT_STYLE, NOTE_STYLE
from gui.panels.studies.comparison import StudiesComparison
from gui.panels.studies.listing import (
    PATH_ROLE,
    RUNNING_LISTINGS,
    SORT_ROLE,
    ListingThread,
    StudiesModel,
)
from study.analysis.multi_compare import MultiComparison
from study.folder.library import COLUMNS, LibraryRow

SETTINGS_EXTRA_FOLDERS = "library/extra_folders"


class StudiesPanel(StudiesComparison, QWidget):
    """The Studies tab; see the module doc."""

    sig_open_study = Signal(str)
    sig_listed = Signal()
    sig_compared = Signal()

    def __init__(self, studies_root: Callable[[], Path] | None = None, settings=None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.studies_root = studies_root or (lambda: Path("studies"))
        self.settings = settings
        self.extra_folders: list[Path] = []
        if settings is not None:
            saved = settings.value(SETTINGS_EXTRA_FOLDERS, []) or []
            saved = [saved] if isinstance(saved, str) else list(saved)
            self.extra_folders = [Path(p) for p in saved if p]
        self.comparison: MultiComparison | None = None
        self.drawn: dict = {}
        self._generation = 0
        self._threads: list[ListingThread] = []
        self.listed_once = False

        self.model = StudiesModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

        self.folders_label = QLabel()
        self.folders_label.setStyleSheet(HINT_STYLE)
        self.folders_label.setWordWrap(True)
        self.add_button = QPushButton("Add folder…")
        self.add_button.clicked.connect(self.add_folder_dialog)
        self.remove_button = QPushButton("Remove folder")
        self.remove_button.setToolTip("Stop listing an added folder (its files are kept)")
        self.remove_menu = QMenu(self)
        self.remove_menu.aboutToShow.connect(self._fill_remove_menu)
        self.remove_button.setMenu(self.remove_menu)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter (any column: state, backend, head, kernels, "
                                            "name…)")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)
        # After the filter has applied: the count says how many rows are shown.
        self.filter_edit.textChanged.connect(self._show_count)
        self.compare_button = QPushButton("Compare")
        self.compare_button.setToolTip("Compare the selected studies (two or more); the first "
                                       "in the table's order is the baseline of the differences")
        self.compare_button.setEnabled(False)
        self.compare_button.clicked.connect(self.compare_selected)
        self.count_label = QLabel()
        self.count_label.setStyleSheet(NOTE_STYLE)

        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(COLUMNS.index("date"), Qt.SortOrder.DescendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.view.doubleClicked.connect(self._on_double_clicked)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)

        top = QHBoxLayout()
        top.addWidget(QLabel("Folders:"))
        top.addWidget(self.folders_label, 1)
        top.addWidget(self.add_button)
        top.addWidget(self.remove_button)
        top.addWidget(self.refresh_button)
        second = QHBoxLayout()
        second.addWidget(self.filter_edit, 1)
        second.addWidget(self.count_label)
        second.addWidget(self.compare_button)
        listing = QWidget()
        listing_layout = QVBoxLayout(listing)
        listing_layout.setContentsMargins(0, 0, 0, 0)
        listing_layout.addLayout(top)
        listing_layout.addLayout(second)
        listing_layout.addWidget(self.view, 1)

        self.compare_view = self._build_compare_view()
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(listing)
        splitter.addWidget(self.compare_view)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([200, 760])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)
        self._show_folders()

    # ----- folders and listing ------------------------------------------------------------
    def folders(self) -> list[Path]:
        """The save folder, then the added folders."""
        folders = [Path(self.studies_root())]
        return folders + [f for f in self.extra_folders if f not in folders]

    def _show_folders(self) -> None:
        self.folders_label.setText("  ·  ".join(str(f) for f in self.folders()))
        self.remove_button.setEnabled(bool(self.removable_folders()))

    def removable_folders(self) -> list[Path]:
        """The added folders (the save folder itself is always listed)."""
        root = Path(self.studies_root())
        return [f for f in self.extra_folders if f != root]

    def _fill_remove_menu(self) -> None:
        self.remove_menu.clear()
        for folder in self.removable_folders():
            action = QAction(str(folder), self.remove_menu)
            action.triggered.connect(lambda _checked=False, f=folder: self.remove_folder(f))
            self.remove_menu.addAction(action)

    def _save_extra_folders(self) -> None:
        if self.settings is not None:
            self.settings.setValue(SETTINGS_EXTRA_FOLDERS, [str(f) for f in self.extra_folders])

    def add_folder(self, folder) -> None:
        """List the studies of `folder` too (kept in the settings), and refresh."""
        folder = Path(folder)
        if folder not in self.folders():
            self.extra_folders.append(folder)
            self._save_extra_folders()
        self.refresh()

    def remove_folder(self, folder) -> bool:
        """Stop listing the added `folder` (kept in the settings) and refresh; its files are
        left as they are. False if it is not an added folder (the save folder stays)."""
        folder = Path(folder)
        if folder not in self.removable_folders():
            return False
        self.extra_folders = [f for f in self.extra_folders if f != folder]
        self._save_extra_folders()
        self.refresh()
        return True

    @Slot()
    def add_folder_dialog(self) -> None:
        """"Add folder…": choose another folder of studies."""
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of studies")
        if folder:
            self.add_folder(folder)

    @Slot()
    def refresh(self) -> None:
        """List the folders' studies again, on a worker thread (sig_listed when shown)."""
        self._show_folders()
        self._generation += 1
        self.count_label.setText("listing…")
        thread = ListingThread(self._generation, self.folders())
        thread.sig_listed.connect(self._on_listed)
        thread.finished.connect(lambda: RUNNING_LISTINGS.discard(thread))
        RUNNING_LISTINGS.add(thread)
        self._threads = [t for t in self._threads if t.isRunning()] + [thread]
        thread.start()

    @Slot(int, list)
    def _on_listed(self, generation: int, rows: list) -> None:
        if generation != self._generation:
            return  # an older listing finished after a newer one was asked for
        self.set_rows(rows)

    def set_rows(self, rows: list[LibraryRow]) -> None:
        """Show these library rows."""
        self.model.set_rows(rows)
        self.listed_once = True
        self._show_count()
        self._on_selection_changed()
        self.sig_listed.emit()

    def _show_count(self, *_args) -> None:
        """"3 studies", or "1 of 3 studies" while the filter hides some."""
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        noun = f"stud{'y' if total == 1 else 'ies'}"
        self.count_label.setText(f"{shown} of {total} {noun}" if shown != total
                                 else f"{total} {noun}")

    def wait_for_listing(self, timeout_ms: int = 10_000) -> None:
        """Block until the listing threads have ended (tests, closing)."""
        for thread in list(self._threads):
            thread.wait(timeout_ms)
        self._threads = [t for t in self._threads if t.isRunning()]

    def shown_paths(self) -> list[str]:
        """The study folders the table shows, in its order (after sorting and filtering)."""
        return [self.proxy.index(r, 0).data(PATH_ROLE) for r in range(self.proxy.rowCount())]

    def shown_names(self) -> list[str]:
        """The study names the table shows, in its order."""
        return [self.proxy.index(r, 0).data() for r in range(self.proxy.rowCount())]

    def selected_paths(self) -> list[str]:
        """The selected studies' folders, in the table's order."""
        rows = sorted({index.row() for index in self.view.selectionModel().selectedRows()})
        return [self.proxy.index(r, 0).data(PATH_ROLE) for r in rows]

    def select_paths(self, paths) -> None:
        """Select the rows of these study folders (and only those)."""
        from PySide6.QtCore import QItemSelectionModel

        wanted = {str(p) for p in paths}
        selection = self.view.selectionModel()
        selection.clearSelection()
        flags = (QItemSelectionModel.SelectionFlag.Select
                 | QItemSelectionModel.SelectionFlag.Rows)
        for r in range(self.proxy.rowCount()):
            if self.proxy.index(r, 0).data(PATH_ROLE) in wanted:
                selection.select(self.proxy.index(r, 0), flags)

    def _on_selection_changed(self, *_args) -> None:
        self.compare_button.setEnabled(len(self.selected_paths()) >= 2)

    def _on_double_clicked(self, index) -> None:
        path = index.data(PATH_ROLE)
        if path:
            self.sig_open_study.emit(path)

    # ----- the window's calls -------------------------------------------------------------
    @Slot()
    def show_folders(self) -> None:
        """The save folder may have changed: show the folders listed."""
        self._show_folders()

    def shown(self) -> None:
        """The tab was brought to the front: list the studies the first time."""
        if not self.listed_once:
            self.refresh()

    @Slot(object, str)
    def run_finished(self, _outcome=None, _folder: str = "") -> None:
        """A run ended, so its study is new or changed: list again if the tab was looked at."""
        if self.listed_once:
            self.refresh()
