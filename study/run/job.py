"""Executes a StudyJob: plan (or resume), report, handle Ctrl-C/SIGTERM and stdin, run; the exit
status. The CLI's `study` command and the app's warm worker both end here."""

from __future__ import annotations

import sys
import threading

from study.config import ConfigError, StudyConfig
from study.data import DataError
from study.folder.csvio import StoreError
from study.protocol.backends import BackendError
from study.protocol.byhand import KernelError
from study.protocol.events import Failed, StudyStarted
from study.protocol.exit_codes import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_STOPPED,
    EXIT_TERMINATED,
    EXIT_USAGE,
)
from study.protocol.jobs import StudyJob
from study.run.reporting import TextReporter, json_emitter
from study.run.signals import install_stop_signals, restore_signals

# Errors that mean "could not start": one "error: …" line and exit 2.
USAGE_ERRORS = (ConfigError, DataError, BackendError, KernelError, StoreError)
INTERRUPT_MESSAGE = "\nStopping after this batch (Ctrl-C again to abort)…"
TERMINATE_MESSAGE = ("Terminated (SIGTERM): stopping after this batch; the study is kept as "
                     "stopped.")


def _watch_stdin(stop_event: threading.Event) -> None:
    """Stop when the parent writes "stop" or closes our stdin (the GUI's control channel)."""
    for line in sys.stdin:
        if line.strip() == "stop":
            break
    stop_event.set()


def plan_job(job: StudyJob):
    """(config, ResumePlan or None) of `job`; the usage errors before anything is made."""
    from study.run.runner import plan_resume

    resume = None
    if job.resume is not None:
        resume = plan_resume(job.resume)
        config = resume.config
    else:
        config = StudyConfig.from_dict(job.config)
    if job.tensorboard:
        from study.run import tensorboard

        tensorboard.check_available()
    return config, resume


def run_job(job: StudyJob, kept=None) -> int:
    """Run `job`, print as it asks, and return the exit status (`kept`: a dataset the warm
    worker loaded ahead, study/run/warm.py)."""
    from study.run.runner import run_study

    try:
        config, resume = plan_job(job)
    except USAGE_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    report = json_emitter() if job.events == "json" else TextReporter(config=config)
    if job.tensorboard:
        from study.run import tensorboard

        report = tensorboard.TensorBoardWriter(forward=report)
    sent = set()

    def emit(event):
        sent.add(type(event))
        report(event)

    stop_event = threading.Event()
    if job.stop_on_stdin:
        threading.Thread(target=_watch_stdin, args=(stop_event,), daemon=True).start()
    terminated = threading.Event()
    previous = install_stop_signals(
        stop_event, terminated, None if job.events == "json" else INTERRUPT_MESSAGE,
        TERMINATE_MESSAGE)
    try:
        run_study(config, emit=emit, stop_event=stop_event, out_root=job.out, resume=resume,
                  kept=kept)
    except KeyboardInterrupt:
        print("Aborted.", file=sys.stderr)
        return EXIT_TERMINATED if terminated.is_set() else EXIT_STOPPED
    except Exception as exc:  # noqa: BLE001 - every failure ends in one clear line
        if Failed in sent:
            # run_study reported it with the study folder; the epochs done are kept there.
            return EXIT_FAILED
        usage = isinstance(exc, USAGE_ERRORS) and StudyStarted not in sent
        message = str(exc) if usage else f"{type(exc).__name__}: {exc}"
        if job.events == "json":
            emit(Failed(message))
        print(f"error: {message}", file=sys.stderr)
        return EXIT_USAGE if usage else EXIT_FAILED
    finally:
        restore_signals(previous)
    if terminated.is_set():
        return EXIT_TERMINATED
    return EXIT_STOPPED if stop_event.is_set() else EXIT_OK
