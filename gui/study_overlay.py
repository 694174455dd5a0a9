"""Curves of several studies overlaid: one line style per study, the usual colour per network —
drawn in the Studies tab and into the PNGs of `main.py compare` (study/cli/compare.py).

The tables and CSVs come from study.analysis.multi_compare; this module only draws (pyqtgraph,
saved by
its ImageExporter as `export` does, offscreen when there is no display).
"""

from __future__ import annotations

import html
from pathlib import Path

from gui.colors import MUTED_TEXT_COLOR, TEXT_COLOR, network_color
from gui.plot_style import (
    CURVE_COLUMNS,
    _style_axes,
    blank_figure,
    save_figures,
    set_epoch_ticks,
)
from study.analysis.multi_compare import ComparedStudy, MultiComparison

# Qt pen style names, one per study in order (then again, with markers told apart by symbol).
LINE_STYLES = ("SolidLine", "DashLine", "DotLine", "DashDotLine", "DashDotDotLine")
SYMBOLS = ("o", "t", "s", "d", "+")
STYLE_WORDS = {"SolidLine": "solid", "DashLine": "dashed", "DotLine": "dotted",
               "DashDotLine": "dash-dot", "DashDotDotLine": "dash-dot-dot"}
OVERLAY_SIZE = (1500, 620)


def line_style(index: int):
    """The Qt.PenStyle of the `index`-th study."""
    from PySide6.QtCore import Qt

    return getattr(Qt.PenStyle, LINE_STYLES[index % len(LINE_STYLES)])


def style_word(index: int) -> str:
    """"solid", "dashed", … for the `index`-th study (legends and notes)."""
    word = STYLE_WORDS[LINE_STYLES[index % len(LINE_STYLES)]]
    return word if index < len(LINE_STYLES) else f"{word}, {SYMBOLS[index // len(LINE_STYLES)]}"


def study_curve(study: ComparedStudy, network: str, column: str):
    """(epochs, values) of `column` for `network`: the mean over its seeds."""
    band = study.state.curve_band(network, column)
    return band.epochs.astype(float), band.mean


def draw_overlay(plot, studies: list[ComparedStudy], networks, column: str, scale: float,
                 legend=None, width: float = 2.0, name_networks: bool = True) -> dict:
    """Draw `column` of each network of each study on `plot`; {(label, network): curve}."""
    import pyqtgraph as pg

    drawn = {}
    for index, study in enumerate(studies):
        symbol = SYMBOLS[(index // len(LINE_STYLES)) % len(SYMBOLS)] \
            if index >= len(LINE_STYLES) else None
        for network in networks:
            if not study.seeds_of(network):
                continue
            epochs, values = study_curve(study, network, column)
            if len(epochs) == 0:
                continue
            color = network_color(network)
            pen = pg.mkPen(color, width=width, style=line_style(index))
            curve = plot.plot(epochs, values * scale, pen=pen, symbol=symbol, symbolSize=6,
                              symbolBrush=color, symbolPen=color)
            drawn[study.label, network] = curve
            if legend is not None:
                seeds = len(study.seeds_of(network))
                label = study.label + (f" ({seeds} seeds)" if seeds > 1 else "")
                legend.addItem(curve, f"{network} — {label}" if name_networks else label)
    return drawn


def overlay_figure(comparison: MultiComparison, network: str, size=OVERLAY_SIZE):
    """A GraphicsLayoutWidget (not shown): one network's test accuracy and test loss, one line
    per study."""
    import pyqtgraph as pg
    from PySide6.QtGui import QFont

    widget, layout = blank_figure(size)
    layout.addLabel(f"{network}: {len(comparison.studies)} studies compared", row=0, col=0,
                    colspan=3, size="17pt", color=TEXT_COLOR, bold=True)
    styles = "; ".join(f"{style_word(i)}: {comparison.legend_label(i)}"
                       for i in range(len(comparison.studies)))
    differing = ", ".join(key for key, _ in comparison.settings) or "none"
    lines = [_clipped(styles), _clipped(f"settings that differ: {differing}; a study of several "
                                        "seeds is drawn as their mean")]
    layout.addLabel("<br>".join(html.escape(line) for line in lines), row=1, col=0, colspan=3,
                    size="11pt", color=MUTED_TEXT_COLOR)
    tick_font = QFont()
    tick_font.setPointSize(11)
    label_style = {"color": TEXT_COLOR, "font-size": "13pt"}
    legend = pg.LegendItem(labelTextColor=TEXT_COLOR, labelTextSize="12pt",
                           pen=pg.mkPen("#a0a0a0"), brush=pg.mkBrush(255, 255, 255, 230))
    drawn = {}
    last_epoch = 1
    for col, (column, axis_title, scale) in enumerate(CURVE_COLUMNS):
        plot = layout.addPlot(row=2, col=col)
        plot.setTitle("Test accuracy" if column == "test_accuracy" else "Test loss",
                      size="14pt", color=TEXT_COLOR)
        plot.setLabel("left", axis_title, **label_style)
        _style_axes(plot, tick_font, label_style, TEXT_COLOR)
        curves = draw_overlay(plot, comparison.studies, [network], column, scale,
                              legend=legend if col == 0 else None, width=3.0,
                              name_networks=False)
        drawn[column] = curves
        for curve in curves.values():
            x, _ = curve.getData()
            if x is not None and len(x):
                last_epoch = max(last_epoch, int(max(x)))
        set_epoch_ticks(plot.getAxis("bottom"), last_epoch)
    legend_column = layout.addLayout(row=2, col=2)
    legend_column.addItem(legend, row=0, col=0)
    legend_column.addLabel("", row=1, col=0)
    legend_column.layout.setRowStretchFactor(1, 10)
    layout.layout.setColumnStretchFactor(0, 10)
    layout.layout.setColumnStretchFactor(1, 10)
    layout.layout.setColumnStretchFactor(2, 1)
    widget.drawn = drawn
    return widget


def _clipped(text: str, length: int = 170) -> str:
    # A figure is 1500 px wide: a longer line would widen the layout past the image.
    return text if len(text) <= length else text[:length - 1] + "…"


def overlay_png_name(network: str) -> str:
    """File name of a network's overlay PNG (overlay_NetA1-HF.png)."""
    return f"overlay_{network}.png"


def write_overlay_pngs(comparison: MultiComparison, folder) -> list[Path]:
    """One PNG per network (test accuracy and test loss of every study) into `folder`."""
    return save_figures(((overlay_png_name(network),
                          lambda network=network: overlay_figure(comparison, network))
                         for network in comparison.networks), folder)
