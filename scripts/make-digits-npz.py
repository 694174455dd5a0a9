"""Write scikit-learn's bundled handwritten digits as an .npz that `--dataset PATH` reads.

The 1,797 8×8 digits (values 0–16) ship inside scikit-learn, so this works offline. They are
upscaled to 28×28 (scipy.ndimage.zoom, bilinear) so that the report's networks and kernel sizes
apply unchanged, scaled to 0–255 bytes, shuffled with a fixed seed and split into training and
test images per class (stratified, 20 % test), with the class names "0" … "9":

    .venv/bin/pip install scikit-learn          # or: pip install -e ".[examples]"
    .venv/bin/python scripts/make-digits-npz.py digits28.npz
    .venv/bin/python main.py study --dataset digits28.npz --seeds 3 --epochs 10
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

SIDE = 28
TEST_SHARE = 0.2


def digits_arrays(side: int = SIDE, test_share: float = TEST_SHARE, seed: int = 0) -> dict:
    """The digits as x_train, y_train, x_test, y_test (uint8 N×side×side, int labels) and
    classes, the split stratified by class with `seed`."""
    from scipy.ndimage import zoom
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    images = digits.images.astype(np.float64) / 16.0  # 0–16 → 0–1
    factor = side / images.shape[1]
    big = np.stack([zoom(image, factor, order=1) for image in images])
    big = np.clip(np.rint(big * 255.0), 0, 255).astype(np.uint8)
    labels = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        big, labels, test_size=test_share, random_state=seed, stratify=labels)
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test,
            "classes": np.array([str(name) for name in digits.target_names])}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the .npz to write")
    parser.add_argument("--side", type=int, default=SIDE, help=f"image side (default {SIDE})")
    args = parser.parse_args(argv)
    try:
        arrays = digits_arrays(args.side)
    except ImportError:
        print("error: scikit-learn is not installed; install it with "
              "`.venv/bin/pip install scikit-learn`", file=sys.stderr)
        return 2
    np.savez_compressed(args.out, **arrays)
    print(f"{args.out}: {len(arrays['x_train'])} train / {len(arrays['x_test'])} test images "
          f"of {args.side}×{args.side}, classes {', '.join(arrays['classes'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
