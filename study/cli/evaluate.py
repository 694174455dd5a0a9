"""`main.py evaluate STUDY_DIR`: load a study's stored .keras models on a backend and check
them against its test set and predictions (study/run/evaluate.py does the work)."""

from __future__ import annotations

import sys
from pathlib import Path

from study.protocol.backends import BACKENDS
from study.protocol.exit_codes import EXIT_OK, EXIT_USAGE
from study.run.evaluate import (
    EVALUATION_COLUMNS,
    EVALUATION_FILE,
    check_out_file,
    evaluate_study,
    evaluation_table,
)
from study.run.job import USAGE_ERRORS

NAME = "evaluate"
HELP = ("load a study's stored .keras models on a backend and check them against the study's "
        "test set and predictions (no display needed)")


def add_arguments(parser) -> None:
    """STUDY_DIR, --backend, --device and --out."""
    parser.add_argument("study_dir", metavar="STUDY_DIR", help="the study folder")
    parser.add_argument("--backend", choices=BACKENDS, help="Keras backend to load the models "
                        "on (default: KERAS_BACKEND if set, else jax)")
    parser.add_argument("--device", default="cpu", help="cpu, gpu or gpu:N (default cpu)")
    parser.add_argument("--out", metavar="FILE",
                        help=f"where to write the CSV (default: STUDY_DIR/{EVALUATION_FILE})")


def run(args) -> int:
    """Evaluate, print the table, write the CSV; the exit status."""
    from study.folder.csvio import atomic_write_text, csv_text

    out = Path(args.out) if args.out else Path(args.study_dir) / EVALUATION_FILE
    try:
        check_out_file(out)
        rows, note = evaluate_study(args.study_dir, backend=args.backend, device=args.device)
        atomic_write_text(out, csv_text(EVALUATION_COLUMNS, rows))
    except USAGE_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(note)
    print(evaluation_table(rows))
    print(f"Wrote {out}")
    return EXIT_OK
