"""Exit statuses of `main.py` commands: the contract between a child process and the window."""

EXIT_OK = 0        # done (a study that was asked to stop and stopped cleanly also ends here)
EXIT_FAILED = 1    # failed after it started (files written so far are kept)
EXIT_USAGE = 2     # could not start: bad settings, data, folder; one "error: …" line says why
EXIT_STOPPED = 130  # stopped by Ctrl+C / a stop request before finishing
EXIT_TERMINATED = 143  # stopped by SIGTERM (timeout, systemd, docker): 128 + 15, state "stopped"
