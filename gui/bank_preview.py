"""A small preview of a kernel bank: one image per kernel, in rows of up to eight, on the
kernel viewer's diverging colour map (zero white, positive red, negative blue) with one symmetric
scale over the bank, so a bank of real values reads like the Kernels tab; hovering a cell reads
out its value."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt, Signal

from gui.kernel_view import BACKGROUND, DIVERGING, KernelImageItem, symmetric_limit

COLUMNS = 8
MAX_SIDE = 44
MIN_SIDE = 10
SPACING = 3


class BankPreview(pg.GraphicsLayoutWidget):
    """Shows an (N, k, k) kernel bank; empty for None."""

    sig_hovered = Signal(str)

    def __init__(self, parent=None, columns: int = COLUMNS):
        super().__init__(parent)
        self.setBackground(BACKGROUND)
        self.columns = columns
        self.name = ""
        self._items: list[KernelImageItem] = []
        self._boxes: list[pg.ViewBox] = []
        self._shape: tuple = ()
        self._limit = 1.0
        self.ci.setSpacing(SPACING)
        self.ci.setContentsMargins(2, 2, 2, 2)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFixedHeight(MAX_SIDE)

    def show_kernels(self, kernels, name: str = "") -> None:
        """Show `kernels` (N, k, k) as N images (None or an unusable array: nothing)."""
        try:
            arr = None if kernels is None else np.asarray(kernels, dtype=np.float64)
        except (TypeError, ValueError):
            arr = None
        if arr is None or arr.ndim != 3 or 0 in arr.shape:
            arr = np.zeros((0, 1, 1))
        self.name = name
        if arr.shape != self._shape:
            self._build(arr.shape)
        self._limit = symmetric_limit([arr])
        for k, item in enumerate(self._items):
            item.setImage(arr[k], autoLevels=False, levels=(-self._limit, self._limit))
            item.label = f"{name} · K{k + 1}" if name else f"K{k + 1}"
            item.setToolTip(item.label)
        self._fit()

    def _build(self, shape: tuple) -> None:
        self.ci.clear()
        self._items, self._boxes = [], []
        count, rows, cols = shape
        for k in range(count):
            box = self.ci.addViewBox(row=k // self.columns, col=k % self.columns, lockAspect=True,
                                     enableMouse=False, enableMenu=False, invertY=True)
            box.setBorder(pg.mkPen("#b0b0b0", width=1))
            item = KernelImageItem(self._on_hovered)
            item.setColorMap(DIVERGING)
            box.addItem(item)
            box.setRange(xRange=(0, cols), yRange=(0, rows), padding=0.02)
            self._items.append(item)
            self._boxes.append(box)
        self._shape = shape

    def _fit(self) -> None:
        """Square cells as wide as the widget allows (at most MAX_SIDE), rows of `columns`."""
        count = len(self._items)
        if not count:
            self.setFixedHeight(8)
            return
        cols = min(count, self.columns)
        rows = -(-count // cols)
        side = int((self.width() - 8) / cols) - SPACING
        side = max(MIN_SIDE, min(MAX_SIDE, side))
        layout = self.ci.layout
        for c in range(cols):
            layout.setColumnFixedWidth(c, side)
        for r in range(rows):
            layout.setRowFixedHeight(r, side)
        self.setFixedHeight(rows * (side + SPACING) + 8)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """As wide as the column gives (a graphics view asks for 600 pixels otherwise)."""
        return QSize(MIN_SIDE * self.columns, self.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(MIN_SIDE * self.columns, 8)

    def resizeEvent(self, ev):  # noqa: N802 - Qt's name
        """Keep the cells square as the setup column's width changes."""
        super().resizeEvent(ev)
        if getattr(self, "_items", None) is not None and not getattr(self, "closed", False):
            self._fit()

    def _on_hovered(self, text: str) -> None:
        self.sig_hovered.emit(text)

    # --- what is shown (tests, read-outs) ---------------------------------------------------
    def kernel_count(self) -> int:
        """How many kernel images are shown."""
        return len(self._items)

    def kernel_values(self, index: int) -> np.ndarray:
        """The values the image of kernel `index` (0-based) shows."""
        return np.asarray(self._items[index].image)

    def levels(self) -> tuple[float, float]:
        """The colour scale's (low, high): symmetric around zero."""
        return (-self._limit, self._limit)
