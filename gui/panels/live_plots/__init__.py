"""The Training tab's live plots: the widget (plots), hovering and reading back what is drawn
(hover), and the plots' words and constants (constants)."""

from gui.panels.live_plots.constants import PLOTS, REDRAW_INTERVAL_MS, format_value
from gui.panels.live_plots.plots import LivePlots

__all__ = ["PLOTS", "REDRAW_INTERVAL_MS", "LivePlots", "format_value"]
