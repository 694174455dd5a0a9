"""How the comparisons look, in the app and in the PNGs: curves, axes, figure layout, saving.

Drawn with pyqtgraph and saved by its own ImageExporter. Works without a display: when no
QApplication exists one is made, on the offscreen platform if there is no display. Colours and
text styles come from gui.colors.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from gui.colors import MISSING_COLOR, MUTED_TEXT_COLOR, TEXT_COLOR
from study.compare import Comparison
from study.timing import shared_timing_note

FIGURE_SIZE = (1500, 620)
CURVE_COLUMNS = (
    # (metrics column, axis title, scale applied to the stored value)
    ("test_accuracy", "test accuracy (%)", 100.0),
    ("test_loss", "loss (cross-entropy)", 1.0),
)


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


def draw_comparison(accuracy_plot, loss_plot, stored, comparison: Comparison, legend=None,
                    width: float = 2.0, symbol_size: int = 5) -> dict[str, dict]:
    """Overlay the comparison's test accuracy and loss curves.

    Styled as the live plots are: one colour per network (gui.colors), accuracy in %, and the
    train loss dashed beside the solid test loss; a network that ended before its planned
    epochs says so in the legend. `stored` is a StudyState (or a StoredStudy). Returns
    {network: {metrics column: curve}} for the networks that have epochs, in the comparison's
    order.
    """
    import pyqtgraph as pg
    from PySide6.QtCore import Qt

    from gui.colors import network_color

    drawn = {}
    present = set(stored.networks_with_epochs()) if stored is not None else set()
    for network in comparison.networks:
        if network not in present:
            continue
        color = network_color(network)
        style = {"symbol": "o", "symbolSize": symbol_size, "symbolBrush": color,
                 "symbolPen": color}
        curves = {}
        epochs, accuracy = stored.curve(network, "test_accuracy")
        curves["test_accuracy"] = accuracy_plot.plot(
            epochs.astype(float), accuracy * 100.0, pen=pg.mkPen(color, width=width), **style)
        if legend is not None:
            legend.addItem(curves["test_accuracy"], legend_label(stored, network))
        epochs, test_loss = stored.curve(network, "test_loss")
        curves["test_loss"] = loss_plot.plot(epochs.astype(float), test_loss,
                                             pen=pg.mkPen(color, width=width), **style)
        epochs, train_loss = stored.curve(network, "train_loss")
        curves["train_loss"] = loss_plot.plot(
            epochs.astype(float), train_loss,
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


def comparison_figure(stored, comparison: Comparison, size=FIGURE_SIZE):
    """A GraphicsLayoutWidget (not shown) with title, accuracy and loss plots and a legend."""
    import pyqtgraph as pg
    from PySide6.QtGui import QFont

    ensure_qapplication()
    text_color = TEXT_COLOR
    widget = pg.GraphicsLayoutWidget()
    widget.setBackground("w")
    widget.resize(*size)
    layout = widget.ci
    layout.setContentsMargins(16, 10, 16, 12)
    folder = Path(stored.folder).name if stored is not None else ""
    layout.addLabel(f"{comparison.title}", row=0, col=0, colspan=3, size="17pt",
                    color=text_color, bold=True)
    layout.addLabel(f"{comparison.question}   (study {folder})", row=1, col=0, colspan=3,
                    size="11pt", color=MUTED_TEXT_COLOR)
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
    last_epoch = max((int(stored.curve(n, "test_accuracy")[0].max()) for n in drawn), default=1)
    for plot in (accuracy_plot, loss_plot):
        set_epoch_ticks(plot.getAxis("bottom"), last_epoch)
    missing = [n for n in comparison.networks if n not in drawn]
    if missing:
        layout.addLabel("not in this study: " + ", ".join(missing), row=3, col=0, colspan=3,
                        size="11pt", color=MISSING_COLOR)
    # An all-at-once study's per-network times are estimates; the figure says how it was timed.
    timing_note = shared_timing_note(stored.status) if stored is not None else ""
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


