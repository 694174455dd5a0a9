"""The setup's Timing rounds field: all-at-once only, checked as you type, into the config."""

from __future__ import annotations


def test_timing_rounds_reach_the_config_and_a_bad_count_disables_run(window):
    setup = window.setup
    assert setup.timing_rounds_edit.text() == "5"
    assert not setup.timing_rounds_edit.isEnabled()  # sequential: nothing is timed alone
    setup.mode_combo.setCurrentIndex(setup.mode_combo.findData("all-at-once"))
    assert setup.timing_rounds_edit.isEnabled()
    assert setup.config().timing_rounds == 5
    setup.timing_rounds_edit.setText("1")
    label = setup.error_labels["timing_rounds"]
    assert not label.isHidden() and label.text().startswith("Timing rounds must be 0")
    assert not setup.run_button.isEnabled()
    setup.timing_rounds_edit.setText("0")
    assert label.isHidden() and setup.run_button.isEnabled()
    assert setup.config().timing_rounds == 0
    assert setup.config().to_dict()["timing_rounds"] == 0


def test_a_stored_studys_rounds_come_back_with_its_settings(window):
    from study.config import StudyConfig

    window.setup.set_config(StudyConfig(mode="all-at-once", timing_rounds=8))
    assert window.setup.timing_rounds_edit.text() == "8"
    window.setup.set_config(StudyConfig())
    assert window.setup.timing_rounds_edit.text() == "5"
    assert not window.setup.timing_rounds_edit.isEnabled()
