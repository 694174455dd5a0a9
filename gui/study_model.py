"""StudyModel: the one QObject that owns the study shown, applies the worker's events to it and
tells the panels what changed. Panels render from `model.state` (a study.state.StudyState); none
keeps its own copy of the study, and none reads the study folder while a run is going on.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from study.config import StudyConfig
from study.folder.csvio import StoreError
from study.protocol.events import StudyStarted
from study.state import (
    CURVES,
    IDENTITY,
    KERNELS,
    NETWORK,
    STARTED,
    STATUS,
    SUMMARY,
    StudyState,
)


class StudyModel(QObject):
    """The study shown (running, opened, or none) and its change signals.

    sig_reset: the whole state was replaced (a run starts, a folder is opened, a run ended and
    its folder was read back, or the view was cleared); every panel redraws from scratch.
    The other signals name a change inside the current state; keyed ones carry (network, seed).
    sig_event follows every applied event, after the state took it (the progress bar's feed).
    """

    sig_reset = Signal()
    sig_status_changed = Signal()
    sig_curves_changed = Signal(str, int)
    sig_summary_changed = Signal()
    sig_kernels_changed = Signal(str, int)
    sig_identity_changed = Signal()
    sig_network_started = Signal(str, int)
    sig_event = Signal(object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._state = StudyState()

    @property
    def state(self) -> StudyState:
        """The current study (an empty StudyState when none is shown)."""
        return self._state

    def is_empty(self) -> bool:
        """No study is shown."""
        return self._state.config is None and not self._state.rows

    # ----- replacing the state ------------------------------------------------------------
    def set_state(self, state: StudyState) -> None:
        """Show `state`; every panel redraws."""
        self._state = state
        self.sig_reset.emit()

    def clear(self) -> None:
        """Show no study."""
        self.set_state(StudyState())

    def start_run(self, config: StudyConfig) -> None:
        """A run with `config` is starting: an empty live state its events will fill."""
        self.set_state(StudyState.for_run(config))

    def open_folder(self, folder) -> StudyState:
        """Read a stored study folder and show it (StoreError when it cannot be read)."""
        state = StudyState.from_folder(folder, strict=False)
        self.set_state(state)
        return state

    def show_stored(self, stored: StudyState | None) -> None:
        """Show an already-read study (None: no study)."""
        self.set_state(StudyState() if stored is None else stored)

    def run_ended(self, folder: str = "") -> None:
        """The run's process is gone: read its folder back (the files are complete now)."""
        if folder:
            try:
                self.open_folder(folder)
                return
            except StoreError:
                pass
        if self._state.folder is None:
            # Ended before it made a folder: there is no study to show.
            self.clear()
            return
        self._state.live = False
        self.sig_status_changed.emit()

    # ----- following a run ----------------------------------------------------------------
    def _follows(self, event: StudyStarted) -> bool:
        state = self._state
        return state.live and state.folder in (None, Path(event.folder))

    def apply(self, event) -> None:
        """Fold one worker event into the state and emit what changed (GUI thread)."""
        if isinstance(event, StudyStarted) and not self._follows(event):
            # A run this model was not told about (a panel used on its own): start afresh.
            self.set_state(StudyState(live=True, status={"state": "running"}))
        changes = self._state.apply(event)
        network = getattr(event, "network", "")
        seed = self._state.event_seed(getattr(event, "seed", 0))
        if STARTED in changes:
            # The run's folder, networks and seeds are known now: panels lay themselves out.
            self.sig_reset.emit()
        elif STATUS in changes:
            self.sig_status_changed.emit()
        if NETWORK in changes:
            self.sig_network_started.emit(network, seed)
        if CURVES in changes:
            self.sig_curves_changed.emit(network, seed)
        if KERNELS in changes:
            self.sig_kernels_changed.emit(network, seed)
        if SUMMARY in changes:
            self.sig_summary_changed.emit()
        if IDENTITY in changes:
            self.sig_identity_changed.emit()
        self.sig_event.emit(event)
