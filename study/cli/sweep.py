"""`main.py sweep`: one study per point of a grid of settings, here or on a Ray cluster
(study/sweep/command.py runs it)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from study.cli.options import add_study_arguments, config_from_args, fetch_if_asked, settings_given
from study.protocol.exit_codes import EXIT_USAGE
from study.run.job import USAGE_ERRORS
from study.sweep.executors import DEFAULT_MAX_RETRIES, EXECUTORS
from study.sweep.grid import GRID_KEYS, OPTION_OF, SweepError, parse_grid

NAME = "sweep"
HELP = "run one study per point of a grid of settings, here or on a Ray cluster"


def add_arguments(parser) -> None:
    """The study options plus --grid, --executor, --address, …"""
    add_study_arguments(parser)
    for action in parser._actions:
        if action.dest == "out":
            action.help = "where the sweep folder is made (default: studies/)"
        elif action.dest == "resume":
            action.metavar = "SWEEP_DIR"
            action.help = "run the points of this sweep that have not finished"
        elif action.dest == "mode":
            action.help = "a sweep's points run all-at-once"
        elif action.dest == "events":
            action.help = argparse.SUPPRESS
    parser.add_argument("--grid", action="append", metavar="KEY=V1,V2,…",
                        help=f"a swept setting and its values (repeat for more); keys: "
                             f"{', '.join(GRID_KEYS)}")
    parser.add_argument("--executor", choices=EXECUTORS, default="local",
                        help="local: points one after another here (or --workers processes); "
                             "ray: one Ray task per point (default: local)")
    parser.add_argument("--address", help="Ray cluster to submit to (HOST:PORT, ray://…, or "
                        "auto); default: start a local one")
    parser.add_argument("--workers", type=int, metavar="N", help="local: points at once in "
                        "N processes; ray: the CPUs of the local cluster")
    parser.add_argument("--cpus-per-point", type=float, default=1.0, metavar="N",
                        help="Ray: CPUs each point asks for (default 1)")
    parser.add_argument("--max-retries", type=int, default=DEFAULT_MAX_RETRIES, metavar="N",
                        help="tries again of a point whose worker was lost (default 2)")


def _refuse_options(args) -> None:
    if args.events != "text":
        raise SweepError("a sweep prints text progress only; leave out --events")
    if args.workers is not None and args.workers < 1:
        raise SweepError(f"--workers must be at least 1, got {args.workers}")
    if args.max_retries < 0:
        raise SweepError(f"--max-retries must be 0 or more, got {args.max_retries}")
    if not args.cpus_per_point > 0:
        raise SweepError(f"--cpus-per-point must be above 0, got {args.cpus_per_point}")
    if args.address and args.executor != "ray":
        raise SweepError("--address goes with --executor ray")
    if args.resume:
        given = settings_given(args)
        if args.grid:
            given.append("--grid")
        if given:
            raise SweepError(f"--resume continues a sweep with its own grid and settings; "
                             f"leave out {', '.join(given)}")


def _grid_and_base(args):
    """A new sweep's grid and base settings (all-at-once, the data by an absolute path)."""
    grid = parse_grid(args.grid)
    swept_options = [f"--{OPTION_OF[k].replace('_', '-')}" for k in grid
                     if getattr(args, OPTION_OF[k], None) is not None]
    if swept_options:
        raise SweepError(f"{', '.join(swept_options)} is swept by --grid; leave the option out")
    if args.mode == "sequential":
        raise SweepError("a sweep's points run all-at-once; leave out --mode sequential")
    base = config_from_args(args).replace(mode="all-at-once").validated()
    fetch_if_asked(args, grid.get("dataset", [base.dataset]))
    if base.data_dir:
        # The points (and a later --resume from elsewhere) find the data by an absolute path.
        base = base.replace(data_dir=str(Path(base.data_dir).expanduser().absolute()))
    return grid, base


def run(args) -> int:
    """`main.py sweep`: the request the options make, run; the exit status."""
    from study.sweep.command import SweepRequest, run_sweep

    try:
        _refuse_options(args)
        grid, base = (None, None) if args.resume else _grid_and_base(args)
    except (SweepError, *USAGE_ERRORS) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return run_sweep(SweepRequest(
        out=args.out, resume=args.resume, grid=grid, base=base, executor=args.executor,
        address=args.address, workers=args.workers, cpus_per_point=args.cpus_per_point,
        max_retries=args.max_retries))
