"""`main.py study`: run a study headless (no display needed); `--warm-start` is the app's
pre-started worker (study/run/warm.py)."""

from __future__ import annotations

import sys

from study.cli.options import add_study_arguments, config_from_args, settings_given
from study.config import ConfigError
from study.protocol.exit_codes import EXIT_USAGE
from study.protocol.jobs import StudyJob
from study.run.job import USAGE_ERRORS, run_job

NAME = "study"
HELP = "run a study headless (no display needed)"


def add_arguments(parser) -> None:
    """The options of `main.py study`."""
    add_study_arguments(parser)


def job_from_args(args) -> StudyJob:
    """The StudyJob the options ask for; a usage error (one line) for options that conflict."""
    if args.resume:
        given = settings_given(args)
        if given:
            raise ConfigError(f"--resume continues a study with its own settings; leave out "
                              f"{', '.join(given)}")
        return StudyJob(resume=args.resume, out=args.out, events=args.events,
                        tensorboard=args.tensorboard, stop_on_stdin=args.stop_on_stdin)
    return StudyJob(config=config_from_args(args).to_dict(), out=args.out, events=args.events,
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
