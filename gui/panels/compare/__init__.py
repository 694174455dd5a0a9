"""The Compare tab, by tab: Comparisons, Conclusions and Init identity, Confusion; cells and
colours in cells."""

from gui.colors import DIFFERS_COLOR
from gui.panels.compare.cells import (
    EMPTY_TEXT,
    ONE_SEED_VERDICT_COLORS,
    VERDICT_COLORS,
    comparison_cells,
    conclusion_cells,
    table_headers,
)
from gui.panels.compare.panel import ComparePanel

__all__ = ["DIFFERS_COLOR", "EMPTY_TEXT", "ONE_SEED_VERDICT_COLORS", "VERDICT_COLORS",
           "ComparePanel", "comparison_cells", "conclusion_cells", "table_headers"]
