"""`main.py list [DIR …]`: the studies in folders, one row each (no display needed)."""

from __future__ import annotations

import sys
from pathlib import Path

from study.folder.layout import DEFAULT_ROOT
from study.protocol.exit_codes import EXIT_OK, EXIT_USAGE

NAME = "list"
HELP = "list the studies in folders: state, backend, epochs, seeds, best accuracy (no display " \
       "needed)"


def add_arguments(parser) -> None:
    """DIR …: the folders to list."""
    parser.add_argument("folders", nargs="*", metavar="DIR",
                        help=f"folders of studies (default: {DEFAULT_ROOT}/)")


def run(args) -> int:
    """Print the table; exit 2 with one line for a missing folder."""
    from study.folder.library import library_table, list_studies

    folders = [Path(f) for f in (args.folders or [DEFAULT_ROOT])]
    missing = [str(f) for f in folders if not f.is_dir()]
    if missing and args.folders:
        print(f"error: {', '.join(missing)}: not a folder", file=sys.stderr)
        return EXIT_USAGE
    rows = list_studies([f for f in folders if f.is_dir()])
    if not rows:
        print(f"No studies found in {', '.join(str(f) for f in folders)}.")
        return EXIT_OK
    print(library_table(rows))
    return EXIT_OK
