"""The window running studies in child processes: curves, summary and folder; stop, kill, close,
backend switch, failures and crashes; and a GUI process that never imports a backend."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

import gui.worker
from study.protocol.byhand import REPORT_KERNELS
from study.protocol.events import StudyStarted, event_to_json
from study.state import open_study
from tests.gui.test_app_window import configure, make_window, run_to_end

RUN_TIMEOUT_MS = 120_000


def test_short_study_fills_curves_summary_and_folder(qtbot, window, synthetic_data_dir,
                                                      tmp_path):
    configure(window, synthetic_data_dir, networks=("NetA1-HF", "NetA2-DT"))
    events = []
    outcome = run_to_end(qtbot, window, events)

    assert outcome.state == "finished", outcome.error_text()
    folder = Path(outcome.folder)
    assert folder.parent == tmp_path / "studies"
    stored = open_study(folder)
    assert stored.status["state"] == "finished"
    assert stored.status["backend"] == "torch"
    for network in ("NetA1-HF", "NetA2-DT"):
        epochs, accuracy = stored.curve(network, "test_accuracy")
        qtbot.waitUntil(lambda network=network: len(
            window.plots.drawn_points(network, "test_accuracy")[0]) == 1)
        drawn_epochs, drawn = window.plots.drawn_points(network, "test_accuracy")
        assert list(drawn_epochs) == [1]
        assert drawn[0] == pytest.approx(100 * accuracy[0])
        _, loss = window.plots.drawn_points(network, "train_loss")
        assert loss[0] == pytest.approx(stored.curve(network, "train_loss")[1][0])
    assert window.summary.networks() == ["NetA1-HF", "NetA2-DT"]
    first = window.summary.texts()[0]
    assert first[1] == f"{100 * stored.summary[0].peak_test_accuracy:.2f} %"
    assert first[2] == "1"
    assert window.progress.text() == f"Study finished: {folder.name}"
    assert window.run_action.isEnabled() and not window.stop_action.isEnabled()
    # The study ran with the Kernels tab's ByHand kernels (the report's, untouched).
    np.testing.assert_array_equal(stored.config.byhand_kernels(), REPORT_KERNELS)
    started = [e for e in events if isinstance(e, StudyStarted)]
    assert started and started[0].folder == str(folder)
    assert window.last_message == ("", "")


def test_stop_during_a_run_keeps_a_valid_folder(qtbot, window, synthetic_data_dir):
    configure(window, synthetic_data_dir, epochs=300, batch_size=8)
    with qtbot.waitSignal(window.sig_run_finished, timeout=RUN_TIMEOUT_MS) as blocker:
        assert window.start_run()
        assert window.stop_action.isEnabled() and not window.run_action.isEnabled()
        assert not window.setup.epochs_edit.isEnabled()
        qtbot.waitUntil(lambda: len(window.plots.drawn_points("NetA1-HF", "test_accuracy")[0])
                        >= 1, timeout=RUN_TIMEOUT_MS)
        window.activateWindow()
        qtbot.keyClick(window, Qt.Key.Key_Escape)
        if not window.worker.stop_requested:  # no active window to take the shortcut
            window.stop_action.trigger()
    outcome = blocker.args[0]

    assert outcome.state == "stopped" and not outcome.killed
    assert outcome.returncode == 130
    stored = open_study(outcome.folder)
    assert stored.status["state"] == "stopped"
    kept = len(stored.curve("NetA1-HF", "test_accuracy")[0])
    assert 1 <= kept < 300
    qtbot.waitUntil(lambda: len(window.plots.drawn_points("NetA1-HF", "test_accuracy")[0])
                    == kept)
    assert window.summary.networks() == ["NetA1-HF"]
    assert window.summary.texts()[0][5] != ""
    assert (Path(outcome.folder) / "weights" / "NetA1-HF.final.npz").is_file()
    assert "stopped" in window.progress.text()
    assert window.run_action.isEnabled()
    assert window.last_message == ("", "")


def test_a_child_that_ignores_stop_is_killed(qtbot, window, synthetic_data_dir, monkeypatch,
                                             tmp_path):
    started = StudyStarted(str(tmp_path / "studies" / "study-x"), "torch", "cpu", ["NetA1-HF"],
                           1, 512, 256, 8)
    # A child that announces its study, then never reads its stdin.
    monkeypatch.setattr(gui.worker, "study_command", lambda config, out: [
        sys.executable, "-c",
        f"import time; print({event_to_json(started)!r}, flush=True); time.sleep(120)",
    ])
    monkeypatch.setattr(gui.worker, "STOP_GRACE_SECONDS", 0.5)
    configure(window, synthetic_data_dir)
    with qtbot.waitSignal(window.sig_run_finished, timeout=RUN_TIMEOUT_MS) as blocker:
        window.start_run()
        qtbot.waitUntil(lambda: window.study_folder == started.folder)
        window.stop_run()
    outcome = blocker.args[0]
    assert outcome.killed and outcome.state == "stopped"
    title, text = window.last_message
    assert title == "Study stopped" and "did not stop in time" in text
    assert window.run_action.isEnabled()


def test_closing_the_window_stops_the_run(qtbot, tmp_path, synthetic_data_dir, monkeypatch):
    window = make_window(qtbot, tmp_path)
    # Closing during a run asks first (tests/gui/test_window_conveniences.py); answer "stop".
    monkeypatch.setattr(window, "confirm_stop_run", lambda doing: True)
    configure(window, synthetic_data_dir, epochs=300, batch_size=8)
    assert window.start_run()
    qtbot.waitUntil(lambda: len(window.plots.drawn_points("NetA1-HF", "test_accuracy")[0])
                    >= 1, timeout=RUN_TIMEOUT_MS)
    folder = window.study_folder
    window.close()
    assert window.worker is None
    stored = open_study(folder)
    assert stored.status["state"] == "stopped"
    assert len(stored.epochs) >= 1


def test_backend_switch_between_runs_in_one_session(qtbot, window, synthetic_data_dir):
    backends = []
    # No study shown yet: the status bar describes the run the setup would start.
    configure(window, synthetic_data_dir, backend="torch")
    assert window.backend_label.text() == "Backend: torch"
    for backend in ("torch", "tensorflow"):
        configure(window, synthetic_data_dir, backend=backend)
        events = []
        outcome = run_to_end(qtbot, window, events)
        assert outcome.state == "finished", outcome.error_text()
        backends.append(open_study(outcome.folder).status["backend"])
        assert [e.backend for e in events if isinstance(e, StudyStarted)] == [backend]
        # Then it describes the study shown: the one just run, on its own backend.
        assert window.backend_label.text() == f"Backend: {backend}"
    assert backends == ["torch", "tensorflow"]
    configure(window, synthetic_data_dir, backend="torch")
    assert window.backend_label.text() == "Backend: tensorflow"


def test_gui_process_never_imports_a_backend(tmp_path):
    code = (
        "import sys\n"
        "from PySide6.QtCore import QSettings\n"
        "from gui.app import create_application\n"
        "from gui.main_window import MainWindow\n"
        "app = create_application()\n"
        f"w = MainWindow(QSettings({str(tmp_path / 's.ini')!r}, QSettings.Format.IniFormat))\n"
        "w.show(); app.processEvents()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('keras', 'torch', 'tensorflow', 'jax')))\n"
    )
    env = {**gui.worker.child_environment("torch"), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, cwd=str(gui.worker.PROJECT_ROOT), timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_failing_worker_shows_the_error_and_the_window_still_works(qtbot, window,
                                                                    synthetic_data_dir,
                                                                    tmp_path):
    corrupt = tmp_path / "corrupt-data"
    shutil.copytree(synthetic_data_dir, corrupt)
    (corrupt / "train-images-idx3-ubyte.gz").write_bytes(b"this is not an IDX file")
    configure(window, corrupt)
    outcome = run_to_end(qtbot, window)

    assert outcome.state == "failed" and outcome.returncode == 2
    title, text = window.last_message
    assert title == "Study failed"
    assert text.startswith("The study could not start: ")
    assert "train-images-idx3-ubyte.gz" in text and "wrong magic number" in text
    assert window.message_box.isVisible()
    assert window.message_box.text() == text
    assert window.run_action.isEnabled()

    window.message_box.accept()
    configure(window, synthetic_data_dir)
    outcome = run_to_end(qtbot, window)
    assert outcome.state == "finished"
    assert window.summary.networks() == ["NetA1-HF"]


def test_crashed_child_reports_the_signal(qtbot, window, synthetic_data_dir, monkeypatch):
    # A child that dies the way the OOM killer ends a process.
    monkeypatch.setattr(gui.worker, "study_command", lambda config, out: [
        sys.executable, "-c",
        "import os, signal, sys; print('MemoryError: cannot allocate', file=sys.stderr, "
        "flush=True); os.kill(os.getpid(), signal.SIGKILL)",
    ])
    configure(window, synthetic_data_dir)
    outcome = run_to_end(qtbot, window)

    assert outcome.returncode == -9
    title, text = window.last_message
    assert title == "Study failed"
    assert "killed (SIGKILL)" in text and "out of memory" in text
    assert "MemoryError: cannot allocate" in text
    assert window.run_action.isEnabled() and window.worker is None
