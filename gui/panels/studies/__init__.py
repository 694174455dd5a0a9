"""The Studies tab, by part: the list of studies (listing), the comparison of the chosen ones
(comparison), and the panel that holds both (panel)."""

from gui.panels.studies.comparison import (
    ALL_NETWORKS,
    COMPARE_HEADERS,
    difference_text,
    mean_ci,
    settings_html,
)
from gui.panels.studies.panel import StudiesPanel

__all__ = ["ALL_NETWORKS", "COMPARE_HEADERS", "StudiesPanel", "difference_text", "mean_ci",
           "settings_html"]
