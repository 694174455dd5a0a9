"""PNGs of what the Training and Compare tabs show: the three training plots and each network's
confusion matrix. Drawn by the app's own widgets (LivePlots) or pyqtgraph items and saved with
pyqtgraph's ImageExporter; works offscreen (the export runs in a child process).

The training plots are drawn as the window shows them: the smoothing weight and the band of a
multi-seed study are parameters, and each figure's subtitle says what is drawn.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gui.colors import MUTED_TEXT_COLOR, TEXT_COLOR
from gui.plot_style import (
    BAND_WORDS,
    blank_figure,
    collect_outside_qt,
    ensure_qapplication,
    save_figures,
)
from study.state import CI

TRAINING_PLOT_SIZE = (2400, 760)  # the three plots side by side; each PNG is one of them
TRAINING_PNG_WIDTH = 1000
CONFUSION_SIZE = (980, 900)


def training_png_name(column: str) -> str:
    """File name of one training plot (training_test_accuracy.png, …)."""
    return f"training_{column}.png"


def confusion_png_name(network: str) -> str:
    """File name of a network's confusion matrix figure (confusion_NetA1-HF.png)."""
    return f"confusion_{network}.png"


def _as_state(stored):
    from gui.export_all import as_state

    return as_state(stored)


def training_note(state, smoothing: float = 0.0, spread: str = CI,
                  seed_lines: bool = False) -> str:
    """What a training PNG draws beyond the plain curves ('' when nothing)."""
    parts = []
    seeds = list(getattr(state, "seeds", []) or [])
    if len(seeds) > 1:
        parts.append(f"mean of {len(seeds)} seeds, {BAND_WORDS[spread]}"
                     + (", faint lines: each seed" if seed_lines else ""))
    if smoothing > 0:
        parts.append(f"smoothed: EMA {smoothing:.2f} (faint points: raw values)")
    return "; ".join(parts)


def write_training_pngs(stored, folder, smoothing: float = 0.0, spread: str = CI,
                        seed_lines: bool = False) -> list[Path]:
    """training_test_accuracy.png, training_test_loss.png and training_train_loss.png: the
    Training tab's three plots drawn by LivePlots itself, with `smoothing`, `spread` and the
    single seeds' lines (`seed_lines`) as shown in the window. Nothing when the study has no
    epochs."""
    from gui.colors import configure_plots

    ensure_qapplication()
    # The window's look (white background) also in a process that has no window.
    configure_plots()
    state = _as_state(stored)
    if not state.networks_with_epochs():
        return []
    with collect_outside_qt():
        return _write_training_pngs(state, folder, smoothing, spread, seed_lines)


def _write_training_pngs(state, folder, smoothing, spread, seed_lines) -> list[Path]:
    """write_training_pngs' drawing, with the garbage collector paused (collect_outside_qt)."""
    import pyqtgraph as pg
    import pyqtgraph.exporters
    from PySide6.QtCore import Qt

    from gui.panels.live_plots import PLOTS, LivePlots

    app = ensure_qapplication()
    plots = LivePlots()
    plots.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    plots.resize(*TRAINING_PLOT_SIZE)
    plots.set_smoothing(smoothing)
    plots.show()
    plots.model.set_state(state)
    plots.set_spread(spread)
    plots.set_seed_lines_shown(seed_lines)
    plots.redraw()
    note = training_note(state, plots.smoothing(), spread,
                         seed_lines and len(getattr(state, "seeds", ()) or ()) > 1)
    name = Path(state.folder).name if state.folder is not None else ""
    written = []
    try:
        for column, title, _unit, _scale in PLOTS:
            plot = plots.plots[column]
            subtitle = " · ".join(t for t in (name, note) if t)
            plot.setTitle(f"<span style='color:{TEXT_COLOR}; font-size:13pt'>{title}</span>"
                          f"<br><span style='color:{MUTED_TEXT_COLOR}; font-size:9pt'>"
                          f"{subtitle}</span>")
            # Room for the two-line title.
            plot.getPlotItem().layout.setRowFixedHeight(0, 56)
            if column != "test_accuracy":
                # Only the accuracy plot has the legend in the window; each PNG stands alone.
                legend = plot.addLegend(offset=(-6, -6), brush=pg.mkBrush(255, 255, 255, 210),
                                        pen=pg.mkPen("#bbbbbb"))
                for network in plots.networks():
                    legend.addItem(plots.curve(network, column), network)
        app.processEvents()
        for column, *_ in PLOTS:
            path = Path(folder) / training_png_name(column)
            exporter = pyqtgraph.exporters.ImageExporter(plots.plots[column].getPlotItem())
            exporter.parameters()["width"] = TRAINING_PNG_WIDTH
            exporter.export(str(path))
            if not path.is_file():
                raise OSError(f"pyqtgraph could not write {path}")
            written.append(path)
    finally:
        plots.close()
        plots.deleteLater()
    return written


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
    state = _as_state(stored)
    name = Path(state.folder).name if state.folder is not None else ""
    return save_figures(((confusion_png_name(network),
                          lambda confusion=confusion: confusion_figure(confusion, name))
                         for network, confusion in state.confusions().items()), folder)
