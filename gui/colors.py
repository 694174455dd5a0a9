"""One colour per network, the same in every view (live plots, comparisons, kernels, exports)."""

# NetA1 in blues/greens, NetA2 in warm colours; HF/HT/DT in the same order within each.
NETWORK_COLORS = {
    "NetA1-HF": "#1f77b4",
    "NetA1-HT": "#17becf",
    "NetA1-DT": "#2ca02c",
    "NetA2-HF": "#d62728",
    "NetA2-HT": "#ff7f0e",
    "NetA2-DT": "#9467bd",
}


def network_color(name: str) -> str:
    """The colour of a network (grey for an unknown name)."""
    return NETWORK_COLORS.get(name, "#7f7f7f")
