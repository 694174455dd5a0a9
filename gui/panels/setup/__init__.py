"""The setup panel, by part: its words and parsing (fields), its form (form), and the panel
with its values and devices (panel)."""

from gui.panels.setup.bank import link_editor
from gui.panels.setup.fields import (
    HEAD_TEXT,
    MODE_TEXT,
    device_label,
    parse_seeds,
    problem_field,
    seeds_text,
)
from gui.panels.setup.panel import SetupPanel, setup_column

__all__ = ["HEAD_TEXT", "MODE_TEXT", "SetupPanel", "device_label", "link_editor", "parse_seeds",
           "problem_field", "seeds_text", "setup_column"]
