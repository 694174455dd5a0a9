"""How the main window tells that a run has ended: the progress bar's and status bar's words, a
message when it failed or had to be killed, and a tray notice (or the status bar's)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication, QStyle, QSystemTrayIcon

from study.config import StudyConfig
from study.protocol.status import StudyStatus

WINDOW_TITLE = "Kernel Lab"
# How long the run-ended notice stays in the tray (ms).
NOTICE_MS = 8000


def show_run_ended(window, outcome, folder: str, config: StudyConfig | None,
                   refusal: str = "") -> None:
    """The progress bar, status bar and message of a run that ended, by how it ended;
    `refusal`: why a resume was refused before it began (the study shown is unchanged)."""
    state = outcome.state
    if refusal:
        window.progress.finish(window.model.state.state, f"Resume refused: {refusal}")
        window.statusBar().showMessage(f"Resume refused; {Path(folder).name} is unchanged")
        window.show_message("warning", "Cannot resume", refusal)
    elif state == StudyStatus.FAILED:
        window.progress.finish(state, "Study failed — see the message")
        window.statusBar().showMessage("The study failed")
        window.show_message("critical", "Study failed", outcome.error_text())
    elif not folder:
        what = _run_description(config)
        window.progress.finish(state, f"Study {state} during start-up, before its folder was "
                                      f"made: {what}")
        window.statusBar().showMessage(f"Study {state} during start-up: {what}")
    elif outcome.killed:
        window.progress.finish(StudyStatus.STOPPED, f"Study stopped: {Path(folder).name}")
        window.show_message(
            "warning", "Study stopped",
            "The training process did not stop in time and was ended. Epochs completed "
            f"before it are kept in {folder or 'the study folder'}; the last network's final "
            "weights may be missing.")
    else:
        window.progress.finish(state, f"Study {state}: {Path(folder).name}")
        window.statusBar().showMessage(f"Study {state}: {folder}")


def window_title(window) -> str:
    """"Kernel Lab", or "37 % · study-… — Kernel Lab" during a run: it ends with the application's
    display name, which Qt then does not append again."""
    if not window.is_running() or not window.model.state.running:
        # The run has ended (its StudyFinished came) even if its process is still exiting.
        return WINDOW_TITLE
    folder = window.model.state.folder
    if folder is None:
        return f"starting… — {WINDOW_TITLE}"
    if getattr(window.worker, "stop_requested", False):
        return f"stopping · {folder.name} — {WINDOW_TITLE}"
    percent = int(100 * window.progress.done_fraction())
    return f"{percent} % · {folder.name} — {WINDOW_TITLE}"


def show_folder_changed(window, folder: str, state: str) -> None:
    """The study shown was read again because its folder changed on disk."""
    window.progress.reset_idle(f"{Path(folder).name} changed on disk: {state}")
    window.statusBar().showMessage(f"{folder} changed on disk and was read again: {state}")


def notify_run_ended(window, state: str, name: str) -> None:
    """Say that a run ended: a tray message where the desktop shows them, else the status
    bar (which then keeps the notice until the next message)."""
    title = f"Study {state}"
    text = name or "before its folder was made"
    if QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages():
        if window.tray_icon is None:
            icon = window.windowIcon()
            if icon.isNull():
                icon = window.style().standardIcon(QStyle.StandardPixmap.SP_ComputerIcon)
            window.tray_icon = QSystemTrayIcon(icon, window)
            window.tray_icon.setToolTip(WINDOW_TITLE)
        window.tray_icon.show()
        kind = (QSystemTrayIcon.MessageIcon.Critical if state == StudyStatus.FAILED
                else QSystemTrayIcon.MessageIcon.Information)
        window.tray_icon.showMessage(title, text, kind, NOTICE_MS)
        window.last_notice = ("tray", f"{title}: {text}")
    else:
        window.statusBar().showMessage(f"{title}: {text}")
        window.last_notice = ("status", f"{title}: {text}")
    # Where the desktop supports it, the task bar entry asks for attention too.
    QApplication.alert(window)


def _run_description(config: StudyConfig | None) -> str:
    """What a run was about to train, for a stop before it had a folder."""
    if config is None:
        return "the study"
    return f"{', '.join(config.networks)} on {config.backend} / {config.device}"
