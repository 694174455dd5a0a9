"""Screenshot of the Studies tab comparing stored studies, under Xvfb (no training).

    .venv/bin/python scripts/make_studies_screenshot.py FOLDER [STUDY ...] --out PNG

Lists FOLDER as the window's save folder (throwaway settings file; the user's settings and the
studies are left alone), selects the given studies (default: every study in FOLDER), oldest
first so the oldest is the baseline, presses Compare and grabs the window.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.make_screenshot import reexec_under_xvfb  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", help="folder of studies (the window's save folder)")
    parser.add_argument("studies", nargs="*", help="study folders to compare (default: all)")
    parser.add_argument("--out", required=True, help="PNG to write")
    parser.add_argument("--size", default="1400x860", help="window size WxH")
    parser.add_argument("--network", default="", help="curves of one network (default: all)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Compare in the Studies tab and save the window; returns the exit status."""
    args = parse_args(argv)
    reexec_under_xvfb()
    from PySide6.QtCore import QSettings, Qt, QTimer

    from gui.app import create_application
    from gui.main_window import MainWindow
    from gui.warm_worker import SETTINGS_WARM
    from study.folder.library import COLUMNS

    app = create_application()
    scratch = Path(tempfile.mkdtemp(prefix="kernel-lab-screenshot-"))
    settings = QSettings(str(scratch / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue(SETTINGS_WARM, False)  # no training process: this only reads studies
    window = MainWindow(settings, studies_root=str(Path(args.folder).resolve()),
                        probe_devices=False)
    width, height = (int(v) for v in args.size.lower().split("x"))
    window.resize(width, height)
    window.show()
    panel = window.studies_panel
    status = {"code": 3}

    def listed() -> None:
        panel.view.sortByColumn(COLUMNS.index("date"), Qt.SortOrder.AscendingOrder)
        wanted = [str(Path(s).resolve()) for s in args.studies] or panel.shown_paths()
        panel.select_paths(wanted)
        if len(panel.selected_paths()) < 2:
            print(f"fewer than 2 of {wanted} are listed: {panel.shown_paths()}", file=sys.stderr)
            app.exit(2)
            return
        panel.compare_button.click()
        if panel.comparison is None:
            print(panel.compare_title.text(), file=sys.stderr)
            app.exit(2)
            return
        panel.show_network(args.network)
        QTimer.singleShot(1000, save)

    def save() -> None:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(out))
        print(f"saved {out} ({window.width()}x{window.height()}): "
              f"{', '.join(panel.comparison.labels)}")
        status["code"] = 0
        app.quit()

    panel.sig_listed.connect(lambda: QTimer.singleShot(300, listed))
    QTimer.singleShot(300, lambda: window.tabs.setCurrentWidget(panel))
    QTimer.singleShot(60_000, lambda: app.exit(3))
    code = app.exec()
    window.close()
    shutil.rmtree(scratch, ignore_errors=True)
    return status["code"] or code


if __name__ == "__main__":
    sys.exit(main())
