"""The live plots' plots, timings, words and colours (no widget state)."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor

from study.state import CI, MIN_MAX

# (metrics column, plot title, y-axis label, scale applied to the stored value)
PLOTS = (
    ("test_accuracy", "Test accuracy", "%", 100.0),
    ("test_loss", "Test loss", "cross-entropy", 1.0),
    ("train_loss", "Train loss", "cross-entropy", 1.0),
)

REDRAW_INTERVAL_MS = 125

SPREADS = ((CI, "95 % CI of the mean"), (MIN_MAX, "min – max of the seeds"))

SPREAD_TIP = ("The shaded band around each network's mean over its seeds: the 95 % Student-t "
              "interval of the mean, or the lowest and highest seed")

SMOOTHING_TIP = ("Smooth the curves with an exponential moving average (as TensorBoard does, "
                 "debiased at the start): 0 is off, 0.99 the smoothest. The raw points stay "
                 "faint beside the smoothed line; bands and seed lines are smoothed alike.")

SPREAD_WORDS = {CI: "95 % CI", MIN_MAX: "min – max"}

# Alpha (0–255) of the raw points drawn beside a smoothed line.
RAW_ALPHA = 80

# How near (pixels) the pointer must be to a point for its values to show.
HOVER_PIXELS = 12

# Pixels between a legend entry's sample and label, and between entries.
LEGEND_SPACING = 12

def format_value(column: str, value: float) -> str:
    """A curve value as its axis shows it: "72.31 %" for accuracy, "0.4321" for a loss."""
    if not np.isfinite(value):
        return "n/a"
    return f"{value:.2f} %" if column == "test_accuracy" else f"{value:.4f}"


def _faded(color: str, alpha: int) -> QColor:
    faded = QColor(color)
    faded.setAlpha(alpha)
    return faded
