"""`main.py compare STUDY_A STUDY_B [...] --out DIR`: studies.csv, differences.csv and overlay
PNGs of stored studies (no display needed)."""

from __future__ import annotations

import sys

from study.cli.figures import figure_writers
from study.protocol.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE

NAME = "compare"
HELP = "compare stored studies: studies.csv, differences.csv and overlay PNGs (no display needed)"


def add_arguments(parser) -> None:
    """STUDY_DIR …, --out and --force."""
    parser.add_argument("studies", nargs="*", metavar="STUDY_DIR",
                        help="two or more study folders; the first is the baseline")
    parser.add_argument("--out", metavar="DIR", required=True, help="folder to write")
    parser.add_argument("--force", action="store_true",
                        help="replace an earlier comparison there")


def run(args) -> int:
    """Exit 0, or 2 with one error line (nothing written)."""
    from study.analysis.multi_compare import (
        CompareError,
        check_compare_destination,
        compare_studies,
        load_studies,
        write_comparison,
    )

    try:
        if len(args.studies) < 2:
            raise CompareError(f"compare needs at least 2 studies, got {len(args.studies)}")
        check_compare_destination(args.out, args.force)
        comparison = compare_studies(load_studies(args.studies))
        names = write_comparison(comparison, args.out, force=args.force,
                                 extra_writers=figure_writers().compare)
    except CompareError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback
        print(f"error: compare failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"Wrote {args.out} ({len(names)} files):")
    for name in names:
        print(f"  {name}")
    return EXIT_OK
