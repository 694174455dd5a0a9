"""`main.py export-kernels`: the kernel grids' PNGs (drawn by gui.figures.kernels) and
kernels.csv, headless."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from gui.figures.kernels import (  # noqa: F401 - the drawing is also importable from here
    CONV2_IMAGE_SIZE,
    CSV_FILE,
    NETWORK_IMAGE_SIZE,
    OVERVIEW_FILE,
    OVERVIEW_IMAGE_SIZE,
    export_grids,
    export_kernel_grids,
    planned_files,
    render_grid_png,
)
from study.analysis.kernels import write_kernel_csv
from study.folder.store import StoreError, open_study
from study.protocol.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE


def run_export_kernels_command(args) -> int:
    """`main.py export-kernels STUDY_DIR --out DIR [--force]`: PNGs and kernels.csv, headless."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    def fail(message: str) -> int:
        print(f"error: {message}", file=sys.stderr)
        return EXIT_USAGE

    try:
        stored = open_study(args.study_dir)
        names = planned_files(stored)
    except StoreError as exc:
        return fail(str(exc))
    if not names:
        return fail(f"{args.study_dir} holds no stored weights yet (weights/*.initial.npz); "
                    "export once a network has started training")
    out_dir = Path(args.out)
    if out_dir.exists() and not out_dir.is_dir():
        return fail(f"--out {out_dir} is a file; give a folder")
    existing = [name for name in [*names, CSV_FILE] if (out_dir / name).exists()]
    if existing and not args.force:
        more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
        return fail(f"{out_dir} already holds {existing[0]}{more}; "
                    "add --force to overwrite, or choose another --out folder")
    try:
        paths = export_kernel_grids(stored, out_dir)
        paths.append(write_kernel_csv(stored, out_dir / CSV_FILE))
    except StoreError as exc:
        return fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback
        print(f"error: export-kernels of {args.study_dir} failed: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        return EXIT_FAILED
    for path in paths:
        print(path)
    return EXIT_OK
