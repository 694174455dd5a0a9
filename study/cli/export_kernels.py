"""`main.py export-kernels STUDY_DIR --out DIR`: PNGs of a stored study's kernel grids and
kernels.csv (no display needed)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from study.cli.figures import figure_writers
from study.protocol.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE

NAME = "export-kernels"
HELP = "PNGs of a stored study's kernel grids and kernels.csv (no display needed)"
CSV_FILE = "kernels.csv"


def add_arguments(parser) -> None:
    """STUDY_DIR, --out and --force."""
    parser.add_argument("study_dir", metavar="STUDY_DIR", help="the study folder")
    parser.add_argument("--out", metavar="DIR", required=True, help="where to write")
    parser.add_argument("--force", action="store_true",
                        help="overwrite kernel files already in DIR")


def _refused(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_USAGE


def run(args) -> int:
    """`main.py export-kernels STUDY_DIR --out DIR [--force]`: PNGs and kernels.csv, headless."""
    from study.analysis.kernels import write_kernel_csv
    from study.folder.csvio import StoreError
    from study.state import open_study

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    figures = figure_writers()
    try:
        stored = open_study(args.study_dir)
        names = figures.kernel_files(stored)
    except StoreError as exc:
        return _refused(str(exc))
    if not names:
        return _refused(f"{args.study_dir} holds no stored weights yet (weights/*.initial.npz); "
                        "export once a network has started training")
    out_dir = Path(args.out)
    if out_dir.exists() and not out_dir.is_dir():
        return _refused(f"--out {out_dir} is a file; give a folder")
    existing = [name for name in [*names, CSV_FILE] if (out_dir / name).exists()]
    if existing and not args.force:
        more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
        return _refused(f"{out_dir} already holds {existing[0]}{more}; "
                        "add --force to overwrite, or choose another --out folder")
    try:
        paths = figures.kernel_grids(stored, out_dir)
        paths.append(write_kernel_csv(stored, out_dir / CSV_FILE))
    except StoreError as exc:
        return _refused(str(exc))
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback
        print(f"error: export-kernels of {args.study_dir} failed: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        return EXIT_FAILED
    for path in paths:
        print(path)
    return EXIT_OK
