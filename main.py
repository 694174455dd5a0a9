"""Kernel Lab: `python main.py` opens the app; `python main.py study …` runs a study headless."""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    """The parser of main.py: no command opens the app; the commands come from study.cli."""
    from study.cli import add_commands

    parser = argparse.ArgumentParser(
        prog="main.py",
        description="Kernel Lab: hand-made vs learned first-layer kernels on Fashion-MNIST. "
                    "With no command, opens the app.",
    )
    parser.add_argument("--open", metavar="STUDY_DIR", help="open a stored study in the app")
    add_commands(parser.add_subparsers(dest="command", metavar="COMMAND"))
    return parser


def figure_writers():
    """The app's PNG drawing for export, compare and export-kernels (imported when used)."""
    from gui.export_all import export_writers
    from gui.kernel_export import export_kernel_grids, planned_files
    from gui.study_overlay import write_overlay_pngs
    from study.cli.figures import FigureWriters

    return FigureWriters(export=export_writers, compare=(write_overlay_pngs,),
                         kernel_files=planned_files, kernel_grids=export_kernel_grids)


def main(argv=None) -> int:
    """Entry point; returns the exit status."""
    args = build_parser().parse_args(argv)
    if args.command is None:
        from gui.app import run_app

        return run_app(open_folder=args.open)
    from study.cli import figures, run_command

    figures.install(figure_writers)
    return run_command(args)


if __name__ == "__main__":
    sys.exit(main())
