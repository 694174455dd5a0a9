"""How the comparisons look, in the app and in the PNGs: curves, axes, figure layout, saving.

Drawn with pyqtgraph and saved by its own ImageExporter. Works without a display: when no
QApplication exists one is made, on the offscreen platform if there is no display. Colours and
text styles come from gui.colors.
"""

from __future__ import annotations

import gc
import os
import sys
from contextlib import contextmanager
from pathlib import Path

from gui.colors import BAND_ALPHA, MISSING_COLOR, MUTED_TEXT_COLOR, TEXT_COLOR
from study.analysis.comparisons import Comparison
from study.analysis.timing import shared_timing_note
from study.state import CI, MIN_MAX, StudyState

FIGURE_SIZE = (1500, 620)
CURVE_COLUMNS = (
    # (metrics column, axis title, scale applied to the stored value)
    ("test_accuracy", "test accuracy (%)", 100.0),
    ("test_loss", "loss (cross-entropy)", 1.0),
)


def as_state(stored) -> StudyState:
    """The StudyState the figures are drawn from."""
    return stored


def ensure_qapplication():
    """The running QApplication, or a new one (offscreen when there is no display)."""
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else "kernel-lab"])
    return app


def comparison_png_name(key: str) -> str:
    """File name of a comparison's figure (e.g. comparison_inset-NetA1.png)."""
    return f"comparison_{key}.png"


BAND_WORDS = {CI: "shaded: 95 % CI of the mean", MIN_MAX: "shaded: min – max of the seeds"}


def seed_count(stored) -> int:
    """How many seeds a study has (1 when there is none)."""
    if stored is None or not hasattr(stored, "curve_band"):
        return 1
    return max(1, len(stored.seeds))


def seeds_note(stored, spread: str = CI) -> str:
    """"mean of 5 seeds (0 1 2 3 4); shaded: 95 % CI of the mean", or '' for one seed."""
    if seed_count(stored) < 2:
        return ""
    seeds = " ".join(str(s) for s in stored.seeds)
    return f"curves: mean of {len(stored.seeds)} seeds ({seeds}); {BAND_WORDS[spread]}"


def _series(stored, network: str, column: str, multi: bool, spread: str):
    """(epochs, values, band) of one column: the mean over the seeds and its (low, high) band
    for a multi-seed study, else the one seed's values and None."""
    if not multi:
        epochs, values = stored.curve(network, column)
        return epochs.astype(float), values, None
    band = stored.curve_band(network, column, spread)
    return band.epochs.astype(float), band.mean, (band.low, band.high)


def _draw_band(plot, color: str, epochs, band, scale: float):
    """A shaded FillBetweenItem between the band's ends, under the curves; returns it."""
    import pyqtgraph as pg
    from PySide6.QtGui import QColor

    fill_color = QColor(color)
    fill_color.setAlpha(BAND_ALPHA)
    edge_color = QColor(color)
    edge_color.setAlpha(BAND_ALPHA * 2)
    low = pg.PlotCurveItem(epochs, band[0] * scale, pen=pg.mkPen(edge_color, width=1))
    high = pg.PlotCurveItem(epochs, band[1] * scale, pen=pg.mkPen(edge_color, width=1))
    fill = pg.FillBetweenItem(low, high, brush=pg.mkBrush(fill_color))
    for item in (low, high, fill):
        item.setZValue(-10)
        plot.addItem(item)
    return fill


def draw_comparison(accuracy_plot, loss_plot, stored, comparison: Comparison, legend=None,
                    width: float = 2.0, symbol_size: int = 5,
                    spread: str = CI) -> dict[str, dict]:
    """Overlay the comparison's test accuracy and loss curves.

    Styled as the live plots are: one colour per network (gui.colors), accuracy in %, and the
    train loss dashed beside the solid test loss; a network that ended before its planned
    epochs says so in the legend. A study of several seeds draws each network's mean over its
    seeds with a shaded band (`spread`: CI, the 95 % interval of the mean, or MIN_MAX) around
    the test accuracy and the test loss. `stored` is a StudyState. Returns
    {network: {metrics column: curve}} for the networks that have epochs, in the comparison's
    order; a multi-seed study adds "test_accuracy_band" and "test_loss_band" (FillBetweenItem).
    """
    import pyqtgraph as pg
    from PySide6.QtCore import Qt

    from gui.colors import network_color

    drawn = {}
    present = set(stored.networks_with_epochs()) if stored is not None else set()
    multi = seed_count(stored) > 1
    for network in comparison.networks:
        if network not in present:
            continue
        color = network_color(network)
        style = {"symbol": "o", "symbolSize": symbol_size, "symbolBrush": color,
                 "symbolPen": color}
        curves = {}
        epochs, accuracy, band = _series(stored, network, "test_accuracy", multi, spread)
        if band is not None:
            curves["test_accuracy_band"] = _draw_band(accuracy_plot, color, epochs, band, 100.0)
        curves["test_accuracy"] = accuracy_plot.plot(
            epochs, accuracy * 100.0, pen=pg.mkPen(color, width=width), **style)
        if legend is not None:
            legend.addItem(curves["test_accuracy"], legend_label(stored, network))
        epochs, test_loss, band = _series(stored, network, "test_loss", multi, spread)
        if band is not None:
            curves["test_loss_band"] = _draw_band(loss_plot, color, epochs, band, 1.0)
        curves["test_loss"] = loss_plot.plot(epochs, test_loss,
                                             pen=pg.mkPen(color, width=width), **style)
        epochs, train_loss, _band = _series(stored, network, "train_loss", multi, spread)
        curves["train_loss"] = loss_plot.plot(
            epochs, train_loss,
            pen=pg.mkPen(color, width=max(1.0, width - 0.5), style=Qt.PenStyle.DashLine))
        drawn[network] = curves
    return drawn


def legend_label(stored, network: str) -> str:
    """A network's legend entry: its name, and "(stopped at epoch k of N)" when it ended early."""
    note = stored.incomplete_note(network) if hasattr(stored, "incomplete_note") else ""
    return f"{network} {note}" if note else network


def set_epoch_ticks(axis, last_epoch: int) -> None:
    """Whole-epoch ticks on an epoch axis: about ten labelled ticks at most."""
    major = next(step for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 10**9)
                 if last_epoch / step <= 10)
    axis.setTickSpacing(major, major if major < 5 else major / 5)


def _style_axes(plot, tick_font, label_style, text_color) -> None:
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setStyle(tickFont=tick_font, tickTextOffset=6)
        axis.setPen(text_color)
        axis.setTextPen(text_color)
        axis.enableAutoSIPrefix(False)
    plot.showGrid(x=True, y=True, alpha=0.2)
    plot.getViewBox().setDefaultPadding(0.04)
    plot.setLabel("bottom", "epoch", **label_style)


def blank_figure(size, margins=(16, 10, 16, 12)):
    """A white GraphicsLayoutWidget (not shown) of `size` for a PNG, and its layout."""
    import pyqtgraph as pg

    ensure_qapplication()
    widget = pg.GraphicsLayoutWidget()
    widget.setBackground("w")
    widget.resize(*size)
    widget.ci.setContentsMargins(*margins)
    return widget, widget.ci


@contextmanager
def collect_outside_qt():
    """Python's cyclic garbage collector paused while pyqtgraph and Qt objects are made and drawn,
    and run once at the end, from plain Python.

    Left to itself the collector runs whenever Python allocates, also inside a PySide call that
    holds a Qt lock (a signal's disconnect, say); a QObject it frees then waits for that same
    lock in ~QObject, and the process hangs. Seen here (gdb: QObject::~QObject ← gc ←
    ViewBox.addItem's disconnect) when figures were drawn one after another in one process.
    The app does the same with pyqtgraph's GarbageCollector (gui/app.py).

    With the collector paused, everything made inside is still in the youngest generation, so
    collecting that one is enough (under 1 ms, where a full collection of a process with Keras
    loaded takes 0.2 s); older garbage is left to the collector's own runs outside."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.collect(0)


def save_figures(figures, folder) -> list[Path]:
    """Save each (file name, make the figure widget) pair as a PNG in `folder`, one figure at a
    time (each widget is deleted once saved); the paths written."""
    ensure_qapplication()
    written = []
    for name, make in figures:
        with collect_outside_qt():
            widget = make()
            try:
                written.append(save_widget_png(widget, Path(folder) / name))
            finally:
                widget.deleteLater()
    return written


def comparison_figure(stored, comparison: Comparison, size=FIGURE_SIZE):
    """A GraphicsLayoutWidget (not shown) with title, accuracy and loss plots and a legend."""
    import pyqtgraph as pg
    from PySide6.QtGui import QFont

    text_color = TEXT_COLOR
    widget, layout = blank_figure(size)
    folder = Path(stored.folder).name if stored is not None else ""
    layout.addLabel(f"{comparison.title}", row=0, col=0, colspan=3, size="17pt",
                    color=text_color, bold=True)
    note = seeds_note(stored)
    layout.addLabel(f"{comparison.question}   (study {folder})" + (f"   {note}" if note else ""),
                    row=1, col=0, colspan=3, size="11pt", color=MUTED_TEXT_COLOR)
    tick_font = QFont()
    tick_font.setPointSize(11)
    label_style = {"color": text_color, "font-size": "13pt"}
    accuracy_plot = layout.addPlot(row=2, col=0)
    accuracy_plot.setTitle("Test accuracy", size="14pt", color=text_color)
    accuracy_plot.setLabel("left", CURVE_COLUMNS[0][1], **label_style)
    loss_plot = layout.addPlot(row=2, col=1)
    loss_plot.setTitle("Loss (solid: test, dashed: train)", size="14pt", color=text_color)
    loss_plot.setLabel("left", CURVE_COLUMNS[1][1], **label_style)
    for plot in (accuracy_plot, loss_plot):
        _style_axes(plot, tick_font, label_style, text_color)
    legend = pg.LegendItem(labelTextColor=text_color, labelTextSize="13pt",
                           pen=pg.mkPen("#a0a0a0"), brush=pg.mkBrush(255, 255, 255, 230))
    # The legend sits in its own column, at the top, so it never hides a curve.
    legend_column = layout.addLayout(row=2, col=2)
    legend_column.addItem(legend, row=0, col=0)
    legend_column.addLabel("", row=1, col=0)
    legend_column.layout.setRowStretchFactor(1, 10)
    drawn = draw_comparison(accuracy_plot, loss_plot, stored, comparison, legend=legend,
                            width=3.0, symbol_size=7)
    # The figure keeps what it drew, so a caller (or a test) can see the bands.
    widget.drawn = drawn
    last_epoch = max((int(stored.curve(n, "test_accuracy")[0].max()) for n in drawn), default=1)
    for plot in (accuracy_plot, loss_plot):
        set_epoch_ticks(plot.getAxis("bottom"), last_epoch)
    missing = [n for n in comparison.networks if n not in drawn]
    if missing:
        layout.addLabel("not in this study: " + ", ".join(missing), row=3, col=0, colspan=3,
                        size="11pt", color=MISSING_COLOR)
    # An all-at-once study's per-network times are estimates; the figure says how it was timed.
    timing_note = (shared_timing_note(stored.status, getattr(stored.config, "timing_rounds", None))
                   if stored is not None else "")
    if timing_note:
        layout.addLabel(timing_note, row=4, col=0, colspan=3, size="11pt", color=MUTED_TEXT_COLOR)
    layout.layout.setColumnStretchFactor(0, 10)
    layout.layout.setColumnStretchFactor(1, 10)
    layout.layout.setColumnStretchFactor(2, 1)
    return widget


def save_widget_png(widget, path) -> Path:
    """Render a GraphicsLayoutWidget's scene to `path` at its own size with ImageExporter."""
    import pyqtgraph.exporters
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    path = Path(path)
    # "Shown" without appearing on any screen, so the layout gets its real size before rendering.
    widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    widget.show()
    QApplication.processEvents()
    exporter = pyqtgraph.exporters.ImageExporter(widget.scene())
    exporter.parameters()["width"] = widget.width()
    exporter.export(str(path))
    if not path.is_file():
        raise OSError(f"pyqtgraph could not write {path}")
    return path


