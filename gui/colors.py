"""The app's palette and styles, in one place for the window and the exported PNGs.

One colour per network, the same in every view (live plots, comparisons, kernels, exports), and
the few text and cell colours the panels and figures share (git-cola's widgets/defs.py is the
model: widgets name a role, never a hex value).
"""

# NetA1 in blues/greens, NetA2 in warm colours; HF/HT/DT in the same order within each.
NETWORK_COLORS = {
    "NetA1-HF": "#1f77b4",
    "NetA1-HT": "#17becf",
    "NetA1-DT": "#2ca02c",
    "NetA2-HF": "#d62728",
    "NetA2-HT": "#ff7f0e",
    "NetA2-DT": "#9467bd",
}
UNKNOWN_NETWORK_COLOR = "#7f7f7f"

# Text
TEXT_COLOR = "#202020"          # figure titles and axes
MUTED_TEXT_COLOR = "#505050"    # figure subtitles and notes
NOTE_COLOR = "#444444"          # notes under tables
HINT_COLOR = "#666666"          # small hints (device note)
REFERENCE_TEXT_COLOR = "#707070"  # the report's figures beside ours
ERROR_COLOR = "#c62828"         # invalid fields, Run disabled
WARNING_COLOR = "#b71c1c"       # data that disagree with their scheme
MISSING_COLOR = "#a00000"       # networks missing from a figure
INCOMPLETE_COLOR = "#b35900"    # a network stopped before its planned epochs
CELL_TEXT_COLOR = "#101010"     # text on coloured cells

# Cell backgrounds
HOLDS_COLOR = "#c8e6c9"
DOES_NOT_HOLD_COLOR = "#ffcdd2"
NOT_APPLICABLE_COLOR = "#e0e0e0"
NOT_RESOLVED_COLOR = "#fff1c9"  # neither green nor red: more seeds may settle it
# One seed's verdict rests on the sign of one difference: a tint, never the full green or red.
HOLDS_ONE_SEED_COLOR = "#e8efe8"
DOES_NOT_HOLD_ONE_SEED_COLOR = "#f3e8e9"
IDENTICAL_COLOR, DIFFERS_COLOR = HOLDS_COLOR, DOES_NOT_HOLD_COLOR
FROZEN_COLOR = "#1565c0"

# Style sheets
NOTE_STYLE = f"color: {NOTE_COLOR};"
HINT_STYLE = f"color: {HINT_COLOR};"
ERROR_STYLE = f"color: {ERROR_COLOR};"
WARNING_STYLE = f"color:{WARNING_COLOR};"
INVALID_EDIT_STYLE = f"QLineEdit {{ border: 1px solid {ERROR_COLOR}; padding: 1px; }}"
FROZEN_BADGE_STYLE = (f"background:{FROZEN_COLOR}; color:white; font-weight:bold; "
                      "padding:2px 8px; border-radius:3px;")
READ_ONLY_STYLE = "QGroupBox { background: #f4f6f8; }"

# Plots
PLOT_BACKGROUND = "w"
PLOT_FOREGROUND = "#222222"
# A multi-seed study: each network's band (its colour, this transparent; 0–255) and seed lines.
BAND_ALPHA = 50
BAND_EDGE_ALPHA = 90
SEED_LINE_ALPHA = 110


def network_color(name: str) -> str:
    """The colour of a network (grey for an unknown name)."""
    return NETWORK_COLORS.get(name, UNKNOWN_NETWORK_COLOR)


def configure_plots() -> None:
    """pyqtgraph look shared by every plot of the app (white background, antialiased)."""
    import pyqtgraph as pg

    pg.setConfigOptions(background=PLOT_BACKGROUND, foreground=PLOT_FOREGROUND, antialias=True)
