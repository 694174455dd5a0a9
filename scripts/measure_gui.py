"""Measure the app's responsiveness: start-up to first paint, event-loop stalls, Stop latency.

    .venv/bin/python scripts/measure_gui.py                        # all three, under xvfb-run
    .venv/bin/python scripts/measure_gui.py --only stall --train-limit 60000 --networks NetA1-DT

1. startup: from starting `python main.py` (a fresh process) to the first paint of its window,
   median of --repeat runs;
2. stall: the longest gap of a 10 ms QTimer heartbeat on the GUI thread while a real study runs
   in the window (child process per run), plus the 99th percentile and the count above 50 ms;
3. stop: from pressing Stop to the child's exit, with the study folder still valid.

Figures are printed, never asserted: they depend on the machine and its load. Settings and
study folders go to a scratch folder.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SCREEN = "1400x900x24"
HEARTBEAT_MS = 10

# Runs in a fresh process as `python -c`: the app exactly as `python main.py` starts it, with an
# event filter that reports the wall-clock time of the main window's first paint and quits.
STARTUP_CHILD = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QMainWindow
import gui.app

app = gui.app.create_application()

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and hasattr(obj, "window"):
            window = obj.window()
            if isinstance(window, QMainWindow) and not getattr(self, "seen", False):
                self.seen = True
                print("FIRST_PAINT", repr(time.time()), flush=True)
                QTimer.singleShot(0, window.close)
        return False

watcher = FirstPaint()
app.installEventFilter(watcher)
import main
sys.exit(main.main([]))
"""


def reexec_under_xvfb() -> None:
    """Without a display, run this script again inside xvfb-run."""
    if os.environ.get("DISPLAY") or os.environ.get("QT_QPA_PLATFORM"):
        return
    xvfb = shutil.which("xvfb-run")
    if xvfb is None:
        sys.exit("No display: install xvfb (xvfb-run) or set QT_QPA_PLATFORM=offscreen")
    sys.exit(subprocess.call([xvfb, "-a", "-s", f"-screen 0 {SCREEN}", sys.executable,
                              *sys.argv]))


def measure_startup(repeat: int, scratch: Path) -> list[float]:
    """Seconds from process start to the first paint of the main window, `repeat` times."""
    env = {**os.environ, "KERNEL_LAB_SETTINGS": str(scratch / "startup-settings.ini")}
    times = []
    for _ in range(repeat):
        start = time.time()
        result = subprocess.run([sys.executable, "-c", STARTUP_CHILD, str(ROOT)], env=env,
                                cwd=str(ROOT), capture_output=True, text=True, timeout=300)
        painted = [line for line in result.stdout.splitlines() if line.startswith("FIRST_PAINT")]
        if not painted:
            raise SystemExit(f"the app did not paint:\n{result.stderr[-2000:]}")
        times.append(float(painted[0].split()[1]) - start)
    return times


class Heartbeat:
    """A 10 ms timer on the GUI thread that records the gaps between its ticks."""

    def __init__(self):
        from PySide6.QtCore import QTimer

        self.gaps: list[float] = []
        self.ends: list[float] = []
        self.cpu: list[float] = []
        self.last = None
        self.last_cpu = 0.0
        self.timer = QTimer()
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        """Begin recording."""
        self.last = time.perf_counter()
        self.last_cpu = time.thread_time()
        self.timer.start()

    def stop(self) -> None:
        """Stop recording."""
        self.timer.stop()

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        self.gaps.append(now - self.last)
        self.ends.append(now)
        self.cpu.append(cpu - self.last_cpu)
        self.last, self.last_cpu = now, cpu

    def longest(self, count: int = 5) -> list[int]:
        """Indices of the longest gaps, longest first."""
        return sorted(range(len(self.gaps)), key=self.gaps.__getitem__)[-count:][::-1]

    def report(self) -> dict:
        """Longest gap, 99th percentile, median, ticks and the count of gaps over 50 ms."""
        gaps = sorted(self.gaps)
        if not gaps:
            return {"ticks": 0}
        return {
            "ticks": len(gaps),
            "max_ms": round(1000 * gaps[-1], 1),
            "p99_ms": round(1000 * gaps[int(0.99 * (len(gaps) - 1))], 1),
            "median_ms": round(1000 * statistics.median(gaps), 1),
            "over_50ms": sum(1 for g in gaps if g > 0.05),
        }


def make_window(scratch: Path):
    """A window with scratch settings and study folder, shown."""
    from PySide6.QtCore import QSettings

    from gui.app import create_application
    from gui.main_window import MainWindow

    app = create_application()
    window = MainWindow(QSettings(str(scratch / "settings.ini"), QSettings.Format.IniFormat),
                        studies_root=str(scratch / "studies"))
    window.resize(1400, 860)
    window.show()
    return app, window


def configure(window, args, epochs: int, train_limit: int | None) -> None:
    """Fill the setup panel for a measurement run."""
    setup = window.setup
    setup.set_networks(tuple(n.strip() for n in args.networks.split(",")))
    setup.epochs_edit.setText(str(epochs))
    setup.batch_size_edit.setText(str(args.batch_size))
    setup.train_limit_edit.setText("" if train_limit is None else str(train_limit))
    setup.test_limit_edit.setText("")
    setup.data_edit.setText(args.data or "")
    setup.set_backend(args.backend)
    problems = window.run_problems()
    if problems:
        raise SystemExit("cannot run: " + "; ".join(problems))


def measure_stall(app, window, args) -> dict:
    """Heartbeat gaps while one study runs to its end in the window.

    For the five longest gaps it also gives the GUI thread's CPU time: CPU close to the gap means
    GUI work; CPU far below it means the thread waited for a core (the child trains on all of
    them) or for the GIL.
    """
    from PySide6.QtCore import QTimer

    configure(window, args, args.epochs, args.train_limit)
    beat = Heartbeat()
    result = {}
    arrivals: list[tuple[float, str]] = []
    window.sig_study_event.connect(
        lambda event: arrivals.append((time.perf_counter(), type(event).__name__)))

    def finished(outcome) -> None:
        result["t_end"] = time.perf_counter()
        QTimer.singleShot(1000, beat.stop)
        result["outcome"] = outcome
        result["wall_s"] = result["t_end"] - result["t0"]
        QTimer.singleShot(1100, app.quit)

    def start() -> None:
        beat.start()
        result["t0"] = time.perf_counter()
        window.start_run()

    window.sig_run_finished.connect(finished)
    QTimer.singleShot(500, start)
    app.exec()
    window.sig_run_finished.disconnect(finished)
    outcome = result["outcome"]
    report = beat.report()
    # When each long gap ended (seconds after Run) and which events were handled during it.
    report["longest_gaps"] = [
        {"ms": round(1000 * beat.gaps[i], 1), "gui_cpu_ms": round(1000 * beat.cpu[i], 1),
         "at_s": round(beat.ends[i] - result["t0"], 2),
         "events": sorted({name for t, name in arrivals
                           if beat.ends[i] - beat.gaps[i] - 0.001 <= t <= beat.ends[i]})
         + (["run ended: panels reload the study"] if beat.ends[i] >= result["t_end"] else [])}
        for i in beat.longest()
    ]
    report.update(state=outcome.state, wall_s=round(result["wall_s"], 1),
                  events=len(arrivals), folder=outcome.folder)
    if outcome.state == "failed":
        report["error"] = outcome.error_text()
    else:
        from study.state import open_study

        stored = open_study(outcome.folder)
        report["train_seconds"] = [round(r["train_seconds"], 2) for r in stored.epochs]
        report["test_accuracy"] = [round(r["test_accuracy"], 4) for r in stored.epochs]
    return report


def measure_stop(app, window, args) -> dict:
    """Seconds from Stop to the study's last event (files written) and to the child's exit,
    pressed after the first epoch of a long run on 2,000 images."""
    from PySide6.QtCore import QTimer

    configure(window, args, 500, 2000)
    result = {}

    def on_event(event) -> None:
        name = type(event).__name__
        if name == "EpochEnded" and "t_stop" not in result:
            result["t_stop"] = time.perf_counter()
            window.stop_run()
        elif name == "StudyFinished" and "t_stop" in result:
            result["finished_s"] = time.perf_counter() - result["t_stop"]

    def finished(outcome) -> None:
        result["latency_s"] = time.perf_counter() - result.get("t_stop", time.perf_counter())
        result["outcome"] = outcome
        app.quit()

    window.sig_study_event.connect(on_event)
    window.sig_run_finished.connect(finished)
    QTimer.singleShot(200, window.start_run)
    app.exec()
    outcome = result["outcome"]
    from study.state import open_study

    stored = open_study(outcome.folder)
    return {"state": outcome.state, "returncode": outcome.returncode,
            "stop_to_files_written_s": round(result.get("finished_s", float("nan")), 2),
            "stop_to_exit_s": round(result["latency_s"], 2),
            "status": stored.status.get("state"), "epochs_kept": len(stored.epochs)}


def main(argv=None) -> int:
    """Run the measurements and print them as JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("startup", "stall", "stop"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--backend", default="torch")
    parser.add_argument("--networks", default="NetA1-DT")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--train-limit", type=int, default=None,
                        help="training images for the stall run (default: all 60,000)")
    parser.add_argument("--data", help="dataset folder (default: the system Fashion-MNIST)")
    args = parser.parse_args(argv)
    reexec_under_xvfb()
    scratch = Path(tempfile.mkdtemp(prefix="kernel-lab-measure-"))
    try:
        if args.only in (None, "startup"):
            times = measure_startup(args.repeat, scratch)
            print(json.dumps({"measure": "startup_to_first_paint_s",
                              "median": round(statistics.median(times), 2),
                              "runs": [round(t, 2) for t in times]}), flush=True)
        if args.only in (None, "stall", "stop"):
            app, window = make_window(scratch)
            if args.only in (None, "stall"):
                print(json.dumps({"measure": "event_loop_stall", "networks": args.networks,
                                  "epochs": args.epochs, "train_limit": args.train_limit,
                                  **measure_stall(app, window, args)}), flush=True)
            if args.only in (None, "stop"):
                print(json.dumps({"measure": "stop", **measure_stop(app, window, args)}),
                      flush=True)
            window.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
