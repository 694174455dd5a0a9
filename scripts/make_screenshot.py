"""Make assets/screenshot.png: run a short real study in the app under Xvfb and grab the window.

    .venv/bin/python scripts/make_screenshot.py            # re-runs itself under xvfb-run
    .venv/bin/python scripts/make_screenshot.py --epochs 3 --train-limit 6000 --tab Compare
    .venv/bin/python scripts/make_screenshot.py --open STUDY_DIR --out assets/screenshot.png

Uses a throwaway settings file and study folder, so the user's own settings and studies are
left alone.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SCREEN = "1400x900x24"


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "assets" / "screenshot.png"))
    parser.add_argument("--backend", default="torch")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--train-limit", type=int, default=3000)
    parser.add_argument("--test-limit", type=int, default=2000)
    parser.add_argument("--data", help="dataset folder (default: the system Fashion-MNIST)")
    parser.add_argument("--tab", default="Training", help="tab to show: Training, Kernels, "
                        "Compare")
    parser.add_argument("--open", metavar="STUDY_DIR",
                        help="show this stored study instead of running one (no training)")
    parser.add_argument("--size", default="1400x860", help="window size WxH")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for the run")
    return parser.parse_args(argv)


def reexec_under_xvfb() -> None:
    """Without a display, run again inside xvfb-run (real X server, real fonts), else offscreen."""
    if os.environ.get("DISPLAY") or os.environ.get("QT_QPA_PLATFORM"):
        return
    xvfb = shutil.which("xvfb-run")
    if xvfb is None:
        # Qt's offscreen platform draws the same window without an X server.
        print("no display and no xvfb-run: drawing offscreen", file=sys.stderr)
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        return
    command = [xvfb, "-a", "-s", f"-screen 0 {SCREEN}", sys.executable, *sys.argv]
    sys.exit(subprocess.call(command))


def main(argv=None) -> int:
    """Run the study in the window and save the screenshot; returns the exit status."""
    args = parse_args(argv)
    reexec_under_xvfb()
    from PySide6.QtCore import QSettings, QTimer

    from gui.app import create_application
    from gui.main_window import MainWindow

    app = create_application()
    scratch = Path(tempfile.mkdtemp(prefix="kernel-lab-screenshot-"))
    window = MainWindow(QSettings(str(scratch / "settings.ini"), QSettings.Format.IniFormat),
                        studies_root=str(scratch / "studies"))
    width, height = (int(v) for v in args.size.lower().split("x"))
    window.resize(width, height)
    window.show()
    setup = window.setup
    setup.set_networks(("NetA1-HF", "NetA1-HT", "NetA1-DT", "NetA2-HF", "NetA2-HT", "NetA2-DT"))
    setup.epochs_edit.setText(str(args.epochs))
    setup.train_limit_edit.setText(str(args.train_limit))
    setup.test_limit_edit.setText(str(args.test_limit))
    setup.data_edit.setText(args.data or "")
    setup.set_backend(args.backend)
    result = {"outcome": None}

    def finished(outcome) -> None:
        result["outcome"] = outcome
        # Let the plots' redraw timer and the panels catch up before grabbing.
        QTimer.singleShot(1200, grab)

    def grab() -> None:
        tabs = window.tabs
        for index in range(tabs.count()):
            if tabs.tabText(index) == args.tab:
                tabs.setCurrentIndex(index)
        QTimer.singleShot(400, save)

    def save() -> None:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(out))
        print(f"saved {out} ({window.width()}x{window.height()})")
        app.quit()

    def start() -> None:
        problems = window.run_problems()
        if problems:
            print("cannot run:", "; ".join(problems), file=sys.stderr)
            app.exit(2)
            return
        window.start_run()

    def show_stored() -> None:
        if not window.open_study_folder(args.open):
            print(f"cannot open {args.open}", file=sys.stderr)
            app.exit(2)
            return
        QTimer.singleShot(1500, grab)

    window.sig_run_finished.connect(finished)
    QTimer.singleShot(300, show_stored if args.open else start)
    QTimer.singleShot(int(args.timeout * 1000), lambda: app.exit(3))
    status = app.exec()
    outcome = result["outcome"]
    if outcome is not None and outcome.state != "finished":
        print(outcome.error_text() or f"study {outcome.state}", file=sys.stderr)
        status = status or 1
    window.close()
    shutil.rmtree(scratch, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
