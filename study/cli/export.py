"""`main.py export STUDY_DIR`: CSV tables and PNG figures of a stored study (no display needed)."""

from __future__ import annotations

import sys
from pathlib import Path

from study.cli.figures import figure_writers
from study.protocol.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from study.state import CI

NAME = "export"
HELP = "export a stored study: CSV tables and PNG figures (no display needed)"


def add_arguments(parser) -> None:
    """STUDY_DIR, --out, --force and how the figures are drawn."""
    parser.add_argument("study_dir", metavar="STUDY_DIR", help="the study folder to export")
    parser.add_argument("--out", metavar="DIR", help="export folder (default: STUDY_DIR/export)")
    parser.add_argument("--force", action="store_true", help="replace an earlier export there")
    parser.add_argument("--smoothing", type=float, default=0.0, metavar="W",
                        help="draw the training-plot PNGs smoothed (EMA weight 0-0.99, as the "
                             "app's slider; default 0: raw)")
    parser.add_argument("--band", choices=("ci", "min-max"), default="ci",
                        help="training-plot PNGs of a multi-seed study: the band around the "
                             "mean, its 95 %% CI (default) or the seeds' min-max, as the app's "
                             "Band choice")
    parser.add_argument("--seed-lines", action="store_true",
                        help="training-plot PNGs: also every seed's curve as a faint line")
    parser.add_argument("--own-difference-scale", action="store_true",
                        help="kernel PNGs: the difference on its own colour scale")
    parser.add_argument("--kernel-seed", type=int, metavar="S",
                        help="kernel PNGs of a multi-seed study: those of seed S (default: the "
                             "first seed; kernels.csv holds every seed)")


def run(args) -> int:
    """`main.py export STUDY_DIR [--out DIR] [--force]`: exit 0, or 2 with one error line."""
    from study.analysis.export import (
        ExportError,
        check_destination,
        default_export_folder,
        export_study,
    )
    from study.folder.csvio import StoreError
    from study.state import open_study

    smoothing = args.smoothing or 0.0
    if not 0.0 <= smoothing <= 0.99:
        print(f"error: --smoothing must be from 0 to 0.99, got {smoothing:g}", file=sys.stderr)
        return EXIT_USAGE
    try:
        stored = open_study(args.study_dir)
        out_dir = Path(args.out) if args.out else default_export_folder(stored.folder)
        if args.kernel_seed is not None and args.kernel_seed not in stored.seeds:
            seeds = ", ".join(str(s) for s in stored.seeds)
            print(f"error: --kernel-seed {args.kernel_seed} is not a seed of "
                  f"{stored.folder.name} (its seeds: {seeds})", file=sys.stderr)
            return EXIT_USAGE
        check_destination(out_dir, args.force)
        writers = figure_writers().export(
            smoothing=smoothing, own_difference_scale=args.own_difference_scale,
            spread=args.band or CI, seed_lines=args.seed_lines, kernel_seed=args.kernel_seed)
        result = export_study(stored, out_dir, force=args.force, extra_writers=writers)
    except (StoreError, ExportError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback
        print(f"error: export of {args.study_dir} failed: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        return EXIT_FAILED
    verb = "Replaced" if result.replaced else "Wrote"
    print(f"{verb} {result.folder} ({len(result.files)} files):")
    for name in result.files:
        print(f"  {name}")
    return EXIT_OK
