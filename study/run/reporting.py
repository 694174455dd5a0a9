"""What a headless study prints: text lines for a person (TextReporter) or one JSON event per
line for a parent process (json_emitter)."""

from __future__ import annotations

import sys
import threading

from study.analysis import timing
from study.analysis.formats import format_duration, mean_ci_text
from study.config import StudyConfig
from study.protocol.events import (
    EpochEnded,
    Failed,
    InitIdentity,
    NetworkDiverged,
    NetworkStarted,
    StudyFinished,
    StudyStarted,
    event_to_json,
)
from study.state import StudyState


class TextReporter:
    """Prints one line per finished epoch per network, and the summary table at the end.

    Every event is also folded into a StudyState (the model the app and the exports read), and
    the end-of-study tables and the timing note are printed from it.
    """

    def __init__(self, stream=None, config: StudyConfig | None = None):
        # sys.stdout is looked up now, not when the module was imported: it may have been
        # replaced since (pytest's capture, a redirect).
        self.stream = sys.stdout if stream is None else stream
        self.epochs = 0
        self.several_seeds = False
        self.shown_checks: set[str] = set()
        self.identity_seen = False
        self.state = StudyState.for_run(config) if config is not None else None

    def label(self, network: str, seed: int) -> str:
        """The network, and in a multi-seed study its seed ("NetA1-HF s3")."""
        return f"{network} s{seed}" if self.several_seeds else network

    def __call__(self, event) -> None:
        """Print what a person running the study wants to see for this event."""
        out = self.stream
        if self.state is not None:
            self.state.apply(event)
        if isinstance(event, StudyStarted):
            self.epochs = event.epochs
            self.several_seeds = len(event.seeds) > 1
            print(f"Study folder: {event.folder}", file=out)
            print(f"Backend {event.backend} on {event.device}; data: {event.dataset}", file=out)
            if self.several_seeds:
                print(f"Seeds: {', '.join(str(s) for s in event.seeds)}", file=out)
        elif isinstance(event, InitIdentity):
            # The runner sends the table again after training with the frozen rows added:
            # print only the rows not shown yet.
            rows = [(check, norm) for check, norm in event.rows if check not in self.shown_checks]
            if rows:
                print("Frozen check (norm of conv1 after training minus initial; 0 = unchanged):"
                      if self.identity_seen else
                      "Init identity (norm of the difference of initial tensors; 0 = identical):",
                      file=out)
            self.identity_seen = True
            for check, norm in rows:
                self.shown_checks.add(check)
                print(f"  {check:<52} {norm:.6g}", file=out)
        elif isinstance(event, NetworkStarted):
            print(f"Training {self.label(event.network, event.seed)} "
                  f"({event.index + 1}/{event.count})", file=out)
        elif isinstance(event, EpochEnded):
            print(
                f"{self.label(event.network, event.seed):<9} epoch {event.epoch:>3}/{self.epochs}  "
                f"train loss {event.train_loss:.4f}  test loss {event.test_loss:.4f}  "
                f"test acc {100 * event.test_accuracy:6.2f} %  "
                f"train {event.train_seconds:6.2f} s  eval {event.eval_seconds:5.2f} s",
                file=out, flush=True,
            )
        elif isinstance(event, StudyFinished):
            print(f"\nStudy {event.state}: {event.folder}", file=out)
            rows = event.summary
            if self.state is not None:
                rows = [{**r.as_dict(), "note": self.state.incomplete_note(r.network, r.seed)}
                        for r in self.state.summary]
            print(summary_table(rows, self.several_seeds), file=out)
            if self.several_seeds:
                print(aggregate_table(rows), file=out)
            if self.state is not None and self.state.isolated:
                print(timing.shared_timing_note(self.state.status, self.state.config.timing_rounds),
                      file=out)
        elif isinstance(event, NetworkDiverged):
            print(f"Diverged: {event.message}", file=out)
            print(f"warning: {event.message}", file=sys.stderr, flush=True)
        elif isinstance(event, Failed):
            print(f"Failed: {event.message}", file=sys.stderr)
        out.flush()


def summary_table(rows: list[dict], seeds: bool = False) -> str:
    """The summary as aligned text: peak accuracy (epoch), final accuracy, s/epoch, total;
    with `seeds`, one row per network and seed, the seed beside the network."""
    lines = [f"{'network':<10}" + (f"{'seed':>6}" if seeds else "")
             + f"{'peak acc':>10}{'epoch':>7}{'final acc':>11}{'s/epoch':>10}{'total':>11}"]
    for r in rows:
        lines.append(
            f"{r['network']:<10}" + (f"{r['seed']:>6}" if seeds else "")
            + f"{100 * r['peak_test_accuracy']:>8.2f} %{r['peak_epoch']:>7}"
            f"{100 * r['final_test_accuracy']:>9.2f} %{r['seconds_per_epoch']:>10.2f}"
            f"{format_duration(r['total_seconds']):>11}"
            + (f"  {r['note']}" if r.get("note") else "")
        )
    return "\n".join(lines)


def aggregate_table(rows: list[dict]) -> str:
    """Per network over its seeds: mean ± half the 95 % interval of peak and final accuracy."""
    from study.analysis.statistics import t_interval

    networks = list(dict.fromkeys(r["network"] for r in rows))
    lines = ["\nOver the seeds (mean ± 95 % interval, in points):",
             f"{'network':<10}{'n':>3}{'peak acc':>18}{'final acc':>18}"]

    def cell(values):
        interval = t_interval(100 * v for v in values)
        return mean_ci_text(interval.mean, interval.low, interval.high)

    for network in networks:
        mine = [r for r in rows if r["network"] == network]
        lines.append(f"{network:<10}{len(mine):>3}"
                     f"{cell(r['peak_test_accuracy'] for r in mine):>18}"
                     f"{cell(r['final_test_accuracy'] for r in mine):>18}")
    return "\n".join(lines)


def json_emitter(stream=None):
    """A reporter writing each event as one line of JSON (thread-safe)."""
    stream = sys.stdout if stream is None else stream
    lock = threading.Lock()

    def emit(event):
        with lock:
            stream.write(event_to_json(event) + "\n")
            stream.flush()

    return emit


