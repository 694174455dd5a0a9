"""TensorBoard-style curve smoothing: a debiased exponential moving average.

smoothed[i] = last_i / (1 − w^(n_i)), last_i = w·last_(i−1) + (1 − w)·value_i, where n_i counts
the finite values so far. The debiasing keeps the first points where they are instead of pulling
them towards 0. w = 0 is no smoothing; non-finite values are left as they are and skipped.
"""

from __future__ import annotations

import numpy as np

MAX_WEIGHT = 0.99


def ema(values, weight: float) -> np.ndarray:
    """`values` smoothed with weight `weight` (0 … 0.99); a copy, as floats."""
    values = np.asarray(values, dtype=float)
    weight = min(max(float(weight), 0.0), MAX_WEIGHT)
    if weight <= 0.0 or values.size == 0:
        return values.copy()
    out = values.copy()
    last, count = 0.0, 0
    for i, value in enumerate(values):
        if not np.isfinite(value):
            continue
        last = weight * last + (1.0 - weight) * value
        count += 1
        out[i] = last / (1.0 - weight ** count)
    return out
