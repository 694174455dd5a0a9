"""A grid of small kernel images on symmetric diverging colour scales, with colour bars and
hover read-out; plus builders for the grids the Kernels tab and the PNG export show.

Zero is white, positive red, negative blue; each scale runs from −max|value| to +max|value| over
all the cells that share it, so equal values look equal across the whole grid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal

from gui.colors import FROZEN_COLOR, TEXT_COLOR, network_color
from study.analysis.kernels import NetworkKernels

BACKGROUND = "w"
ROW_TITLE_WIDTH = 96
BAR_WIDTH = 78
TITLE_HEIGHT = 30
HEADER_HEIGHT = 36
# The smallest kernel cell: below it a kernel is unreadable and its row title does not fit; a
# grid of many kernels then asks for the height it needs (the panel scrolls).
MIN_CELL = 24
# RdBu-like, symmetric around a white zero.
DIVERGING = pg.ColorMap(
    pos=np.array([0.0, 0.25, 0.5, 0.75, 1.0]),
    color=np.array([
        (33, 102, 172, 255), (103, 169, 207, 255), (247, 247, 247, 255),
        (239, 138, 98, 255), (178, 24, 43, 255),
    ], dtype=np.ubyte),
)


@dataclass
class GridCell:
    """One kernel image: its 2-D values, the text that prefixes its hover read-out, its scale."""

    values: np.ndarray
    label: str
    scale: int = 0
    framed: bool = False


@dataclass
class KernelGrid:
    """What a KernelGridView shows: titles, column headers and a rows × columns table of cells."""

    title: str
    row_titles: list[str]
    column_titles: list[str]
    cells: list[list[GridCell | None]]
    column_groups: list[tuple[str, int]] = field(default_factory=list)
    row_colors: list[str] | None = None
    scale_titles: tuple[str, ...] = ("value",)

    def structure(self) -> tuple:
        """Everything that decides the layout (not the values), to reuse items between updates."""
        present = tuple(tuple(cell is not None for cell in row) for row in self.cells)
        return (len(self.row_titles), len(self.column_titles), tuple(self.column_groups),
                self.scale_titles, present)


def symmetric_limit(arrays) -> float:
    """max |value| over the arrays; 1.0 when all are zero, so a zero grid still has a scale."""
    limit = max((float(np.max(np.abs(a))) for a in arrays if a is not None and a.size), default=0)
    return limit if limit > 0 and np.isfinite(limit) else 1.0


def format_value(value: float) -> str:
    """A kernel value for the read-out, to 6 significant digits (0 and 1 stay short)."""
    return f"{value:.6g}"


class KernelImageItem(pg.ImageItem):
    """An ImageItem that reports the cell under the mouse (row-major, row 0 at the top)."""

    def __init__(self, on_hover):
        super().__init__(axisOrder="row-major")
        self._on_hover = on_hover
        self.label = ""
        self.setAcceptHoverEvents(True)

    def cell_text(self, row: int, col: int) -> str:
        """The read-out of one cell: "<label>, row r, column c: value" (counted from 1)."""
        values = self.image
        return (f"{self.label}, row {row + 1}, column {col + 1}: "
                f"{format_value(float(values[row, col]))}")

    def hoverEvent(self, ev):  # noqa: N802 - pyqtgraph's name
        """Show the value of the cell under the mouse."""
        if ev.isExit() or self.image is None:
            self._on_hover("")
            return
        pos = ev.pos()
        row, col = int(np.floor(pos.y())), int(np.floor(pos.x()))
        rows, cols = self.image.shape[:2]
        if 0 <= row < rows and 0 <= col < cols:
            text = self.cell_text(row, col)
            self.setToolTip(text)
            self._on_hover(text)


class KernelGridView(pg.GraphicsLayoutWidget):
    """Shows a KernelGrid; reuses its image items when only the values change (per epoch)."""

    sig_hovered = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setBackground(BACKGROUND)
        self.grid: KernelGrid | None = None
        self.hover_text = ""
        self._structure = None
        self._items: dict[tuple[int, int], KernelImageItem] = {}
        self._boxes: dict[tuple[int, int], pg.ViewBox] = {}
        self._bars: list[pg.ColorBarItem] = []
        self._title: pg.LabelItem | None = None
        self._column_labels: list[pg.LabelItem] = []
        self._row_labels: list[pg.LabelItem] = []
        self._header_rows = 0

    def show_grid(self, grid: KernelGrid | None) -> None:
        """Display `grid` (None: empty); per-epoch updates only replace values and levels."""
        self.grid = grid
        if grid is None:
            self.ci.clear()
            self._structure = None
            self._items, self._boxes, self._bars = {}, {}, []
            return
        if grid.structure() != self._structure:
            self._build(grid)
        self._title.setText(grid.title, color=TEXT_COLOR, size="11pt", bold=True)
        for label, text in zip(self._column_labels, grid.column_titles, strict=True):
            label.setText(text, color=TEXT_COLOR, size="9pt")
        for r, (label, text) in enumerate(zip(self._row_labels, grid.row_titles, strict=True)):
            color = grid.row_colors[r] if grid.row_colors else TEXT_COLOR
            label.setText(text, color=color, size="9pt", bold=bool(grid.row_colors))
        for (r, c), item in self._items.items():
            cell = grid.cells[r][c]
            item.setImage(np.asarray(cell.values, dtype=np.float64), autoLevels=False)
            item.label = cell.label
            item.setToolTip(cell.label)
            framed = cell.framed
            self._boxes[r, c].setBorder(pg.mkPen(FROZEN_COLOR if framed else "#b0b0b0",
                                                 width=3 if framed else 1))
        for scale, bar in enumerate(self._bars):
            limit = symmetric_limit(
                [cell.values for row in grid.cells for cell in row
                 if cell is not None and cell.scale == scale]
            )
            bar.setLevels((-limit, limit))
        self._fit_cells()

    def _build(self, grid: KernelGrid) -> None:
        layout = self.ci
        layout.clear()
        self._items, self._boxes, self._bars = {}, {}, []
        n_cols = len(grid.column_titles)
        n_bars = len(grid.scale_titles)
        layout.setSpacing(4)
        self._title = layout.addLabel("", row=0, col=0, colspan=n_cols + 1 + n_bars)
        top = 1
        if grid.column_groups:
            col = 1
            for text, span in grid.column_groups:
                layout.addLabel(text, row=top, col=col, colspan=span, color=TEXT_COLOR,
                                size="10pt", bold=True)
                col += span
            top += 1
        self._column_labels = [layout.addLabel("", row=top, col=c + 1) for c in range(n_cols)]
        top += 1
        self._row_labels = []
        for r in range(len(grid.row_titles)):
            self._row_labels.append(layout.addLabel("", row=top + r, col=0, justify="right"))
            for c in range(n_cols):
                cell = grid.cells[r][c]
                if cell is None:
                    continue
                box = layout.addViewBox(row=top + r, col=c + 1, lockAspect=True,
                                        enableMouse=False, enableMenu=False, invertY=True)
                item = KernelImageItem(self._on_item_hovered)
                box.addItem(item)
                rows, cols = np.shape(cell.values)[:2]
                box.setRange(xRange=(0, cols), yRange=(0, rows), padding=0.02)
                self._items[r, c] = item
                self._boxes[r, c] = box
        for scale, title in enumerate(grid.scale_titles):
            bar = pg.ColorBarItem(values=(-1, 1), colorMap=DIVERGING, interactive=False,
                                  label=title, colorMapMenu=False, width=14)
            bar.setImageItem([item for (r, c), item in self._items.items()
                              if grid.cells[r][c].scale == scale])
            layout.addItem(bar, row=top, col=n_cols + 1 + scale, rowspan=len(grid.row_titles))
            self._bars.append(bar)
        self._header_rows = top
        self._structure = grid.structure()
        spacing = layout.layout.verticalSpacing()
        headers = TITLE_HEIGHT + (top - 1) * HEADER_HEIGHT
        rows = len(grid.row_titles)
        self.setMinimumHeight(headers + rows * MIN_CELL + (rows + top + 1) * spacing)

    def resizeEvent(self, ev):  # noqa: N802 - Qt's name
        """Keep the kernel cells square and the grid centred as the widget resizes."""
        super().resizeEvent(ev)
        self._fit_cells()

    def _fit_cells(self) -> None:
        # Aspect-locked view boxes would stretch to fill wide columns, leaving each kernel in a
        # wide empty frame; fixing every cell to the same square keeps the grid compact.
        grid = getattr(self, "grid", None)  # resizeEvent comes during the base __init__
        # pyqtgraph's close() clears the scene, then resizes: the layout is gone by then.
        if grid is None or self._structure is None or getattr(self, "closed", False):
            return
        layout = self.ci.layout
        spacing = layout.horizontalSpacing()
        n_rows, n_cols = len(grid.row_titles), len(grid.column_titles)
        n_bars = len(grid.scale_titles)
        headers = TITLE_HEIGHT + (self._header_rows - 1) * HEADER_HEIGHT
        fixed_w = ROW_TITLE_WIDTH + n_bars * BAR_WIDTH + (n_cols + n_bars + 2) * spacing
        fixed_h = headers + (n_rows + self._header_rows + 1) * spacing
        side = int(min((self.width() - fixed_w) / n_cols, (self.height() - fixed_h) / n_rows))
        side = max(MIN_CELL, side)
        layout.setRowFixedHeight(0, TITLE_HEIGHT)
        for r in range(1, self._header_rows):
            layout.setRowFixedHeight(r, HEADER_HEIGHT)
        for r in range(n_rows):
            layout.setRowFixedHeight(self._header_rows + r, side)
        layout.setColumnFixedWidth(0, ROW_TITLE_WIDTH)
        for c in range(n_cols):
            layout.setColumnFixedWidth(c + 1, side)
        for b in range(n_bars):
            layout.setColumnFixedWidth(n_cols + 1 + b, BAR_WIDTH)
        used_w = fixed_w + n_cols * side
        used_h = fixed_h + n_rows * side
        left = max(0, (self.width() - used_w) // 2)
        top = max(0, (self.height() - used_h) // 2)
        self.ci.setContentsMargins(left, top, left, top)

    def _on_item_hovered(self, text: str) -> None:
        self.hover_text = text
        self.sig_hovered.emit(text)

    def cell_values(self, row: int, col: int) -> np.ndarray:
        """The values shown in grid cell (row, col)."""
        return np.asarray(self._items[row, col].image)

    def cell_item(self, row: int, col: int) -> KernelImageItem:
        """The image item of grid cell (row, col) (hover read-out, tests)."""
        return self._items[row, col]

    def levels(self, scale: int = 0) -> tuple[float, float]:
        """The (low, high) levels of one colour scale."""
        return tuple(self._bars[scale].levels())


# --- the grids the Kernels tab and the export show --------------------------------------------


def network_grid(kernels: NetworkKernels, current_name: str = "Current",
                 own_difference_scale: bool = False) -> KernelGrid:
    """conv1 of one network: rows K1..KN, columns initial | current | current − initial."""
    diff = kernels.conv1_difference()
    frozen = kernels.conv1_frozen
    epoch = f"epoch {kernels.epoch}"
    current_title = f"{current_name} ({epoch})"
    if kernels.current_conv1 is None:
        current_title = f"{current_name}<br>not stored"
    elif frozen:
        current_title += "<br><b>FROZEN</b>"
    diff_title = f"{current_name} − initial"
    if frozen:
        diff_title += "<br><b>exactly 0</b>"
    elif diff is not None and kernels.trained:
        diff_title += f"<br>max |Δ| {np.max(np.abs(diff)):.3g}"
    name = kernels.name
    cells = []
    for k in range(kernels.initial_conv1.shape[0]):
        row = [GridCell(kernels.initial_conv1[k], f"{name} · initial · K{k + 1}")]
        if kernels.current_conv1 is None:
            row += [None, None]
        else:
            row.append(GridCell(kernels.current_conv1[k],
                                f"{name} · {current_name.lower()} ({epoch}) · K{k + 1}",
                                framed=frozen))
            row.append(GridCell(diff[k], f"{name} · {current_name.lower()} − initial · K{k + 1}",
                                scale=1 if own_difference_scale else 0, framed=frozen))
        cells.append(row)
    return KernelGrid(
        title=f"{name} · conv1 ({kernel_words(kernels.initial_conv1)})",
        row_titles=[f"K{k + 1}" for k in range(len(cells))],
        column_titles=["Initial (epoch 0)", current_title, diff_title],
        cells=cells,
        scale_titles=("value", "difference") if own_difference_scale else ("value",),
    )


STATES = ("initial", "current", "difference")
NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten", "eleven", "twelve")


def kernel_words(kernels) -> str:
    """"four 5×5 kernels", "6 3×3 kernels" (numbers to twelve in words) for (N, k, k) kernels."""
    count, size = np.shape(kernels)[0], np.shape(kernels)[-1]
    return f"{_count_words(count)} {size}×{size} kernel{'s' if count != 1 else ''}"


def _count_words(count: int) -> str:
    return NUMBER_WORDS[count] if count < len(NUMBER_WORDS) else str(count)


def _state_arrays(kernels: NetworkKernels, layer: str, state: str):
    if layer == "conv1":
        arrays = {"initial": kernels.initial_conv1, "current": kernels.current_conv1,
                  "difference": kernels.conv1_difference()}
    else:
        arrays = {"initial": kernels.initial_conv2, "current": kernels.current_conv2,
                  "difference": kernels.conv2_difference()}
    return arrays[state]


def state_title(state: str, current_name: str = "Current") -> str:
    """Header text of a state: "Initial", "Current", "Current − initial"."""
    return {"initial": "Initial", "current": current_name,
            "difference": f"{current_name} − initial"}[state]


def conv2_grid(kernels: NetworkKernels, states: Sequence[str] = ("current",),
               current_name: str = "Current", own_difference_scale: bool = False) -> KernelGrid:
    """NetA2's conv2: rows (state, input channel), columns output kernels K1..K12 (3×3 each,
    one input channel per conv1 kernel)."""
    name = kernels.name
    rows, row_titles = [], []
    count, channels, size = np.shape(kernels.initial_conv2)[:3]
    for state in states:
        arrays = _state_arrays(kernels, "conv2", state)
        title = state_title(state, current_name)
        for channel in range(kernels.initial_conv2.shape[1]):
            row_titles.append(f"{title} · in{channel + 1}" if len(states) > 1
                              else f"input {channel + 1}")
            if arrays is None:
                rows.append([None] * count)
                continue
            scale = 1 if own_difference_scale and state == "difference" else 0
            rows.append([
                GridCell(arrays[k, channel],
                         f"{name} · conv2 {title.lower()} · K{k + 1} input {channel + 1}", scale)
                for k in range(count)
            ])
    has_difference = own_difference_scale and "difference" in states
    heading = ", ".join(state_title(s, current_name) for s in states)
    return KernelGrid(
        title=f"{name} · conv2 ({_count_words(count)} {size}×{size}×{channels} kernels) · "
              f"{heading} (epoch {kernels.epoch})",
        row_titles=row_titles,
        column_titles=[f"K{k + 1}" for k in range(count)],
        cells=rows,
        scale_titles=("value", "difference") if has_difference else ("value",),
    )


def overview_grid(networks: Sequence[str], kernels: dict[str, NetworkKernels],
                  current_name: str = "Current", own_difference_scale: bool = False) -> KernelGrid:
    """conv1 of every network: one row each, columns K1..KN of initial | current | difference
    (N: the most kernels a network's conv1 has; the networks of one study share their bank)."""
    cells, row_titles = [], []
    count = max((np.shape(k.initial_conv1)[0] for k in kernels.values() if k is not None),
                default=4)
    for network in networks:
        found = kernels.get(network)
        note = ""
        row = []
        for state in STATES:
            arrays = None if found is None else _state_arrays(found, "conv1", state)
            scale = 1 if own_difference_scale and state == "difference" else 0
            for k in range(count):
                if arrays is None or k >= len(arrays):
                    row.append(None)
                else:
                    label = f"{network} · {state_title(state, current_name).lower()} · K{k + 1}"
                    framed = found.conv1_frozen and state != "initial"
                    row.append(GridCell(arrays[k], label, scale, framed))
        if found is None:
            note = "no kernels yet"
        elif found.conv1_frozen:
            note = "FROZEN"
        elif found.trained:
            note = f"max |Δ| {found.max_conv1_change()[0]:.3g}"
        elif found.current_conv1 is None:
            note = "not finished"
        else:
            note = "epoch 0"
        row_titles.append(f"{network}<br>{note}")
        cells.append(row)
    groups = [(state_title(s, current_name), count) for s in STATES]
    seeds = sorted({k.seed for k in kernels.values() if k.seed is not None})
    of_seed = f" · seed {', '.join(str(s) for s in seeds)}" if seeds else ""
    return KernelGrid(
        title=f"conv1 of every network: initial, {current_name.lower()} and the difference"
              f"{of_seed}",
        row_titles=row_titles,
        column_titles=[f"K{k + 1}" for k in range(count)] * 3,
        cells=cells,
        column_groups=groups,
        row_colors=[network_color(n) for n in networks],
        scale_titles=("value", "difference") if own_difference_scale else ("value",),
    )
