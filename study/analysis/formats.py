"""How numbers read, in the app, the command line and the exports: the one home of each format.

A figure over seeds reads "mean ± half-width" of its 95 % interval ("81.00 ± 0.45 %"); one seed
keeps the plain figure ("81.00 %"); a mean peak epoch keeps one decimal unless it is whole ("12.4",
"2"); the tooltips give the interval's ends. A value that is not there (one seed's interval, a
network that did not run) is NaN or None in the data, reads MISSING ("—") everywhere and is an
empty cell in a CSV file (csv_cell).
No Qt here: the app, the CLI and the CSV writers share it.
"""

from __future__ import annotations

import math

MISSING = "—"


def defined(value) -> bool:
    """A value is there: not None and not NaN."""
    return value is not None and not (isinstance(value, float) and math.isnan(value))


_defined = defined


def format_duration(seconds: float) -> str:
    """Seconds as mm:ss.ss, the report's format (minutes grow past 59 rather than wrap)."""
    minutes, rest = divmod(max(0.0, float(seconds)), 60.0)
    if round(rest, 2) >= 60.0:
        minutes, rest = minutes + 1, 0.0
    return f"{int(minutes):02d}:{rest:05.2f}"


def mean_epoch_text(value) -> str:
    """A (mean) epoch: one decimal, none when whole ("12.4", "2"); "—" when unknown."""
    if not _defined(value):
        return MISSING
    text = f"{float(value):.1f}"
    return text[:-2] if text.endswith(".0") else text


def mean_ci_text(mean, low=None, high=None, *, scale: float = 1.0, decimals: int = 2,
                 unit: str = "") -> str:
    """"mean ± half-width unit" (or "mean unit" without an interval); "—" when unknown."""
    if not _defined(mean):
        return MISSING
    value = f"{scale * float(mean):.{decimals}f}"
    suffix = f" {unit}" if unit else ""
    if not (_defined(low) and _defined(high)):
        return f"{value}{suffix}"
    half = scale * (float(high) - float(low)) / 2.0
    return f"{value} ± {half:.{decimals}f}{suffix}"


def ci_tip(mean, low, high, n: int, *, scale: float = 1.0, decimals: int = 2,
           unit: str = "") -> str:
    """Tooltip of a mean over seeds: its 95 % interval and the number of seeds."""
    if not _defined(mean):
        return ""
    suffix = f" {unit}" if unit else ""
    if not (_defined(low) and _defined(high)):
        return f"one seed: no interval (n = {n})"
    return (f"mean of {n} seeds {scale * mean:.{decimals}f}{suffix}, 95 % CI "
            f"{scale * low:.{decimals}f} to {scale * high:.{decimals}f}{suffix} "
            "(Student-t over the seeds)")


def signed_text(value, *, scale: float = 1.0, decimals: int = 2, unit: str = "") -> str:
    """A difference with its sign ("+0.52 pts"); "—" when undefined."""
    if not _defined(value):
        return MISSING
    suffix = f" {unit}" if unit else ""
    return f"{scale * float(value):+.{decimals}f}{suffix}"


def interval_text(low, high, *, scale: float = 1.0, decimals: int = 2, unit: str = "") -> str:
    """A 95 % interval "[−0.31, +1.35] pts"; "—" when undefined (one seed, n.a.)."""
    if not (_defined(low) and _defined(high)):
        return MISSING
    suffix = f" {unit}" if unit else ""
    return f"[{scale * float(low):+.{decimals}f}, {scale * float(high):+.{decimals}f}]{suffix}"


def p_text(value) -> str:
    """A p-value: "< 0.001", "0.034"; "—" when undefined."""
    if not _defined(value):
        return MISSING
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def p_phrase(value) -> str:
    """A p-value inside a sentence: "p < 0.001", "p = 0.034"."""
    text = p_text(value)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def csv_cell(value):
    """A value as a CSV cell: an undefined one (None, NaN) is an empty cell."""
    return value if _defined(value) else ""


def verdict_text(verdict: str, n_seeds: int) -> str:
    """A verdict as shown: one seed's "holds" / "does not hold" says so ("holds (1 seed)")."""
    if n_seeds == 1 and verdict in ("holds", "does not hold"):
        return f"{verdict} (1 seed)"
    return verdict
