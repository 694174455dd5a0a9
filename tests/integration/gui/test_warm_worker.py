"""The window's warm worker (gui/warm_worker.py): Run hands it the job when it is ready, a fresh
child runs otherwise; a backend change replaces it; closing the window leaves no process."""

from __future__ import annotations

import os

import pytest

from gui.warm_worker import SETTINGS_WARM
from tests.gui.test_app_window import configure, make_window, run_to_end

READY_MS = 180_000


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("KERNEL_LAB_WARM_WORKER", "on")
    window = make_window(qtbot, tmp_path)
    window.warm.delay_ms = 60_000  # the tests start it themselves
    yield window
    window.close()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def ready_worker(qtbot, window):
    window.warm.start_now()
    with qtbot.waitSignal(window.warm.sig_ready, timeout=READY_MS):
        pass
    worker = window.warm.worker
    assert worker is not None and worker.ready
    return worker


def test_run_takes_the_ready_worker_and_a_new_one_follows(qtbot, window, synthetic_data_dir,
                                                          backend_name):
    configure(window, synthetic_data_dir, backend=backend_name)
    assert window.keep_ready_action.isChecked()
    worker = ready_worker(qtbot, window)
    assert worker.backend == backend_name
    outcome = run_to_end(qtbot, window)
    assert outcome.state == "finished", outcome.error_text()
    assert outcome.pid == worker.pid
    assert window.model.state.status.get("state") == "finished"
    assert not alive(worker.pid)
    # The run ended: another one is on its way (after the idle delay).
    assert window.warm.worker is None and window.warm._timer.isActive()


def test_a_dead_worker_is_passed_over_for_a_fresh_child(qtbot, window, synthetic_data_dir,
                                                        backend_name):
    configure(window, synthetic_data_dir, backend=backend_name)
    worker = ready_worker(qtbot, window)
    os.kill(worker.pid, 9)
    qtbot.waitUntil(lambda: not worker.ready, timeout=10_000)
    outcome = run_to_end(qtbot, window)
    assert outcome.state == "finished", outcome.error_text()
    assert outcome.pid not in (None, worker.pid)


def test_a_backend_change_replaces_it_and_closing_leaves_no_process(qtbot, window,
                                                                     backend_name):
    other = "jax" if backend_name != "jax" else "torch"
    setup = window.setup
    setup.backend_combo.setCurrentIndex(setup.backend_combo.findData(backend_name))
    first = ready_worker(qtbot, window)
    assert first.backend == backend_name
    window.warm.delay_ms = 0
    setup.backend_combo.setCurrentIndex(setup.backend_combo.findData(other))
    qtbot.waitUntil(lambda: not alive(first.pid), timeout=20_000)
    second = ready_worker(qtbot, window)
    assert second.backend == other and second.pid != first.pid
    window.close()
    assert not alive(second.pid)
    assert window.warm.worker is None


def test_switched_off_it_closes_and_starts_none(qtbot, window):
    worker = ready_worker(qtbot, window)
    window.keep_ready_action.setChecked(False)
    assert window.settings.value(SETTINGS_WARM) in (False, "false")
    qtbot.waitUntil(lambda: not alive(worker.pid), timeout=20_000)
    window.warm.start_now()
    assert window.warm.worker is None


def test_run_starts_a_fresh_child_while_the_worker_is_not_ready(qtbot, window,
                                                                synthetic_data_dir, backend_name):
    configure(window, synthetic_data_dir, backend=backend_name)
    window.warm.start_now()
    starting = window.warm.worker
    assert starting is not None and not starting.ready
    outcome = run_to_end(qtbot, window)
    assert outcome.state == "finished", outcome.error_text()
    qtbot.waitUntil(lambda: starting.pid is not None, timeout=10_000)
    assert outcome.pid != starting.pid
    # The worker still starting is kept for the next Run.
    assert window.warm.worker is starting
