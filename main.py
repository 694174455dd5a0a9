"""Kernel Lab: `python main.py` opens the app; `python main.py study …` runs a study headless."""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    """The parser of main.py: no command opens the app; `study` runs headless."""
    from study.cli.study import add_study_arguments

    parser = argparse.ArgumentParser(
        prog="main.py",
        description="Kernel Lab: hand-made vs learned first-layer kernels on Fashion-MNIST. "
                    "With no command, opens the app.",
    )
    parser.add_argument("--open", metavar="STUDY_DIR", help="open a stored study in the app")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    study = commands.add_parser("study", help="run a study headless (no display needed)")
    add_study_arguments(study)
    export = commands.add_parser(
        "export", help="export a stored study: CSV tables and PNG figures (no display needed)")
    export.add_argument("study_dir", metavar="STUDY_DIR", help="the study folder to export")
    export.add_argument("--out", metavar="DIR", help="export folder (default: STUDY_DIR/export)")
    export.add_argument("--force", action="store_true", help="replace an earlier export there")
    export.add_argument("--smoothing", type=float, default=0.0, metavar="W",
                        help="draw the training-plot PNGs smoothed (EMA weight 0-0.99, as the "
                             "app's slider; default 0: raw)")
    export.add_argument("--band", choices=("ci", "min-max"), default="ci",
                        help="training-plot PNGs of a multi-seed study: the band around the "
                             "mean, its 95 %% CI (default) or the seeds' min-max, as the app's "
                             "Band choice")
    export.add_argument("--seed-lines", action="store_true",
                        help="training-plot PNGs: also every seed's curve as a faint line")
    export.add_argument("--own-difference-scale", action="store_true",
                        help="kernel PNGs: the difference on its own colour scale")
    export_kernels = commands.add_parser(
        "export-kernels", help="PNGs of a stored study's kernel grids and kernels.csv "
                               "(no display needed)")
    export_kernels.add_argument("study_dir", metavar="STUDY_DIR", help="the study folder")
    export_kernels.add_argument("--out", metavar="DIR", required=True, help="where to write")
    export_kernels.add_argument("--force", action="store_true",
                                help="overwrite kernel files already in DIR")
    from study.cli.study import add_commands, add_library_commands
    from study.sweep.command import (
        add_parser as add_sweep_parser,  # sweeps (study/sweep/command.py)
    )

    add_library_commands(commands)  # `list` and `compare` (study library)
    add_sweep_parser(commands)
    add_commands(commands)  # the others whose module sets `run_command` (evaluate)
    return parser


def main(argv=None) -> int:
    """Entry point; returns the exit status."""
    args = build_parser().parse_args(argv)
    if args.command == "study":
        from study.cli.study import run_study_command

        return run_study_command(args)
    if args.command == "sweep":
        from study.sweep.command import run_sweep_command

        return run_sweep_command(args)
    if args.command == "export":
        from gui.export_all import run_export_command

        return run_export_command(args)
    if args.command == "list":
        from study.folder.library import run_list_command

        return run_list_command(args)
    if args.command == "compare":
        from gui.study_overlay import run_compare_command

        return run_compare_command(args)
    if args.command == "export-kernels":
        from gui.kernel_export import run_export_kernels_command

        return run_export_kernels_command(args)
    if getattr(args, "run_command", None) is not None:
        return args.run_command(args)
    from gui.app import run_app

    return run_app(open_folder=args.open)


if __name__ == "__main__":
    sys.exit(main())
