"""The app's Quick try, named and annotated, runs to the end and shows in the Studies tab
(trains)."""

from __future__ import annotations

from pathlib import Path

from study.folder.library import COLUMNS
from tests.gui.test_app_window import run_to_end


def test_a_named_quick_try_runs_to_the_end(qtbot, window, synthetic_data_dir):
    setup = window.setup
    setup.data_edit.setText(str(synthetic_data_dir))
    setup.quick_radio.click()
    # Kept small here: two networks, 2 epochs on the synthetic images.
    setup.set_networks(("NetA1-HF", "NetA2-DT"))
    setup.epochs_edit.setText("2")
    setup.train_limit_edit.setText("256")
    setup.test_limit_edit.setText("128")
    setup.name_edit.setText("first look")
    setup.note_edit.setPlainText("quick try from the app")
    outcome = run_to_end(qtbot, window)
    assert outcome.state == "finished", outcome.error_text()
    box = window.setup.study_box.texts()
    assert box["Name"] == "first look" and box["Notes"] == "quick try from the app"
    assert box["Mode"] == "all-at-once" and box["Backend"] == "jax"
    assert box["Environment"].startswith("Python ") and "CPU: " in box["Environment"]
    panel = window.studies_panel
    panel.refresh()
    panel.wait_for_listing()
    qtbot.waitUntil(lambda: len(panel.shown_paths()) == 1, timeout=10_000)
    assert Path(panel.shown_paths()[0]) == Path(outcome.folder)
    cells = {COLUMNS[c]: panel.proxy.index(0, c).data() for c in range(len(COLUMNS))}
    assert cells["study_name"] == "first look" and cells["note"] == "quick try from the app"

