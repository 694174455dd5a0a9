"""The main window: setup on the left; Training, Kernels and Compare tabs on the right.

The window never imports Keras or a backend: each Run is a child process (gui.worker) whose
events arrive here as signals, on the GUI thread, and go into the one StudyModel every panel
renders from. The status bar and the "Study shown" box describe that study, never the setup.
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QStyle,
    QSystemTrayIcon,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

import gui.worker
from gui.colors import configure_plots
from gui.panels.compare import ComparePanel
from gui.panels.kernels import KernelPanel
from gui.panels.live_plots import LivePlots
from gui.panels.progress import TrainingProgress
from gui.panels.setup import SetupPanel
from gui.panels.status_bar import StudyStatusLabels
from gui.panels.summary import SummaryTable
from gui.study_model import StudyModel
from gui.warm_worker import WarmKeeper
from gui.worker import RunOutcome, StudyWorker
from study.config import StudyConfig
from study.folder.csvio import StoreError
from study.folder.layout import RESUMABLE_STATES, remove_orphans
from study.protocol.events import (
    Failed,
    StudyStarted,
)
from study.state import StudyState

WINDOW_TITLE = "Kernel Lab"
# How long the run-ended notice stays in the tray (ms).
NOTICE_MS = 8000
SETTINGS_SETUP = "setup/config"
SETTINGS_STUDIES = "setup/studies_root"
SETTINGS_GEOMETRY = "window/geometry"
SETTINGS_SPLITTER = "window/splitter"
SETTINGS_TRAINING_SPLITTER = "window/training_splitter"
SETTINGS_TAB = "window/tab"


class MainWindow(QMainWindow):
    """Kernel Lab's main window."""

    sig_run_finished = Signal(object)
    sig_study_event = Signal(object)
    sig_message_shown = Signal(str, str)

    def __init__(self, settings: QSettings | None = None, studies_root=None,
                 probe_devices: bool = True):
        super().__init__()
        configure_plots()
        self.setWindowTitle(WINDOW_TITLE)
        self.settings = settings if settings is not None else QSettings()
        self.worker: StudyWorker | None = None
        self.model = StudyModel(self)
        self.failure_message = ""
        self.last_message: tuple[str, str] = ("", "")
        self.message_box: QMessageBox | None = None
        # ("tray" | "status", text) of the last run-ended notice; a folder to open once the
        # running study has stopped (File › Open during a run, answered "stop it").
        self.last_notice: tuple[str, str] = ("", "")
        self.tray_icon: QSystemTrayIcon | None = None
        self._open_after_run: str = ""
        self._close_without_asking = False

        self.setup = SetupPanel(probe_devices=probe_devices)
        scroll = QScrollArea()
        scroll.setWidget(self.setup)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(self.setup.sizeHint().width() + 24)
        # Run and Stop sit under the scrolling setup, so they stay visible in a small window.
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.setSpacing(2)
        left_layout.addWidget(scroll, 1)
        left_layout.addWidget(self.setup.run_bar)

        self.progress = TrainingProgress()
        self.plots = LivePlots(model=self.model)
        self.summary = SummaryTable()
        self.summary.bind(self.model)
        self.summary.setMinimumHeight(self.summary.height_for_rows(3))
        self.training_splitter = QSplitter(Qt.Orientation.Vertical)
        self.training_splitter.addWidget(self.plots)
        summary_box = QWidget()
        summary_layout = QVBoxLayout(summary_box)
        summary_layout.setContentsMargins(0, 0, 0, 0)
        summary_layout.addWidget(self.summary, 1)
        summary_layout.addWidget(self.summary.note)
        self.training_splitter.addWidget(summary_box)
        self.training_splitter.setStretchFactor(0, 3)
        self.training_splitter.setStretchFactor(1, 1)
        self._summary_sized = False
        training = QWidget()
        training_layout = QVBoxLayout(training)
        training_layout.setContentsMargins(4, 4, 4, 4)
        training_layout.addWidget(self.progress)
        training_layout.addWidget(self.training_splitter, 1)

        self.kernel_panel = KernelPanel(model=self.model)
        self.compare_panel = ComparePanel(model=self.model)
        self.tabs = QTabWidget()
        self.tabs.addTab(training, "Training")
        self.tabs.addTab(self.kernel_panel, "Kernels")
        self.tabs.addTab(self.compare_panel, "Compare")
        # --- Studies tab (study library, issue 11; all logic in gui/panels/studies_panel.py) ---
        from gui.panels.studies_panel import StudiesPanel

        self.studies_panel = StudiesPanel.attach(self)
        # --- end Studies tab ---

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(0, False)
        self.setCentralWidget(self.splitter)

        self._build_status_bar()
        self._build_actions()
        self.setup.sig_changed.connect(self._update_run_state)
        self.setup.run_button.clicked.connect(self.start_run)
        self.setup.stop_button.clicked.connect(self.stop_run)
        self.kernel_panel.sig_kernels_changed.connect(self._update_run_state)
        self.setup.study_box.sig_use_settings.connect(self.use_study_settings)
        self.model.sig_reset.connect(self._on_study_reset)
        # A study's rows (and an all-at-once study's note) may need more room than the first
        # layout gave the summary: it grows, up to half the tab, to show all six rows.
        for signal in (self.model.sig_reset, self.model.sig_status_changed,
                       self.model.sig_summary_changed):
            signal.connect(lambda *_: QTimer.singleShot(0, self._fit_summary_rows))
        self.progress.bind(self.model)
        # After the bar has taken the event: the title shows its fraction during a run.
        self.model.sig_event.connect(self._update_title)
        self.resize(1400, 860)
        self._restore_settings(studies_root)
        self._update_run_state()
        self.study_status.refresh()
        # --- warm worker (issue 14; the logic is in gui/warm_worker.py) ---
        self.warm = WarmKeeper(self.settings, self.setup.backend,
                               lambda: self.setup.data_edit.text().strip(), self.is_running, self)
        self.keep_ready_action = QAction("&Keep a worker ready", self)
        self.keep_ready_action.setCheckable(True)
        self.keep_ready_action.setChecked(self.warm.setting_on())
        self.keep_ready_action.setToolTip("Keep a training process started for the chosen "
                                          "backend, so that Run skips loading Keras")
        self.keep_ready_action.toggled.connect(self.warm.set_enabled)
        self.study_menu.addSeparator()
        self.study_menu.addAction(self.keep_ready_action)
        self.setup.sig_backend_changed.connect(self.warm.backend_changed)
        # --- end warm worker ---

    # ----- construction -----------------------------------------------------------------------
    def _build_status_bar(self) -> None:
        self.study_status = StudyStatusLabels(self.statusBar(), self.model, self.setup)
        self.backend_label = self.study_status.backend_label
        self.device_label = self.study_status.device_label
        self.dataset_label = self.study_status.dataset_label

    def _build_actions(self) -> None:
        self.open_action = QAction("&Open study…", self)
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_action.setToolTip("Open a stored study folder (Ctrl+O)")
        self.open_action.triggered.connect(self.open_study_dialog)
        self.export_action = QAction("&Export…", self)
        self.export_action.setShortcut(QKeySequence("Ctrl+E"))
        self.export_action.setToolTip("Export the study shown: CSV tables and PNG figures (Ctrl+E)")
        self.export_action.triggered.connect(self.export_dialog)
        self.export_job = None
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        self.run_action = QAction("&Run", self)
        self.run_action.setShortcut(QKeySequence("Ctrl+R"))
        self.run_action.triggered.connect(self.start_run)
        self.resume_action = QAction("Re&sume", self)
        self.resume_action.setToolTip("Continue the stopped, failed or interrupted study shown "
                                      "from its last completed epoch, in its own folder")
        self.resume_action.triggered.connect(self.resume_run)
        self.resume_action.setEnabled(False)
        self.stop_action = QAction("&Stop", self)
        self.stop_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.stop_action.triggered.connect(self.stop_run)
        self.stop_action.setEnabled(False)

        menu = self.menuBar()
        self.file_menu = menu.addMenu("&File")
        self.file_menu.addAction(self.open_action)
        self.file_menu.addAction(self.export_action)
        self.export_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.addAction(self.export_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.study_menu = menu.addMenu("&Study")
        self.study_menu.addAction(self.run_action)
        self.study_menu.addAction(self.resume_action)
        self.study_menu.addAction(self.stop_action)
        for action in (self.open_action, self.run_action, self.stop_action):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(action)

        self.shortcuts_action = QAction("&Keyboard shortcuts", self)
        self.shortcuts_action.setShortcut(QKeySequence.StandardKey.HelpContents)
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        self.about_action = QAction("&About Kernel Lab", self)
        self.about_action.triggered.connect(self.show_about)
        self.help_menu = menu.addMenu("&Help")
        self.help_menu.addAction(self.shortcuts_action)
        self.help_menu.addAction(self.about_action)
        self.shortcuts_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.addAction(self.shortcuts_action)
        self.help_dialog = None

    # ----- help -------------------------------------------------------------------------------
    @Slot()
    def show_shortcuts(self) -> None:
        """Help › Keyboard shortcuts: every action's shortcut, read from the actions."""
        from gui.help_dialogs import ShortcutsDialog

        self._open_help(ShortcutsDialog(self))

    @Slot()
    def show_about(self) -> None:
        """Help › About: version (package metadata) and the backends available."""
        from gui.help_dialogs import AboutDialog

        self._open_help(AboutDialog(self))

    def _open_help(self, dialog) -> None:
        if self.help_dialog is not None:
            self.help_dialog.close()
            self.help_dialog.deleteLater()
        self.help_dialog = dialog
        dialog.open()

    # ----- settings ---------------------------------------------------------------------------
    def _restore_settings(self, studies_root) -> None:
        saved = self.settings.value(SETTINGS_SETUP, "")
        try:
            setup = json.loads(saved) if saved else {}
        except (TypeError, ValueError):
            setup = {}
        if not isinstance(setup, dict):
            setup = {}
        self.setup.set_config({**StudyConfig().to_dict(), **setup})
        root = studies_root or self.settings.value(SETTINGS_STUDIES, "") or "studies"
        self.setup.studies_edit.setText(str(root))
        for key, restore in ((SETTINGS_GEOMETRY, self.restoreGeometry),
                             (SETTINGS_SPLITTER, self.splitter.restoreState),
                             (SETTINGS_TRAINING_SPLITTER, self.training_splitter.restoreState)):
            value = self.settings.value(key)
            if isinstance(value, QByteArray | bytes):
                restore(value)
                self._summary_sized = self._summary_sized or key == SETTINGS_TRAINING_SPLITTER
        tab = self.settings.value(SETTINGS_TAB, 0)
        try:
            self.tabs.setCurrentIndex(int(tab))
        except (TypeError, ValueError):
            pass

    def save_settings(self) -> None:
        """Remember the setup (also when invalid: the user's own text) and the window layout."""
        values, _ = self.setup._raw_fields()
        config = self.setup.config().to_dict()
        config.update(values)
        config.pop("kernels", None)
        self.settings.setValue(SETTINGS_SETUP, json.dumps(config))
        self.settings.setValue(SETTINGS_STUDIES, self.setup.studies_edit.text())
        self.settings.setValue(SETTINGS_GEOMETRY, self.saveGeometry())
        self.settings.setValue(SETTINGS_SPLITTER, self.splitter.saveState())
        self.settings.setValue(SETTINGS_TRAINING_SPLITTER, self.training_splitter.saveState())
        self.settings.setValue(SETTINGS_TAB, self.tabs.currentIndex())
        self.settings.sync()

    # ----- run state --------------------------------------------------------------------------
    def is_running(self) -> bool:
        """Whether a study's child process is running."""
        return self.worker is not None

    def kernels_problem(self) -> str:
        """Why the Kernels tab's ByHand kernels cannot be used ('' when they can)."""
        return self.kernel_panel.kernels_problem()

    def current_kernels(self):
        """The ByHand kernels for the next run as a nested list (None: the report's)."""
        if self.kernels_problem():
            return None
        return self.kernel_panel.current_kernels().tolist()

    def run_problems(self) -> list[str]:
        """Every reason Run is disabled now (empty when a study can start)."""
        problems = self.setup.problems(self.current_kernels())
        kernel_problem = self.kernels_problem()
        if kernel_problem:
            problems.append(f"kernels: {kernel_problem} (edit them on the Kernels tab)")
        return problems

    @Slot()
    def _update_run_state(self) -> None:
        problems = self.run_problems()
        unplaced = self.setup.show_problems(problems)
        running = self.is_running()
        can_run = not problems and not running
        self.run_action.setEnabled(can_run)
        self.setup.run_button.setEnabled(can_run)
        self.stop_action.setEnabled(running)
        self.resume_action.setEnabled(self.can_resume())
        self.setup.stop_button.setEnabled(running)
        if running:
            reason = ""
        elif problems:
            reason = "Run is disabled: " + "; ".join(unplaced or ["fix the fields marked in red"])
        else:
            reason = ""
        self.setup.show_run_reason(reason)
        self.setup.run_button.setToolTip(reason or "Start the study (Ctrl+R)")

    # ----- the study shown ----------------------------------------------------------------
    @property
    def state(self) -> StudyState:
        """The study shown (the model's state)."""
        return self.model.state

    @property
    def stored(self) -> StudyState | None:
        """The study shown once it has a folder and is not running (what Export exports)."""
        state = self.model.state
        return state if state.folder is not None and not state.running else None

    @property
    def study_folder(self) -> str:
        """The folder of the study shown ('' before it has one)."""
        folder = self.model.state.folder
        return str(folder) if folder is not None else ""

    @Slot()
    def _on_study_reset(self) -> None:
        self.setup.study_box.show_state(self.model.state)
        self.resume_action.setEnabled(self.can_resume())

    @Slot(object)
    def use_study_settings(self, config: StudyConfig) -> None:
        """Copy the shown study's settings into the setup (and its kernels into the editor)."""
        self.setup.set_config(config)
        if config.kernels is not None:
            self.kernel_panel.editor.set_kernels(config.byhand_kernels())
        self.statusBar().showMessage("The shown study's settings are in the setup: press Run "
                                     "for a new study with them.")
        self._update_run_state()

    # ----- running ----------------------------------------------------------------------------
    @Slot()
    def start_run(self) -> bool:
        """Start a study with the current setup in a child process; False if it cannot."""
        if self.is_running():
            return False
        problems = self.run_problems()
        if problems:
            self._update_run_state()
            return False
        config = self.setup.config(self.current_kernels())
        self.save_settings()
        self.failure_message = ""
        self._launch(config, StudyWorker(config, self.setup.studies_root(), self,
                                         warm=self.warm.take(config.backend)),
                     f"Starting {config.backend}…",
                     f"Starting a study on {config.backend} / {config.device}…")
        return True

    def _launch(self, config, worker: StudyWorker, starting: str, status: str) -> None:
        """Show `config`'s run as starting and start its worker (a new run or a resume)."""
        # StudyStarted does not carry the mode: the run's state starts from its own config.
        self.model.start_run(config)
        warm = getattr(worker, "warm", None)  # a worker kept ready (gui/warm_worker.py)
        self.progress.reset_idle(f"{starting} (in the worker kept ready)" if warm else
                                 f"{starting} (Keras loads in a new process)")
        self.tabs.setCurrentIndex(0)
        self.worker = worker
        self.worker.sig_event.connect(self._on_event)
        self.worker.sig_exited.connect(self._on_worker_exited)
        self.setup.set_running(True)
        self._update_run_state()
        self.statusBar().showMessage(status)
        self._update_title()
        self.worker.start()

    def can_resume(self) -> bool:
        """Whether the study shown may be resumed: stored, stopped, failed or interrupted,
        and no run going."""
        state = self.model.state
        return (not self.is_running() and state.folder is not None and state.config is not None
                and not state.config_guessed and not state.live
                and state.status.get("state") in RESUMABLE_STATES)

    @Slot()
    def resume_run(self) -> bool:
        """Continue the study shown in a child process (`study --resume FOLDER`)."""
        if not self.can_resume():
            return False
        state = self.model.state
        config, folder = state.config, state.folder
        self.failure_message = ""
        self._launch(config, StudyWorker(config, folder.parent, self, resume_folder=folder,
                                         warm=self.warm.take(config.backend)),
                     f"Resuming on {config.backend}…", f"Resuming {folder}…")
        return True

    @Slot()
    def stop_run(self) -> None:
        """Ask the running study to stop after its current batch (files are kept)."""
        if self.worker is None or self.worker.stop_requested:
            return
        self.worker.request_stop()
        self.progress.setFormat("Stopping after the current batch…")
        self.statusBar().showMessage("Stopping…")
        self.stop_action.setEnabled(False)
        self.setup.stop_button.setEnabled(False)

    @Slot(object)
    def _on_event(self, event) -> None:
        """A worker event: into the model (panels follow its signals), then to listeners."""
        if isinstance(event, Failed):
            self.failure_message = event.message
        elif isinstance(event, StudyStarted):
            self.statusBar().showMessage(f"Study folder: {event.folder}")
        self.model.apply(event)
        self.sig_study_event.emit(event)


    @Slot(object)
    def _on_worker_exited(self, outcome: RunOutcome) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.wait()
            worker.deleteLater()
        self.setup.set_running(False)
        folder = outcome.folder or self.study_folder
        config = self.model.state.config
        # The process is gone, so its folder is complete: read it back (predictions included).
        self.model.run_ended(folder)
        self._update_run_state()
        state = outcome.state
        if state == "failed":
            self.progress.finish("failed", "Study failed — see the message")
            self.statusBar().showMessage("The study failed")
            self.show_message("critical", "Study failed", outcome.error_text())
        elif not folder:
            what = _run_description(config)
            self.progress.finish(state, f"Study {state} during start-up, before its folder was "
                                        f"made: {what}")
            self.statusBar().showMessage(f"Study {state} during start-up: {what}")
        elif outcome.killed:
            self.progress.finish("stopped", f"Study stopped: {Path(folder).name}")
            self.show_message(
                "warning", "Study stopped",
                "The training process did not stop in time and was ended. Epochs completed "
                f"before it are kept in {folder or 'the study folder'}; the last network's final "
                "weights may be missing.")
        else:
            self.progress.finish(state, f"Study {state}: {Path(folder).name}")
            self.statusBar().showMessage(f"Study {state}: {folder}")
        self._update_title()
        self.notify_run_ended(state, Path(folder).name if folder else "")
        pending, self._open_after_run = self._open_after_run, ""
        if pending:
            self.open_study_folder(pending)
        self.warm.schedule()
        self.sig_run_finished.emit(outcome)

    # ----- title and notices ----------------------------------------------------------------
    def title_text(self) -> str:
        """The window title: "Kernel Lab", or "Kernel Lab — 37 % · study-…" during a run."""
        if not self.is_running():
            return WINDOW_TITLE
        folder = self.model.state.folder
        if folder is None:
            return f"{WINDOW_TITLE} — starting…"
        percent = int(100 * self.progress.done_fraction())
        return f"{WINDOW_TITLE} — {percent} % · {folder.name}"

    @Slot()
    def _update_title(self, *_args) -> None:
        title = self.title_text()
        if title != self.windowTitle():
            self.setWindowTitle(title)

    def notify_run_ended(self, state: str, name: str) -> None:
        """Say that a run ended: a tray message where the desktop shows them, else the status
        bar (which then keeps the notice until the next message)."""
        title = f"Study {state}"
        text = name or "before its folder was made"
        if QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages():
            if self.tray_icon is None:
                icon = self.windowIcon()
                if icon.isNull():
                    icon = self.style().standardIcon(QStyle.StandardPixmap.SP_ComputerIcon)
                self.tray_icon = QSystemTrayIcon(icon, self)
                self.tray_icon.setToolTip(WINDOW_TITLE)
            self.tray_icon.show()
            kind = (QSystemTrayIcon.MessageIcon.Critical if state == "failed"
                    else QSystemTrayIcon.MessageIcon.Information)
            self.tray_icon.showMessage(title, text, kind, NOTICE_MS)
            self.last_notice = ("tray", f"{title}: {text}")
        else:
            self.statusBar().showMessage(f"{title}: {text}")
            self.last_notice = ("status", f"{title}: {text}")
        # Where the desktop supports it, the task bar entry asks for attention too.
        QApplication.alert(self)

    def ask_yes_no(self, title: str, question: str) -> bool:
        """A Yes/No question whose default is No; True for Yes."""
        answer = QMessageBox.question(
            self, title, question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def confirm_stop_run(self, doing: str) -> bool:
        """Ask before a running study is stopped to `doing` ("close the window", …)."""
        return self.ask_yes_no(
            "A study is running",
            f"A study is running. Stop it (completed epochs are kept) and {doing}?")

    # ----- opening ----------------------------------------------------------------------------
    @Slot()
    def open_study_dialog(self) -> None:
        """File > Open: choose a study folder and show it."""
        start = str(self.setup.studies_root()) if self.setup.studies_root().is_dir() else ""
        folder = QFileDialog.getExistingDirectory(self, "Open a study folder", start)
        if folder:
            self.open_study_folder(folder)

    def open_study_folder(self, folder) -> bool:
        """Show a stored study's curves, summary, kernels and comparisons; False if it can't."""
        # --- sweeps: a sweep folder opens in its own window (gui/panels/sweep_panel.py) ---
        from gui.panels.sweep_panel import open_sweep_window

        if (shown := open_sweep_window(self, folder)) is not None:
            return shown
        # --- end sweeps ---
        if self.is_running():
            # "No" keeps the run going; "Yes" stops it and opens the folder once it has ended.
            if not self.confirm_stop_run(f"open {Path(folder).name}"):
                return False
            self._open_after_run = str(folder)
            self.stop_run()
            self.statusBar().showMessage(f"Stopping the running study; {folder} opens when it "
                                         "has stopped…")
            return False
        try:
            state = self.model.open_folder(folder)
        except StoreError as exc:
            self.show_message("warning", "Not a study folder", str(exc))
            return False
        except Exception as exc:  # noqa: BLE001 - a damaged study must never crash the app
            self.show_message("warning", "Study cannot be opened",
                              f"{folder}: {type(exc).__name__}: {exc}")
            return False
        epochs = sum(len(rows) for rows in state.rows.values())
        self.progress.reset_idle(f"Opened {state.folder.name} ({state.state}, {epochs} "
                                 "epoch rows)")
        removed = []
        if state.state != "running":
            # What a killed writer left behind (its temp files, its disk reserve) goes when the
            # study is opened; browsing the Studies list never touches a study's files.
            removed = remove_orphans(state.folder)
        self.statusBar().showMessage(
            f"Opened {state.folder}" + (f"; removed {len(removed)} temp file(s) a killed run "
                                        "left behind" if removed else ""))
        if state.problems:
            self.show_message("warning", "Study partly damaged",
                              "Some of the study's files could not be read; everything else "
                              "is shown.\n\n" + "\n".join(state.problems))
        return True

    # ----- export -----------------------------------------------------------------------------
    @Slot()
    def export_dialog(self) -> None:
        """File > Export…: choose a folder and export the study shown (CSV tables, PNGs)."""
        if self.stored is None:
            self.show_message("information", "Nothing to export",
                              "Open a study (File > Open) or run one, then export it.")
            return
        folder = QFileDialog.getExistingDirectory(self, "Export the study into a folder",
                                                  str(self.stored.folder))
        if folder:
            self.export_study_to(folder)

    def export_study_to(self, folder) -> bool:
        """Export the shown study into (or under) `folder` in a child process; False if not."""
        from gui.export_all import ExportJob
        from study.analysis.export import export_folder_for, is_export_folder

        if self.stored is None or self.export_job is not None:
            return False
        target = export_folder_for(self.stored.folder, folder)
        force = target.is_dir() and is_export_folder(target)
        if force and not self.confirm_replace_export(target):
            return False
        # The PNGs draw what the window shows: the curves' smoothing, band and seed lines,
        # the kernels' scales.
        self.export_job = ExportJob(self.stored.folder, target, force, self,
                                    smoothing=self.plots.smoothing(),
                                    own_difference_scale=self.kernel_panel.own_scale_box
                                    .isChecked(),
                                    spread=self.plots.spread(),
                                    seed_lines=self.plots.seed_lines_box.isChecked())
        self.export_job.sig_finished.connect(self._on_export_finished)
        self.export_action.setEnabled(False)
        self.statusBar().showMessage(f"Exporting to {target}…")
        self.export_job.start()
        return True

    def confirm_replace_export(self, target) -> bool:
        """Ask before an earlier export is replaced."""
        return self.ask_yes_no(
            "Replace the export?",
            f"{target} already holds an export of a study. Replace it with a new one?")

    @Slot(bool, str)
    def _on_export_finished(self, succeeded: bool, message: str) -> None:
        job, self.export_job = self.export_job, None
        if job is not None:
            job.deleteLater()
        self.export_action.setEnabled(True)
        if succeeded:
            self.statusBar().showMessage(message)
        else:
            self.statusBar().showMessage("Export failed")
            self.show_message("critical", "Export failed", message)

    # ----- messages ---------------------------------------------------------------------------
    def show_message(self, kind: str, title: str, text: str) -> None:
        """Show a window-modal message without blocking the event loop; kept for tests."""
        self.last_message = (title, text)
        icons = {"critical": QMessageBox.Icon.Critical, "warning": QMessageBox.Icon.Warning,
                 "information": QMessageBox.Icon.Information}
        if self.message_box is not None:
            self.message_box.close()
        box = QMessageBox(icons.get(kind, QMessageBox.Icon.Information), title, text,
                          QMessageBox.StandardButton.Ok, self)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.message_box = box
        box.open()
        self.sig_message_shown.emit(title, text)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """On first show (without a remembered layout) give the summary room for six rows."""
        super().showEvent(event)
        if not self._summary_sized:
            self._summary_sized = True
            # After this event the layout has given the splitter its real height.
            QTimer.singleShot(0, self._size_summary)
        self.warm.schedule()

    def _size_summary(self) -> None:
        total = sum(self.training_splitter.sizes())
        rows = min(total // 3, self.summary.height_for_rows(6) + self._summary_note_height())
        self.training_splitter.setSizes([total - rows, rows])

    def _summary_note_height(self) -> int:
        note = self.summary.note
        return note.heightForWidth(self.summary.width()) + 6 if not note.isHidden() else 0

    def _fit_summary_rows(self) -> None:
        """Grow the summary (never past half the tab) until six rows fit without scrolling."""
        need = self.summary.height_for_rows(6) - self.summary.height()
        sizes = self.training_splitter.sizes()
        if need <= 0 or len(sizes) != 2:
            return
        total = sum(sizes)
        grow = min(need, max(0, total // 2 - sizes[1]))
        if grow > 0:
            self.training_splitter.setSizes([sizes[0] - grow, sizes[1] + grow])

    # ----- closing ----------------------------------------------------------------------------
    def close_without_asking(self) -> bool:
        """Close, stopping a running study without the question (Ctrl-C in the terminal)."""
        self._close_without_asking = True
        try:
            return self.close()
        finally:
            self._close_without_asking = False

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        """Save the settings; stop a running study (kill it if it does not stop in time),
        after asking: "No" keeps the window and the run."""
        worker = self.worker
        if worker is not None and worker.isRunning() and not self._close_without_asking \
                and not self.confirm_stop_run("close the window"):
            event.ignore()
            return
        self.save_settings()
        self.warm.shut()
        if worker is not None:
            worker.sig_exited.disconnect(self._on_worker_exited)
            worker.request_stop()
            if not worker.wait(int(1000 * gui.worker.STOP_GRACE_SECONDS)):
                worker.kill()
                worker.wait()
            self.worker = None
        super().closeEvent(event)


def _run_description(config: StudyConfig | None) -> str:
    """What a run was about to train, for a stop before it had a folder."""
    if config is None:
        return "the study"
    return f"{', '.join(config.networks)} on {config.backend} / {config.device}"
