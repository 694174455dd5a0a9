"""The setup's quick try: its choice fills the fields and says what it chose, the expected
duration is stated before Run, and a named quick try runs to the end in the app, its name, notes
and environment shown in the "Study shown" box and the Studies tab."""

from __future__ import annotations

from gui.panels.setup.start import QUICK_TEXT, REPORT_TEXT
from study.run import quick


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
