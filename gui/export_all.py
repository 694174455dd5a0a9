"""`main.py export`: every CSV, PNG and kernel file of a study (drawn by gui.figures.export);
the app runs it in a child process (gui.export_job)."""

from __future__ import annotations

import sys
from pathlib import Path

from gui.export_job import ExportJob  # noqa: F401 - importable from here too
from gui.figures.export import (  # noqa: F401 - importable from here too
    export_all,
    write_comparison_pngs,
)
from study.analysis.export import ExportError
from study.state import CI


def run_export_command(args) -> int:
    """`main.py export STUDY_DIR [--out DIR] [--force]`: exit 0, or 2 with one error line."""
    from study.analysis.export import check_destination, default_export_folder
    from study.folder.store import StoreError, open_study

    smoothing = getattr(args, "smoothing", 0.0) or 0.0
    if not 0.0 <= smoothing <= 0.99:
        print(f"error: --smoothing must be from 0 to 0.99, got {smoothing:g}", file=sys.stderr)
        return 2
    try:
        stored = open_study(args.study_dir)
        out_dir = Path(args.out) if args.out else default_export_folder(stored.folder)
        check_destination(out_dir, args.force)
        result = export_all(stored, out_dir, force=args.force,
                            smoothing=smoothing,
                            own_difference_scale=getattr(args, "own_difference_scale", False),
                            spread=getattr(args, "band", CI) or CI,
                            seed_lines=getattr(args, "seed_lines", False))
    except (StoreError, ExportError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback
        print(f"error: export of {args.study_dir} failed: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        return 1
    verb = "Replaced" if result.replaced else "Wrote"
    print(f"{verb} {result.folder} ({len(result.files)} files):")
    for name in result.files:
        print(f"  {name}")
    return 0
