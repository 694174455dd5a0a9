"""A sweep folder in the app: the grid as a table, accuracy against a swept value per network
with 95 % CI error bars, and each point opens as a study (double-click). While the sweep runs,
the window follows it: every few seconds it looks at the files' sizes and times and, when a
point has moved on, reads the sweep again on a worker thread (keeping the x axis, measure and
fixed values chosen).

The numbers are study/sweep/folder.py's Sweep.rows() (what sweep.csv holds), read from the point
folders. No Keras here: the sweep module imports it only to run points.
"""

from __future__ import annotations

import math
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import Qt, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gui.colors import NOTE_STYLE, PLOT_BACKGROUND, PLOT_FOREGROUND, network_color
from study.folder.csvio import StoreError
from study.sweep.folder import (
    FINISHED,
    RUNNING,
    Sweep,
    SweepError,
    folder_signature,
    format_value,
    is_sweep_folder,
    open_sweep,
)

MEASURES = {"peak_test_accuracy": "Peak test accuracy (%)",
            "final_test_accuracy": "Final test accuracy (%)"}
# Networks at one x position are drawn side by side, this far apart (in category units).
NETWORK_OFFSET = 0.05
POINT_ROLE = Qt.ItemDataRole.UserRole
FOLLOW_INTERVAL_MS = 3000  # how often a running sweep's files are looked at


def interval_text(row: dict, metric: str) -> str:
    """"85.12 ± 0.40" (%), the mean alone for one seed, "–" when there is none."""
    mean = row.get(f"{metric}_mean", "")
    if mean == "":
        return "–"
    low, high = row.get(f"{metric}_ci_low", ""), row.get(f"{metric}_ci_high", "")
    if low == "" or high == "":
        return f"{100 * mean:.2f}"
    return f"{100 * mean:.2f} ± {100 * (high - low) / 2:.2f}"


class SweepPanel(QWidget):
    """The table and the plot of one sweep; sig_open_point(folder) on a double-clicked point."""

    sig_open_point = Signal(str)
    sig_refreshed = Signal(bool)  # a refresh's read has been shown (False: unreadable then)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.sweep: Sweep | None = None
        self.rows: list[dict] = []
        self.title = QLabel()
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.cellDoubleClicked.connect(self._on_double_click)
        self.hint = QLabel("Double-click a point to open it as a study.")
        self.hint.setStyleSheet(NOTE_STYLE)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("Read the sweep folder again (a running sweep is "
                                       f"followed every {FOLLOW_INTERVAL_MS // 1000} s)")
        self.refresh_button.clicked.connect(self.refresh)
        self.follow_timer = QTimer(self)
        self.follow_timer.setInterval(FOLLOW_INTERVAL_MS)
        self.follow_timer.timeout.connect(self._follow)
        self._signature: tuple = ()
        self._reader: SweepReadThread | None = None
        self._read_again = False

        self.x_key = QComboBox()
        self.x_key.setToolTip("The swept setting along the x axis")
        self.measure = QComboBox()
        for metric, label in MEASURES.items():
            self.measure.addItem(label, metric)
        self.fixed_box = QHBoxLayout()
        self.fixed: dict[str, QComboBox] = {}
        controls = QHBoxLayout()
        controls.addWidget(QLabel("x:"))
        controls.addWidget(self.x_key)
        controls.addWidget(self.measure)
        controls.addLayout(self.fixed_box)
        controls.addStretch(1)
        controls.addWidget(self.refresh_button)
        self.plot = pg.PlotWidget(background=PLOT_BACKGROUND)
        self.plot.addLegend(offset=(10, 10))
        self.plot.showGrid(y=True, alpha=0.3)
        self.plot.getAxis("left").setTextPen(PLOT_FOREGROUND)
        self.plot.getAxis("bottom").setTextPen(PLOT_FOREGROUND)
        self.error_bars: dict[str, pg.ErrorBarItem] = {}
        self.curves: dict[str, pg.PlotDataItem] = {}
        self.x_key.currentIndexChanged.connect(self._rebuild_fixed)
        self.measure.currentIndexChanged.connect(self.redraw)

        plot_box = QWidget()
        plot_layout = QVBoxLayout(plot_box)
        plot_layout.setContentsMargins(0, 0, 0, 0)
        plot_layout.addLayout(controls)
        plot_layout.addWidget(self.plot, 1)
        table_box = QWidget()
        table_layout = QVBoxLayout(table_box)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.addWidget(self.table, 1)
        table_layout.addWidget(self.hint)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(plot_box)
        splitter.addWidget(table_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(splitter, 1)

    # ----- loading ------------------------------------------------------------------------------
    def load(self, folder) -> Sweep:
        """Show the sweep in `folder`; SweepError or StoreError when it cannot be read. A
        running sweep is then followed until it ends (read again off the GUI thread)."""
        sweep, rows, signature = read_sweep(folder)
        self._show(sweep, rows, signature)
        return sweep

    def _show(self, sweep: Sweep, rows: list[dict], signature: tuple) -> None:
        """Show a sweep read by read_sweep, keeping the x axis and fixed values chosen when it
        is the sweep already shown."""
        same = self.sweep is not None and self.sweep.folder == sweep.folder
        chosen_x = self.x_key.currentData() if same else None
        chosen_fixed = ({key: chooser.currentData() for key, chooser in self.fixed.items()}
                        if same else {})
        self.rows = rows
        self.sweep = sweep
        self._signature = signature
        finished = len({r["point"] for r in self.rows if r["state"] == FINISHED})
        grid = " × ".join(f"{k} ({len(v)})" for k, v in sweep.grid.items())
        self.title.setText(f"<b>{Path(sweep.folder).name}</b>: {len(sweep.points)} points over "
                           f"{grid}, {len(sweep.base.seed_list)} seed(s) each; {finished} "
                           f"finished; sweep {sweep.state}")
        self._fill_table()
        self.x_key.blockSignals(True)
        self.x_key.clear()
        for key in sweep.grid:
            self.x_key.addItem(key, key)
        index = self.x_key.findData(chosen_x)
        self.x_key.setCurrentIndex(max(index, 0))
        self.x_key.blockSignals(False)
        self._rebuild_fixed()
        for key, value in chosen_fixed.items():
            chooser = self.fixed.get(key)
            if chooser is not None and chooser.findData(value) >= 0:
                chooser.setCurrentIndex(chooser.findData(value))
        if sweep.state == RUNNING:
            self.follow_timer.start()
        else:
            self.follow_timer.stop()

    def refresh(self) -> None:
        """Read the sweep folder again on a worker thread, then show it (sig_refreshed); a
        moment it cannot be read keeps the last view."""
        if self.sweep is None:
            return
        if self._reader is not None:
            self._read_again = True  # after the read under way: it may predate the change
            return
        reader = SweepReadThread(self.sweep.folder)
        reader.sig_read.connect(self._on_read)
        reader.finished.connect(self._on_reader_done)
        _READERS.add(reader)
        self._reader = reader
        reader.start()

    @Slot(object)
    def _on_read(self, result) -> None:
        if isinstance(result, tuple) and self.sweep is not None \
                and result[0].folder == self.sweep.folder:
            self._show(*result)
        self.sig_refreshed.emit(isinstance(result, tuple))

    @Slot()
    def _on_reader_done(self) -> None:
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.wait()  # `finished` comes just before the thread ends: let it end first
            _READERS.discard(reader)
        if self._read_again:
            self._read_again = False
            self.refresh()

    def wait_for_reading(self, timeout_ms: int = 10_000) -> None:
        """Block until a refresh's read has ended (tests, closing)."""
        if self._reader is not None:
            self._reader.wait(timeout_ms)

    def _follow(self) -> None:
        """The timer's look at a running sweep: read it again only when its files changed."""
        if self.sweep is None:
            self.follow_timer.stop()
            return
        if folder_signature(self.sweep.folder) != self._signature:
            self.refresh()

    def _fill_table(self) -> None:
        keys = list(self.sweep.grid)
        headers = [*keys, "Network", "Seeds", "Peak test acc. (%)", "Final test acc. (%)",
                   "State"]
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(self.rows))
        for index, row in enumerate(self.rows):
            cells = [*(format_value(row[k]) for k in keys), row["network"], str(row["n_seeds"]),
                     interval_text(row, "peak_test_accuracy"),
                     interval_text(row, "final_test_accuracy"), row["state"]]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(POINT_ROLE, row["point"])
                if column >= len(keys) + 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                if column == len(keys):
                    item.setForeground(QColor(network_color(row["network"])))
                error = self.sweep.states.get(row["point"], {}).get("error")
                item.setToolTip(f"{row['point']}: failed: {error}" if row["state"] == "failed"
                                else f"{row['point']}: double-click to open it as a study"
                                if row["state"] == FINISHED else f"{row['point']}: not run yet")
                self.table.setItem(index, column, item)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)

    def _rebuild_fixed(self) -> None:
        """One value chooser per swept setting that is not on the x axis."""
        while self.fixed_box.count():
            widget = self.fixed_box.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.fixed = {}
        if self.sweep is None:
            return
        for key, values in self.sweep.grid.items():
            if key == self.x_key.currentData():
                continue
            label = QLabel(f"{key} =")
            chooser = QComboBox()
            for value in values:
                chooser.addItem(format_value(value), value)
            chooser.currentIndexChanged.connect(self.redraw)
            self.fixed_box.addWidget(label)
            self.fixed_box.addWidget(chooser)
            self.fixed[key] = chooser
        self.redraw()

    # ----- the plot -----------------------------------------------------------------------------
    def series(self, metric: str | None = None) -> dict[str, list[tuple[int, float, float,
                                                                         float]]]:
        """{network: [(x index, mean %, low %, high %)]} of the current x key and fixed values;
        low and high are NaN for one seed; points without results are left out."""
        metric = metric or self.measure.currentData()
        key = self.x_key.currentData()
        if self.sweep is None or key is None:
            return {}
        values = self.sweep.grid[key]
        fixed = {k: chooser.currentData() for k, chooser in self.fixed.items()}
        found: dict[str, list] = {}
        for row in self.rows:
            if any(row[k] != v for k, v in fixed.items()) or row[f"{metric}_mean"] == "":
                continue
            low, high = row[f"{metric}_ci_low"], row[f"{metric}_ci_high"]
            found.setdefault(row["network"], []).append((
                values.index(row[key]), 100 * row[f"{metric}_mean"],
                math.nan if low == "" else 100 * low, math.nan if high == "" else 100 * high))
        return {n: sorted(points) for n, points in found.items()}

    def redraw(self) -> None:
        """Accuracy against the x key's values, one line per network with its CI bars."""
        self.plot.clear()
        self.error_bars = {}
        self.curves = {}
        if self.sweep is None or self.x_key.currentData() is None:
            return
        import numpy as np

        key = self.x_key.currentData()
        values = self.sweep.grid[key]
        series = self.series()
        networks = [n for n in self.sweep.base.networks if n in series]
        for index, network in enumerate(networks):
            points = series[network]
            offset = (index - (len(networks) - 1) / 2) * NETWORK_OFFSET
            x = np.array([p[0] for p in points], float) + offset
            y = np.array([p[1] for p in points], float)
            low = np.array([p[2] for p in points], float)
            high = np.array([p[3] for p in points], float)
            color = network_color(network)
            self.curves[network] = self.plot.plot(
                x, y, pen=pg.mkPen(color, width=2), symbol="o", symbolSize=7,
                symbolBrush=color, symbolPen=color, name=network)
            bars = pg.ErrorBarItem(x=x, y=y, top=np.nan_to_num(high - y),
                                   bottom=np.nan_to_num(y - low), beam=0.04,
                                   pen=pg.mkPen(color, width=1.5))
            self.plot.addItem(bars)
            self.error_bars[network] = bars
        self.plot.getAxis("bottom").setTicks([[(i, format_value(v))
                                               for i, v in enumerate(values)]])
        self.plot.setXRange(-0.5, len(values) - 0.5)
        self.plot.setLabel("bottom", key)
        self.plot.setLabel("left", self.measure.currentText())

    # ----- opening a point ----------------------------------------------------------------------
    def point_folder(self, row: int) -> Path | None:
        """The study folder of the table row's point, or None when it has not finished."""
        item = self.table.item(row, 0)
        if item is None or self.sweep is None:
            return None
        name = item.data(POINT_ROLE)
        states = {r["point"]: r["state"] for r in self.rows}
        if states.get(name) != FINISHED:
            return None
        return self.sweep.folder / name

    def _on_double_click(self, row: int, column: int) -> None:
        folder = self.point_folder(row)
        if folder is not None:
            self.sig_open_point.emit(str(folder))


def read_sweep(folder) -> tuple[Sweep, list[dict], tuple]:
    """(the sweep, its rows, its folder signature); SweepError or StoreError. No Qt: it runs
    on a worker thread when a shown sweep is read again."""
    signature = folder_signature(folder)
    sweep = open_sweep(folder)
    return sweep, sweep.rows(), signature


# Reading threads, referenced until their panel has seen them end (one whose panel closed
# first stays here: a QThread must not be destroyed while it runs).
_READERS: set = set()


class SweepReadThread(QThread):
    """Reads a sweep folder off the GUI thread: sig_read(the read_sweep tuple, or the error)."""

    sig_read = Signal(object)

    def __init__(self, folder, parent=None):
        super().__init__(parent)
        self.folder = Path(folder)

    def run(self) -> None:
        """Read; a sweep that cannot be read now hands back the exception, never raises."""
        try:
            result = read_sweep(self.folder)
        except (SweepError, StoreError, OSError) as exc:
            result = exc
        self.sig_read.emit(result)


def open_sweep_window(window, folder) -> bool | None:
    """Show `folder` in its own window if it is a sweep folder (None when it is not one);
    a double-clicked point opens in `window` as a study. False, with a message, when the sweep
    cannot be read."""
    if not is_sweep_folder(folder):
        return None
    panel = SweepPanel()
    try:
        panel.load(folder)
    except (SweepError, StoreError) as exc:
        panel.deleteLater()
        window.show_message("warning", "Sweep cannot be opened", str(exc))
        return False
    panel.setWindowTitle(f"Sweep {Path(folder).name} — Kernel Lab")
    panel.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    panel.sig_open_point.connect(window.open_study_folder)
    panel.resize(1100, 800)
    # The window keeps its sweep windows alive; one closed is deleted (WA_DeleteOnClose).
    windows = getattr(window, "sweep_windows", None)
    if windows is None:
        windows = []
        window.sweep_windows = windows
    windows[:] = [w for w in windows if w.isVisible()]
    windows.append(panel)
    panel.show()
    window.statusBar().showMessage(f"Opened sweep {folder}")
    return True
