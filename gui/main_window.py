"""The main window: setup on the left; Training, Kernels, Compare and Studies tabs on the right.

The window lays out, and shows what the run controller (gui.run_controller) reports: each Run is a
child process whose events go into the one StudyModel every panel renders from. The window never
imports Keras or a backend. The status bar and the "Study shown" box describe the study shown,
never the setup.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QSystemTrayIcon,
    QTabWidget,
)

from gui.colors import configure_plots
from gui.export_dialog import export_shown
from gui.panels.compare import ComparePanel
from gui.panels.kernels import KernelPanel
from gui.panels.setup import SetupPanel, link_editor, setup_column
from gui.panels.status_bar import StudyStatusLabels
from gui.panels.studies import StudiesPanel
from gui.panels.training_tab import TrainingTab
from gui.run_controller import RunController
from gui.run_notices import (
    WINDOW_TITLE,
    notify_run_ended,
    show_folder_changed,
    show_run_ended,
    window_title,
)
from gui.window_menus import build_menus
from gui.window_settings import restore_window_settings, save_window_settings
from gui.worker import RunOutcome, StudyWorker
from study.config import StudyConfig
from study.folder.csvio import StoreError


def _forwarded(name: str, doc: str) -> property:
    """A window attribute that is the run controller's (read, and set where the controller's is)."""
    def setter(window, value):
        setattr(window.controller, name, value)

    return property(lambda window: getattr(window.controller, name), setter, doc=doc)


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
        self.setup = SetupPanel(probe_devices=probe_devices)
        self.controller = RunController(self.settings, self.setup.backend,
                                  lambda: self.setup.data_edit.text().strip(), self)
        self.model = self.controller.model
        self.last_message: tuple[str, str] = ("", "")
        self.message_box: QMessageBox | None = None
        # ("tray" | "status", text) of the last run-ended notice.
        self.last_notice: tuple[str, str] = ("", "")
        self.tray_icon: QSystemTrayIcon | None = None
        self._close_without_asking = False
        # The sweep windows opened from here, kept alive while they are shown.
        self.sweep_windows: list = []

        self.training = TrainingTab(self.model)
        self.progress, self.plots = self.training.progress, self.training.plots
        self.summary = self.training.summary

        self.kernel_panel = KernelPanel(model=self.model)
        self.compare_panel = ComparePanel(model=self.model)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.training, "Training")
        self.tabs.addTab(self.kernel_panel, "Kernels")
        self.tabs.addTab(self.compare_panel, "Compare")
        self.studies_panel = StudiesPanel(studies_root=self.setup.studies_root,
                                          settings=self.settings)
        self.tabs.addTab(self.studies_panel, "Studies")

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(setup_column(self.setup))
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(0, False)
        self.setCentralWidget(self.splitter)

        self._build_status_bar()
        build_menus(self)
        self.help_dialog = None
        self.setup.sig_changed.connect(self._update_run_state)
        self.setup.run_button.clicked.connect(self.start_run)
        self.setup.stop_button.clicked.connect(self.stop_run)
        link_editor(self.setup, self.kernel_panel, self._update_run_state)
        self.setup.study_box.sig_use_settings.connect(self.use_study_settings)
        self.model.sig_reset.connect(self._on_study_reset)
        self._bind_controller()
        self._bind_studies()
        # After the bar has taken the event: the title shows its fraction during a run.
        self.model.sig_event.connect(self._update_title)
        self.resize(1400, 860)
        restore_window_settings(self, studies_root)
        self._update_run_state()
        self.study_status.refresh()

    # ----- construction -----------------------------------------------------------------------
    def _bind_controller(self) -> None:
        controller = self.controller
        controller.sig_launched.connect(self._on_launched)
        controller.sig_running_changed.connect(self._on_running_changed)
        controller.sig_status_message.connect(self.statusBar().showMessage)
        controller.sig_event.connect(self.sig_study_event)
        controller.sig_run_finished.connect(self._on_run_finished)
        controller.sig_export_started.connect(self._on_export_started)
        controller.sig_export_finished.connect(self._on_export_finished)
        controller.follower.sig_reloaded.connect(lambda folder, state: (
            show_folder_changed(self, folder, state), self._update_run_state()))
        self.setup.sig_backend_changed.connect(self.warm.backend_changed)

    def _bind_studies(self) -> None:
        panel = self.studies_panel
        panel.sig_open_study.connect(self._open_from_studies)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        # After a run its study is new or changed: list again if the tab has been looked at.
        self.controller.sig_run_finished.connect(panel.run_finished)
        self.setup.sig_changed.connect(panel.show_folders)

    @Slot(str)
    def _open_from_studies(self, path: str) -> None:
        if self.open_study_folder(path):
            self.tabs.setCurrentIndex(0)

    @Slot(int)
    def _on_tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.studies_panel:
            self.studies_panel.shown()

    def _build_status_bar(self) -> None:
        self.study_status = StudyStatusLabels(self.statusBar(), self.model, self.setup)
        self.backend_label = self.study_status.backend_label
        self.device_label = self.study_status.device_label
        self.dataset_label = self.study_status.dataset_label

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
    def save_settings(self) -> None:
        """Remember the setup (also when invalid: the user's own text) and the window layout."""
        save_window_settings(self)

    # ----- the run controller's parts (gui.run_controller.RunController) ---------------------
    worker = _forwarded("worker", "The running study's worker (None when none runs).")
    export_job = _forwarded("export_job", "The export's child process (None when none runs).")
    warm = _forwarded("warm", "The worker kept ready (gui.warm_worker.WarmKeeper).")
    failure_message = _forwarded("failure_message", "The last run's Failed message, or ''.")
    state = _forwarded("state", "The study shown (the model's state).")
    stored = _forwarded("stored", "The study shown once stored and not running (what Export "
                                  "exports).")
    study_folder = _forwarded("study_folder", "The folder of the study shown ('' before one).")

    def is_running(self) -> bool:
        """Whether a study's child process is running."""
        return self.controller.is_running()

    def kernels_problem(self) -> str:
        """Why the Kernels tab's ByHand kernels cannot be used ('' when they can)."""
        return self.kernel_panel.kernels_problem()

    def current_kernels(self):
        """The editor's kernels for the next run (bank byhand) as a nested list (None: unusable)."""
        if self.kernels_problem():
            return None
        return self.kernel_panel.current_kernels().tolist()

    def run_problems(self) -> list[str]:
        """Every reason Run is disabled now (empty when a study can start)."""
        problems = self.setup.problems(self.current_kernels())
        kernel_problem = self.kernels_problem() if self.setup.uses_editor() else ""
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
    @Slot()
    def _on_study_reset(self) -> None:
        self.setup.study_box.show_state(self.model.state)
        self.resume_action.setEnabled(self.can_resume())

    @Slot(object)
    def use_study_settings(self, config: StudyConfig) -> None:
        """Copy the shown study's settings into the setup (its own kernels into the editor)."""
        self.setup.set_config(config)
        if config.kernels is not None and config.kernel_bank is None:
            self.kernel_panel.edit_kernels(config.byhand_kernels())
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
        return self.controller.start(config, self.setup.studies_root())

    def _launch(self, config, worker: StudyWorker, starting: str, status: str) -> None:
        """Show `config`'s run as starting and start its worker (a new run or a resume)."""
        self.controller.launch(config, worker, starting, status)

    @Slot(str, str)
    def _on_launched(self, progress_text: str, status: str) -> None:
        self.progress.reset_idle(progress_text)
        self.tabs.setCurrentIndex(0)
        self.statusBar().showMessage(status)

    @Slot(bool)
    def _on_running_changed(self, running: bool) -> None:
        self.setup.set_running(running)
        self._update_run_state()
        self._update_title()

    def can_resume(self) -> bool:
        """Whether the study shown may be resumed: stored, stopped, failed or interrupted,
        and no run going."""
        return self.controller.can_resume()

    @Slot()
    def resume_run(self) -> bool:
        """Continue the study shown in a child process (`study --resume FOLDER`)."""
        started = self.controller.resume()
        if self.controller.refusal:  # it changed on disk: shown as it is now
            self.show_message("information", "Cannot resume", self.controller.refusal)
        return started

    @Slot()
    def stop_run(self) -> None:
        """Ask the running study to stop after its current batch (files are kept)."""
        if not self.controller.stop():
            return
        self.progress.setFormat("Stopping after the current batch…")
        self.statusBar().showMessage("Stopping…")
        self._update_title()
        self.stop_action.setEnabled(False)
        self.setup.stop_button.setEnabled(False)

    @Slot(object)
    def _on_event(self, event) -> None:
        """A worker event: into the model (panels follow its signals), then to listeners."""
        self.controller.apply_event(event)

    @Slot(object, str)
    def _on_run_finished(self, outcome: RunOutcome, folder: str) -> None:
        refusal = self.controller.refusal
        show_run_ended(self, outcome, folder, self.controller.last_config, refusal)
        self._update_title()
        if not refusal:
            notify_run_ended(self, outcome.state, Path(folder).name if folder else "")
        pending = self.controller.take_open_after_run()
        if pending:
            self.open_study_folder(pending)
        self.warm.schedule()
        self.sig_run_finished.emit(outcome)

    def notify_run_ended(self, state: str, name: str) -> None:
        """Say that a run ended: a tray message where the desktop shows them, else the status
        bar (which then keeps the notice until the next message)."""
        notify_run_ended(self, state, name)

    # ----- title and notices ----------------------------------------------------------------
    def title_text(self) -> str:
        """The window title (gui.run_notices.window_title)."""
        return window_title(self)

    @Slot()
    def _update_title(self, *_args) -> None:
        title = self.title_text()
        if title != self.windowTitle():
            self.setWindowTitle(title)

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
        if (shown := self._open_sweep(folder)) is not None:
            return shown
        if self.is_running():
            # "No" keeps the run going; "Yes" stops it and opens the folder once it has ended.
            if not self.confirm_stop_run(f"open {Path(folder).name}"):
                return False
            self.controller.open_after_run = str(folder)
            self.stop_run()
            self.statusBar().showMessage(f"Stopping the running study; {folder} opens when it "
                                         "has stopped…")
            return False
        try:
            state, removed = self.controller.open_folder(folder)
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
        self.statusBar().showMessage(
            f"Opened {state.folder}" + (f"; removed {len(removed)} temp file(s) a killed run "
                                        "left behind" if removed else ""))
        if state.problems:
            self.show_message("warning", "Study partly damaged",
                              "Some of the study's files could not be read; everything else "
                              "is shown.\n\n" + "\n".join(state.problems))
        return True

    def _open_sweep(self, folder) -> bool | None:
        """A sweep folder opens in a window of its own (None: `folder` is no sweep)."""
        from gui.panels.sweep_panel import open_sweep_window
        from study.sweep.command import SweepError

        try:
            panel = open_sweep_window(folder, self.open_study_folder, self.sweep_windows)
        except (SweepError, StoreError) as exc:
            self.show_message("warning", "Sweep cannot be opened", str(exc))
            return False
        if panel is None:
            return None
        self.statusBar().showMessage(f"Opened sweep {folder}")
        return True

    # ----- export -----------------------------------------------------------------------------
    @Slot()
    def export_dialog(self) -> None:
        """File > Export…: choose (or name a new) folder; export the Studies tab's comparison
        when that tab shows one, else the study shown (CSV tables, PNGs)."""
        export_shown(self)

    def export_study_to(self, folder) -> bool:
        """Export the shown study into (or under) `folder` in a child process; False if not."""
        from study.analysis.export import export_folder_for, is_export_folder

        if self.stored is None or self.export_job is not None:
            return False
        target = export_folder_for(self.stored.folder, folder)
        force = target.is_dir() and is_export_folder(target)
        if force and not self.confirm_replace_export(target):
            return False
        # The PNGs draw what the window shows: the curves' smoothing, band and seed lines,
        # the kernels' scales and seed.
        return self.controller.export(target, force, smoothing=self.plots.smoothing(),
                                   own_difference_scale=self.kernel_panel.own_scale_box
                                   .isChecked(),
                                   spread=self.plots.spread(),
                                   seed_lines=self.plots.seed_lines_box.isChecked(),
                                   kernel_seed=self.kernel_panel.exported_seed())

    @Slot(str)
    def _on_export_started(self, target: str) -> None:
        self.export_action.setEnabled(False)
        self.statusBar().showMessage(f"Exporting to {target}…")

    def confirm_replace_export(self, target) -> bool:
        """Ask before an earlier export is replaced."""
        return self.ask_yes_no(
            "Replace the export?",
            f"{target} already holds an export of a study. Replace it with a new one?")

    @Slot(bool, str)
    def _on_export_finished(self, succeeded: bool, message: str) -> None:
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
        self.training.size_on_first_show()
        self.warm.schedule()

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
        self.controller.shut()
        super().closeEvent(event)
