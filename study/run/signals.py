"""Ctrl-C and SIGTERM for a headless run (a study, a sweep): the first asks it to stop and keep
what is done, the next one aborts (KeyboardInterrupt)."""

from __future__ import annotations

import signal
import sys
import threading


def install_stop_signals(stop_event: threading.Event, terminated: threading.Event,
                         interrupt_message: str | None,
                         terminate_message: str | None = None) -> dict:
    """Handle SIGINT and SIGTERM until restore_signals; returns the handlers they replace.

    The first Ctrl-C sets `stop_event` and prints `interrupt_message` (None: quietly); SIGTERM
    (timeout, systemd, docker) also sets `terminated`. With `terminate_message` a SIGTERM prints
    that (even when Ctrl-C is quiet) and only a second SIGTERM aborts; without it a SIGTERM is a
    Ctrl-C. Where a signal cannot be handled (not the main thread) it is left alone.
    """

    def on_interrupt(signum, frame):
        if stop_event.is_set():
            raise KeyboardInterrupt
        stop_event.set()
        if interrupt_message:
            print(interrupt_message, file=sys.stderr, flush=True)

    def on_terminate(signum, frame):
        if terminate_message is None:
            terminated.set()
            on_interrupt(signum, frame)
            return
        if terminated.is_set() and stop_event.is_set():
            raise KeyboardInterrupt
        terminated.set()
        stop_event.set()
        print(terminate_message, file=sys.stderr, flush=True)

    previous = {}
    for signum, handler in ((signal.SIGINT, on_interrupt), (signal.SIGTERM, on_terminate)):
        try:
            previous[signum] = signal.signal(signum, handler)
        except ValueError:
            pass
    return previous


def restore_signals(previous: dict) -> None:
    """Put back the handlers install_stop_signals replaced."""
    for signum, handler in previous.items():
        signal.signal(signum, handler)
