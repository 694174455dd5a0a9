"""`main.py study`: run a study headless (no display needed); `--warm-start` is the app's
pre-started worker (study/run/warm.py)."""

from __future__ import annotations

import sys

from study.cli.options import (
    add_study_arguments,
    config_from_args,
    fetch_if_asked,
    settings_given,
)
from study.config import ConfigError
from study.protocol.exit_codes import EXIT_USAGE
from study.protocol.jobs import StudyJob
from study.run.job import USAGE_ERRORS, run_job

NAME = "study"
HELP = "run a study headless (no display needed)"


def add_arguments(parser) -> None:
    """The options of `main.py study`."""
    add_study_arguments(parser)
    parser.add_argument("--quick", action="store_true", help="a quick try: 3 epochs on the "
                        "first 6,000 training and 1,000 test images, all networks at once, on "
                        "the fastest installed backend (JAX, then TensorFlow, then torch); "
                        "other options override it")


def job_from_args(args) -> StudyJob:
    """The StudyJob the options ask for; a usage error (one line) for options that conflict."""
    if args.resume:
        given = settings_given(args)
        if given:
            raise ConfigError(f"--resume continues a study with its own settings; leave out "
                              f"{', '.join(given)}")
        return StudyJob(resume=args.resume, out=args.out, events=args.events,
                        tensorboard=args.tensorboard, stop_on_stdin=args.stop_on_stdin)
    config = config_from_args(args)
    fetch_if_asked(args, [config.dataset])
    if args.quick:
        from study.run.quick import quick_description

        # With --events json, stdout is the event stream: the line goes to stderr.
        print(quick_description(config), file=sys.stderr if args.events == "json" else sys.stdout,
              flush=True)
    return StudyJob(config=config.to_dict(), out=args.out, events=args.events,
                    tensorboard=args.tensorboard, stop_on_stdin=args.stop_on_stdin)


def run(args) -> int:
    """`main.py study`: run, print, and return the exit status."""
    if args.warm_start:
        from study.run.warm import run_warm

        return run_warm(args.backend, args.data, args.events, args.stop_on_stdin)
    try:
        job = job_from_args(args)
    except USAGE_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return run_job(job)
