"""The Studies tab: every study under the save folder (and folders the user adds), sortable and
filterable (an added folder is listed until "Remove folder" takes it off the list — its files
are never touched); double-click opens one in the window; select two or more and Compare
overlays their curves and tabulates each network's peak and final accuracy with the
differences.

Listing reads only (study.folder.library) and runs on a QThread, so a folder of many studies never
freezes the window; comparing reads the chosen studies (study.analysis.multi_compare).
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
    QThread,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.colors import (
    ERROR_COLOR,
    HINT_STYLE,
    INCOMPLETE_COLOR,
    NOTE_STYLE,
    TEXT_COLOR,
    network_color,
)
from gui.figures.style import set_epoch_ticks
from study.analysis.multi_compare import (
    CompareError,
    MultiComparison,
    compare_studies,
    load_studies,
)
from study.folder.library import COLUMN_TITLES, COLUMNS, LibraryRow, list_studies

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
PATH_ROLE = Qt.ItemDataRole.UserRole + 2
ALL_NETWORKS = "All networks"
SETTINGS_EXTRA_FOLDERS = "library/extra_folders"
STATE_COLORS = {"failed": ERROR_COLOR, "damaged": ERROR_COLOR, "interrupted": INCOMPLETE_COLOR,
                "stopped": INCOMPLETE_COLOR, "unknown": INCOMPLETE_COLOR}
COMPARE_HEADERS = ("Network", "Study", "Seeds", "Epochs", "Peak test acc.", "Final test acc.",
                   "Δ peak vs first (pt)", "Δ final vs first (pt)", "Δ interval", "Note")
NOTE_COLUMN = COMPARE_HEADERS.index("Note")
# The legend strip above the plots: its margins (left, top, right, bottom) and the room
# between a sample line and its label.
LEGEND_MARGINS = (6, 2, 6, 2)
LEGEND_SPACING = 14
# Listing threads still running: kept referenced until they end, whatever happens to the panel.
_RUNNING: set = set()
EMPTY_COMPARE = "Select two or more studies and press Compare (Ctrl-click to select several)."


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
            return str(row.path) + (f"\n{row.problem}" if row.problem else "")
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


class StudiesPanel(QWidget):
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
        self.filter_edit.setPlaceholderText("Filter (any column: state, backend, head, name…)")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)
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
        thread.finished.connect(lambda: _RUNNING.discard(thread))
        _RUNNING.add(thread)
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
        count = len(rows)
        self.count_label.setText(f"{count} stud{'y' if count == 1 else 'ies'}")
        self._on_selection_changed()
        self.sig_listed.emit()

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

    # ----- the window ---------------------------------------------------------------------
    @classmethod
    def attach(cls, window) -> StudiesPanel:
        """Add a Studies tab to the main window: listed when first shown and after each run;
        double-click opens a study with the window's open_study_folder, on the Training tab."""
        panel = cls(studies_root=window.setup.studies_root, settings=window.settings)
        window.tabs.addTab(panel, "Studies")

        def open_study(path: str) -> None:
            if window.open_study_folder(path):
                window.tabs.setCurrentIndex(0)

        def on_tab(index: int) -> None:
            if window.tabs.widget(index) is panel and not panel.listed_once:
                panel.refresh()

        panel.sig_open_study.connect(open_study)
        window.tabs.currentChanged.connect(on_tab)
        # After a run its study is new or changed: list again if the tab has been looked at.
        window.sig_run_finished.connect(
            lambda _outcome: panel.refresh() if panel.listed_once else None)
        window.setup.sig_changed.connect(panel._show_folders)
        return panel


def mean_ci(mean, low, high) -> str:
    """"91.20 %" or "91.20 ± 0.35 %" (accuracy, in points); "—" when missing."""
    if mean is None:
        return "—"
    if low is None or high is None or math.isnan(low):
        return f"{100 * mean:.2f} %"
    return f"{100 * mean:.2f} ± {100 * (high - low) / 2:.2f} %"


def difference_text(row: dict) -> str:
    """"+0.40 [−0.10, +0.90]" or "+0.40" (one seed), in points; "—" without a difference."""
    if row.get("difference") is None:
        return "—"
    text = f"{100 * row['difference']:+.2f}"
    if row.get("ci_low") is not None:
        text += f" [{100 * row['ci_low']:+.2f}, {100 * row['ci_high']:+.2f}]"
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
