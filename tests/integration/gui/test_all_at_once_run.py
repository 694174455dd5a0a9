"""A short all-at-once study run through the window in a child process."""

from __future__ import annotations

from pathlib import Path

import pytest

from study.protocol.events import EpochEnded
from study.state import open_study
from tests.gui.test_app_window import configure, run_to_end


@pytest.mark.backend
def test_short_all_at_once_run_through_the_window(qtbot, window, synthetic_data_dir):
    configure(window, synthetic_data_dir, networks=("NetA1-HF", "NetA2-DT"))
    window.setup.mode_combo.setCurrentIndex(window.setup.mode_combo.findData("all-at-once"))
    texts_after_epochs = []
    window.sig_study_event.connect(
        lambda e: texts_after_epochs.append(window.progress.text())
        if isinstance(e, EpochEnded) else None)
    events = []
    outcome = run_to_end(qtbot, window, events)

    assert outcome.state == "finished", outcome.error_text()
    stored = open_study(outcome.folder)
    assert stored.config.mode == "all-at-once"
    assert stored.status["timing"] == "isolated-estimate"
    kinds = [type(e).__name__ for e in events]
    assert kinds.index("EpochEnded") > max(i for i, k in enumerate(kinds) if k == "NetworkStarted")
    assert texts_after_epochs and all("all 2 networks together" in t and "epoch 1/1" in t
                                      for t in texts_after_epochs)
    for network in ("NetA1-HF", "NetA2-DT"):
        qtbot.waitUntil(lambda network=network: len(
            window.plots.drawn_points(network, "test_accuracy")[0]) == 1)
        _, drawn = window.plots.drawn_points(network, "test_accuracy")
        assert drawn[0] == pytest.approx(100 * stored.curve(network, "test_accuracy")[1][0])
    assert window.summary.networks() == ["NetA1-HF", "NetA2-DT"]
    first = window.summary.texts()[0]
    assert first[4] == f"{stored.summary[0].seconds_per_epoch:.2f} s"
    assert window.summary.headers()[4] == "Time / epoch\n(isolated est.)"
    wall = stored.status["shared_wall_seconds"]
    assert window.summary.note.text().startswith("Networks trained together: shared wall time ")
    assert f"({wall:.2f} s per epoch)" in window.summary.note.text()
    assert window.progress.text() == f"Study finished: {Path(outcome.folder).name}"
