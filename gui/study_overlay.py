"""`main.py compare`: the tables of study.analysis.multi_compare and the overlay PNGs drawn by
gui.figures.overlay."""

from __future__ import annotations

import sys

from gui.figures.overlay import (  # noqa: F401 - the drawing is also importable from here
    LINE_STYLES,
    OVERLAY_SIZE,
    STYLE_WORDS,
    SYMBOLS,
    draw_overlay,
    line_style,
    overlay_figure,
    overlay_png_name,
    study_curve,
    style_word,
    write_overlay_pngs,
)
from study.analysis.multi_compare import (
    CompareError,
    compare_studies,
    load_studies,
    write_comparison,
)


# ----- `main.py compare` ----------------------------------------------------------------------
def run_compare_command(args) -> int:
    """`main.py compare`: exit 0, or 2 with one error line (nothing written)."""
    from study.analysis.multi_compare import check_compare_destination

    try:
        if len(args.studies) < 2:
            raise CompareError(f"compare needs at least 2 studies, got {len(args.studies)}")
        check_compare_destination(args.out, args.force)
        comparison = compare_studies(load_studies(args.studies))
        names = write_comparison(comparison, args.out, force=args.force,
                                 extra_writers=[write_overlay_pngs])
    except CompareError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback
        print(f"error: compare failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(f"Wrote {args.out} ({len(names)} files):")
    for name in names:
        print(f"  {name}")
    return 0
