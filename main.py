"""Kernel Lab: `python main.py` opens the app; `python main.py study …` runs a study headless."""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    """The parser of main.py: no command opens the app; `study` runs headless."""
    from study.cli import add_study_arguments

    parser = argparse.ArgumentParser(
        prog="main.py",
        description="Kernel Lab: hand-made vs learned first-layer kernels on Fashion-MNIST. "
                    "With no command, opens the app.",
    )
    parser.add_argument("--open", metavar="STUDY_DIR", help="open a stored study in the app")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    study = commands.add_parser("study", help="run a study headless (no display needed)")
    add_study_arguments(study)
    return parser


def main(argv=None) -> int:
    """Entry point; returns the exit status."""
    args = build_parser().parse_args(argv)
    if args.command == "study":
        from study.cli import run_study_command

        return run_study_command(args)
    from gui.app import run_app

    return run_app(open_folder=args.open)


if __name__ == "__main__":
    sys.exit(main())
