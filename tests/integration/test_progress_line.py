"""The study's live progress line: drawn on a pseudo-terminal, absent in a pipe."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# A study's events, fed to the line and the text reporter as `main.py study` wires them.
SCRIPT = r"""
import time
from study.run.progress_line import CurrentStdout, ProgressLine, is_terminal
from study.run.reporting import TextReporter
from study.protocol.events import (BatchProgress, EpochEnded, NetworkStarted, StudyFinished,
                                   StudyStarted)

report = TextReporter(stream=CurrentStdout())
if is_terminal():
    report = ProgressLine(report)
report(StudyStarted("/tmp/study-x", "jax", "cpu", ["NetA1-HF"], 2, 1280, 640, 10))
report(NetworkStarted("NetA1-HF", 0, 1))
for epoch in (1, 2):
    for batch in (3, 6, 9):
        report(BatchProgress("NetA1-HF", epoch, batch, 10, 0.1 * batch))
        time.sleep(0.3)
    report(EpochEnded("NetA1-HF", epoch, 1.0, 1.0, 0.5, 1.0, 0.2))
report(StudyFinished("/tmp/study-x", "finished", []))
print("done")
"""


def _environment() -> dict:
    return dict(os.environ, TERM="xterm-256color", COLUMNS="120", LINES="40",
                PYTHONPATH=str(ROOT))


def _read_all(fd: int, process: subprocess.Popen) -> str:
    chunks, deadline = [], time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            data = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    process.wait(timeout=30)
    return b"".join(chunks).decode("utf-8", "replace")


def test_on_a_terminal_one_live_line_is_redrawn():
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-c", SCRIPT], stdin=follower, stdout=follower,
                               stderr=follower, cwd=ROOT, env=_environment(), close_fds=True)
    os.close(follower)
    try:
        output = _read_all(leader, process)
    finally:
        os.close(leader)
    assert process.returncode == 0, output
    assert "NetA1-HF (1/1)  ·  epoch 1/2  ·  batch 9/10  ·  ETA" in output
    assert "\x1b[" in output  # the line is redrawn in place with cursor controls
    assert "epoch   2/2" in output and "done" in output


def test_in_a_pipe_there_are_only_plain_lines():
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=_environment(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "ETA" not in done.stdout and "\x1b[" not in done.stdout
    assert "epoch   1/2" in done.stdout and "epoch   2/2" in done.stdout
