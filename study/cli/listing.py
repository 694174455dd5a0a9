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
    """DIR …: the folders to list; --format."""
    from study.cli.library_output import LIST_FORMATS

    parser.add_argument("folders", nargs="*", metavar="DIR",
                        help=f"folders of studies (default: {DEFAULT_ROOT}/)")
    parser.add_argument("--format", choices=LIST_FORMATS, default="table",
                        help="an aligned table for a person, or CSV or JSON (with each study's "
                             "name, note and environment) for a program (default: table)")


def run(args) -> int:
    """Print the list; exit 2 with one line for a missing folder."""
    from study.cli.library_output import list_output
    from study.folder.library import list_studies

    folders = [Path(f) for f in (args.folders or [DEFAULT_ROOT])]
    missing = [str(f) for f in folders if not f.is_dir()]
    if missing and args.folders:
        print(f"error: {', '.join(missing)}: not a folder", file=sys.stderr)
        return EXIT_USAGE
    rows = list_studies([f for f in folders if f.is_dir()])
    if not rows and args.format == "table":
        print(f"No studies found in {', '.join(str(f) for f in folders)}.")
        return EXIT_OK
    print(list_output(rows, args.format))
    return EXIT_OK
