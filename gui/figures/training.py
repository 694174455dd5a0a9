"""PNGs of the Training tab's three plots, drawn by the app's own LivePlots and saved with
pyqtgraph's ImageExporter; works offscreen (the export runs in a child process).

The training plots are drawn as the window shows them: the smoothing weight and the band of a
multi-seed study are parameters, and each figure's subtitle says what is drawn.
"""

from __future__ import annotations

from pathlib import Path

from gui.colors import MUTED_TEXT_COLOR, TEXT_COLOR
from gui.figures.style import BAND_WORDS, as_state, collect_outside_qt, ensure_qapplication
from study.state import CI

TRAINING_PLOT_SIZE = (2400, 760)  # the three plots side by side; each PNG is one of them
TRAINING_PNG_WIDTH = 1000


def training_png_name(column: str) -> str:
    """File name of one training plot (training_test_accuracy.png, …)."""
    return f"training_{column}.png"


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
    state = as_state(stored)
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
