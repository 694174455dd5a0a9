"""The study shown follows its folder: a change on disk (a resume run elsewhere, a study that
finished or was interrupted meanwhile) is read back, so the view never shows a stale state.

Every POLL_MS it stats status.json (cheap) and, when its mtime moved, reads that small file; only
when the study's state differs from the one shown is the folder read again. A study the app is
running itself is never reloaded (its events are the truth).
"""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, QTimer, Signal

from study.folder.reader import read_status
from study.protocol.status import StudyStatus

POLL_MS = 2000


def state_on_disk(folder) -> StudyStatus:
    """The state status.json gives the study now ("interrupted" for a lost writer)."""
    return StudyStatus.parse(read_status(folder).get("state"))


class FolderFollower(QObject):
    """Reloads the model's stored study when its state on disk changes; `busy()` pauses it."""

    sig_reloaded = Signal(str, str)  # folder, its new state

    def __init__(self, model, busy, parent=None):
        super().__init__(parent)
        self.model = model
        self.busy = busy
        self._stamp: tuple[str, float] | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self) -> bool:
        """Read the shown folder back if its state on disk changed; True if it did."""
        state = self.model.state
        if state.folder is None or state.live or self.busy():
            self._stamp = None
            return False
        path = state.folder / "status.json"
        try:
            stamp = (str(state.folder), os.stat(path).st_mtime)
        except OSError:
            return False
        if stamp == self._stamp:
            return False
        self._stamp = stamp
        now = state_on_disk(state.folder)
        if now is StudyStatus.UNKNOWN or now == state.state:
            return False
        try:
            self.model.open_folder(state.folder)
        except Exception:  # noqa: BLE001 - a folder half-rewritten now is read at the next change
            self._stamp = None
            return False
        self.sig_reloaded.emit(str(state.folder), str(now))
        return True
