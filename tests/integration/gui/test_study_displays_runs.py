"""Runs that fail or are stopped during start-up (a real child process): the axes of the study
before are reset, and the message names what was stopped."""

from __future__ import annotations

from tests.gui.test_app_window import RUN_TIMEOUT_MS, configure
from tests.gui.test_study_displays import _failing_child, report_head_study


def test_a_failed_run_resets_the_axes_of_the_study_before(qtbot, window, tmp_path,
                                                           synthetic_data_dir, monkeypatch):
    assert window.open_study_folder(report_head_study(tmp_path / "studies"))
    loss = window.plots.plots["test_loss"].getViewBox()
    loss.setYRange(0, 90000)  # the user zoomed out on the old study
    assert loss.autoRangeEnabled()[1] is False
    _failing_child(monkeypatch)
    configure(window, synthetic_data_dir)
    with qtbot.waitSignal(window.sig_run_finished, timeout=RUN_TIMEOUT_MS) as blocker:
        assert window.start_run()
    assert blocker.args[0].state == "failed"
    assert list(loss.autoRangeEnabled()) == [True, True]
    assert window.plots.drawn_points("NetA1-HF", "test_loss")[0].size == 0
    assert window.summary.rowCount() == 0
    # The failed run had no folder: the study box and status bar no longer show the old study.
    assert not window.setup.study_box.isVisible()
    assert window.backend_label.text() == "Backend: torch"


def test_a_stop_during_start_up_names_what_was_stopped(qtbot, window, synthetic_data_dir,
                                                       monkeypatch):
    # A child still starting: it reads the stop request, then ends as stopped, with no folder.
    _failing_child(monkeypatch, "import sys; sys.stdin.readline(); sys.exit(130)")
    configure(window, synthetic_data_dir, networks=("NetA1-HF", "NetA2-DT"))
    with qtbot.waitSignal(window.sig_run_finished, timeout=RUN_TIMEOUT_MS) as blocker:
        assert window.start_run()
        window.stop_run()
    outcome = blocker.args[0]
    assert outcome.state == "stopped" and outcome.folder == ""
    text = window.progress.text()
    assert text.startswith("Study stopped during start-up")
    assert "NetA1-HF, NetA2-DT on torch" in text
