"""The setup's quick try: its choice fills the fields and says what it chose, the expected
duration is stated before Run, and a named quick try runs to the end in the app, its name, notes
and environment shown in the "Study shown" box and the Studies tab."""

from __future__ import annotations

from pathlib import Path

from gui.panels.setup.start import QUICK_TEXT, REPORT_TEXT
from study.folder.library import COLUMNS
from study.run import quick
from tests.gui.test_app_window import run_to_end


def test_the_choices_fill_the_fields_and_the_duration_is_said_before_run(window):
    setup = window.setup
    assert setup.report_radio.text() == REPORT_TEXT and setup.quick_radio.text() == QUICK_TEXT
    setup.quick_radio.click()
    assert setup.epochs_edit.text() == str(quick.QUICK_EPOCHS)
    assert setup.train_limit_edit.text() == str(quick.QUICK_TRAIN)
    assert setup.test_limit_edit.text() == str(quick.QUICK_TEST)
    assert setup.mode_combo.currentData() == "all-at-once" and setup.backend() == "jax"
    assert "on jax (the fastest backend installed)" in setup.start_note.text()
    text = setup.duration_label.text()
    assert text.startswith("Expected duration: about ") and "an estimate" in text
    assert setup.duration_label.isVisible() and window.worker is None  # before Run
    quick_text = text
    setup.report_radio.click()
    assert setup.epochs_edit.text() == "60" and setup.train_limit_edit.text() == ""
    assert setup.duration_label.text() != quick_text and " min" in setup.duration_label.text()
    setup.epochs_edit.setText("")
    assert setup.duration_label.text() == ""  # settings that cannot run have no duration


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
