"""`main.py study` on a terminal: one live line for the whole study under the epoch lines.

The line shows the network(s), epoch, batch, the share done and the overall ETA, from the same
tracker as the app's progress bar (study/analysis/eta.py). It is drawn with rich: rich is
already installed (Keras depends on it), its Live display keeps one line redrawn at the bottom
while the epoch lines print above it, and it crops to the terminal's width. Keras' Progbar knows
one epoch of one model, not a study; tqdm would be one more dependency for the same line.
When stdout is not a terminal (a pipe, a file, a cluster log) or with `--events json`, nothing
is drawn and the plain lines are all there is.
"""

from __future__ import annotations

import sys

from study.analysis.eta import StudyProgress
from study.protocol.events import Failed, StudyFinished, StudyStarted


class CurrentStdout:
    """A stream that writes to whatever sys.stdout is at the time (the live display's proxy
    while the line is drawn), so the epoch lines print above the line."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


def is_terminal(stream=None) -> bool:
    """Whether `stream` (stdout) is a terminal a live line can be drawn on."""
    from rich.console import Console

    stream = sys.stdout if stream is None else stream
    return Console(file=stream).is_terminal


class ProgressLine:
    """An event listener: follow the study, redraw the line, then pass the event on."""

    def __init__(self, forward, together: bool = False, stream=None):
        from rich.console import Console

        self.forward = forward
        self.together = together
        self.tracker = StudyProgress()
        self.console = Console(file=sys.stdout if stream is None else stream)
        self.live = None

    def line(self):
        """The line as rich text: the share done, then where the study is and its ETA."""
        from rich.text import Text

        text = f"{100 * self.tracker.done_fraction():3.0f} %  {self.tracker.text}"
        return Text(text, no_wrap=True, overflow="ellipsis", style="bold")

    def __call__(self, event) -> None:
        """Fold the event into the line (drawn from StudyStarted to the end), then forward it."""
        if isinstance(event, StudyStarted):
            self._start()
        changed = self.tracker.follow(event, together=self.together)
        if isinstance(event, StudyFinished | Failed):
            self.close()
        self.forward(event)
        if changed and self.live is not None:
            self.live.update(self.line(), refresh=True)

    def _start(self) -> None:
        from rich.live import Live

        self.close()
        self.live = Live(console=self.console, refresh_per_second=4, transient=True,
                         redirect_stdout=True, redirect_stderr=True)
        self.live.start()

    def close(self) -> None:
        """Take the line away (the study ended, or the command stops)."""
        if self.live is not None:
            self.live.stop()
            self.live = None
