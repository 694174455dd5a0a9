"""The headless command line: `python main.py study …` runs a study without a display."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from study.analysis import timing
from study.analysis.summary import format_duration
from study.config import HEADS, MAX_SEEDS, MODES, ConfigError, StudyConfig, load_config
from study.data import DataError
from study.folder.csvio import StoreError
from study.folder.layout import DEFAULT_ROOT
from study.protocol.backends import BACKENDS, BackendError
from study.protocol.byhand import KernelError, load_kernels
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
from study.protocol.exit_codes import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_STOPPED,
    EXIT_TERMINATED,
    EXIT_USAGE,
)
from study.protocol.networks import NETWORKS
from study.state import StudyState

USAGE_ERRORS = (ConfigError, DataError, BackendError, KernelError, StoreError)


def add_study_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `main.py study` (SPEC §3 defaults come from StudyConfig)."""
    parser.add_argument("--config", metavar="FILE", help="study config JSON (options override it)")
    parser.add_argument("--backend", choices=BACKENDS, help="Keras backend (default: "
                        f"KERAS_BACKEND if set, else {StudyConfig.backend})")
    parser.add_argument("--device", help="cpu, gpu or gpu:N (default cpu)")
    parser.add_argument("--epochs", type=int)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--lr", type=float, help="Adam learning rate (default 3.35e-4)")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--seeds", metavar="N|LIST", help="train every network with N seeds "
                        "(--seed … --seed+N-1) or with the listed ones (e.g. 0,3,7): a mean and "
                        "95 %% interval per network and conclusion")
    parser.add_argument("--no-shuffle", action="store_true",
                        help="keep the stored sample order, as the report's loader did")
    parser.add_argument("--networks", help=f"comma-separated subset of {','.join(NETWORKS)}")
    parser.add_argument("--train-limit", type=int, metavar="N", help="use the first N training "
                        "images only")
    parser.add_argument("--test-limit", type=int, metavar="N", help="use the first N test "
                        "images only")
    parser.add_argument("--head", choices=HEADS, help="softmax (correct, default) or report "
                        "(the report's flawed head)")
    parser.add_argument("--mode", choices=MODES, help="sequential (one network at a time, "
                        "default) or all-at-once (all networks as one model, same batches; "
                        "per-network times are then isolated-timing estimates)")
    parser.add_argument("--kernels", metavar="FILE", help="ByHand kernels JSON (default: the "
                        "report's)")
    parser.add_argument("--data", metavar="DIR", help="folder of Fashion-MNIST IDX files or an "
                        ".npz (default: the system copy)")
    parser.add_argument("--out", metavar="DIR", default=str(DEFAULT_ROOT),
                        help="where study folders are made (default: studies/)")
    parser.add_argument("--events", choices=("text", "json"), default="text",
                        help="print progress as text (default) or as one JSON event per line")
    parser.add_argument("--resume", metavar="STUDY_DIR", help="continue a stopped, failed or "
                        "interrupted study in its own folder from its last completed epoch "
                        "(its settings cannot be changed)")
    parser.add_argument("--tensorboard", action="store_true", help="also write TensorBoard "
                        "event files per network under STUDY_DIR/tensorboard (needs TensorFlow)")
    parser.add_argument("--stop-on-stdin", action="store_true", help=argparse.SUPPRESS)
    # The app's pre-started worker (study/run/warm.py): load Keras, then wait for one job on stdin.
    parser.add_argument("--warm-start", action="store_true", help=argparse.SUPPRESS)


# Options that would change a study's settings: refused with --resume.
SETTING_OPTIONS = ("config", "backend", "device", "epochs", "batch_size", "lr", "seed", "seeds",
                   "networks", "train_limit", "test_limit", "head", "mode", "kernels", "data")


def add_commands(commands) -> None:
    """Subcommands whose logic lives in a module of their own: each `add_parser` registers its
    parser and sets `run_command`, which main.py calls."""
    from study.run import evaluate

    evaluate.add_parser(commands)


def config_from_args(args) -> StudyConfig:
    """The StudyConfig the command line asks for: --config first, then each option over it."""
    import os

    config = load_config(args.config) if args.config else StudyConfig(
        backend=os.environ.get("KERAS_BACKEND", StudyConfig.backend)
    )
    changes = {
        "backend": args.backend, "device": args.device, "epochs": args.epochs,
        "batch_size": args.batch_size, "learning_rate": args.lr, "seed": args.seed,
        "train_limit": args.train_limit, "test_limit": args.test_limit, "head": args.head,
        "data_dir": args.data, "mode": args.mode,
    }
    changes = {k: v for k, v in changes.items() if v is not None}
    if args.no_shuffle:
        changes["shuffle"] = False
    if args.networks is not None:
        changes["networks"] = tuple(n.strip() for n in args.networks.split(",") if n.strip())
    if args.kernels:
        changes["kernels"] = load_kernels(args.kernels).tolist()
    if getattr(args, "seeds", None) is not None:
        seeds, listed = parse_seeds(args.seeds, changes.get("seed", config.seed))
        if listed:
            if args.seed is not None and args.seed != seeds[0]:
                raise ConfigError("Invalid study settings: --seed goes with a count (--seeds N); "
                                  "a list of seeds gives its own")
            changes["seed"] = seeds[0]
        changes["seeds"] = seeds
    return config.replace(**changes).validated()


def parse_seeds(text: str, first: int) -> tuple[tuple[int, ...], bool]:
    """`--seeds`: a count N (the seeds first … first+N-1) or a comma-separated list.

    Returns (seeds, whether they were listed); ConfigError for anything else. The seeds'
    range, number and distinctness are checked by StudyConfig.validated().
    """
    text = str(text).strip()
    hint = "give a count (--seeds 5) or a comma-separated list (--seeds 0,3,7)"
    parts = [part.strip() for part in text.split(",")]
    try:
        values = tuple(int(part) for part in parts)
    except ValueError:
        raise ConfigError(f"Invalid study settings: seeds {text!r} is not understood; {hint}"
                          ) from None
    if len(values) > 1:
        return values, True
    count = values[0]
    if count > MAX_SEEDS:
        raise ConfigError(f"Invalid study settings: seeds must list 1 to {MAX_SEEDS} seeds, got "
                          f"{count}")
    if count < 1:
        raise ConfigError(f"Invalid study settings: seeds must be at least 1 seed, got {count}; "
                          f"{hint}")
    return tuple(range(int(first), int(first) + count)), False


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
            print("Init identity (norm of the difference of initial tensors; 0 = identical):",
                  file=out)
            for check, norm in event.rows:
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
                print(timing.shared_timing_note(self.state.status), file=out)
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
        half = "" if interval.n < 2 else f" ± {interval.half_width:.2f}"
        return f"{interval.mean:.2f}{half}"

    for network in networks:
        mine = [r for r in rows if r["network"] == network]
        lines.append(f"{network:<10}{len(mine):>3}"
                     f"{cell(r['peak_test_accuracy'] for r in mine):>18}"
                     f"{cell(r['final_test_accuracy'] for r in mine):>18}")
    return "\n".join(lines)


def _json_emitter(stream=None):
    stream = sys.stdout if stream is None else stream
    lock = threading.Lock()

    def emit(event):
        with lock:
            stream.write(event_to_json(event) + "\n")
            stream.flush()

    return emit


def _watch_stdin(stop_event: threading.Event) -> None:
    """Stop when the parent writes "stop" or closes our stdin (the GUI's control channel)."""
    for line in sys.stdin:
        if line.strip() == "stop":
            break
    stop_event.set()


def run_study_command(args, kept=None) -> int:
    """`main.py study`: run, print, and return the exit status (`kept`: a dataset the warm
    worker loaded ahead, study/run/warm.py)."""
    if getattr(args, "warm_start", False):
        from study.run.warm import run_warm_command

        return run_warm_command(args)
    from study.run.runner import plan_resume, run_study

    resume = None
    try:
        if getattr(args, "resume", None):
            given = [f"--{name.replace('_', '-')}" for name in SETTING_OPTIONS
                     if getattr(args, name, None) not in (None, False)]
            if args.no_shuffle:
                given.append("--no-shuffle")
            if given:
                raise ConfigError(f"--resume continues a study with its own settings; leave out "
                                  f"{', '.join(given)}")
            resume = plan_resume(args.resume)
            config = resume.config
        else:
            config = config_from_args(args)
        if getattr(args, "tensorboard", False):
            from study.run import tensorboard
            tensorboard.check_available()
    except USAGE_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    report = _json_emitter() if args.events == "json" else TextReporter(config=config)
    if getattr(args, "tensorboard", False):
        report = tensorboard.TensorBoardWriter(forward=report)
    sent = set()

    def emit(event):
        sent.add(type(event))
        report(event)

    stop_event = threading.Event()
    if args.stop_on_stdin:
        threading.Thread(target=_watch_stdin, args=(stop_event,), daemon=True).start()
    terminated = threading.Event()
    previous = _install_sigint(stop_event, quiet=args.events == "json")
    previous_term = _install_sigterm(stop_event, terminated)
    try:
        run_study(config, emit=emit, stop_event=stop_event, out_root=args.out, resume=resume,
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
        if args.events == "json":
            emit(Failed(message))
        print(f"error: {message}", file=sys.stderr)
        return EXIT_USAGE if usage else EXIT_FAILED
    finally:
        signal.signal(signal.SIGINT, previous)
        if previous_term is not None:
            signal.signal(signal.SIGTERM, previous_term)
    if terminated.is_set():
        return EXIT_TERMINATED
    return EXIT_STOPPED if stop_event.is_set() else EXIT_OK


def _install_sigint(stop_event: threading.Event, quiet: bool):
    """First Ctrl-C: stop after the current batch, keeping everything. Second: abort."""

    def handler(signum, frame):
        if stop_event.is_set():
            raise KeyboardInterrupt
        stop_event.set()
        if not quiet:
            print("\nStopping after this batch (Ctrl-C again to abort)…", file=sys.stderr,
                  flush=True)

    return signal.signal(signal.SIGINT, handler)


def _install_sigterm(stop_event: threading.Event, terminated: threading.Event):
    """SIGTERM (timeout, systemd, docker) is the first Ctrl-C: stop after the current batch,
    keep everything, state "stopped", exit 143. A second SIGTERM aborts.

    Returns the previous handler, or None where SIGTERM cannot be handled (not the main
    thread)."""

    def handler(signum, frame):
        if terminated.is_set() and stop_event.is_set():
            raise KeyboardInterrupt
        terminated.set()
        stop_event.set()
        # The message is printed even with --events json: stderr is not the event stream.
        print("Terminated (SIGTERM): stopping after this batch; the study is kept as "
              "stopped.", file=sys.stderr, flush=True)

    try:
        return signal.signal(signal.SIGTERM, handler)
    except ValueError:
        return None


# ----- study library: `list` and `compare` (logic in study/folder/library.py,
# study/analysis/multi_compare.py) -
def add_library_commands(commands) -> None:
    """Register `list` and `compare` on main.py's subcommands (main.py runs them)."""
    from study.analysis.multi_compare import add_compare_parser
    from study.folder.library import add_list_parser

    add_list_parser(commands)
    add_compare_parser(commands)
