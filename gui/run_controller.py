"""The run controller: the study shown (StudyModel), the run's child process (StudyWorker), the
worker kept ready (WarmKeeper), resume, stop and the export job. No widget lives here; the window
lays out, asks the controller to act, and shows what its signals say.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings, Signal, Slot

import gui.worker
from gui.folder_watch import FolderFollower, state_on_disk
from gui.study_model import StudyModel
from gui.warm_worker import WarmKeeper
from gui.worker import RunOutcome, StudyWorker
from study.config import StudyConfig
from study.folder.layout import RESUMABLE_STATES, remove_orphans
from study.protocol.events import Failed, StudyStarted
from study.protocol.status import StudyStatus
from study.state import CI, StudyState


class RunController(QObject):
    """One window's runs: at most one study running, one worker kept ready, one export job."""

    sig_launched = Signal(str, str)  # the progress bar's text, the status bar's text
    sig_running_changed = Signal(bool)
    sig_event = Signal(object)  # a run's event, after the model has taken it
    sig_status_message = Signal(str)
    sig_run_finished = Signal(object, str)  # RunOutcome and its folder, once read back
    sig_export_started = Signal(str)  # the export's folder
    sig_export_finished = Signal(bool, str)  # succeeded, one-line message

    def __init__(self, settings: QSettings, backend, data, parent: QObject | None = None):
        super().__init__(parent)
        self.model = StudyModel(self)
        self.worker: StudyWorker | None = None
        self.export_job = None
        self.failure_message = ""
        # A folder to open once the running study has stopped (Open during a run, "stop it").
        self.open_after_run = ""
        # `backend` and `data`: callables reading the setup (the warm worker's backend, data).
        self.warm = WarmKeeper(settings, backend, data, self.is_running, self)
        self.last_config: StudyConfig | None = None
        # The folder of a resume under way, and why the last one was refused ('' if it wasn't).
        self.resumed_folder = ""
        self.refusal = ""
        # The study shown follows its folder when it changes on disk (a resume elsewhere).
        self.follower = FolderFollower(self.model, self.is_running, self)

    # ----- the study shown --------------------------------------------------------------------
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

    def open_folder(self, folder) -> tuple[StudyState, list]:
        """Show a stored study (StoreError if it is not one); (its state, the temp files a
        killed writer left behind and that were removed)."""
        state = self.model.open_folder(folder)
        removed = []
        if state.state != StudyStatus.RUNNING:
            # What a killed writer left behind (its temp files, its disk reserve) goes when the
            # study is opened; browsing the Studies list never touches a study's files.
            removed = remove_orphans(state.folder)
        return state, removed

    # ----- running ----------------------------------------------------------------------------
    def is_running(self) -> bool:
        """Whether a study's child process is running."""
        return self.worker is not None

    def start(self, config: StudyConfig, studies_root) -> bool:
        """Start a study with `config` under `studies_root`; False if one is running."""
        if self.is_running():
            return False
        self.launch(config, StudyWorker(config, studies_root, self,
                                        warm=self.warm.take(config.backend)),
                    f"Starting {config.backend}…",
                    f"Starting a study on {config.backend} / {config.device}…")
        return True

    def can_resume(self) -> bool:
        """Whether the study shown may be resumed: stored, stopped, failed or interrupted,
        and no run going."""
        state = self.model.state
        return (not self.is_running() and state.folder is not None and state.config is not None
                and not state.config_guessed and not state.live
                and state.status.get("state") in RESUMABLE_STATES)

    def resume(self) -> bool:
        """Continue the study shown in a child process (`study --resume FOLDER`); False (with
        `refusal` saying why, and the study shown as it is on disk now) when it cannot be."""
        self.refusal = ""
        if not self.can_resume():
            return False
        state = self.model.state
        config, folder = state.config, state.folder
        now = state_on_disk(folder)
        if now != state.state and not now.resumable:
            # It changed on disk since it was shown (resumed to the end elsewhere): show it as
            # it is now, and start nothing.
            self.follower.check()
            self.refusal = (f"{folder.name} is {now} now (it changed since it was opened); it "
                            "is shown as it is.")
            return False
        self.resumed_folder = str(folder)
        self.launch(config, StudyWorker(config, folder.parent, self, resume_folder=folder,
                                        warm=self.warm.take(config.backend)),
                    f"Resuming on {config.backend}…", f"Resuming {folder}…")
        return True

    def launch(self, config, worker: StudyWorker, starting: str, status: str) -> None:
        """Show `config`'s run as starting and start its worker (a new run or a resume)."""
        self.failure_message = ""
        self.last_config = config
        # StudyStarted does not carry the mode: the run's state starts from its own config.
        self.model.start_run(config)
        warm = getattr(worker, "warm", None)
        self.worker = worker
        worker.sig_event.connect(self.apply_event)
        worker.sig_exited.connect(self._on_worker_exited)
        self.sig_launched.emit(f"{starting} (in the worker kept ready)" if warm else
                               f"{starting} (Keras loads in a new process)", status)
        self.sig_running_changed.emit(True)
        worker.start()

    def stop(self) -> bool:
        """Ask the running study to stop after its current batch (files are kept); False when
        none runs or it was asked already."""
        if self.worker is None or self.worker.stop_requested:
            return False
        self.worker.request_stop()
        return True

    @Slot(object)
    def apply_event(self, event) -> None:
        """A worker event: into the model (panels follow its signals), then to listeners."""
        if isinstance(event, Failed):
            self.failure_message = event.message
        elif isinstance(event, StudyStarted):
            self.sig_status_message.emit(f"Study folder: {event.folder}")
        self.model.apply(event)
        self.sig_event.emit(event)

    @Slot(object)
    def _on_worker_exited(self, outcome: RunOutcome) -> None:
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.wait()
            worker.deleteLater()
        resumed, self.resumed_folder = self.resumed_folder, ""
        folder = outcome.folder or self.study_folder or resumed
        self.refusal = ""
        if resumed and not outcome.folder and outcome.state == StudyStatus.FAILED:
            # The child refused before it began: the study is as it was.
            self.refusal = outcome.error_text().removeprefix("The study could not start: ")
        self.last_config = self.model.state.config
        # The process is gone, so its folder is complete: read it back (predictions included);
        # a refused resume shows its folder again, as it is.
        self.model.run_ended(folder)
        self.sig_running_changed.emit(False)
        self.sig_run_finished.emit(outcome, folder)

    def take_open_after_run(self) -> str:
        """The folder asked for during the run that just ended ('' if none), forgotten."""
        pending, self.open_after_run = self.open_after_run, ""
        return pending

    # ----- export -----------------------------------------------------------------------------
    def export(self, target, force: bool, smoothing: float = 0.0,
               own_difference_scale: bool = False, spread: str = CI,
               seed_lines: bool = False, kernel_seed: int | None = None) -> bool:
        """Export the shown study into `target` in a child process; False if one is going or
        nothing can be exported."""
        from gui.export_job import ExportJob

        if self.stored is None or self.export_job is not None:
            return False
        self.export_job = ExportJob(self.stored.folder, target, force, self,
                                    smoothing=smoothing,
                                    own_difference_scale=own_difference_scale,
                                    spread=spread, seed_lines=seed_lines,
                                    kernel_seed=kernel_seed)
        self.export_job.sig_finished.connect(self._on_export_finished)
        self.sig_export_started.emit(str(target))
        self.export_job.start()
        return True

    @Slot(bool, str)
    def _on_export_finished(self, succeeded: bool, message: str) -> None:
        job, self.export_job = self.export_job, None
        if job is not None:
            job.deleteLater()
        self.sig_export_finished.emit(succeeded, message)

    # ----- closing ----------------------------------------------------------------------------
    def shut(self) -> None:
        """The window closes: the worker kept ends, a running study is stopped (killed if it
        does not stop in time) and reaped, an export's child is killed."""
        self.warm.shut()
        if self.export_job is not None:
            self.export_job.cancel()
        worker = self.worker
        if worker is not None:
            worker.sig_exited.disconnect(self._on_worker_exited)
            worker.request_stop()
            if not worker.wait(int(1000 * gui.worker.STOP_GRACE_SECONDS)):
                worker.kill()
                worker.wait()
            self.worker = None
