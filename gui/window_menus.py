"""The main window's actions and menus: File (open, export, quit), Study (run, resume, stop,
keep a worker ready) and Help; each action is an attribute of the window, its slot the window's."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence


def build_menus(window) -> None:
    """The window's actions (as its attributes: run_action, …) and its File, Study and Help
    menus; window-wide shortcuts."""
    window.open_action = QAction("&Open study…", window)
    window.open_action.setShortcut(QKeySequence.StandardKey.Open)
    window.open_action.setToolTip("Open a stored study folder (Ctrl+O)")
    window.open_action.triggered.connect(window.open_study_dialog)
    window.export_action = QAction("&Export…", window)
    window.export_action.setShortcut(QKeySequence("Ctrl+E"))
    window.export_action.setToolTip("Export the study shown (or the Studies tab's comparison): "
                                    "CSV tables and PNG figures, into a new or empty folder "
                                    "(Ctrl+E)")
    window.export_action.triggered.connect(window.export_dialog)
    window.quit_action = QAction("&Quit", window)
    window.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
    window.quit_action.triggered.connect(window.close)
    window.run_action = QAction("&Run", window)
    window.run_action.setShortcut(QKeySequence("Ctrl+R"))
    window.run_action.triggered.connect(window.start_run)
    window.resume_action = QAction("Re&sume", window)
    window.resume_action.setToolTip("Continue the stopped, failed or interrupted study shown "
                                    "from its last completed epoch, in its own folder")
    window.resume_action.triggered.connect(window.resume_run)
    window.resume_action.setEnabled(False)
    window.stop_action = QAction("&Stop", window)
    window.stop_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
    window.stop_action.triggered.connect(window.stop_run)
    window.stop_action.setEnabled(False)

    menu = window.menuBar()
    window.file_menu = menu.addMenu("&File")
    window.file_menu.addAction(window.open_action)
    window.file_menu.addAction(window.export_action)
    window.export_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    window.addAction(window.export_action)
    window.file_menu.addSeparator()
    window.file_menu.addAction(window.quit_action)
    window.study_menu = menu.addMenu("&Study")
    window.study_menu.addAction(window.run_action)
    window.study_menu.addAction(window.resume_action)
    window.study_menu.addAction(window.stop_action)
    for action in (window.open_action, window.run_action, window.stop_action):
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        window.addAction(action)

    window.shortcuts_action = QAction("&Keyboard shortcuts", window)
    window.shortcuts_action.setShortcut(QKeySequence.StandardKey.HelpContents)
    window.shortcuts_action.triggered.connect(window.show_shortcuts)
    window.about_action = QAction("&About Kernel Lab", window)
    window.about_action.triggered.connect(window.show_about)
    window.help_menu = menu.addMenu("&Help")
    window.help_menu.addAction(window.shortcuts_action)
    window.help_menu.addAction(window.about_action)
    window.shortcuts_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    window.addAction(window.shortcuts_action)
    window.keep_ready_action = QAction("&Keep a worker ready", window)
    window.keep_ready_action.setCheckable(True)
    window.keep_ready_action.setChecked(window.warm.setting_on())
    window.keep_ready_action.setToolTip("Keep a training process started for the chosen "
                                        "backend, so that Run skips loading Keras")
    window.keep_ready_action.toggled.connect(window.warm.set_enabled)
    window.study_menu.addSeparator()
    window.study_menu.addAction(window.keep_ready_action)
