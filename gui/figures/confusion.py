"""PNGs of each network's confusion matrix, as the Compare tab shows it (pyqtgraph items saved
with its ImageExporter; works offscreen)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gui.colors import MUTED_TEXT_COLOR, TEXT_COLOR
from gui.figures.style import as_state, blank_figure, save_figures

CONFUSION_SIZE = (980, 900)


def confusion_png_name(network: str) -> str:
    """File name of a network's confusion matrix figure (confusion_NetA1-HF.png)."""
    return f"confusion_{network}.png"


def confusion_figure(confusion, study_name: str = ""):
    """A GraphicsLayoutWidget (not shown): the matrix as a heat map of each true class's share,
    the counts in the cells, the class names on the axes."""
    import pyqtgraph as pg
    from PySide6.QtGui import QFont

    widget, layout = blank_figure(CONFUSION_SIZE, (12, 10, 20, 12))
    pooled = f", pooled over {confusion.n_seeds} seeds" if confusion.pooled else ""
    layout.addLabel(f"{confusion.network}: confusion matrix", row=0, col=0, size="16pt",
                    color=TEXT_COLOR, bold=True)
    layout.addLabel(f"{confusion.test_images} test images{pooled}; accuracy "
                    f"{100 * confusion.accuracy:.2f} %" + (f"   (study {study_name})"
                                                         if study_name else ""),
                    row=1, col=0, size="10pt", color=MUTED_TEXT_COLOR)
    plot = layout.addPlot(row=2, col=0)
    matrix = np.asarray(confusion.matrix, dtype=float)
    totals = matrix.sum(axis=1, keepdims=True)
    share = np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)
    n = matrix.shape[0]
    image = pg.ImageItem(share.T)  # x: predicted class, y: true class
    colormap = pg.ColorMap([0.0, 1.0], [(255, 255, 255), (21, 101, 192)])
    image.setLookupTable(colormap.getLookupTable(0.0, 1.0, 256))
    image.setLevels([0.0, 1.0])
    image.setRect(0, 0, n, n)
    plot.addItem(image)
    font = QFont()
    font.setPointSize(9)
    for i in range(n):
        for j in range(n):
            count = int(matrix[i, j])
            text = pg.TextItem(str(count), anchor=(0.5, 0.5),
                               color="w" if share[i, j] > 0.55 else TEXT_COLOR)
            text.setFont(font)
            text.setPos(j + 0.5, i + 0.5)
            plot.addItem(text)
    ticks = [[(k + 0.5, name) for k, name in enumerate(confusion.class_names)]]
    for side, label in (("bottom", "predicted class"), ("left", "true class")):
        axis = plot.getAxis(side)
        axis.setTicks(ticks)
        axis.setPen(TEXT_COLOR)
        axis.setTextPen(TEXT_COLOR)
        axis.setStyle(tickFont=font)
        plot.setLabel(side, label, color=TEXT_COLOR, **{"font-size": "11pt"})
    plot.invertY(True)
    plot.setAspectLocked(True)
    plot.setMouseEnabled(False, False)
    plot.hideButtons()
    plot.getViewBox().setRange(xRange=(0, n), yRange=(0, n), padding=0)
    widget.image = image
    return widget


def write_confusion_pngs(stored, folder) -> list[Path]:
    """confusion_NET.png for every network with stored predictions (pooled over the seeds, as
    the Compare tab shows them)."""
    state = as_state(stored)
    name = Path(state.folder).name if state.folder is not None else ""
    return save_figures(((confusion_png_name(network),
                          lambda confusion=confusion: confusion_figure(confusion, name))
                         for network, confusion in state.confusions().items()), folder)
