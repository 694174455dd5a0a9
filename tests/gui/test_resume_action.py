"""Study › Resume: enabled only for a stored study that stopped, failed or was interrupted;
it starts the child with `study --resume FOLDER`."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from gui.child_process import main_command
from gui.main_window import MainWindow
from gui.worker import StudyWorker
from study.config import StudyConfig
from study.folder.writer import StudyWriter
from study.protocol.events import EpochResult


def _window(qtbot, tmp_path) -> MainWindow:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, studies_root=str(tmp_path / "studies"),
                        probe_devices=False)
    qtbot.addWidget(window)
    return window


def _study(root, state: str, **status):
    writer = StudyWriter.create(root, StudyConfig(networks=("NetA1-HF",), epochs=3,
                                                  backend="jax"))
    writer.append_epoch("NetA1-HF", EpochResult(1, 1.0, 1.0, 0.5, 1.0, 0.1))
    writer.write_status(state=state, backend="jax", device="cpu", **status)
    return writer.folder


@pytest.mark.parametrize("state, status, enabled", [
    ("stopped", {}, True),
    ("failed", {"error": "boom"}, True),
    # "running" whose writer is gone reads as interrupted.
    ("running", {"pid": 2**22 + 12345, "host": __import__("socket").gethostname()}, True),
    ("finished", {}, False),
])
def test_resume_is_enabled_only_for_a_stopped_failed_or_interrupted_study(
        qtbot, tmp_path, monkeypatch, state, status, enabled):
    monkeypatch.setattr(StudyWorker, "start", lambda self: None)
    window = _window(qtbot, tmp_path)
    assert not window.resume_action.isEnabled()
    assert window.resume_action in window.study_menu.actions()
    folder = _study(tmp_path / "stored", state, **status)
    assert window.open_study_folder(folder)
    assert window.resume_action.isEnabled() is enabled
    assert window.resume_run() is enabled
    window.worker = None


def test_resume_starts_the_child_with_resume_folder(qtbot, tmp_path, monkeypatch):
    window = _window(qtbot, tmp_path)
    folder = _study(tmp_path / "stored", "stopped")
    assert window.open_study_folder(folder)
    started = []
    monkeypatch.setattr(StudyWorker, "start", lambda self: started.append(self))
    assert window.resume_run()
    (worker,) = started
    assert worker.command("/unused.json") == main_command(
        "study", "--resume", folder, "--events", "json", "--stop-on-stdin")
    assert worker.config.backend == "jax"
    # While it runs, neither Run nor Resume can start another.
    assert not window.resume_action.isEnabled() and not window.run_action.isEnabled()
    assert not window.resume_run()
    window.worker = None
