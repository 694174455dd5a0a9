"""Start the desktop app: `python main.py` and `python main.py --open STUDY_DIR` come here."""

from __future__ import annotations

import os
import signal
import sys

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from study.protocol.exit_codes import EXIT_USAGE

ORGANIZATION = "Kernel Lab"
APPLICATION = "Kernel Lab"
SETTINGS_ENV = "KERNEL_LAB_SETTINGS"


def app_settings() -> QSettings:
    """The app's settings: an INI file in the user's config folder, or $KERNEL_LAB_SETTINGS."""
    path = os.environ.get(SETTINGS_ENV)
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION,
                     APPLICATION)


def create_application(argv=None) -> QApplication:
    """The QApplication (the existing one if there is one), named for QSettings."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APPLICATION)
    return app


def create_window(open_folder=None, settings: QSettings | None = None,
                  probe_devices: bool = True):
    """Build and show the main window; a study to open is opened once the window is up."""
    from gui.main_window import MainWindow

    window = MainWindow(settings=settings if settings is not None else app_settings(),
                        probe_devices=probe_devices)
    window.show()
    if open_folder:
        QTimer.singleShot(0, lambda: window.open_study_folder(open_folder))
    return window


NO_DISPLAY_MESSAGE = (
    "error: no display to open the Kernel Lab window on (DISPLAY and WAYLAND_DISPLAY are unset). "
    "On a server, run the study headless with `python main.py study`, or run the app under a "
    "virtual display: `xvfb-run -a python main.py`."
)


def display_available() -> bool:
    """Can Qt open a window here? (Linux needs an X11 or Wayland display or a chosen platform.)"""
    if not sys.platform.startswith("linux"):
        return True
    return any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def run_app(open_folder=None) -> int:
    """Open Kernel Lab (optionally on a stored study) and run until the window closes."""
    if not display_available():
        print(NO_DISPLAY_MESSAGE, file=sys.stderr)
        return EXIT_USAGE
    app = create_application()
    # Python's cyclic garbage collection from the event loop only (pyqtgraph's own helper): run
    # at any allocation, it can free a QObject inside a PySide call that holds the lock the
    # QObject's destructor needs, and the window hangs (gui/figures/style.collect_outside_qt).
    from pyqtgraph.util.garbage_collector import GarbageCollector

    collector = GarbageCollector(interval=1.0)  # noqa: F841 - its timer must stay alive
    window = create_window(open_folder)
    # Ctrl-C in the terminal closes the window properly (stopping a run) instead of being lost
    # while Qt's event loop holds the interpreter; the timer lets Python see the signal.
    signal.signal(signal.SIGINT, lambda *_: window.close_without_asking())
    heartbeat = QTimer()
    heartbeat.timeout.connect(lambda: None)
    heartbeat.start(250)
    return app.exec()
